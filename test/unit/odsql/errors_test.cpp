// Every user error: SQLSTATE, exact message, position and hint.
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

struct ErrorCase {
  const char* clause;
  const char* text;
  const char* sqlstate;
  const char* message;
  int position;
  const char* hint;  // nullptr: not checked
};

const ErrorCase kCases[] = {
    // Syntax.
    {"where", "population > ", "42601",
     "ODSQL syntax error at character 14: expected a value after '>'", 14, nullptr},
    {"where", "name = \"é\" and", "42601",
     "ODSQL syntax error at character 15: expected a value after 'and'", 15, nullptr},
    {"where", "1; DROP TABLE x", "42601",
     "ODSQL syntax error at character 2: unexpected character ';'", 2, nullptr},
    {"fields", "distinct name", "42601", "ODSQL syntax error at character 10: unexpected 'name'",
     10, nullptr},
    {"where", "name = 10km", "42601",
     "ODSQL syntax error at character 8: unexpected unit 'km' after a number", 8, nullptr},
    {"where", "include(name)", "42601", "include() is only allowed as an item of the select clause",
     1, nullptr},
    {"where", "now(1) > updated", "42601", "now() only takes named arguments such as days=-1", 5,
     nullptr},
    {"where", "count(*, 1) > 0", "42883", "wrong number of arguments for ODSQL function \"count\"",
     1, "count() takes 1 argument."},
    {"where", "upper(*) = 'A'", "42601",
     "ODSQL syntax error at character 7: '*' is only allowed in count(*), search(*, ...) and as a "
     "select item",
     7, nullptr},
    // Unknown names.
    {"where", "popultion > 3", "42703", "unknown field \"popultion\"", 1,
     "Did you mean \"population\"?"},
    {"where", "alive and zzzz = 1", "42703", "unknown field \"zzzz\"", 11, ""},
    {"fields", "include(nope)", "42703", "unknown field \"nope\"", 1, "Did you mean \"name\"?"},
    {"order_by", "hieght", "42703", "unknown field \"hieght\"", 1, "Did you mean \"height\"?"},
    {"group_by", "citty", "42703", "unknown field \"citty\"", 1, "Did you mean \"city\"?"},
    {"refine", "citty:Paris", "42703", "unknown field \"citty\"", 1, "Did you mean \"city\"?"},
    {"where", "pg_sleep(10)", "42883", "unknown ODSQL function \"pg_sleep\"", 1, nullptr},
    {"where", "alive or pg_read_file('/etc/passwd') = ''", "42883",
     "unknown ODSQL function \"pg_read_file\"", 10, nullptr},
    {"where", "yeer(updated) = 1", "42883", "unknown ODSQL function \"yeer\"", 1,
     "Did you mean \"year\"?"},
    {"where", "year(updated, 1) = 1", "42883",
     "wrong number of arguments for ODSQL function \"year\"", 1, "year() takes 1 argument."},
    // Types.
    {"where", "city > 3", "42804", "cannot compare text with number using '>'", 1, nullptr},
    {"where", "population = \"abc\"", "42804", "cannot compare a number with string \"abc\"", 14,
     nullptr},
    {"where", "alive > true", "42804", "booleans cannot be compared with '>'", 1,
     "Booleans compare with '=' and '!=' only."},
    {"where", "alive = 2", "42804", "cannot compare a boolean with number 2", 9,
     "A boolean compares with true, false, 1 or 0."},
    {"where", "alive = \"yes\"", "42804", "cannot compare a boolean with string \"yes\"", 9,
     "A boolean compares with true, false, 1 or 0."},
    {"where", "planted > 3", "42804", "cannot compare date with integer using '>'", 1, nullptr},
    {"where", "geo = 1", "42804", "geo values cannot be compared with '='", 1,
     "Use intersects(), within(), disjoint(), within_distance() or in_bbox()."},
    {"where", "height + name > 1", "42804", "operator + requires numbers, found text", 10, nullptr},
    {"where", "name", "42804", "expected a boolean condition, found text expression", 1, nullptr},
    {"where", "not population", "42804", "expected a boolean condition, found integer expression",
     5, nullptr},
    {"where", "year(name) = 1", "42804", "year() requires a date or datetime, found text", 6,
     nullptr},
    {"where", "upper(population) = 'A'", "42804", "upper() requires text, found integer", 7,
     nullptr},
    {"where", "within_distance(name, geom'POINT(1 1)', 5km)", "42804",
     "within_distance() requires a geo field as first argument, found text", 17, nullptr},
    {"where", "intersects(geo, name)", "42804",
     "intersects() requires a geo shape as second argument, found text", 17, nullptr},
    {"where", "name like 3", "42804", "LIKE requires a string literal", 11, nullptr},
    {"where", "population like 'x'", "42804", "LIKE requires a text value, found integer", 1,
     nullptr},
    {"where", "search(geo, \"x\")", "42804", "search() cannot be used on a geo value", 8, nullptr},
    {"fields", "sum(name)", "42804", "sum() requires a number, found text", 5, nullptr},
    {"fields", "avg(planted)", "42804", "avg() requires a number, found date", 5, nullptr},
    {"fields", "envelope(population)", "42804", "envelope() requires a geo field, found integer",
     10, nullptr},
    {"order_by", "geo", "42804", "cannot order by a geo value", 1, nullptr},
    {"group_by", "range(name, 5)", "42804", "range() requires a number or a date, found text", 7,
     nullptr},
    // Aggregates.
    {"where", "sum(height) > 1", "42803",
     "aggregate function sum() is not allowed in the \"where\" parameter", 1, nullptr},
    {"group_by", "count(*)", "42803",
     "aggregate function count() is not allowed in the \"group_by\" parameter", 1, nullptr},
    {"order_by", "count(*)", "42803",
     "aggregate function count() is not allowed in the \"order_by\" parameter", 1,
     "Ordering by an aggregate needs group_by or an aggregate select."},
    {"fields", "sum(count(*))", "42803", "aggregate function calls cannot be nested", 5, nullptr},
    {"fields", "name, count(*)", "42803",
     "field \"name\" must appear in group_by or be used in an aggregate function", 1, nullptr},
    {"fields", "count(*) + height", "42803",
     "field \"height\" must appear in group_by or be used in an aggregate function", 12, nullptr},
    // Values.
    {"where", "planted > date'2020-13-01'", "22007",
     "invalid date \"2020-13-01\": date or time field out of range", 11, nullptr},
    {"where", "planted > date'2021-02-29'", "22007",
     "invalid date \"2021-02-29\": date or time field out of range", 11, nullptr},
    {"where", "planted = 'abc'", "22007",
     "invalid date \"abc\": expected a date such as 2020-05-03, 2020/05/03 or 2020-05-03T10:20:00",
     11, nullptr},
    {"where", "population > 1e999", "22003", "number \"1e999\" is out of range", 14, nullptr},
    {"where", "intersects(shape, geom'CIRCLE(1 1)')", "22P02",
     "invalid geometry literal \"CIRCLE(1 1)\": expected WKT (POINT, LINESTRING, POLYGON, ...) or a GeoJSON object",
     19, nullptr},
    {"where", "intersects(shape, geom'POINT(1 1')", "22P02",
     "invalid geometry literal \"POINT(1 1\": unbalanced parentheses in WKT", 19, nullptr},
    {"where", "intersects(shape, geom'{bad json')", "22P02",
     "invalid geometry literal \"{bad json\": invalid GeoJSON", 19, nullptr},
    {"where", "intersects(shape, geom'{\"type\":\"Foo\"}')", "22P02",
     "invalid geometry literal \"{\"type\":\"Foo\"}\": unsupported GeoJSON type \"Foo\"", 19,
     nullptr},
    {"where", "intersects(shape, geom'POINT(1 1); DROP')", "22P02",
     "invalid geometry literal \"POINT(1 1); DROP\": unexpected character in WKT", 19, nullptr},
    // What PostGIS would refuse at run time with XX000, and what it would
    // accept but poisons every distance (NaN, infinity): refused before.
    {"where", "intersects(shape, geom'POLYGON((0 0, 1 0, 1 1, 2 2))')", "22P02",
     "invalid geometry literal \"POLYGON((0 0, 1 0, 1 1, 2 2))\": a polygon ring is not closed", 19,
     nullptr},
    {"where", "intersects(shape, geom'POLYGON((0 0, 1 0, 0 0))')", "22P02",
     "invalid geometry literal \"POLYGON((0 0, 1 0, 0 0))\": a polygon ring needs at least 4 "
     "positions", 19, nullptr},
    {"where", "intersects(shape, geom'LINESTRING(0 0)')", "22P02",
     "invalid geometry literal \"LINESTRING(0 0)\": a line needs at least 2 positions", 19, nullptr},
    {"where", "intersects(shape, geom'POINT(1)')", "22P02",
     "invalid geometry literal \"POINT(1)\": a position needs at least two numbers", 19, nullptr},
    {"where", "intersects(shape, geom'POINT(1 2 3 4)')", "22P02",
     "invalid geometry literal \"POINT(1 2 3 4)\": M coordinates are not supported", 19, nullptr},
    {"where", "intersects(shape, geom'POINT(NaN 1)')", "22P02",
     "invalid geometry literal \"POINT(NaN 1)\": a coordinate is not finite", 19, nullptr},
    {"where", "intersects(shape, geom'POINT(1 -inf)')", "22P02",
     "invalid geometry literal \"POINT(1 -inf)\": a coordinate is not finite", 19, nullptr},
    {"order_by", "distance(geo, geom'POINT(NaN NaN)')", "22P02",
     "invalid geometry literal \"POINT(NaN NaN)\": a coordinate is not finite", 15, nullptr},
    {"where", "within_distance(geo, geom'POINT(Infinity 0)', 1km)", "22P02",
     "invalid geometry literal \"POINT(Infinity 0)\": a coordinate is not finite", 22, nullptr},
    {"where", "intersects(shape, geom'{\"type\":\"Point\",\"coordinates\":[1]}')", "22P02",
     "invalid geometry literal \"{\"type\":\"Point\",\"coordinates\":[1]}\": a position needs at "
     "least two numbers", 19, nullptr},
    {"where", "intersects(shape, geom'{\"type\":\"Point\",\"coordinates\":[1e999,0]}')", "22P02",
     "invalid geometry literal \"{\"type\":\"Point\",\"coordinates\":[1e999,0]}\": invalid GeoJSON", 19, nullptr},
    {"where", "intersects(shape, geom'{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}')",
     "22P02",
     "invalid geometry literal \"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],...\": a polygon ring "
     "is not closed", 19, nullptr},
    {"where", "intersects(shape, geom'{\"type\":\"LineString\",\"coordinates\":[[0,0]]}')", "22P02",
     "invalid geometry literal \"{\"type\":\"LineString\",\"coordinates\":[[0,0...\": a line "
     "needs at least 2 positions", 19, nullptr},
    {"where", "within_distance(geo, geom'POINT(1 1)', 5xx)", "22023",
     "unknown distance unit \"xx\"", 40, "Use one of mi, yd, ft, m, cm, km, mm."},
    {"where", "geometry(shape, geom'POINT(1 1)', touches)", "22023",
     "geometry() mode must be INTERSECTS, WITHIN or DISJOINT", 35, nullptr},
    {"where", "now(days=1.5) > updated", "22023", "now() arguments must be integers", 10, nullptr},
    {"where", "now(month=13) > updated", "22023", "now() argument month is out of range", 5,
     "Allowed values: 1 to 12."},
    {"where", "now(fortnights=1) > updated", "22023", "unknown now() argument \"fortnights\"", 5,
     nullptr},
    {"where", "date_format(updated, 'QQ') = 'x'", "22023", "unsupported date format symbol 'QQ'",
     22, nullptr},
    {"fields", "percentile(height, 101)", "22023", "percentile must be a number between 0 and 100",
     20, nullptr},
    {"group_by", "range(height, -1)", "22023", "range() width must be a positive number", 15,
     nullptr},
    {"group_by", "range(height, [3, 2])", "22023", "range() steps must be in increasing order", 19,
     nullptr},
    {"group_by", "range(updated, 1 parsec)", "42601",
     "ODSQL syntax error at character 18: expected ',' or ')' in function arguments, found "
     "'parsec'",
     18, nullptr},
    {"group_by", "range(updated, 2 months)", "0A000",
     "range() intervals of more than one week, month, quarter or year are not supported", 16,
     nullptr},
    {"group_by", "range(updated, 1 mi)", "22023", "unknown interval unit \"mi\"", 16, nullptr},
    // Output names.
    {"fields", "count(*) as a, sum(height) as a", "42701", "duplicate output name \"a\"", 31,
     "Give each expression a distinct label with AS."},
    {"fields", "*, name", "42701", "duplicate output name \"name\"", 4, nullptr},
    {"fields", "population + population + population + population + population + 1", "42622",
     "output name \"population + population + population + p...\" is too long", 1,
     "Give the expression a shorter label with AS (at most 63 bytes)."},
    {"fields", "*, count(*)", "42803",
     "all fields cannot be selected together with aggregate functions", 1, nullptr},
    {"fields", "include(p*), sum(height)", "42803",
     "all fields cannot be selected together with aggregate functions", 1, nullptr},
    {"fields", "exclude(geo), count(*)", "", "", 0, nullptr},
    {"fields", "*", "", "", 0, nullptr},
};

