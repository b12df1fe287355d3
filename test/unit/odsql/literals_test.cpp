// Literal validation: dates, numbers, geometries, LIKE escaping, date formats.
#include "core/odsql/functions.hpp"
#include "core/odsql/literals.hpp"
#include "core/odsql/schema.hpp"
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

DateValue date(const std::string& s) {
  DateValue d;
  std::string err;
  EXPECT_TRUE(parse_date(s, d, err)) << s << ": " << err;
  return d;
}

bool bad_date(const std::string& s) {
  DateValue d;
  std::string err;
  return !parse_date(s, d, err) && !err.empty();
}

TEST(OdsqlLiterals, Dates) {
  EXPECT_EQ(date("2020").precision, 1);
  EXPECT_EQ(date("2020").date_text(), "2020-01-01");
  EXPECT_EQ(date("2020-05").date_text(), "2020-05-01");
  EXPECT_EQ(date("2020/05/03").date_text(), "2020-05-03");
  EXPECT_EQ(date("2020-05-03").precision, 3);
  EXPECT_EQ(date("2017-04-03T08:02").timestamp_text(), "2017-04-03 08:02:00.000000");
  EXPECT_EQ(date("2017-04-03 08:02:05.25").timestamp_text(), "2017-04-03 08:02:05.250000");
  EXPECT_EQ(date("2017-04-03T08:02:05Z").timestamp_text(), "2017-04-03 08:02:05.000000+00:00");
  EXPECT_EQ(date("2017-04-03T08:02:05-05:30").timestamp_text(), "2017-04-03 08:02:05.000000-05:30");
  EXPECT_EQ(date("2017-04-03T08+0200").timestamp_text(), "2017-04-03 08:00:00.000000+02:00");
  EXPECT_EQ(date("2020-02-29").day, 29);
  EXPECT_TRUE(bad_date(""));
  EXPECT_TRUE(bad_date("20"));
  EXPECT_TRUE(bad_date("2021-02-29"));
  EXPECT_TRUE(bad_date("2020-00-01"));
  EXPECT_TRUE(bad_date("2020-01-32"));
  EXPECT_TRUE(bad_date("2020-01-01T24:00"));
  EXPECT_TRUE(bad_date("2020-01-01T10:60"));
  EXPECT_TRUE(bad_date("0000-01-01"));
  EXPECT_TRUE(bad_date("2020-01/01"));
  EXPECT_TRUE(bad_date("2020-01-01T10:00+16:00"));
  EXPECT_TRUE(bad_date("2020-01-01'); DROP"));
  EXPECT_TRUE(bad_date("2020-01-01T10:00:00."));
}

TEST(OdsqlLiterals, Numbers) {
  double v = 0;
  bool integer = false;
  std::int64_t iv = 0;
  EXPECT_TRUE(parse_number("42", v, integer, iv));
  EXPECT_TRUE(integer);
  EXPECT_EQ(iv, 42);
  EXPECT_TRUE(parse_number("-7", v, integer, iv));
  EXPECT_TRUE(integer);
  EXPECT_EQ(iv, -7);
  EXPECT_TRUE(parse_number("1.5", v, integer, iv));
  EXPECT_FALSE(integer);
  EXPECT_TRUE(parse_number("12345678901234567890", v, integer, iv));
  EXPECT_FALSE(integer);  // too big for int8: bound as float8
  EXPECT_FALSE(parse_number("1e999", v, integer, iv));
  EXPECT_FALSE(parse_number("abc", v, integer, iv));
  EXPECT_FALSE(parse_number("", v, integer, iv));
  EXPECT_FALSE(parse_number("nan", v, integer, iv));
  EXPECT_FALSE(parse_number("inf", v, integer, iv));
}

