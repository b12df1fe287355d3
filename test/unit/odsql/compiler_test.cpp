// Structure of the SQL generated for records queries.
#include <algorithm>

#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

Compiled compile(const std::function<void(Request&)>& set) {
  Request r = request();
  set(r);
  Compiled c = compile_records(fields(), r);
  expect_params_consistent(c);
  return c;
}

TEST(OdsqlRecords, DefaultSelectsAllFields) {
  Compiled c = compile([](Request&) {});
  ASSERT_GE(c.params.size(), 2u);
  EXPECT_EQ(c.params[0].type, ParamType::Text);
  EXPECT_EQ(c.params[0].value, "UTC");
  EXPECT_TRUE(contains(c.results_sql, "\"name\" AS \"__oc0\""));
  EXPECT_TRUE(contains(c.results_sql, "p.\"__oc0\" AS \"name\""));
  EXPECT_TRUE(contains(c.results_sql, "ST_AsGeoJSON(p.\"__oc7\", 7)::json AS \"geo\""));
  EXPECT_TRUE(contains(c.results_sql, "(p.\"__oc5\" AT TIME ZONE $1::text)"));
  EXPECT_TRUE(contains(c.results_sql, "AS \"Année\""));
  EXPECT_TRUE(contains(c.results_sql, "FROM opendata_api.\"trees\""));
  EXPECT_TRUE(contains(c.results_sql, "coalesce(json_agg(q.j), '[]'::json)"));
  EXPECT_TRUE(contains(c.results_sql, " LIMIT $2::int8"));
  EXPECT_TRUE(has_param(c, ParamType::Int8, "10"));
  EXPECT_FALSE(contains(c.results_sql, "OFFSET"));
  EXPECT_FALSE(contains(c.results_sql, "WHERE"));
  EXPECT_TRUE(ends_with(c.count_sql, "SELECT count(*) FROM opendata_api.\"trees\"")) << c.count_sql;
}

TEST(OdsqlRecords, LimitAndOffset) {
  Compiled c = compile([](Request& r) {
    r.limit = -1;
    r.offset = 20;
  });
  EXPECT_FALSE(contains(c.results_sql, "LIMIT"));
  EXPECT_TRUE(contains(c.results_sql, "OFFSET $2::int8"));
  EXPECT_TRUE(has_param(c, ParamType::Int8, "20"));
  c = compile([](Request& r) { r.limit = 0; });
  EXPECT_TRUE(contains(c.results_sql, "LIMIT $2::int8"));
  EXPECT_TRUE(has_param(c, ParamType::Int8, "0"));
}

// page_count_sql: results_sql's columns, then the total: the page's own
// when it tells it, else the count, switched by the last parameter.
TEST(OdsqlRecords, PageAndCountInOneStatement) {
  // 12, not 10: equal values would share one parameter with the limit.
  Compiled c = compile([](Request& r) { r.where = "population > 12"; });
  const std::string flag = "$" + std::to_string(c.params.size() + 1) + "::bool";
  // The page's statement, unchanged up to its columns.
  EXPECT_TRUE(contains(c.page_count_sql, "'[]'::json), count(*), CASE WHEN count(*) < $3::int8 THEN "
                                             "count(*) WHEN " + flag + " THEN (SELECT count(*) "
                                             "FROM opendata_api.\"trees\" WHERE (\"population\" > "
                                             "$2::int8)) END FROM (SELECT (SELECT row_to_json(r.*)"))
      << c.page_count_sql;
  EXPECT_TRUE(contains(c.page_count_sql, "WHERE (\"population\" > $2::int8) LIMIT $3::int8) p) q"))
      << c.page_count_sql;
  // After `start`, the total is start plus the page; an empty page there
  // does not tell it: count it.
  c = compile([](Request& r) { r.offset = 30; });
  EXPECT_TRUE(contains(c.page_count_sql,
                       "CASE WHEN count(*) < $2::int8 AND count(*) > 0 THEN $3::int8 + count(*) WHEN"))
      << c.page_count_sql;
  // Without a limit the page never tells.
  c = compile([](Request& r) { r.limit = -1; });
  EXPECT_TRUE(contains(c.page_count_sql, "count(*), CASE WHEN $")) << c.page_count_sql;
  // Groups: the count is of groups.
  c = compile([](Request& r) {
    r.select = "name, count(*) as n";
    r.group_by = "name";
  });
  EXPECT_TRUE(contains(c.page_count_sql, "THEN (SELECT count(*) FROM (SELECT 1 FROM "))
      << c.page_count_sql;
  // Without a token, the page's statement selects what the count counts.
  EXPECT_TRUE(c.page_scan_counts);
}

