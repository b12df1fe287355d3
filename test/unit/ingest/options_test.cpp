#include "core/ingest/options.hpp"

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::sqlstate_of;

TEST(Options, DefaultsFromNullOrEmpty) {
  CsvOptions o = parse_options(nlohmann::json());
  EXPECT_EQ(o.delimiter, 0);
  EXPECT_FALSE(o.header.has_value());
  EXPECT_EQ(o.on_error, OnError::Abort);
  EXPECT_EQ(parse_options_text("{}").geometry.kind, GeometryOption::Kind::Auto);
}

TEST(Options, AllKeys) {
  CsvOptions o = parse_options_text(R"({
    "encoding": "latin-1", "delimiter": "tab", "quote": "'", "escape": "\\",
    "header": false, "null_values": ["?", "inconnu"], "decimal": ",",
    "date_format": "mdy", "on_error": "skip",
    "columns": {"Code": {"type": "text", "name": "code_insee"}},
    "geometry": {"lat": "y", "lon": "x"}})");
  EXPECT_EQ(o.encoding, Encoding::Latin1);
  EXPECT_EQ(o.delimiter, '\t');
  EXPECT_EQ(*o.quote, '\'');
  EXPECT_EQ(*o.escape, '\\');
  EXPECT_FALSE(*o.header);
  EXPECT_EQ(o.null_values->size(), 2u);
  EXPECT_EQ(o.decimal, ',');
  EXPECT_EQ(o.date_format, DateFormat::Mdy);
  EXPECT_EQ(o.on_error, OnError::Skip);
  ASSERT_EQ(o.columns.size(), 1u);
  EXPECT_EQ(o.columns[0].key, "Code");
  EXPECT_EQ(*o.columns[0].type, ColumnType::Text);
  EXPECT_EQ(o.columns[0].name, "code_insee");
  EXPECT_EQ(o.geometry.kind, GeometryOption::Kind::Pair);
  EXPECT_EQ(parse_options_text(R"({"geometry": false})").geometry.kind, GeometryOption::Kind::None);
  EXPECT_EQ(parse_options_text(R"({"geometry": {"wkt": "w"}})").geometry.kind, GeometryOption::Kind::Wkt);
}

TEST(Options, ErrorsName22023AndTheKey) {
  for (const char* bad : {R"({"delimeter": ";"})", R"({"delimiter": ":"})", R"({"header": "yes"})",
                          R"({"encoding": "ebcdic"})", R"({"decimal": "'"})",
                          R"({"date_format": "ddmmyy"})", R"({"on_error": "ignore"})",
                          R"({"columns": {"a": {"type": "money"}}})",
                          R"({"columns": {"a": {"name": "Bad Name"}}})",
                          R"({"columns": {"a": {"nom": "x"}}})", R"({"geometry": true})",
                          R"({"geometry": {"lat": "y"}})", R"({"geometry": {"latlon": "a", "wkt": "b"}})",
                          R"({"null_values": "NC"})", R"([1, 2])", R"({"delimiter": ";")",
                          R"({"decimal": ",", "delimiter": ","})"}) {
    EXPECT_EQ(sqlstate_of([&] { parse_options_text(bad); }), "22023") << bad;
  }
  try {
    parse_options_text(R"({"delimeter": ";"})");
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("delimeter"), std::string::npos);
  }
}

TEST(Options, CsvOnlyKeysRejectedForGeoJson) {
  EXPECT_EQ(sqlstate_of([] { parse_options_text(R"({"delimiter": ";"})", InputFormat::GeoJson); }),
            "22023");
  EXPECT_NO_THROW(parse_options_text(R"({"on_error": "skip"})", InputFormat::GeoJson));
}

}  // namespace
}  // namespace opendata::ingest
