// geo_cluster(geo, precision) in group_by: grouping, ordering, errors.
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

Compiled grouped(const std::string& select, const std::string& group_by,
                 const std::string& order_by = {}) {
  Request r = request();
  r.select = select;
  r.group_by = group_by;
  r.order_by = order_by;
  Compiled c = compile_records(fields(), r);
  expect_params_consistent(c);
  return c;
}

TEST(OdsqlGeoCluster, GroupsByTheCellAndReturnsTheMeanCentroid) {
  Compiled c = grouped("cluster, count(*) as n", "geo_cluster(geo, 5) as cluster");
  // 2^5 cells a side, as a bound parameter.
  EXPECT_TRUE(has_param(c, ParamType::Int8, "32"));
  // Grouped by the cell number only: the value is an aggregate per group.
  EXPECT_TRUE(contains(c.results_sql, " GROUP BY (least(greatest(floor(")) << c.results_sql;
  EXPECT_FALSE(contains(c.results_sql, "GROUP BY ST_SetSRID")) << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql,
                       "ST_SetSRID(ST_MakePoint(avg(ST_X(ST_Centroid(\"geo\"))), "
                       "avg(ST_Y(ST_Centroid(\"geo\")))), 4326)"));
  EXPECT_TRUE(contains(c.results_sql, "ST_AsGeoJSON(p.\"__oc0\", 7)::json AS \"cluster\""));
  // Records without a geometry form no cluster; clusters come in cell order.
  EXPECT_TRUE(contains(c.results_sql, "HAVING ((least(greatest(floor("));
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY (least(greatest(floor("));
  EXPECT_TRUE(contains(c.count_sql, "GROUP BY (least(greatest(floor("));
}

TEST(OdsqlGeoCluster, SameExpressionInSelectAndOrderBy) {
  Compiled c = grouped("geo_cluster(shape, 0), envelope(shape) as e", "geo_cluster(shape, 0)",
                       "geo_cluster(shape, 0) desc");
  EXPECT_TRUE(has_param(c, ParamType::Int8, "1"));
  EXPECT_TRUE(contains(c.results_sql, "AS \"geo_cluster(shape, 0)\""));
  EXPECT_TRUE(contains(c.results_sql, " DESC NULLS LAST"));
  // Zoom 29 still fits the cell number in a bigint.
  c = grouped("", "geo_cluster(geo, 29)");
  EXPECT_TRUE(has_param(c, ParamType::Int8, std::to_string(std::int64_t{1} << 29)));
}

TEST(OdsqlGeoCluster, WithOtherKeys) {
  Compiled c = grouped("city, cluster, count(*) as n", "city, geo_cluster(geo, 12) as cluster");
  EXPECT_TRUE(contains(c.results_sql, "GROUP BY \"city\", (least(")) << c.results_sql;
}

TEST(OdsqlGeoCluster, Errors) {
  struct Case {
    const char* clause;
    const char* text;
    const char* sqlstate;
  };
  const Case cases[] = {
      {"group_by", "geo_cluster(name, 5)", "42804"},  // not a geo field
      {"group_by", "geo_cluster(geo, 30)", "22023"},  // beyond the last zoom level
      {"group_by", "geo_cluster(geo, -1)", "22023"},
      {"group_by", "geo_cluster(geo, 2.5)", "22023"},
      {"group_by", "geo_cluster(geo, population)", "22023"},
      {"group_by", "geo_cluster(geo)", "42883"},  // arity
      {"group_by", "geo_cluster(geo, 5, 6)", "42883"},
      {"group_by", "geo_cluster(nope, 5)", "42703"},
      {"group_by", "distance(geo_cluster(geo, 5), geom'POINT(0 0)')", "42803"},
      {"where", "distance(geo_cluster(geo, 5), geom'POINT(0 0)') < 10", "42803"},
      {"fields", "geo_cluster(geo, 5)", "42803"},  // not grouped by it
      {"fields", "count(geo_cluster(geo, 5))", "42803"},
  };
  for (const Case& k : cases) {
    Caught e = records_error(k.clause, k.text);
    EXPECT_TRUE(e.thrown) << k.text;
    EXPECT_EQ(e.sqlstate, k.sqlstate) << k.clause << ": " << k.text << ": " << e.message;
  }
  Caught e = records_error("group_by", "geo_cluster(geo, 30)");
  EXPECT_NE(e.message.find("from 0 to 29"), std::string::npos) << e.message;
  EXPECT_EQ(e.position, 18);
}

}  // namespace