TEST(OdsqlLiterals, Geometries) {
  bool json = false;
  std::string err;
  EXPECT_TRUE(check_geometry("POINT(1 2)", json, err));
  EXPECT_FALSE(json);
  EXPECT_TRUE(check_geometry(" polygon((0 0, 1 0, 1 1, 0 0))", json, err));
  EXPECT_TRUE(check_geometry("MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))", json, err));
  EXPECT_TRUE(check_geometry("POINT EMPTY", json, err));
  EXPECT_TRUE(check_geometry("POINT Z (1 2 3)", json, err));
  EXPECT_TRUE(check_geometry(
      "{\"type\":\"Polygon\",\"coordinates\":[[[100.0,0.0],[101.0,0.0],[101.0,1.0],[100.0,0.0]]]}",
      json, err));
  EXPECT_TRUE(json);
  EXPECT_FALSE(check_geometry("", json, err));
  EXPECT_FALSE(check_geometry("CIRCLE(1 1)", json, err));
  EXPECT_FALSE(check_geometry("POINT(1 1", json, err));
  EXPECT_FALSE(check_geometry("POINT(1 1))", json, err));
  EXPECT_FALSE(check_geometry("POINT", json, err));
  EXPECT_FALSE(check_geometry("SRID=4326;POINT(1 1)", json, err));
  EXPECT_FALSE(check_geometry("POINT(1 1)'; --", json, err));
  EXPECT_FALSE(check_geometry("{\"coordinates\":[1,2]}", json, err));
  EXPECT_FALSE(check_geometry("{\"type\":1}", json, err));
  EXPECT_FALSE(check_geometry("[1,2]", json, err));
  EXPECT_FALSE(check_geometry("{\"type\":\"Feature\"}", json, err));
  const std::string deep =
      "{\"type\":\"Point\",\"coordinates\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_FALSE(check_geometry(deep, json, err));
  EXPECT_EQ(err, "GeoJSON is too deeply nested");
  // Brackets inside strings do not count.
  EXPECT_TRUE(check_geometry(
      "{\"type\":\"Point\",\"x\":\"" + std::string(40, '[') + "\",\"coordinates\":[1,2]}", json,
      err));
}

TEST(OdsqlLiterals, DistanceUnits) {
  EXPECT_EQ(distance_unit_meters(""), 1.0);
  EXPECT_EQ(distance_unit_meters("m"), 1.0);
  EXPECT_EQ(distance_unit_meters("km"), 1000.0);
  EXPECT_EQ(distance_unit_meters("KM"), 1000.0);
  EXPECT_EQ(distance_unit_meters("mi"), 1609.344);
  EXPECT_EQ(distance_unit_meters("yd"), 0.9144);
  EXPECT_EQ(distance_unit_meters("ft"), 0.3048);
  EXPECT_EQ(distance_unit_meters("cm"), 0.01);
  EXPECT_EQ(distance_unit_meters("mm"), 0.001);
  EXPECT_EQ(distance_unit_meters("parsec"), 0.0);
}

TEST(OdsqlLiterals, LikeEscape) {
  EXPECT_EQ(like_escape("50%_off\\", false), "50\\%\\_off\\\\");
  EXPECT_EQ(like_escape("film*", true), "film%");
  EXPECT_EQ(like_escape("film*", false), "film*");
}

TEST(OdsqlLiterals, TextArrayLiteral) {
  EXPECT_EQ(text_array_literal({}), "{}");
  EXPECT_EQ(text_array_literal({"a", ""}), "{\"a\",\"\"}");
  EXPECT_EQ(text_array_literal({"{x,y}", "q\"b\\"}), "{\"{x,y}\",\"q\\\"b\\\\\"}");
}

TEST(OdsqlLiterals, DatePatterns) {
  std::string out, err;
  ASSERT_TRUE(date_pattern_to_char("dd/MM/YYYY", out, err));
  EXPECT_EQ(out, "DD\"/\"MM\"/\"YYYY");
  ASSERT_TRUE(date_pattern_to_char("'The date is 'dd/MM/YYYY", out, err));
  EXPECT_EQ(out, "\"The date is \"DD\"/\"MM\"/\"YYYY");
  ASSERT_TRUE(date_pattern_to_char("'The date is '''dd/MM/YYYY''", out, err));
  EXPECT_EQ(out, "\"The date is '\"DD\"/\"MM\"/\"YYYY\"'\"");
  ASSERT_TRUE(date_pattern_to_char("E EEEE H HH yy yyyy M MM d dd m mm s ss w ww e D DDD xx xxxx",
                                   out, err));
  EXPECT_EQ(
      out,
      "FMdy\" \"FMday\" \"FMHH24\" \"HH24\" \"YY\" \"YYYY\" \"FMMM\" \"MM\" \"FMDD\" \"DD\" "
      "\"FMMI\" \"MI\" \"FMSS\" \"SS\" \"FMIW\" \"IW\" \"ID\" \"FMDDD\" \"DDD\" \"IY\" \"IYYY");
  // Quotes and backslashes in free text are escaped for to_char.
  ASSERT_TRUE(date_pattern_to_char("'a\"b\\c'", out, err));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\"");
  EXPECT_FALSE(date_pattern_to_char("QQ", out, err));
  EXPECT_EQ(err, "unsupported date format symbol 'QQ'");
  EXPECT_FALSE(date_pattern_to_char("'open", out, err));
}

TEST(OdsqlLiterals, EditDistanceAndHints) {
  EXPECT_EQ(edit_distance("population", "popultion"), 1u);
  EXPECT_EQ(edit_distance("ABC", "abc"), 0u);
  EXPECT_EQ(did_you_mean("popultion", {"name", "population"}), "Did you mean \"population\"?");
  EXPECT_EQ(did_you_mean("zzzz", {"name", "population"}), "");
  EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
}

}  // namespace
