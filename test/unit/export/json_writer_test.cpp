#include "core/export/json_writer.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "core/export/text_escape.hpp"
#include "export_test_util.hpp"
#include "wkb_test_util.hpp"

namespace opendata::exporter {
namespace {

using nlohmann::json;
using testing::col;
using testing::run;
using testing::sqlstate_of;
using testing::Wkb;

json parse(const std::string& s) {
  json j = json::parse(s, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << s;
  return j;
}

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(ExportJson, ArrayOfTypedObjects) {
  Cell tags[] = {Cell::text_value("a"), Cell::null(), Cell::integer(2)};
  std::string out = run(
      Format::Json,
      {col("id", CellKind::Integer), col("name", CellKind::Text), col("ratio", CellKind::Number),
       col("ok", CellKind::Boolean), col("meta", CellKind::Json), col("day", CellKind::Date),
       col("tags", CellKind::Array), col("none", CellKind::Text)},
      {{Cell::integer(1), Cell::text_value("Évry"), Cell::number_text("1.5"), Cell::boolean(false),
        Cell::json(R"({"k": [1, 2]})"), Cell::date("2024-01-31"), Cell::array(tags, 3),
        Cell::null()},
       {Cell::integer(2), Cell::text_value("x"), Cell::number(0.25), Cell::boolean(true),
        Cell::json("null"), Cell::null(), Cell::array(tags, 0), Cell::null()}});
  EXPECT_EQ(
      out,
      R"([{"id":1,"name":"Évry","ratio":1.5,"ok":false,"meta":{"k": [1, 2]},"day":"2024-01-31","tags":["a",null,2],"none":null},)"
      R"({"id":2,"name":"x","ratio":0.25,"ok":true,"meta":null,"day":null,"tags":[],"none":null}])");
  json j = parse(out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["meta"]["k"][1], 2);
}

TEST(ExportJson, EmptyResults) {
  std::vector<Column> cols{col("a", CellKind::Text)};
  EXPECT_EQ(run(Format::Json, cols, {}), "[]");
  EXPECT_EQ(run(Format::Jsonl, cols, {}), "");
}

TEST(ExportJson, JsonLinesOneObjectPerLine) {
  std::string out =
      run(Format::Jsonl, {col("a", CellKind::Integer), col("b", CellKind::Text)},
          {{Cell::integer(1), Cell::text_value("x\ny")}, {Cell::integer(2), Cell::null()}});
  EXPECT_EQ(out, "{\"a\":1,\"b\":\"x\\ny\"}\n{\"a\":2,\"b\":null}\n");
}

TEST(ExportJson, StringEscaping) {
  EXPECT_EQ(escaped("say \"hi\" \\ /"), R"("say \"hi\" \\ /")");
  EXPECT_EQ(escaped("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(escaped(std::string("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");  // DEL needs no escape in JSON
  // Round trip through a real parser for every byte below 0x80.
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(parse(escaped(all)).get<std::string>(), all);
}

TEST(ExportJson, Utf8ValidPassesInvalidIsReplaced) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escaped("é – 東京 🌳"), "\"é – 東京 🌳\"");
  EXPECT_EQ(escaped("a\xFFz"), "\"a" + fffd + "z\"");                    // never valid byte
  EXPECT_EQ(escaped("\xC3"), "\"" + fffd + "\"");                        // truncated at the end
  EXPECT_EQ(escaped("\xC0\xAF"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(escaped("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // UTF-16 surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(escaped("\xE6\x9D"), "\"" + fffd + "\"");  // maximal subpart: one U+FFFD
  EXPECT_EQ(escaped("\xE6\x9Dx"), "\"" + fffd + "x\"");
  EXPECT_EQ(escaped("\x80\xBF"), "\"" + fffd + fffd + "\"");  // stray continuation bytes
  // Every output parses, whatever the input bytes.
  std::string junk;
  for (int c = 0; c < 256; ++c) junk.push_back(static_cast<char>(c));
  EXPECT_FALSE(json::parse(escaped(junk), nullptr, false).is_discarded());
}

TEST(ExportJson, NonFiniteNumbersBecomeNull) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::string out =
      run(Format::Jsonl,
          {col("a", CellKind::Number), col("b", CellKind::Number), col("c", CellKind::Number),
           col("d", CellKind::Number), col("e", CellKind::Number), col("f", CellKind::Number),
           col("g", CellKind::Number), col("h", CellKind::Number)},
          {{Cell::number(nan), Cell::number(-inf), Cell::number_text("NaN"),
            Cell::number_text("Infinity"), Cell::number_text("-Infinity"),
            Cell::number_text("1e+300"), Cell::number_text("-0.000"), Cell::number(1e21)}});
  EXPECT_EQ(out, R"({"a":null,"b":null,"c":null,"d":null,"e":null,"f":1e+300,"g":-0.000,"h":1e+21})"
                 "\n");
  parse(out);
}

TEST(ExportJson, MalformedNumberTextIsQuotedNotPasted) {
  // PostgreSQL never prints these, but a wrong cell kind must not break the document.
  std::string out =
      run(Format::Json,
          {col("a", CellKind::Number), col("b", CellKind::Integer), col("c", CellKind::Number)},
          {{Cell::number_text("1,5"), Cell::integer_text(""), Cell::number_text(".5")}});
  EXPECT_EQ(out, R"([{"a":"1,5","b":"","c":".5"}])");
}

TEST(ExportJson, EscapedKeysAndEmptyJsonCell) {
  std::string out =
      run(Format::Json, {col("quote\"d", CellKind::Json), col("line\nbreak", CellKind::Json)},
          {{Cell::json(""), Cell::json("[1]")}});
  EXPECT_EQ(out, R"([{"quote\"d":null,"line\nbreak":[1]}])");
}

TEST(ExportJson, GeometryIsAGeoJsonObject) {
  std::string ewkb = Wkb().header(0x20000000u | 1).u32(4326).xy(2.35049797186, 48.8566).str();
  std::string out = run(Format::Json, {col("geom", CellKind::Geometry)},
                        {{Cell::geometry(ewkb)}, {Cell::null()}}, R"({"precision":6})");
  EXPECT_EQ(out, R"([{"geom":{"type":"Point","coordinates":[2.350498,48.8566]}},{"geom":null}])");
  std::string lambert = Wkb().header(0x20000000u | 1).u32(2154).xy(652000, 6862000).str();
  EXPECT_EQ(sqlstate_of([&] {
              run(Format::Json, {col("geom", CellKind::Geometry)}, {{Cell::geometry(lambert)}});
            }),
            "22023");
}

TEST(ExportJson, BadGeometryRollsBackTheRow) {
  auto w = make_writer(Format::Json, {col("g", CellKind::Geometry)}, ExportOptions{});
  w->begin();
  w->add_row({Cell::geometry(Wkb().point(1, 2).str())});
  EXPECT_EQ(sqlstate_of([&] { w->add_row({Cell::geometry("\x01\x02")}); }), "22P03");
  w->add_row({Cell::null()});
  w->finish();
  EXPECT_EQ(w->buffer(), R"([{"g":{"type":"Point","coordinates":[1,2]}},{"g":null}])");
}

TEST(ExportJson, MediaTypes) {
  EXPECT_STREQ(media_type(Format::Csv), "text/csv; charset=utf-8");
  EXPECT_STREQ(media_type(Format::Json), "application/json");
  EXPECT_STREQ(media_type(Format::Jsonl), "application/x-ndjson");
  EXPECT_STREQ(media_type(Format::GeoJson), "application/geo+json");
  EXPECT_STREQ(file_extension(Format::GeoJson), "geojson");
}

}  // namespace
}  // namespace opendata::exporter
