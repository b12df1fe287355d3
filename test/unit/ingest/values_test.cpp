#include "core/ingest/values.hpp"

#include <cmath>

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

uint32_t bits(std::string_view v) {
  ValueFlags f;
  return classify(v, kAllBits, f);
}

TEST(Values, TrimAndSentinels) {
  EXPECT_EQ(trim_value("  x \t"), "x");
  EXPECT_EQ(trim_value("\xC2\xA0" "12\xC2\xA0"), "12");
  EXPECT_EQ(trim_value("\t"), "");
  EXPECT_EQ(trim_value("a b"), "a b");
  EXPECT_EQ(trim_value("x "), "x");
  NullSet n;
  for (const char* s : {"", "NC", "nc", "N/A", "n/a", "NA", "-", "null", "NULL"})
    EXPECT_TRUE(n.is_null(s)) << s;
  for (const char* s : {"0", "none", "NaN", "--", "nulle"}) EXPECT_FALSE(n.is_null(s)) << s;
  NullSet custom({"?", "inconnu"});
  EXPECT_TRUE(custom.is_null("Inconnu"));
  EXPECT_TRUE(custom.is_null("INCONNU"));
  EXPECT_TRUE(custom.is_null("?"));
  EXPECT_TRUE(custom.is_null(""));
  EXPECT_FALSE(custom.is_null("NC"));
}

TEST(Values, Booleans) {
  for (const char* s : {"true", "FALSE", "Oui", "non", "vrai", "Faux", "yes", "NO", "t", "F"})
    EXPECT_TRUE(bits(s) & kBool) << s;
  EXPECT_TRUE(bits("1") & kBool);
  EXPECT_FALSE(bits("2") & kBool);
  // One-letter forms of t/f, y/n, o/n (boolean as a column only in pairs,
  // see sniff_test); other letters are not.
  for (const char* s : {"o", "N", "y"}) EXPECT_TRUE(bits(s) & kBool) << s;
  EXPECT_FALSE(bits("m") & kBool);
  EXPECT_FALSE(bits("x") & kBool);
  std::string out;
  EXPECT_TRUE(convert_boolean("Oui", out));
  EXPECT_TRUE(convert_boolean("0", out));
  EXPECT_EQ(out, "truefalse");
}

TEST(Values, Integers) {
  EXPECT_TRUE(bits("2147483647") & kInt4);
  EXPECT_FALSE(bits("2147483648") & kInt4);
  EXPECT_TRUE(bits("-2147483648") & kInt4);
  EXPECT_TRUE(bits("9223372036854775807") & kInt8);
  EXPECT_FALSE(bits("9223372036854775808") & kInt8);
  EXPECT_TRUE(bits("99999999999999999999") & kIntLike);
  ValueFlags f;
  classify("01", kAllBits, f);
  EXPECT_TRUE(f.leading_zero);
  ValueFlags g;
  classify("0", kAllBits, g);
  EXPECT_FALSE(g.leading_zero);
  std::string out;
  EXPECT_TRUE(convert_integer("+42", true, out));
  EXPECT_EQ(out, "42");
  EXPECT_FALSE(convert_integer("4.2", true, out));
}

TEST(Values, Decimals) {
  EXPECT_TRUE(bits("1.5") & kNumDot);
  EXPECT_TRUE(bits("-.5") & kNumDot);
  EXPECT_TRUE(bits("1e-3") & kNumDot);
  EXPECT_TRUE(bits("1,5") & kNumComma);
  EXPECT_FALSE(bits("1,5") & kNumDot);
  EXPECT_FALSE(bits("1 234,5") & (kNumDot | kNumComma));
  EXPECT_FALSE(bits("1.234,5") & (kNumDot | kNumComma));
  ValueFlags f;
  classify("1,234", kAllBits, f);
  EXPECT_TRUE(f.thousands_like);
  std::string out;
  EXPECT_TRUE(convert_numeric("1,5", ',', out));
  EXPECT_EQ(out, "1.5");
  out.clear();
  EXPECT_FALSE(convert_numeric("1.5", ',', out));
  EXPECT_TRUE(convert_numeric("12", ',', out));
  out.clear();
  EXPECT_TRUE(convert_numeric("-0,25", 0, out));
  EXPECT_EQ(out, "-0.25");
}