// page_sql: page_count_sql's statement without the count's sub-select,
// its total the page's own or NULL, with the same parameters.
TEST(OdsqlRecords, PageWithoutCount) {
  Compiled c = compile([](Request& r) { r.where = "population > 12"; });
  const std::string flag = "$" + std::to_string(c.params.size() + 1) + "::bool";
  EXPECT_TRUE(contains(c.page_sql, "'[]'::json), count(*), CASE WHEN count(*) < $3::int8 THEN "
                                       "count(*) END FROM (SELECT (SELECT row_to_json(r.*)"))
      << c.page_sql;
  EXPECT_FALSE(contains(c.page_sql, "SELECT count(*) FROM")) << c.page_sql;
  // The same page as page_count_sql's, and the count's switch still typed.
  const std::string page = "WHERE (\"population\" > $2::int8) LIMIT $3::int8) p) q";
  EXPECT_TRUE(ends_with(c.page_sql, page)) << c.page_sql;
  EXPECT_TRUE(ends_with(c.page_count_sql, page)) << c.page_count_sql;
  EXPECT_TRUE(contains(c.page_sql, flag)) << c.page_sql;
  // After `start`: start plus the page, as in page_count_sql.
  c = compile([](Request& r) { r.offset = 30; });
  EXPECT_TRUE(contains(c.page_sql,
                       "CASE WHEN count(*) < $2::int8 AND count(*) > 0 THEN $3::int8 + count(*) END"))
      << c.page_sql;
  // Without a limit the page never tells: NULL.
  c = compile([](Request& r) { r.limit = -1; });
  EXPECT_TRUE(contains(c.page_sql, "count(*), NULL::int8 FROM")) << c.page_sql;
  // Groups: no count of groups either.
  c = compile([](Request& r) {
    r.select = "name, count(*) as n";
    r.group_by = "name";
  });
  EXPECT_FALSE(contains(c.page_sql, "SELECT 1 FROM")) << c.page_sql;
}

TEST(OdsqlRecords, TimezoneIsFirstParam) {
  Compiled c = compile([](Request& r) { r.timezone = "Europe/Paris"; });
  EXPECT_EQ(c.params[0].value, "Europe/Paris");
}

TEST(OdsqlRecords, WhereNumericComparison) {
  Compiled c = where("population > 10");
  EXPECT_TRUE(contains(c.results_sql, "WHERE (\"population\" > $2::int8)"));
  EXPECT_TRUE(ends_with(
      c.count_sql, "SELECT count(*) FROM opendata_api.\"trees\" WHERE (\"population\" > $2::int8)"))
      << c.count_sql;
  EXPECT_TRUE(has_param(c, ParamType::Int8, "10"));
  c = where("height <= 5.5");
  EXPECT_TRUE(contains(c.count_sql, "(\"height\" <= $2::float8)"));
  EXPECT_TRUE(has_param(c, ParamType::Float8, "5.5"));
  c = where("height >= -3");
  EXPECT_TRUE(has_param(c, ParamType::Int8, "-3"));
}

TEST(OdsqlRecords, WhereTextEquality) {
  Compiled c = where("city = \"Paris\"");
  EXPECT_TRUE(contains(c.count_sql, "(\"city\" = $2::text)"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "Paris"));
  c = where("city:'Paris'");
  EXPECT_TRUE(contains(c.count_sql, "(\"city\" = $2::text)"));
  c = where("city != 'Paris'");
  EXPECT_TRUE(contains(c.count_sql, "(\"city\" <> $2::text)"));
  // A number compared for equality with a text field is matched as written.
  c = where("city = 75001");
  EXPECT_TRUE(has_param(c, ParamType::Text, "75001"));
}

TEST(OdsqlRecords, CaseInsensitiveAndQuotedNames) {
  Compiled c = where("POPULATION > 1 and `12` = 'x' and `and` = 'y' and année > 3");
  EXPECT_TRUE(contains(c.count_sql, "\"population\" >"));
  EXPECT_TRUE(contains(c.count_sql, "\"12\" ="));
  EXPECT_TRUE(contains(c.count_sql, "\"and\" ="));
  EXPECT_TRUE(contains(c.count_sql, "\"Année\" >"));
}

TEST(OdsqlRecords, BooleanLogic) {
  Compiled c = where("alive and (population > 1 or not height < 2)");
  EXPECT_TRUE(
      contains(c.count_sql,
               "(\"alive\" AND ((\"population\" > $2::int8) OR (NOT (\"height\" < $3::int8))))"));
  c = where("alive is false");
  EXPECT_TRUE(contains(c.count_sql, "(\"alive\" IS FALSE)"));
  c = where("alive = true");
  EXPECT_TRUE(contains(c.count_sql, "(\"alive\" = true)"));
  // 1 and 0 are booleans against a boolean field, as refine reads them.
  c = where("alive = 1 or 0 = alive or alive in (0, true)");
  EXPECT_TRUE(contains(c.count_sql,
                       "((\"alive\" = true) OR (false = \"alive\") OR (\"alive\" IN (false, true)))"));
  c = where("name is not null");
  EXPECT_TRUE(contains(c.count_sql, "(\"name\" IS NOT NULL)"));
  c = where("name = null");
  EXPECT_TRUE(contains(c.count_sql, "(\"name\" IS NULL)"));
}

