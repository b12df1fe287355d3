// compile_facets(): statement shape, states and hierarchical date facets.
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

Compiled facets(const std::vector<std::string>& names,
                const std::function<void(Request&)>& set = {}) {
  Request r = request();
  if (set) set(r);
  Compiled c = compile_facets(fields(), r, names);
  expect_params_consistent(c);
  return c;
}

TEST(OdsqlFacets, Shape) {
  Compiled c = facets({"city", "population"});
  EXPECT_TRUE(
      contains(c.results_sql,
               "SELECT json_build_object('facets', json_build_array(json_build_object('name', $"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "city"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "population"));
  // One scan: a grouping set per facet, read back tagged by facet index.
  EXPECT_TRUE(
      contains(c.results_sql,
               "x AS (SELECT \"city\" COLLATE \"default\" AS x0, (\"population\")::text "
               "COLLATE \"default\" AS x1, GROUPING(\"city\" COLLATE \"default\") AS g0, "
               "GROUPING((\"population\")::text COLLATE \"default\") AS g1, count(*) AS c FROM "
               "opendata_api.\"trees\" GROUP BY GROUPING SETS ((\"city\" COLLATE \"default\"), "
               "((\"population\")::text COLLATE \"default\"))), "))
      << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql,
                       "g AS (SELECT 0 AS i, 1 AS l, x0 AS v, NULL::text AS n, NULL::text AS p, c "
                       "FROM x WHERE g0 = 0 AND g1 = 1 AND x0 IS NOT NULL UNION ALL SELECT 1 AS i, "
                       "1 AS l, x1 AS v, NULL::text AS n, NULL::text AS p, c FROM x WHERE g0 = 1 "
                       "AND g1 = 0 AND x1 IS NOT NULL) "))
      << c.results_sql;
  EXPECT_TRUE(
      contains(c.results_sql, "SELECT v, c FROM g WHERE i = 0 ORDER BY c DESC, v LIMIT 100"));
  EXPECT_TRUE(
      contains(c.results_sql, "SELECT v, c FROM g WHERE i = 1 ORDER BY c DESC, v LIMIT 100"));
  EXPECT_TRUE(contains(c.results_sql, "'state', CASE WHEN s.v = ANY($"));
  EXPECT_TRUE(ends_with(c.count_sql, "SELECT count(*) FROM opendata_api.\"trees\""));
}

TEST(OdsqlFacets, Empty) {
  Compiled c = facets({});
  EXPECT_TRUE(ends_with(c.results_sql, "SELECT json_build_object('facets', json_build_array())"));
  EXPECT_FALSE(contains(c.results_sql, "g AS ("));
}

TEST(OdsqlFacets, FilterApplies) {
  Compiled c = facets({"city"}, [](Request& r) {
    r.where = "population > 10";
    r.refine = {"alive:true"};
  });
  EXPECT_TRUE(contains(c.results_sql,
                       "FROM opendata_api.\"trees\" WHERE (\"population\" > $2::int8) AND "
                       "((\"alive\" = true)) GROUP BY GROUPING SETS"))
      << c.results_sql;
  EXPECT_TRUE(ends_with(c.count_sql, "WHERE (\"population\" > $2::int8) AND ((\"alive\" = true))"));
}

TEST(OdsqlFacets, RefinedAndExcludedStates) {
  Compiled c = facets({"city"}, [](Request& r) {
    r.refine = {"city:Paris"};
    r.exclude = {"city:Nice", "city:Lyon"};
  });
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"Paris\"}"));
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"Nice\",\"Lyon\"}"));
  EXPECT_TRUE(contains(c.results_sql, "UNION ALL SELECT unnest($"));
  EXPECT_TRUE(contains(c.results_sql, "'state', 'excluded'"));
}

TEST(OdsqlFacets, DatesByYear) {
  Compiled c = facets({"updated", "planted"});
  EXPECT_TRUE(contains(c.results_sql, "to_char((\"updated\" AT TIME ZONE $1::text), 'YYYY') AS x0"));
  EXPECT_TRUE(contains(c.results_sql, "to_char((\"planted\")::timestamp, 'YYYY') AS x1"));
  EXPECT_FALSE(contains(c.results_sql, "'YYYY/MM'"));
}

TEST(OdsqlFacets, RefinedDateShowsNextLevel) {
  Compiled c = facets({"planted"}, [](Request& r) { r.refine = {"planted:2020"}; });
  EXPECT_TRUE(contains(c.results_sql, "'YYYY/MM'"));
  EXPECT_FALSE(contains(c.results_sql, "'YYYY/MM/DD'"));
  // Years, and months with their year; only the months of the refined
  // years are kept, and listed under their year.
  EXPECT_TRUE(contains(c.results_sql,
                       "GROUP BY GROUPING SETS ((to_char((\"planted\")::timestamp, 'YYYY')), "
                       "(to_char((\"planted\")::timestamp, 'YYYY'), "
                       "to_char((\"planted\")::timestamp, 'YYYY/MM'), "
                       "to_char((\"planted\")::timestamp, 'MM')))"))
      << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql,
                       "SELECT 0 AS i, 2 AS l, x1 AS v, x2 AS n, x0 AS p, c FROM x WHERE g0 = 0 "
                       "AND g1 = 0 AND g2 = 0 AND x1 IS NOT NULL AND x0 = ANY($"))
      << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql, "'facets', (SELECT coalesce(json_agg("));
  EXPECT_TRUE(contains(c.results_sql, "FROM g s2 WHERE s2.i = 0 AND s2.l = 2 AND s2.p = s1.v)"));
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"2020\"}"));
  c = facets({"planted"}, [](Request& r) { r.refine = {"planted:2020-05"}; });
  EXPECT_TRUE(contains(c.results_sql, "'YYYY/MM/DD'"));
  // The month's year is refined too, in facet value form.
  EXPECT_TRUE(has_param(c, ParamType::TextArray, "{\"2020\",\"2020/05\"}"));
}

// The same field twice: one grouping set, read by both facets.
TEST(OdsqlFacets, SameFieldTwice) {
  Compiled c = facets({"city", "city"});
  EXPECT_TRUE(contains(c.results_sql, "GROUP BY GROUPING SETS ((\"city\" COLLATE \"default\")))"))
      << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql, "SELECT 1 AS i, 1 AS l, x0 AS v")) << c.results_sql;
}

TEST(OdsqlFacets, Errors) {
  Request r = request();
  auto e = catch_error([&] { compile_facets(fields(), r, {"nmae"}); });
  EXPECT_EQ(e.sqlstate, "42703");
  EXPECT_EQ(e.hint, "Did you mean \"name\"?");
  e = catch_error([&] { compile_facets(fields(), r, {"geo"}); });
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "geo field \"geo\" cannot be used as a facet");
  r.where = "population >";
  EXPECT_EQ(catch_error([&] { compile_facets(fields(), r, {"city"}); }).sqlstate, "42601");
}

}  // namespace
