#include "core/export/options.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/export/number_format.hpp"

namespace opendata::exporter {
namespace {

// The SQLSTATE and message of a failed parse ("none" when it succeeds).
std::pair<std::string, std::string> failure(Format f, const char* text) {
  try {
    parse_options(f, text);
  } catch (const UserError& e) {
    return {e.sqlstate(), e.what()};
  }
  return {"none", ""};
}

TEST(ExportOptions, Defaults) {
  for (const char* blank : {"", "  \n", "{}", "null"}) {
    ExportOptions o = parse_options(Format::Csv, blank);
    EXPECT_EQ(o.delimiter, ';');
    EXPECT_TRUE(o.bom);
    EXPECT_FALSE(o.quote_all);
    EXPECT_EQ(o.header, HeaderMode::Name);
    EXPECT_EQ(o.list_separator, ",");
    EXPECT_TRUE(o.crlf);
    EXPECT_EQ(o.precision, 7);
    EXPECT_TRUE(o.keep_z);
    EXPECT_EQ(o.geometry_format, GeometryFormat::GeoJson);
    EXPECT_FALSE(o.escape_formulas);
  }
}

TEST(ExportOptions, EveryCsvKey) {
  ExportOptions o = parse_options(
      Format::Csv,
      R"({"delimiter":",","bom":false,"quote_all":true,"header":"label","list_separator":" | ",)"
      R"("line_ending":"lf","precision":3,"keep_z":false,"geometry_format":"wkt","escape_formulas":true})");
  EXPECT_EQ(o.delimiter, ',');
  EXPECT_FALSE(o.bom);
  EXPECT_TRUE(o.quote_all);
  EXPECT_EQ(o.header, HeaderMode::Label);
  EXPECT_EQ(o.list_separator, " | ");
  EXPECT_FALSE(o.crlf);
  EXPECT_EQ(o.precision, 3);
  EXPECT_FALSE(o.keep_z);
  EXPECT_EQ(o.geometry_format, GeometryFormat::Wkt);
  EXPECT_TRUE(o.escape_formulas);
  EXPECT_EQ(parse_options(Format::Csv, R"({"header":"none"})").header, HeaderMode::None);
  EXPECT_EQ(parse_options(Format::Csv, R"({"delimiter":"\t"})").delimiter, '\t');
}

TEST(ExportOptions, GeoJsonKeys) {
  ExportOptions o =
      parse_options(Format::GeoJson,
                    R"({"id_field":"gid","geometry_field":"geom","bbox":true,"precision":null})");
  EXPECT_EQ(o.id_field, "gid");
  EXPECT_EQ(o.geometry_field, "geom");
  EXPECT_TRUE(o.bbox);
  EXPECT_EQ(o.precision, -1);
  EXPECT_EQ(parse_options(Format::GeoJson, R"({"precision":0})").precision, 0);
  EXPECT_EQ(parse_options(Format::Json, R"({"precision":15})").precision, 15);
  // The object form, for a caller that already holds parsed JSON.
  EXPECT_EQ(options_from_json(Format::Jsonl, nlohmann::json{{"keep_z", false}}).keep_z, false);
}

TEST(ExportOptions, ErrorsName22023AndTheKey) {
  struct Case {
    Format format;
    const char* text;
    const char* key;
  };
  const Case cases[] = {
      {Format::Csv, R"({"delimiter":";;"})", "delimiter"},
      {Format::Csv, R"({"delimiter":"\""})", "delimiter"},
      {Format::Csv, R"({"delimiter":"\n"})", "delimiter"},
      {Format::Csv, R"({"delimiter":"\r"})", "delimiter"},
      {Format::Csv, R"({"delimiter":""})", "delimiter"},
      {Format::Csv, R"({"delimiter":"§"})", "delimiter"},
      {Format::Csv, R"({"delimiter":44})", "delimiter"},
      {Format::Csv, R"({"bom":"yes"})", "bom"},
      {Format::Csv, R"({"quote_all":1})", "quote_all"},
      {Format::Csv, R"({"header":"labels"})", "header"},
      {Format::Csv, R"({"list_separator":"12345678901234567"})", "list_separator"},
      {Format::Csv, R"({"line_ending":"cr"})", "line_ending"},
      {Format::Csv, R"({"geometry_format":"wkb"})", "geometry_format"},
      {Format::Csv, R"({"precision":16})", "precision"},
      {Format::Csv, R"({"precision":-1})", "precision"},
      {Format::Csv, R"({"precision":2.5})", "precision"},
      {Format::Csv, R"({"precision":"7"})", "precision"},
      {Format::GeoJson, R"({"bbox":"true"})", "bbox"},
      {Format::GeoJson, R"({"id_field":3})", "id_field"},
      {Format::Csv, R"({"delimitr":","})", "delimitr"},        // unknown key
      {Format::GeoJson, R"({"delimiter":","})", "delimiter"},  // CSV key on GeoJSON
      {Format::Json, R"({"id_field":"id"})", "id_field"},      // GeoJSON key on JSON
      {Format::Jsonl, R"({"bom":true})", "bom"},
  };
  for (const Case& c : cases) {
    auto [state, message] = failure(c.format, c.text);
    EXPECT_EQ(state, "22023") << c.text;
    EXPECT_NE(message.find(std::string("\"") + c.key + "\""), std::string::npos) << message;
  }
}

TEST(ExportOptions, NotAnObjectOrNotJson) {
  EXPECT_EQ(failure(Format::Csv, "{delimiter: ','}").first, "22023");
  EXPECT_EQ(failure(Format::Csv, "[1]").first, "22023");
  EXPECT_EQ(failure(Format::Csv, "\"csv\"").first, "22023");
  EXPECT_EQ(failure(Format::Csv, "{\"bom\":true} trailing").first, "22023");
}

TEST(ExportOptions, FormatNames) {
  EXPECT_EQ(parse_format("csv"), Format::Csv);
  EXPECT_EQ(parse_format("json"), Format::Json);
  EXPECT_EQ(parse_format("jsonl"), Format::Jsonl);
  EXPECT_EQ(parse_format("ndjson"), Format::Jsonl);
  EXPECT_EQ(parse_format("geojson"), Format::GeoJson);
  try {
    parse_format("xls");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
  }
}

TEST(ExportNumbers, CoordinatesRoundAndTrim) {
  auto coord = [](double v, int p) {
    std::string s;
    append_coordinate(s, v, p);
    return s;
  };
  EXPECT_EQ(coord(2.35049797186, 6), "2.350498");
  EXPECT_EQ(coord(2.5, 7), "2.5");
  EXPECT_EQ(coord(2.0, 7), "2");
  EXPECT_EQ(coord(0.1, 15), "0.1");
  EXPECT_EQ(coord(-0.00000004, 7), "0");
  EXPECT_EQ(coord(0.000000051, 7), "0.0000001");
  EXPECT_EQ(coord(179.99999999, 7), "180");
  EXPECT_EQ(coord(-45.123456789, 0), "-45");
  EXPECT_EQ(coord(0.1 + 0.2, -1), "0.30000000000000004");
  EXPECT_EQ(coord(1.0 / 0.0, 7), "null");
}

// The reference: std::to_chars(fixed) with the zeros trimmed.
std::string fixed_reference(double v, int p) {
  char buf[128];
  char* end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, p).ptr;
  if (p > 0) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  std::string s(buf, end);
  return s == "-0" ? "0" : s;
}