TEST(OdsqlErrors, Table) {
  for (const ErrorCase& c : kCases) {
    const Caught e = records_error(c.clause, c.text);
    if (c.sqlstate[0] == '\0') {
      EXPECT_FALSE(e.thrown) << c.text << ": " << e.message;
      continue;
    }
    ASSERT_TRUE(e.thrown) << c.clause << "=" << c.text;
    EXPECT_EQ(e.sqlstate, c.sqlstate) << c.text << ": " << e.message;
    EXPECT_EQ(e.message, c.message) << c.text;
    EXPECT_EQ(e.position, c.position) << c.text;
    if (c.hint != nullptr) {
      EXPECT_EQ(e.hint, c.hint) << c.text;
    }
  }
}

TEST(OdsqlErrors, DetailNamesTheParameter) {
  EXPECT_EQ(records_error("order_by", "x y").detail, "The error is in the \"order_by\" parameter.");
  EXPECT_EQ(records_error("group_by", "(").detail, "The error is in the \"group_by\" parameter.");
  // The API's names, not Explore v2.1's: PostgREST reserves select/limit/offset.
  EXPECT_EQ(records_error("fields", "nope").detail, "The error is in the \"fields\" parameter.");
  EXPECT_EQ(records_error("fields", "a b").detail, "The error is in the \"fields\" parameter.");
  EXPECT_EQ(records_error("where", "(").detail, "The error is in the \"where\" parameter.");
  EXPECT_EQ(records_error("refine", "nope:1").detail, "The error is in the \"refine\" parameter.");
  EXPECT_EQ(records_error("exclude", "nope:1").detail, "The error is in the \"exclude\" parameter.");
  Request r = request();
  r.limit = -2;
  EXPECT_EQ(catch_error([&] { compile_records(fields(), r); }).message.rfind("rows ", 0), 0u);
  r = request();
  r.offset = -1;
  EXPECT_EQ(catch_error([&] { compile_records(fields(), r); }).message.rfind("start ", 0), 0u);
}