TEST(OdsqlRecords, InListAndRanges) {
  Compiled c = where("city in ('Paris', 'Lyon')");
  EXPECT_TRUE(contains(c.count_sql, "(\"city\" IN ($2::text, $3::text))"));
  c = where("population not in (1, 2)");
  EXPECT_TRUE(contains(c.count_sql, "(\"population\" NOT IN ($2::int8, $3::int8))"));
  c = where("population in [1..10]");
  EXPECT_TRUE(contains(c.count_sql, "(\"population\" >= $2::int8 AND \"population\" <= $3::int8)"));
  c = where("population in ]1..10[");
  EXPECT_TRUE(contains(c.count_sql, "(\"population\" > $2::int8 AND \"population\" < $3::int8)"));
  c = where("planted in [date'2017'..date'2018']");
  EXPECT_TRUE(has_param(c, ParamType::Date, "2017-01-01"));
  EXPECT_TRUE(has_param(c, ParamType::Date, "2018-01-01"));
}

TEST(OdsqlRecords, DateComparisons) {
  Compiled c = where("planted > date'2020-05-03'");
  EXPECT_TRUE(contains(c.count_sql, "(\"planted\" > $2::date)"));
  EXPECT_TRUE(has_param(c, ParamType::Date, "2020-05-03"));
  c = where("planted > date'2018/04/01'");
  EXPECT_TRUE(has_param(c, ParamType::Date, "2018-04-01"));
  // A date-time without offset is wall-clock time in the request's zone.
  c = where("updated >= date'2017-04-03T08:02'");
  EXPECT_TRUE(
      contains(c.count_sql, "(\"updated\" >= ($2::text::timestamp AT TIME ZONE $1::text))"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "2017-04-03 08:02:00.000000"));
  c = where("updated < date'2017-04-03T08:02:00Z'");
  EXPECT_TRUE(has_param(c, ParamType::Timestamptz, "2017-04-03 08:02:00.000000+00:00"));
  // A date field against a date-time: both become timestamptz.
  c = where("planted < date'2017-04-03T08:02+02:00'");
  EXPECT_TRUE(
      contains(c.count_sql, "((\"planted\")::timestamp AT TIME ZONE $1::text) < $2::timestamptz"));
  // A string compared with a date field is read as a date.
  c = where("planted = '2020-01-02'");
  EXPECT_TRUE(has_param(c, ParamType::Date, "2020-01-02"));
}

TEST(OdsqlRecords, FullTextSearch) {
  Compiled c = where("\"paris\"");
  EXPECT_TRUE(contains(c.count_sql,
                       "(opendata._odsql_fold(concat_ws(' ', \"name\", \"city\", \"12\", \"and\")) "
                       "LIKE ALL (ARRAY[$2::text]))"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"paris\"}"));
  // Several words: each must match (one pattern each, the target folded
  // once); '*' splits a word into pieces; LIKE metacharacters travel as
  // data, escaped when the pattern is bound, after folding
  // (odsql/like_pattern.hpp).
  c = where("\"action 50%_off film* a**b\"");
  EXPECT_TRUE(contains(c.count_sql, "LIKE ALL (ARRAY[$2::text, $3::text, $4::text, $5::text])"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"action\"}"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"50%_off\"}"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"film\",\"\"}"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"a\",\"\",\"b\"}"));
  // The pieces themselves travel with the parameter, for the caller to fold.
  const auto ab = std::find_if(c.params.begin(), c.params.end(),
                               [](const Param& p) { return p.value == "{\"a\",\"\",\"b\"}"; });
  ASSERT_NE(ab, c.params.end());
  EXPECT_EQ(ab->pieces, (std::vector<std::string>{"a", "", "b"}));
  // A word written twice is one parameter, with its pieces.
  c = where("\"tree tree\"");
  EXPECT_TRUE(contains(c.count_sql, "LIKE ALL (ARRAY[$2::text, $2::text])"));
  EXPECT_EQ(std::count_if(c.params.begin(), c.params.end(),
                          [](const Param& p) { return p.type == ParamType::LikePattern; }),
            1);
  EXPECT_EQ(c.params[1].pieces, (std::vector<std::string>{"tree"}));
  // Quotes and backslashes inside a word are array-literal escaped.
  c = where("\"say\\\"hi\\\\\"");
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"say\\\"hi\\\\\"}"));
  c = where("\"tree\" and not \"car\"");
  EXPECT_TRUE(contains(c.count_sql, "(NOT (opendata._odsql_fold("));
  c = where("\"   \"");
  EXPECT_TRUE(contains(c.count_sql, "WHERE true"));
}

