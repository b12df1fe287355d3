// One GeoJSON feature read with simdjson: the readings the nlohmann-based
// importer gave (canonical numbers, nested values, duplicate keys), the
// geometry checks' reasons, and the hex EWKB PostGIS writes for the same
// geometries (ST_AsEWKB).
#include "core/ingest/feature_json.hpp"

#include "core/ingest/geojson.hpp"
#include "test_util.hpp"

namespace opendata::ingest {
namespace {

std::string ewkb(const std::string& geometry, int srid = 4326, bool z = false) {
  FeatureParser parser;
  JsonValue g = parser.parse(geometry, 1);
  GeomInfo info;
  std::string err, out;
  EXPECT_TRUE(check_geojson(g, info, err)) << err;
  geojson_to_ewkb(g, srid, z && info.z, out);
  return out;
}

std::string reason(const std::string& geometry) {
  FeatureParser parser;
  GeomInfo info;
  std::string err;
  EXPECT_FALSE(check_geojson(parser.parse(geometry, 1), info, err));
  return err;
}

std::string text_of(const std::string& value, JsonKind* kind = nullptr) {
  FeatureParser parser;
  std::string text;
  JsonKind k = kind_of(parser.parse(value, 1), text);
  if (kind) *kind = k;
  return text;
}

TEST(FeatureJson, EwkbAsPostGisWritesIt) {
  EXPECT_EQ(ewkb(R"({"type": "Point", "coordinates": [5.36, 45.96]})"),
            "0101000020E6100000713D0AD7A37015407B14AE47E1FA4640");
  // Integers are coordinates like any other; "type" may come last.
  EXPECT_EQ(ewkb(R"({"coordinates": [[1, 2], [3, 4]], "type": "MultiPoint"})"),
            "0104000020E6100000020000000101000000000000000000F03F0000000000000040"
            "010100000000000000000008400000000000001040");
  EXPECT_EQ(ewkb(R"({"type": "Point", "coordinates": [1, 2, 3]})", 4326, true),
            "01010000A0E6100000000000000000F03F00000000000000400000000000000840");
  // Z dropped unless asked for.
  EXPECT_EQ(ewkb(R"({"type": "Point", "coordinates": [1, 2, 3]})"),
            "0101000020E6100000000000000000F03F0000000000000040");
  EXPECT_EQ(ewkb(R"({"type": "Point", "coordinates": [652356.5, 6863544.5]})", 2154),
            "01010000206A0800000000000089E8234100000020AE2E5A41");
}

TEST(FeatureJson, EmptyGeometries) {
  // POINT EMPTY: NaN coordinates, as PostGIS writes them.
  EXPECT_EQ(ewkb(R"({"type": "Point", "coordinates": []})"),
            "0101000020E6100000000000000000F87F000000000000F87F");
  EXPECT_EQ(ewkb(R"({"type": "GeometryCollection", "geometries": []})"), "0107000020E610000000000000");
  EXPECT_EQ(ewkb(R"({"type": "MultiPolygon", "coordinates": []})"), "0106000020E610000000000000");
  FeatureParser parser;
  GeomInfo info;
  std::string err;
  ASSERT_TRUE(check_geojson(parser.parse(R"({"type": "LineString", "coordinates": []})", 1), info, err));
  EXPECT_TRUE(info.empty);
  EXPECT_FALSE(info.z);
  EXPECT_EQ(info.kind, GeomKind::LineString);
}

TEST(FeatureJson, GeometryReasons) {
  EXPECT_EQ(reason("[1, 2]"), "geometry is not an object");
  EXPECT_EQ(reason(R"({"coordinates": [1, 2]})"), "geometry has no \"type\"");
  EXPECT_EQ(reason(R"({"type": "Circle", "coordinates": [1, 2]})"), "unknown geometry type \"Circle\"");
  EXPECT_EQ(reason(R"({"type": "Point"})"), "geometry has no \"coordinates\" array");
  EXPECT_EQ(reason(R"({"type": "GeometryCollection"})"), "GeometryCollection has no \"geometries\" array");
  EXPECT_EQ(reason(R"({"type": "Point", "coordinates": [1]})"), "a position needs at least two numbers");
  EXPECT_EQ(reason(R"({"type": "Point", "coordinates": [1, "2"]})"), "a coordinate is not a number");
  EXPECT_EQ(reason(R"({"type": "LineString", "coordinates": [[1, 2]]})"), "a line needs at least 2 positions");
  EXPECT_EQ(reason(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]})"),
            "a polygon ring needs at least 4 positions");
  EXPECT_EQ(reason(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]})"),
            "a polygon ring is not closed");
  EXPECT_EQ(reason(R"({"type": "MultiPolygon", "coordinates": [1]})"), "bad polygon");
  EXPECT_EQ(reason(R"({"type": "MultiLineString", "coordinates": [1]})"), "expected an array of positions");
  EXPECT_EQ(reason(R"({"type": "Polygon", "coordinates": 1})"), "geometry has no \"coordinates\" array");
  std::string deep = R"({"type": "Point", "coordinates": [1, 2]})";
  for (int i = 0; i < 20; ++i) deep = R"({"type": "GeometryCollection", "geometries": [)" + deep + "]}";
  EXPECT_EQ(reason(deep), "geometry collections nested too deeply");
}