TEST(OdsqlErrors, AllFieldsWithGroupBy) {
  Request r = request();
  r.group_by = "city";
  r.select = "*";
  auto e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "42803");
  EXPECT_EQ(e.message, "all fields cannot be selected together with group_by");
  r.select = "name";
  e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "42803");
  r.select = "city, count(*)";
  r.order_by = "name";
  e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "42803");
  EXPECT_EQ(e.detail, "The error is in the \"order_by\" parameter.");
}

TEST(OdsqlErrors, RequestParameters) {
  Request r = request();
  r.limit = -2;
  auto e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "rows must be a non-negative number, or -1 for all rows");
  r = request();
  r.offset = -1;
  EXPECT_EQ(catch_error([&] { compile_records(fields(), r); }).message,
            "start must not be negative");
  r = request();
  r.timezone = "UTC'; DROP TABLE x; --";
  e = catch_error([&] { compile_records(fields(), r); });
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "invalid time zone \"UTC'; DROP TABLE x; --\"");
  r.timezone = "";
  EXPECT_EQ(catch_error([&] { compile_records(fields(), r); }).sqlstate, "22023");
  r = request();
  r.timezone = "America/Argentina/Buenos_Aires";
  EXPECT_FALSE(catch_error([&] { compile_records(fields(), r); }).thrown);
  r.timezone = "Etc/GMT+5";
  EXPECT_FALSE(catch_error([&] { compile_records(fields(), r); }).thrown);
}