TEST(OdsqlRecords, LikeSearchStartswith) {
  Compiled c = where("name like \"star wars\"");
  EXPECT_TRUE(contains(c.count_sql, "(opendata._odsql_fold(\"name\") LIKE ALL (ARRAY["));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"star\"}"));
  EXPECT_TRUE(has_param(c, ParamType::LikePattern, "{\"wars\"}"));
  c = where("search(city, 'par')");
  EXPECT_TRUE(contains(c.count_sql, "opendata._odsql_fold(\"city\")"));
  c = where("search(population, '12')");
  EXPECT_TRUE(contains(c.count_sql, "opendata._odsql_fold((\"population\")::text)"));
  c = where("search(*, 'par')");
  EXPECT_TRUE(contains(c.count_sql, "concat_ws("));
  c = where("startswith(city, 'Pa_%')");
  EXPECT_TRUE(contains(c.count_sql, "(\"city\" LIKE $2::text)"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "Pa\\_\\%%"));
}

TEST(OdsqlRecords, GeoFilters) {
  Compiled c = where("within_distance(geo, geom'POINT(2.35 48.85)', 2km)");
  EXPECT_TRUE(contains(c.count_sql,
                       "ST_DWithin((\"geo\")::geography, (ST_GeomFromText($2::text, "
                       "4326))::geography, $3::float8)"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "POINT(2.35 48.85)"));
  EXPECT_TRUE(has_param(c, ParamType::Float8, "2000"));
  c = where("distance(geo, geom'POINT(1 1)', 1mi)");
  EXPECT_TRUE(has_param(c, ParamType::Float8, "1609.3440000000001"));
  c = where("distance(geo, geom'POINT(1 1)', 100 yd)");
  EXPECT_TRUE(contains(c.count_sql, "ST_DWithin("));
  c = where("distance(geo, geom'POINT(1 1)', 500)");
  EXPECT_TRUE(has_param(c, ParamType::Float8, "500"));
  c = where("in_bbox(geo, 48, 2, 49, 3)");
  EXPECT_TRUE(contains(c.count_sql,
                       "ST_Intersects(\"geo\", ST_MakeEnvelope(least($3::int8, $5::int8), "
                       "least($2::int8, $4::int8)"));
  c = where("intersects(shape, geom'{\"type\":\"Point\",\"coordinates\":[1,2]}')");
  EXPECT_TRUE(contains(c.count_sql,
                       "ST_Intersects(\"shape\", ST_SetSRID(ST_GeomFromGeoJSON($2::text), 4326))"));
  c = where("within(shape, geom'POLYGON((0 0,1 0,1 1,0 0))') or disjoint(shape, geom'POINT(5 5)')");
  EXPECT_TRUE(contains(c.count_sql, "ST_Within(\"shape\""));
  EXPECT_TRUE(contains(c.count_sql, "ST_Disjoint(\"shape\""));
  c = where(
      "geometry(shape, geom'POINT(1 1)', INTERSECTS) and polygon(geo, geom'POLYGON((0 0,1 0,1 1,0 "
      "0))')");
  EXPECT_TRUE(contains(c.count_sql, "ST_Intersects(\"shape\""));
  EXPECT_TRUE(contains(c.count_sql, "ST_Within(\"geo\""));
}

TEST(OdsqlRecords, DateFunctions) {
  Compiled c = where("year(updated) = 2020 and month(planted) > 6 and dayofweek(updated) = 1");
  EXPECT_TRUE(
      contains(c.count_sql, "date_part('year', (\"updated\" AT TIME ZONE $1::text))::int8"));
  EXPECT_TRUE(contains(c.count_sql, "date_part('month', (\"planted\")::timestamp)::int8"));
  EXPECT_TRUE(contains(c.count_sql, "date_part('isodow', "));
  c = where("date_format(updated, 'dd/MM/yyyy') = '01/02/2020'");
  EXPECT_TRUE(contains(c.count_sql, "to_char((\"updated\" AT TIME ZONE $1::text), $2::text)"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "DD\"/\"MM\"/\"YYYY"));
}

TEST(OdsqlRecords, NowFunction) {
  Compiled c = where("updated > now()");
  EXPECT_TRUE(contains(c.count_sql,
                       "(\"updated\" > ((now() AT TIME ZONE $1::text) AT TIME ZONE $1::text))"));
  c = where("updated > now(days=-1, hours=2)");
  EXPECT_TRUE(
      contains(c.count_sql, "make_interval(days => ($2::int8)::int, hours => ($3::int8)::int)"));
  EXPECT_TRUE(has_param(c, ParamType::Int8, "-1"));
  c = where("updated > now(year=2000, day=31)");
  EXPECT_TRUE(contains(c.count_sql, "make_timestamp("));
  EXPECT_TRUE(contains(c.count_sql, "least("));
  c = where("updated > now(mondays=-1)");
  EXPECT_TRUE(contains(c.count_sql, "isodow"));
  c = where("planted > now(weekday=0)");
  EXPECT_TRUE(contains(c.count_sql, "((\"planted\")::timestamp AT TIME ZONE $1::text) >"));
}