TEST(ExportNumbers, FastRoundingAgreesWithToChars) {
  std::uint64_t seed = 7;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed;
  };
  int checked = 0;
  for (int i = 0; i < 400000; ++i) {
    const std::uint64_t r = next();
    double v;
    switch (r % 4) {
      case 0:
        v = (static_cast<double>(r >> 11) / 9007199254740992.0 - 0.5) * 360;
        break;  // lon/lat
      case 1:
        v = static_cast<double>(static_cast<std::int64_t>(r >> 20) % 100000000) / 1e7 + 0.5e-7;
        break;  // near ties
      case 2:
        v = static_cast<double>(static_cast<std::int64_t>(r >> 30) % 2000000) / 2.0;
        break;  // exact halves
      default: {
        std::uint64_t bits = next();
        std::memcpy(&v, &bits, 8);  // any double
        if (!std::isfinite(v)) continue;
      }
    }
    const int p = static_cast<int>(next() % 16);
    std::string got;
    append_coordinate(got, v, p);
    if (std::fabs(v) >= 1e17) continue;  // written in shortest form instead
    ASSERT_EQ(got, fixed_reference(v, p)) << v << " at precision " << p;
    ++checked;
  }
  EXPECT_GT(checked, 200000);
}

TEST(ExportNumbers, NumberTextClassification) {
  for (const char* ok : {"0", "-0", "1.5", "-12.25e+10", "1E5", "123456789012345678901234567890"}) {
    EXPECT_EQ(classify_number_text(ok), NumberText::Valid) << ok;
  }
  for (const char* nf : {"NaN", "Infinity", "-Infinity", "inf", "+inf", "nan"}) {
    EXPECT_EQ(classify_number_text(nf), NumberText::NonFinite) << nf;
  }
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "+1", "1,5", "0x10", "1 "}) {
    EXPECT_EQ(classify_number_text(bad), NumberText::Invalid) << bad;
  }
}

}  // namespace
}  // namespace opendata::exporter
