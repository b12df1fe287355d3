// compile_filtered_rows() and compile_condition(): clauses sharing one
// parameter list, or writing their values inline (src/core/odsql).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/odsql/filtered_rows.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::odsql {
namespace {

const std::vector<FieldInfo> kFields = {
    {"name", FieldType::Text, false}, {"seen", FieldType::DateTime, false}};

Request filtered(const std::string& relation, const std::string& where) {
  Request req;
  req.relation = relation;
  req.where = where;
  req.limit = -1;
  return req;
}

TEST(OdsqlFilteredRows, TwoClausesShareOneNumbering) {
  Params params;
  const FilteredRows left = compile_filtered_rows(kFields, filtered("l", "name = 'a'"), params);
  const FilteredRows right = compile_filtered_rows(kFields, filtered("r", "name = 'b'"), params);
  EXPECT_EQ(left.columns, (std::vector<std::string>{"name", "seen"}));
  EXPECT_EQ(left.sql.rfind("SELECT \"name\", (to_char((\"seen\" AT TIME ZONE $1::text)", 0), 0u);
  EXPECT_NE(left.sql.find(" FROM l WHERE "), std::string::npos);
  EXPECT_NE(left.sql.find("$2::text"), std::string::npos);
  // The time zone is shared ($1), the right side's value comes next.
  EXPECT_NE(right.sql.find("$3::text"), std::string::npos);
  EXPECT_EQ(right.sql.find("$2::"), std::string::npos);
  const std::vector<Param> values = params.take();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].value, "UTC");
  EXPECT_EQ(values[1].value, "a");
  EXPECT_EQ(values[2].value, "b");
}

TEST(OdsqlFilteredRows, NoFilterNoWhere) {
  Params params;
  EXPECT_EQ(compile_filtered_rows({{"n", FieldType::Integer, false}}, filtered("t", ""), params).sql,
            "SELECT \"n\" FROM t");
}

TEST(OdsqlFilteredRows, InlinedValuesAreTypedLiterals) {
  Params literals(Params::Mode::kInlined);
  Request req = filtered("t", "name = \"it's\" and seen >= date'2020-01-01'");
  req.timezone = "Europe/Paris";
  const std::string sql = compile_condition(kFields, req, literals);
  EXPECT_EQ(sql.find('$'), std::string::npos) << sql;
  EXPECT_NE(sql.find("'it''s'::text"), std::string::npos) << sql;
  EXPECT_NE(sql.find("'Europe/Paris'::text"), std::string::npos) << sql;
  EXPECT_EQ(compile_condition(kFields, filtered("t", ""), literals), "");
}

TEST(OdsqlFilteredRows, InlinedSearchComputesItsPatterns) {
  // No caller binds a pattern into a materialized view's query: the query
  // folds and escapes its words itself, once (an InitPlan).
  Params literals(Params::Mode::kInlined);
  const std::string sql =
      compile_condition(kFields, filtered("t", "search(name, \"Été 50%\")"), literals);
  EXPECT_NE(sql.find("LIKE ALL ((SELECT ARRAY[opendata._odsql_like_word('{\"Été\"}'::text[]), "
                     "opendata._odsql_like_word('{\"50%\"}'::text[])])::text[])"),
            std::string::npos)
      << sql;
  // With parameters, the patterns are values ($n), bound ready made.
  Params params;
  const std::string numbered =
      compile_condition(kFields, filtered("t", "search(name, \"Été 50%\")"), params);
  EXPECT_NE(numbered.find("LIKE ALL (ARRAY[$2::text, $3::text])"), std::string::npos) << numbered;
  const std::vector<Param> values = params.take();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[1].type, ParamType::LikePattern);
  EXPECT_EQ(values[1].value, "{\"Été\"}");
}

TEST(OdsqlFilteredRows, StringLiteral) {
  EXPECT_EQ(string_literal("a'b"), "'a''b'");
  EXPECT_EQ(string_literal("a\\b"), "E'a\\\\b'");
  EXPECT_EQ(string_literal(""), "''");
}

}  // namespace
}  // namespace opendata::odsql