TEST(OdsqlRecords, SelectExpressionsAndAliases) {
  Compiled c = compile([](Request& r) {
    r.select =
        "name AS n, 2 * population as double_pop, \"hello\" as hello, length(city), height / "
        "population";
  });
  EXPECT_TRUE(contains(c.results_sql, "AS \"n\""));
  EXPECT_TRUE(contains(c.results_sql, "($2::int8 * \"population\") AS \"__oc1\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"double_pop\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"length(city)\""));
  EXPECT_TRUE(
      contains(c.results_sql, "((\"height\")::float8 / NULLIF(\"population\", 0)) AS \"__oc4\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"height / population\""));
  EXPECT_TRUE(has_param(c, ParamType::Text, "hello"));
}

TEST(OdsqlRecords, SelectIncludeExclude) {
  Compiled c = compile([](Request& r) { r.select = "include(p*)"; });
  EXPECT_TRUE(contains(c.results_sql, "AS \"population\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"planted\""));
  EXPECT_FALSE(contains(c.results_sql, "AS \"name\""));
  c = compile([](Request& r) { r.select = "exclude(geo, shape)"; });
  EXPECT_TRUE(contains(c.results_sql, "AS \"name\""));
  EXPECT_FALSE(contains(c.results_sql, "AS \"geo\""));
  EXPECT_FALSE(contains(c.results_sql, "AS \"shape\""));
  c = compile([](Request& r) { r.select = "*, exclude(p*)"; });
  EXPECT_FALSE(contains(c.results_sql, "AS \"population\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"height\""));
  auto e = catch_error([] {
    Request r = request();
    r.select = "name, name";
    compile_records(fields(), r);
  });
  EXPECT_EQ(e.sqlstate, "42701");
}

TEST(OdsqlRecords, OrderBy) {
  Compiled c = compile([](Request& r) {
    r.select = "name";
    r.order_by = "population desc, name";
  });
  // The page's rows keep their order keys; json_agg re-sorts them.  A key
  // that is an output is that output's column.
  EXPECT_TRUE(contains(c.results_sql, "\"name\" AS \"__oc0\", \"population\" AS \"__ok0\" FROM"));
  EXPECT_TRUE(contains(c.results_sql, "AS j, p.\"__ok0\", p.\"__oc0\" FROM"));
  EXPECT_TRUE(contains(c.results_sql,
                       "json_agg(q.j ORDER BY q.\"__ok0\" DESC NULLS LAST, q.\"__oc0\" ASC NULLS "
                       "LAST)"));
  EXPECT_TRUE(contains(c.rows_sql, "ORDER BY p.\"__ok0\" DESC NULLS LAST, p.\"__oc0\" ASC"));
  EXPECT_FALSE(contains(c.results_sql, "OVER"));
  EXPECT_TRUE(contains(c.results_sql,
                       "ORDER BY \"population\" DESC NULLS LAST, \"name\" ASC NULLS LAST LIMIT"));
  // The same key twice: one column.
  c = compile([](Request& r) { r.order_by = "name, name desc"; });
  EXPECT_TRUE(contains(c.results_sql, "AS j, p.\"__oc0\" FROM"));
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY q.\"__oc0\" ASC NULLS LAST, q.\"__oc0\" DESC"));
  c = compile([](Request& r) {
    r.select = "name, distance(geo, geom'POINT(1 1)') as d";
    r.order_by = "d";
  });
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY ST_Distance((\"geo\")::geography"));
  c = compile([](Request& r) { r.order_by = "distance(geo, geom'POINT(1 1)') desc"; });
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY ST_Distance("));
}

TEST(OdsqlRecords, OrderByNotNullField) {
  // A NOT NULL field sorts without a null placement, so that a B-tree on it
  // serves both directions; nullable fields and expressions keep NULLS LAST.
  std::vector<FieldInfo> fs = fields();
  for (FieldInfo& f : fs) f.not_null = f.name == "population";
  Request r = request();
  r.order_by = "population desc, name, population + 1 desc";
  r.select = "name, population as p";
  Compiled c = compile_records(fs, r);
  EXPECT_TRUE(contains(c.results_sql,
                       "ORDER BY \"population\" DESC, \"name\" ASC NULLS LAST, (\"population\" + "
                       "$2::int8) DESC NULLS LAST LIMIT"));
  EXPECT_TRUE(contains(c.results_sql,
                       "json_agg(q.j ORDER BY q.\"__oc1\" DESC, q.\"__oc0\" ASC NULLS LAST, "
                       "q.\"__ok2\" DESC NULLS LAST)"));
  EXPECT_TRUE(contains(c.rows_sql, "ORDER BY p.\"__oc1\" DESC, p.\"__oc0\" ASC NULLS LAST"));
  // Through a label too: it names the same column.
  r.order_by = "p";
  c = compile_records(fs, r);
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"population\" ASC LIMIT"));
}

