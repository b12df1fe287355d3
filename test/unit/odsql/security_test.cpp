// Injection attempts: user text must never reach the SQL text.  Each input
// is either refused with a UserError or compiled into SQL whose literals all
// come from the compiler's own fixed set, with the user text only in params.
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

// Single-quoted literals the compiler itself writes.
bool allowed_literal(const std::string& lit) {
  static const char* const kAllowed[] = {
      "[]",         " ",        "UTC",        "YYYY-MM-DD\"T\"HH24:MI:SS",
      "+",          "-",        "HH24:MI",    "HH24:MI:SS", ":00$",      "",         "day",
      "week",       "month",    "quarter",    "year",
      "epoch",      "1 second", "1 month",    "1 day",
      "name",       "facets",   "count",      "state",
      "value",      "refined",  "displayed",  "excluded",
      "YYYY",       "MM",       "DD",         "YYYY/MM",
      "YYYY/MM/DD", "YYYY-MM",  "YYYY-MM-DD", "YYYY-MM-DD\"T\"HH24:MI:SS.MS",
      // A datetime's fraction of a second, trailing zeros and point trimmed.
      ".US",        "0",        "."};
  for (const char* a : kAllowed) {
    if (lit == a) return true;
  }
  return false;
}

// Scans SQL: string literals must be allowed ones; outside literals and
// quoted identifiers there is no statement separator, comment or dollar quote.
void expect_clean_sql(const std::string& sql, const std::string& input) {
  std::string code;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      std::string body;
      std::size_t j = i + 1;
      for (;;) {
        ASSERT_LT(j, sql.size()) << "unterminated quote in SQL for input: " << input;
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            body += c;
            j += 2;
            continue;
          }
          break;
        }
        body += sql[j++];
      }
      if (c == '\'') {
        EXPECT_TRUE(allowed_literal(body)) << "literal '" << body << "' for input: " << input;
      }
      code += c == '\'' ? " L " : " I ";
      i = j + 1;
      continue;
    }
    code += c;
    ++i;
  }
  EXPECT_EQ(code.find(';'), std::string::npos) << input;
  EXPECT_EQ(code.find("--"), std::string::npos) << input;
  EXPECT_EQ(code.find("/*"), std::string::npos) << input;
  EXPECT_EQ(code.find("$$"), std::string::npos) << input;
  EXPECT_EQ(code.find('\\'), std::string::npos) << input;
}

void check(const std::function<void(Request&)>& set, const std::string& label) {
  Request r = request();
  set(r);
  try {
    Compiled c = compile_records(fields(), r);
    expect_clean_sql(c.results_sql, label);
    expect_clean_sql(c.count_sql, label);
    expect_params_consistent(c);
    Compiled f = compile_facets(fields(), r, {"city", "planted", "population"});
    expect_clean_sql(f.results_sql, label);
    expect_clean_sql(f.count_sql, label);
    expect_params_consistent(f);
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate().size(), 5u);
  }
}

const char* const kHostile[] = {
    "name = \"x'); DROP TABLE trees; --\"",
    "name = 'a\\'b'",
    "name = \"$$; SELECT pg_sleep(10); $$\"",
    "name = $$x$$",
    "name = \"\\\"; SELECT 1; --\"",
    "`name\"; DROP TABLE x; --` = 1",
    "`name` = 'x' or `x\" = \"x` = 'y'",
    "name = U&\"\\0041\"",
    "name = E'\\x41'",
    "pg_sleep(10)",
    "pg_read_file('/etc/passwd') = ''",
    "name = 'x' /* comment */",
    "name = 'x' -- comment",
    "name = 'x'; DELETE FROM trees",
    "intersects(shape, geom'POINT(1 1)''); DROP TABLE trees; --')",
    "intersects(shape, geom'{\"type\":\"Point\",\"coordinates\":[1,2],\"x\":\"'); DROP TABLE t; "
    "--\"}')",
    "planted > date'2020''); DROP'",
    "name like \"%'; DROP TABLE t; --\"",
    "\"'; DROP TABLE t; --\"",
    "search(*, \"\\\\'; --\")",
    "startswith(name, \"'; --\")",
    "date_format(updated, \"'; DROP TABLE t; --'\") = 'x'",
    "date_format(updated, \"'\\\"; --'yyyy\") = 'x'",
    "name = \"\\u0027; DROP TABLE t; --\"",
    "name = \"\xe2\x80\xae'; --\"",
    "name in ('a', '\\'', \"''\")",
    "now(days=-1); DROP TABLE t",
    "within_distance(geo, geom'POINT(1 1)', 1km); DROP",
    "population > 1::text",
    "population > (SELECT 1)",
    "name = current_user",
    "name = 'x' union select 1",
};