TEST(OdsqlErrors, RefineItems) {
  auto e = records_error("refine", "Paris");
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "invalid refine item \"Paris\"");
  EXPECT_EQ(e.hint, "Use the form field:value, e.g. city:Paris.");
  EXPECT_EQ(records_error("exclude", ":x").message, "invalid exclude item \":x\"");
  e = records_error("refine", "population:many");
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "invalid refine value \"many\" for field \"population\"");
  EXPECT_EQ(records_error("refine", "planted:someday").sqlstate, "22023");
  EXPECT_EQ(records_error("refine", "alive:maybe").sqlstate, "22023");
  EXPECT_EQ(records_error("refine", "geo:1").message,
            "refine is not supported on geo field \"geo\"");
  EXPECT_EQ(records_error("refine", std::string("name:\xff")).sqlstate, "22021");
  Request r = request();
  for (int i = 0; i < 101; ++i) r.refine.push_back("city:x");
  EXPECT_EQ(catch_error([&] { compile_records(fields(), r); }).sqlstate, "54000");
}

TEST(OdsqlErrors, AmbiguousCase) {
  std::vector<FieldInfo> f = {{"Name", FieldType::Text}, {"NAME", FieldType::Text}};
  Request r = request();
  r.where = "Name = 'x' and NAME = 'y'";
  EXPECT_FALSE(catch_error([&] { compile_records(f, r); }).thrown);
  r.where = "name = 'x'";
  auto e = catch_error([&] { compile_records(f, r); });
  EXPECT_EQ(e.sqlstate, "42702");
  EXPECT_EQ(e.message, "field name \"name\" is ambiguous");
}

}  // namespace