TEST(OdsqlRecords, GroupKeyNullTests) {
  // Other keys keep a HAVING test; a NOT NULL field needs none; the where
  // clause comes first.
  std::vector<FieldInfo> fs = fields();
  for (FieldInfo& f : fs) f.not_null = f.name == "planted";
  Request r = request();
  r.where = "population > 3 or alive";
  r.group_by = "month(planted), range(height, 10), upper(name)";
  Compiled c = compile_records(fs, r);
  EXPECT_TRUE(contains(c.results_sql, "WHERE ((\"population\" > $2::int8) OR \"alive\") GROUP BY"));
  EXPECT_TRUE(contains(c.results_sql, " HAVING ((("));
  EXPECT_TRUE(contains(c.results_sql, " AND (upper(\"name\")) IS NOT NULL ORDER BY"));
  EXPECT_FALSE(contains(c.results_sql, "planted\" IS NOT NULL"));
  EXPECT_FALSE(contains(c.results_sql, "(date_part('month'"));
}

TEST(OdsqlRecords, Aggregates) {
  Compiled c = compile([](Request& r) {
    r.select =
        "count(*), count(city) as c, count(distinct city), sum(population), avg(height), "
        "min(planted), max(updated), "
        "median(height), percentile(height, 90), envelope(geo), bbox(shape)";
  });
  for (const char* s :
       {"count(*) AS", "count(\"city\") AS", "count(DISTINCT \"city\") AS",
        "sum(\"population\") AS", "avg(\"height\")::float8 AS", "min(\"planted\") AS",
        "max(\"updated\") AS",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY (\"height\")::float8) AS",
        "percentile_cont($2::float8) WITHIN GROUP", "ST_Extent(\"geo\")::geometry AS"}) {
    EXPECT_TRUE(contains(c.results_sql, s)) << s;
  }
  EXPECT_TRUE(has_param(c, ParamType::Float8, "0.90000000000000002"));
  EXPECT_TRUE(contains(c.results_sql, "ST_AsGeoJSON(p.\"__oc9\", 7)::json AS \"envelope(geo)\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"count(*)\""));
  EXPECT_FALSE(contains(c.results_sql, "GROUP BY"));
  EXPECT_TRUE(ends_with(c.count_sql, "SELECT 1::bigint")) << c.count_sql;
}

TEST(OdsqlRecords, GroupBy) {
  Compiled c = compile([](Request& r) {
    r.select = "city, count(*) as n, sum(population)";
    r.group_by = "city";
    r.order_by = "n desc";
  });
  // Records without a key form no group: filtered on the field itself.
  EXPECT_TRUE(contains(c.results_sql,
                       "WHERE (\"city\" IS NOT NULL) GROUP BY \"city\" ORDER BY count(*) DESC "
                       "NULLS LAST"));
  EXPECT_TRUE(ends_with(c.count_sql,
                        "SELECT count(*) FROM (SELECT 1 FROM opendata_api.\"trees\" WHERE "
                        "(\"city\" IS NOT NULL) GROUP BY \"city\") g"))
      << c.count_sql;
  // Without order_by, groups come in key order.
  c = compile([](Request& r) { r.group_by = "city, year(updated) as y"; });
  EXPECT_TRUE(contains(c.results_sql,
                       "ORDER BY \"city\" ASC NULLS LAST, date_part('year', (\"updated\" AT TIME "
                       "ZONE $1::text))::int8 ASC NULLS LAST"));
  // A date part is grouped on date_part()'s float, not on the key ordered
  // by (issue #15: the groups are then hashed, not every record sorted).
  EXPECT_TRUE(contains(c.results_sql,
                       "GROUP BY \"city\", date_part('year', (\"updated\" AT TIME ZONE "
                       "$1::text)) ORDER BY"))
      << c.results_sql;
  // A date part is null exactly when its field is: the field is tested,
  // not the key computed a second time per row.
  EXPECT_TRUE(contains(c.results_sql,
                       "WHERE (\"city\" IS NOT NULL) AND (\"updated\" IS NOT NULL) GROUP BY"));
  EXPECT_FALSE(contains(c.results_sql, "HAVING"));
  EXPECT_TRUE(contains(c.results_sql, "AS \"city\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"y\""));
  // Select can name group keys by alias or repeat their expression.
  c = compile([](Request& r) {
    r.select = "y, year(planted) as again, count(*)";
    r.group_by = "year(planted) as y";
    r.order_by = "y desc";
  });
  EXPECT_TRUE(contains(c.results_sql, "AS \"again\""));
  c = compile([](Request& r) {
    r.select = "count(*)";
    r.group_by = "city";
    r.order_by = "count(*) desc, city";
    r.where = "population > 1";
  });
  EXPECT_TRUE(contains(c.count_sql, "WHERE (\"population\" > $"));
}

TEST(OdsqlRecords, GroupByRanges) {
  Compiled c = compile([](Request& r) {
    r.select = "count(*)";
    r.group_by = "range(population, ]10, 50, 100[) as r";
  });
  EXPECT_TRUE(contains(c.results_sql,
                       "CASE WHEN \"population\" IS NULL THEN NULL WHEN \"population\" < $"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "*-10"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "10-50"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "50-100"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "100-*"));
  // The groups sort by position, not by label text.
  EXPECT_TRUE(contains(c.results_sql, "THEN 0 WHEN"));
  c = compile([](Request& r) { r.group_by = "range(population, [1,2,3])"; });
  EXPECT_FALSE(has_param(c, ParamType::Text, "*-1"));
  EXPECT_FALSE(has_param(c, ParamType::Text, "3-*"));
  EXPECT_TRUE(contains(c.results_sql, " <= $"));
  // Shorthand without brackets: open at both ends.
  c = compile([](Request& r) { r.group_by = "range(population, 10, 50)"; });
  EXPECT_TRUE(has_param(c, ParamType::Text, "*-10"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "10-50"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "50-*"));
  c = compile([](Request& r) { r.group_by = "range(height, 5)"; });
  EXPECT_TRUE(contains(c.results_sql, "(floor((\"height\")::numeric / ($"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "5"));
  c = compile([](Request& r) {
    r.group_by = "range(updated, 1 day), range(planted, 1M), range(updated, 6h)";
  });
  EXPECT_TRUE(contains(c.results_sql, "date_trunc('day', (\"updated\" AT TIME ZONE $1::text))"));
  EXPECT_TRUE(contains(c.results_sql, "date_trunc('month', (\"planted\")::timestamp)"));
  EXPECT_TRUE(has_param(c, ParamType::Float8, "21600"));
  c = compile(
      [](Request& r) { r.group_by = "range(planted, ]date'2020-11-13', date'2021-01-01'])"; });
  EXPECT_TRUE(has_param(c, ParamType::Text, "*-2020-11-13"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "2020-11-13-2021-01-01"));
}

TEST(OdsqlRecords, GroupByDateFormat) {
  Compiled c = compile([](Request& r) {
    r.group_by = "date_format(updated, \"YYYY-MM-dd'T'HH\") as h";
    r.select = "h, count(*)";
  });
  EXPECT_TRUE(has_param(c, ParamType::Text, "YYYY\"-\"MM\"-\"DD\"T\"HH24"));
}

TEST(OdsqlRecords, RefineAndExclude) {
  Compiled c = compile([](Request& r) {
    r.refine = {"city:Paris", "CITY:Lyon", "alive:true"};
    r.exclude = {"population:7"};
  });
  EXPECT_TRUE(contains(c.count_sql,
                       "((\"city\" = $2::text) OR (\"city\" = $3::text)) AND ((\"alive\" = true)) "
                       "AND ((\"population\" = $4::int8) IS NOT TRUE)"));
  c = compile([](Request& r) { r.refine = {"planted:2020"}; });
  EXPECT_TRUE(contains(
      c.count_sql, "(\"planted\" >= $2::date AND \"planted\" < ($2::date + $3::interval)::date)"));
  EXPECT_TRUE(has_param(c, ParamType::Interval, "1 year"));
  c = compile([](Request& r) { r.refine = {"updated:2020/05"}; });
  EXPECT_TRUE(contains(c.count_sql, "\"updated\" >= ($2::date::timestamp AT TIME ZONE $1::text)"));
  EXPECT_TRUE(has_param(c, ParamType::Date, "2020-05-01"));
  EXPECT_TRUE(has_param(c, ParamType::Interval, "1 month"));
  c = compile([](Request& r) { r.refine = {"updated:2020-05-03"}; });
  EXPECT_TRUE(has_param(c, ParamType::Interval, "1 day"));
  c = compile([](Request& r) {
    r.where = "population > 1";
    r.refine = {"name:a:b"};
  });
  EXPECT_TRUE(has_param(c, ParamType::Text, "a:b"));
  EXPECT_TRUE(contains(c.count_sql, "WHERE (\"population\" > $2::int8) AND"));
}

TEST(OdsqlRecords, Deterministic) {
  Request r = request();
  r.select = "name, count(*)";
  r.group_by = "name";
  r.where = "\"x\" and updated > now(days=-1) and within_distance(geo, geom'POINT(1 1)', 1km)";
  const Compiled a = compile_records(fields(), r);
  const Compiled b = compile_records(fields(), r);
  EXPECT_EQ(a.results_sql, b.results_sql);
  EXPECT_EQ(a.count_sql, b.count_sql);
  ASSERT_EQ(a.params.size(), b.params.size());
}

TEST(OdsqlRecords, EqualLiteralsShareAParameter) {
  Compiled c = where("population = 5 or height = 5");
  EXPECT_TRUE(contains(c.count_sql, "(\"population\" = $2::int8) OR (\"height\" = $2::int8)"));
}

TEST(OdsqlRecords, OutputPrefixAvoidsFieldNames) {
  std::vector<FieldInfo> f = {{"__oc0", FieldType::Text}, {"__on", FieldType::Integer}};
  Request r = request();
  r.order_by = "__on";
  Compiled c = compile_records(f, r);
  EXPECT_TRUE(contains(c.results_sql, "\"__oc0\" AS \"__o_c0\""));
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"__on\" ASC"));
}