TEST(FeatureJson, ValuesReadAsBefore) {
  JsonKind k;
  EXPECT_EQ(text_of("1.0", &k), "1");
  EXPECT_EQ(k, JsonKind::Number);
  EXPECT_EQ(text_of("1e3"), "1000");
  EXPECT_EQ(text_of("-42"), "-42");
  EXPECT_EQ(text_of("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(text_of("0.1"), "0.1");
  EXPECT_EQ(text_of(R"("a\"b\u00e9")", &k), "a\"b\xC3\xA9");
  EXPECT_EQ(k, JsonKind::String);
  EXPECT_EQ(text_of("true", &k), "true");
  EXPECT_EQ(k, JsonKind::Bool);
  EXPECT_EQ(text_of("null", &k), "");
  EXPECT_EQ(k, JsonKind::Null);
  // Nested: compact, the last of duplicate keys at the first one's place,
  // numbers as nlohmann writes them.
  EXPECT_EQ(text_of(R"({"b": 1.50, "a": [1, "x"], "b": 2.0})", &k), R"({"b":2.0,"a":[1,"x"]})");
  EXPECT_EQ(k, JsonKind::Nested);
}

TEST(FeatureJson, MemberIsTheLastOfDuplicates) {
  FeatureParser parser;
  JsonValue f = parser.parse(R"({"type": "Point", "type": "Feature"})", 1);
  EXPECT_TRUE(is_feature(f));
  EXPECT_FALSE(member(f, "geometry"));
  EXPECT_FALSE(member(parser.parse("[1]", 1), "type"));
}

TEST(FeatureJson, DuplicatePropertiesKeepTheirFirstPlace) {
  const char* doc = R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"a": "x", "b": 1, "a": "y"}, "geometry": null},
    {"type": "Feature", "properties": {"b": 2, "c": true}, "geometry": null}]})";
  CsvOptions o = parse_options_text("{}", InputFormat::GeoJson);
  SniffReport r = read_geojson(doc, o);
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[0].name, "a");
  EXPECT_EQ(r.columns[0].non_null_count, 1u);
  GeoJsonNormaliser n(doc, o, r);
  std::string all, chunk;
  while (n.next_chunk(chunk)) all += chunk;
  EXPECT_EQ(all, "y\t1\t\\N\n\\N\t2\ttrue\n");
}

TEST(FeatureJson, InvalidFeatureNamesItsNumber) {
  FeatureParser parser;
  try {
    parser.parse("{\"type\": ", 7);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.sqlstate()), "22P04");
    EXPECT_NE(e.detail().find("Feature 7"), std::string::npos);
  }
}

}  // namespace
}  // namespace opendata::ingest
