// shift_params() and without_params_cte(): renumbering the parameters of a
// compiled statement so that two can share one parameter list.
#include <gtest/gtest.h>

#include "core/odsql/compiler.hpp"
#include "core/odsql/shift_params.hpp"

namespace {

using opendata::odsql::shift_params;
using opendata::odsql::without_params_cte;

TEST(ShiftParams, RenumbersEveryReference) {
  EXPECT_EQ(shift_params("SELECT $1::text, $2::int8 WHERE x = $10::float8", 3),
            "SELECT $4::text, $5::int8 WHERE x = $13::float8");
  EXPECT_EQ(shift_params("$1", 9), "$10");
  EXPECT_EQ(shift_params("$9$10", 1), "$10$11");
}

TEST(MapParams, ReplacesEveryReferenceOutsideQuotes) {
  EXPECT_EQ(opendata::odsql::map_params("x = $1::text AND \"$2\" = '$3' AND y = $12::int8",
                                        [](std::size_t n) { return "<" + std::to_string(n) + ">"; }),
            "x = <1>::text AND \"$2\" = '$3' AND y = <12>::int8");
}

TEST(ShiftParams, ZeroOffsetIsIdentity) {
  const std::string sql = "SELECT \"a $1\" FROM t WHERE b = $2::text AND c = 'x$3'";
  EXPECT_EQ(shift_params(sql, 0), sql);
}

TEST(ShiftParams, SkipsQuotedIdentifiersAndLiterals) {
  EXPECT_EQ(shift_params("SELECT $1 AS \"label $2\" FROM t WHERE s = 'it''s $3' AND n = $4", 5),
            "SELECT $6 AS \"label $2\" FROM t WHERE s = 'it''s $3' AND n = $9");
  EXPECT_EQ(shift_params("SELECT \"a\"\"$1\" , $1", 1), "SELECT \"a\"\"$1\" , $2");
}

TEST(ShiftParams, LeavesOtherDollarsAlone) {
  EXPECT_EQ(shift_params("SELECT $ , $a, $", 4), "SELECT $ , $a, $");
}

TEST(ShiftParams, UnterminatedQuoteIsCopied) {
  EXPECT_EQ(shift_params("SELECT $1, 'open $2", 1), "SELECT $2, 'open $2");
  EXPECT_EQ(shift_params("\"", 1), "\"");
}

TEST(ShiftParams, AgreesWithReferenceAllParams) {
  // A compiled statement shifted by n references exactly $(n+1)..$(2n).
  using opendata::odsql::Param;
  using opendata::odsql::ParamType;
  std::vector<Param> params = {{ParamType::Text, "UTC"}, {ParamType::Int8, "5"}};
  const std::string sql =
      opendata::odsql::reference_all_params("SELECT \"$1\" FROM t LIMIT $2::int8", params);
  EXPECT_EQ(shift_params(sql, 2),
            "WITH \"__odsql_params\" AS (SELECT $3::text) SELECT \"$1\" FROM t LIMIT $4::int8");
}

TEST(ShiftParams, ReferenceAllParamsJoinsAnExistingWith) {
  using opendata::odsql::Param;
  using opendata::odsql::ParamType;
  std::vector<Param> params = {{ParamType::Text, "UTC"}, {ParamType::Int8, "5"}};
  EXPECT_EQ(
      opendata::odsql::reference_all_params("WITH g AS (SELECT $2::int8) SELECT * FROM g", params),
      "WITH \"__odsql_params\" AS (SELECT $1::text), g AS (SELECT $2::int8) SELECT * FROM g");
}

TEST(WithoutParamsCte, StripsTheUnusedCte) {
  EXPECT_EQ(without_params_cte(
                "WITH \"__odsql_params\" AS (SELECT $1::text, $3::text[]) SELECT 1 FROM t"),
            "SELECT 1 FROM t");
  EXPECT_EQ(without_params_cte("SELECT 1"), "SELECT 1");
  EXPECT_EQ(without_params_cte("WITH \"__odsql_params\" AS (SELECT $2::text), g AS (SELECT 1) "
                               "SELECT * FROM g"),
            "WITH g AS (SELECT 1) SELECT * FROM g");
  // Anything else in the list: left as it is.
  EXPECT_EQ(without_params_cte("WITH \"__odsql_params\" AS (SELECT f(x)) SELECT 1"),
            "WITH \"__odsql_params\" AS (SELECT f(x)) SELECT 1");
}

}  // namespace