TEST(OdsqlSecurity, HostileWhereClauses) {
  for (const char* h : kHostile) check([&](Request& r) { r.where = h; }, h);
}

TEST(OdsqlSecurity, HostileSelectGroupOrder) {
  for (const char* h : kHostile) {
    check([&](Request& r) { r.select = h; }, h);
    check([&](Request& r) { r.group_by = h; }, h);
    check([&](Request& r) { r.order_by = h; }, h);
  }
  check([](Request& r) { r.select = "name as `x\"; DROP TABLE t; --`"; }, "alias");
  check([](Request& r) { r.select = "count(*) as \"'); DROP TABLE t; --\""; }, "alias2");
  check([](Request& r) { r.group_by = "range(population, ]1, 2[) as `'; --`"; }, "alias3");
}

TEST(OdsqlSecurity, UserTextOnlyInParams) {
  Request r = request();
  r.where = "name = \"x'); DROP TABLE trees; --\" or city like \"$$evil$$\"";
  const Compiled c = compile_records(fields(), r);
  EXPECT_FALSE(contains(c.results_sql, "DROP"));
  EXPECT_FALSE(contains(c.count_sql, "evil"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "x'); DROP TABLE trees; --"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"$$evil$$\"}"));
}

TEST(OdsqlSecurity, AliasesAreQuotedIdentifiers) {
  Request r = request();
  r.select = "name as `x\"; DROP TABLE t; --`";
  const Compiled c = compile_records(fields(), r);
  EXPECT_TRUE(contains(c.results_sql, "AS \"x\"\"; DROP TABLE t; --\""));
  expect_clean_sql(c.results_sql, "alias");
}

TEST(OdsqlSecurity, HostileRefineAndExclude) {
  for (const char* v :
       {"city:'); DROP TABLE t; --", "city:$$x$$", "name:\\", "planted:2020'; --",
        "population:1; DROP", "alive:true'--", "updated:2020-01-01T00:00:00+01:00"}) {
    check([&](Request& r) { r.refine = {v}; }, v);
    check([&](Request& r) { r.exclude = {v}; }, v);
  }
  Request r = request();
  r.refine = {"city:'); DROP TABLE t; --"};
  r.exclude = {"city:a\"b"};
  Compiled c = compile_facets(fields(), r, {"city"});
  EXPECT_TRUE(has_param(c, ParamType::Text, "'); DROP TABLE t; --"));
  // Array literal elements are double-quoted with backslash escapes.
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"'); DROP TABLE t; --\"}"));
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"a\\\"b\"}"));
}

TEST(OdsqlSecurity, HugeInput) {
  const std::string big(100000, 'a');
  for (const char* clause : {"fields", "where", "group_by", "order_by", "refine"}) {
    auto e = records_error(clause, std::string(clause) == "refine" ? "name:" + big : big);
    EXPECT_EQ(e.sqlstate, "54000") << clause;
  }
  std::string quoted = "name = \"" + std::string(100000, 'x') + "\"";
  EXPECT_EQ(records_error("where", quoted).sqlstate, "54000");
  Request r = request();
  EXPECT_EQ(catch_error([&] { compile_facets(fields(), r, {big}); }).sqlstate, "54000");
}

TEST(OdsqlSecurity, ManyFacetsRefused) {
  Request r = request();
  std::vector<std::string> many(101, "city");
  EXPECT_EQ(catch_error([&] { compile_facets(fields(), r, many); }).sqlstate, "54000");
}

TEST(OdsqlSecurity, DeepNestingRefusedEverywhere) {
  const std::string deep = std::string(200, '(') + "1" + std::string(200, ')');
  for (const char* clause : {"fields", "where", "group_by", "order_by"}) {
    EXPECT_EQ(records_error(clause, deep).sqlstate, "54001") << clause;
  }
}

}  // namespace