TEST(Values, Dates) {
  EXPECT_TRUE(bits("2020-12-31") & kDateIso);
  EXPECT_TRUE(bits("2020/12/31") & kDateIso);
  EXPECT_FALSE(bits("2021-02-29") & kDateIso);
  EXPECT_TRUE(bits("2024-02-29") & kDateIso);
  EXPECT_TRUE(bits("31/12/2020") & kDateDmy);
  EXPECT_FALSE(bits("31/12/2020") & kDateMdy);
  EXPECT_TRUE(bits("12/31/2020") & kDateMdy);
  EXPECT_TRUE(bits("1.2.2020") & kDateDmy);
  EXPECT_FALSE(bits("01/02-2020") & (kDateDmy | kDateMdy));
  EXPECT_TRUE(bits("20201231") & kDateCompact);
  EXPECT_FALSE(bits("20201331") & kDateCompact);
  std::string out;
  EXPECT_TRUE(convert_date("31/12/2020", DateOrder::Dmy, out));
  EXPECT_EQ(out, "2020-12-31");
  out.clear();
  EXPECT_TRUE(convert_date("12/31/2020", DateOrder::Mdy, out));
  EXPECT_EQ(out, "2020-12-31");
  out.clear();
  EXPECT_TRUE(convert_date("20201231", DateOrder::Compact, out));
  EXPECT_EQ(out, "2020-12-31");
  out.clear();
  EXPECT_TRUE(convert_date("2020/12/31", DateOrder::Iso, out));
  EXPECT_EQ(out, "2020-12-31");
  EXPECT_EQ(date_key("31/12/2020", DateOrder::Dmy), 20201231);
  EXPECT_EQ(date_key("02/01/2020", DateOrder::Mdy), 20200201);
  EXPECT_EQ(date_key("0999-01-02", DateOrder::Iso), 9990102);
  EXPECT_EQ(date_key("20201231", DateOrder::Compact), 20201231);
  EXPECT_EQ(date_key("31/12/2020", DateOrder::Mdy), -1);
  EXPECT_EQ(date_key("29/02/2021", DateOrder::Dmy), -1);
}

TEST(Values, Timestamps) {
  ValueFlags f;
  EXPECT_TRUE(classify("2020-12-31T23:59:59Z", kAllBits, f) & kIsoTemporal);
  EXPECT_TRUE(f.has_tz);
  ValueFlags g;
  EXPECT_TRUE(classify("2020-12-31 23:59", kAllBits, g) & kIsoTemporal);
  EXPECT_FALSE(g.has_tz);
  EXPECT_TRUE(bits("1700-01-01T01:02:21+00:53") & kIsoTemporal);
  EXPECT_TRUE(bits("2020-01-01T10:00:00.123+0100") & kIsoTemporal);
  EXPECT_FALSE(bits("2020-01-01T25:00") & kIsoTemporal);
  EXPECT_TRUE(bits("31/12/2020 10:30") & kDmyTimestamp);
  std::string out;
  EXPECT_TRUE(convert_timestamp("31/12/2020 10:30", DateOrder::Dmy, out));
  EXPECT_EQ(out, "2020-12-31 10:30");
}

// parse_double reads plain decimals itself and hands the rest to
// from_chars: both paths give the correctly rounded double.
TEST(Values, ParseDouble) {
  auto d = [](const char* s) {
    double v = std::nan("");
    EXPECT_TRUE(parse_double(s, v)) << s;
    return v;
  };
  EXPECT_EQ(d("0.1"), 0.1);
  EXPECT_EQ(d("48.856614"), 48.856614);
  EXPECT_EQ(d("-2,35"), -2.35);
  EXPECT_EQ(d("+7.5"), 7.5);
  EXPECT_EQ(d(".5"), 0.5);
  EXPECT_EQ(d("0000.25"), 0.25);
  EXPECT_EQ(d("123456789012345"), 123456789012345.0);
  EXPECT_EQ(d("0.1234567890123456789"), 0.1234567890123456789) << "17+ digits: from_chars";
  EXPECT_EQ(d("12345678901234567890"), 12345678901234567890.0);
  EXPECT_EQ(d("1e3"), 1000.0);
  EXPECT_EQ(d("-0.000000000000000000000001"), -1e-24) << "beyond 1e22: from_chars";
  double v = 0;
  for (const char* s : {"", "-", ".", "+", "1,2.3", "1.2.3", "abc", "1e", "12a"})
    EXPECT_FALSE(parse_double(s, v)) << s;
}

TEST(Values, LatLon) {
  std::string_view la, lo;
  EXPECT_TRUE(parse_latlon("48.85, 2.35", la, lo));
  EXPECT_EQ(la, "48.85");
  EXPECT_EQ(lo, "2.35");
  EXPECT_TRUE(parse_latlon("48.8701642009,2.35049797186", la, lo));
  EXPECT_FALSE(parse_latlon("48,2", la, lo));        // a decimal comma, not a point
  EXPECT_FALSE(parse_latlon("95.0,2.0", la, lo));    // latitude out of range
  EXPECT_FALSE(parse_latlon("1.0,2.0,3.0", la, lo));
  EXPECT_TRUE(bits("-21.1, 55.5") & kLatLon);
}

TEST(Values, Geometries) {
  EXPECT_TRUE(bits("{\"type\": \"Point\", \"coordinates\": [2.35, 48.85]}") & kGeoJson);
  EXPECT_FALSE(bits("{\"type\": \"Feature\"}") & kGeoJson);
  EXPECT_TRUE(bits("POINT(2.35 48.85)") & kWkt);
  EXPECT_TRUE(bits("SRID=2154;POINT(652356 6863544)") & kWkt);
  EXPECT_FALSE(bits("Point of view") & kWkt);
}

}  // namespace
}  // namespace opendata::ingest