TEST(OdsqlRecords, WeirdFieldNamesAreQuoted) {
  std::vector<FieldInfo> f = {{"we\"ird", FieldType::Text}, {"sp ace", FieldType::Integer}};
  Request r = request();
  r.where = "`we\"ird` = 'x' and `sp ace` > 1";
  Compiled c = compile_records(f, r);
  EXPECT_TRUE(contains(c.count_sql, "(\"we\"\"ird\" = $2::text) AND (\"sp ace\" > $3::int8)"));
  EXPECT_TRUE(contains(c.results_sql, "AS \"we\"\"ird\""));
}

TEST(OdsqlRecords, LabelsThatLookLikeParamsAreNotReferences) {
  Request r = request();
  r.select = "count(*) as `$1:: $2::int8`";
  Compiled c = compile_records(fields(), r);
  // $1 (time zone) is not used by the query itself: the label does not count.
  EXPECT_TRUE(contains(c.results_sql, "WITH \"__odsql_params\" AS (SELECT $1::text"));
}

TEST(OdsqlRecords, ExplainListsParams) {
  Compiled c = where("city = 'O\\'Brien'");
  const std::string e = explain_sql(c);
  EXPECT_TRUE(contains(e, "-- results\nSELECT coalesce("));
  EXPECT_TRUE(contains(e, "-- count\n"));
  EXPECT_TRUE(contains(e, "SELECT count(*) FROM opendata_api"));
  EXPECT_TRUE(contains(e, "$1 text = 'UTC'"));
  c = where("city = \"O'Brien\"");
  EXPECT_TRUE(contains(explain_sql(c), "$2 text = 'O''Brien'"));
}

}  // namespace

namespace {

using namespace odsql_test;

TEST(OdsqlRecords, OutputConversions) {
  Request r = request();
  r.select = "population > 3 as big, now() as n, planted, envelope(geo) as e";
  r.group_by = "";
  auto e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "42803");  // planted is neither grouped nor aggregated
  r.select = "population > 3 as big, now() as n, planted, shape";
  Compiled c = compile_records(fields(), r);
  EXPECT_TRUE(contains(c.results_sql, "p.\"__oc0\" AS \"big\""));
  // Datetimes become ISO 8601 text with the offset of the request's zone.
  EXPECT_TRUE(contains(
      c.results_sql, "(to_char((p.\"__oc1\" AT TIME ZONE $1::text), 'YYYY-MM-DD\"T\"HH24:MI:SS')"));
  EXPECT_TRUE(contains(c.results_sql, "'HH24:MI:SS'), ':00$', '')) AS \"n\""));
  // Dates are left to json's ISO form; geo values become GeoJSON.
  EXPECT_TRUE(contains(c.results_sql, "p.\"__oc2\" AS \"planted\""));
  EXPECT_TRUE(contains(c.results_sql, "ST_AsGeoJSON(p.\"__oc3\", 7)::json AS \"shape\""));
}

TEST(OdsqlRecords, GroupByWithoutSelectReturnsKeys) {
  Request r = request();
  r.group_by = "city as c, range(height, 10)";
  Compiled c = compile_records(fields(), r);
  EXPECT_TRUE(contains(c.results_sql, "AS \"c\""));
  EXPECT_TRUE(contains(c.results_sql, "AS \"range(height, 10)\""));
  EXPECT_FALSE(contains(c.results_sql, "count(*) AS"));
  // The numeric sort key of the range is grouped on and sorted by.
  EXPECT_TRUE(contains(c.results_sql, "GROUP BY \"city\", ("));
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"city\" ASC NULLS LAST, (floor("));
}

TEST(OdsqlRecords, RefineExactInstant) {
  Request r = request();
  r.refine = {"updated:2021-01-04T11:22:14Z", "planted:2020-05-03T00:00"};
  Compiled c = compile_records(fields(), r);
  EXPECT_TRUE(has_param(c, ParamType::Timestamptz, "2021-01-04 11:22:14.000000+00:00"));
  EXPECT_TRUE(contains(c.count_sql, "(\"updated\" = $2::timestamptz)"));
  EXPECT_TRUE(contains(c.count_sql,
                       "((\"planted\")::timestamp AT TIME ZONE $1::text) = ($3::text::timestamp AT "
                       "TIME ZONE $1::text)"));
}

TEST(OdsqlRecords, EmptyFieldList) {
  Request r = request();
  r.where = "\"x\"";
  Compiled c = compile_records({}, r);
  // No text field to search: nothing matches.
  EXPECT_TRUE(contains(c.count_sql, "WHERE false"));
  EXPECT_TRUE(contains(c.results_sql, "(SELECT ) r"));
}

TEST(OdsqlRecords, AggregateOrderInUngroupedAggregate) {
  Request r = request();
  r.select = "count(*) as n, 2 as two";
  r.order_by = "n";
  Compiled c = compile_records(fields(), r);
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY count(*) ASC NULLS LAST"));
  EXPECT_TRUE(ends_with(c.count_sql, "SELECT 1::bigint"));
}

}  // namespace
