#include "core/ingest/geojson.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::col;
using testing::sqlstate_of;

CsvOptions gj_options(const std::string& json = "{}") { return parse_options_text(json, InputFormat::GeoJson); }

std::string import(const std::string& data, const std::string& opts = "{}",
                   std::vector<RejectedRow>* rej = nullptr) {
  CsvOptions o = gj_options(opts);
  // As import_geojson_file reads it: one document for the sniff and the load.
  GeoJsonDocument doc(data, o.encoding);
  GeoJsonNormaliser n(doc, o, read_geojson(doc, o));
  std::string all, chunk;
  while (n.next_chunk(chunk)) all += chunk;
  if (rej) *rej = n.rejected();
  return all;
}

// Geometries are written as hex EWKB, as PostGIS' ST_AsEWKB gives them:
// SRID=4326;POINT(5.36 45.96).
const std::string kPoint = "0101000020E6100000713D0AD7A37015407B14AE47E1FA4640";

const char* kSmall = R"({"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": 1, "properties": {"code": "01004", "pop": 14134, "ratio": "1,5", "ok": true, "tags": ["a"]},
   "geometry": {"type": "Point", "coordinates": [5.36, 45.96]}},
  {"type": "Feature", "id": 2, "properties": {"code": "2A004", "pop": 70000, "extra": "x", "ok": false, "tags": {"b": 1}},
   "geometry": null}
]})";

// Issue #14: each new property key is a column, and every feature paid for
// every column: one key per feature was quadratic.  More than 1,600
// columns is refused (54011) as soon as the 1,601st key appears.
TEST(GeoJson, TooManyPropertiesIs54011) {
  std::string fc = R"({"type": "FeatureCollection", "features": [)";
  for (int i = 0; i < 5000; ++i)
    fc += std::string(i ? "," : "") + R"({"type": "Feature", "properties": {"k)" + std::to_string(i) +
          R"(": 1}, "geometry": null})";
  fc += "]}";
  EXPECT_EQ(sqlstate_of([&] { read_geojson(fc, gj_options()); }), "54011");
  std::string one = R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {)";
  for (int i = 0; i < 1600; ++i) one += std::string(i ? "," : "") + R"("k)" + std::to_string(i) + R"(": 1)";
  one += R"(}, "geometry": null}]})";
  EXPECT_EQ(read_geojson(one, gj_options()).columns.size(), 1600u);
}

TEST(GeoJson, ColumnsTypesAndOrder) {
  SniffReport r = read_geojson(kSmall, gj_options());
  EXPECT_EQ(r.format, "geojson");
  EXPECT_EQ(r.row_count, 2u);
  std::vector<std::string> names;
  for (const auto& c : r.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "code", "pop", "ratio", "ok", "tags", "extra", "geom"}));
  EXPECT_EQ(col(r, "id").pg_type, "integer");
  EXPECT_EQ(col(r, "code").pg_type, "text");
  EXPECT_EQ(col(r, "pop").pg_type, "integer");
  EXPECT_EQ(col(r, "ratio").pg_type, "numeric");
  EXPECT_EQ(col(r, "ok").pg_type, "boolean");
  EXPECT_EQ(col(r, "tags").pg_type, "jsonb");
  EXPECT_EQ(col(r, "extra").null_count, 1u);
  EXPECT_EQ(col(r, "geom").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(col(r, "geom").null_count, 1u);
  EXPECT_EQ(r.geometry_column, "geom");
}

TEST(GeoJson, CopyOutput) {
  EXPECT_EQ(import(kSmall),
            "1\t01004\t14134\t1.5\ttrue\t[\"a\"]\t\\N\t" + kPoint + "\n"
            "2\t2A004\t70000\t\\N\tfalse\t{\"b\":1}\tx\t\\N\n");
}

TEST(GeoJson, GeometryTypesToEwkb) {
  const char* doc = R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]], [[[2,2],[3,2],[3,3],[2,2]],[[2.1,2.1],[2.2,2.1],[2.2,2.2],[2.1,2.1]]]]}},
    {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}, {"type": "LineString", "coordinates": [[0,0],[1,1]]}]}},
    {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": [[1,2],[3,4]]}},
    {"type": "Feature", "properties": {}, "geometry": {"type": "MultiLineString", "coordinates": [[[1,2],[3,4]]]}}
  ]})";
  SniffReport r = read_geojson(doc, gj_options());
  EXPECT_EQ(col(r, "geom").pg_type, "geometry(Geometry,4326)");
  EXPECT_EQ(import(doc),
            // ST_AsEWKB('SRID=4326;MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2),
            // (2.1 2.1,2.2 2.1,2.2 2.2,2.1 2.1)))'), then GEOMETRYCOLLECTION(POINT(1 2),
            // LINESTRING(0 0,1 1)), MULTIPOINT(1 2,3 4), MULTILINESTRING((1 2,3 4)).
            "0106000020E6100000020000000103000000010000000400000000000000000000000000000000000000000000000000F03F0000000000000000000000000000F03F000000000000F03F00000000000000000000000000000000010300000002000000040000000000000000000040000000000000004000000000000008400000000000000040000000000000084000000000000008400000000000000040000000000000004004000000CDCCCCCCCCCC0040CDCCCCCCCCCC00409A99999999990140CDCCCCCCCCCC00409A999999999901409A99999999990140CDCCCCCCCCCC0040CDCCCCCCCCCC0040\n"
            "0107000020E6100000020000000101000000000000000000F03F000000000000004001020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F\n"
            "0104000020E6100000020000000101000000000000000000F03F0000000000000040010100000000000000000008400000000000001040\n"
            "0105000020E610000001000000010200000002000000000000000000F03F000000000000004000000000000008400000000000001040\n");
}

TEST(GeoJson, ThreeDimensionsKeptWhenAllHaveZ) {
  const char* doc = R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2, 3]}}]})";
  EXPECT_EQ(col(read_geojson(doc, gj_options()), "geom").pg_type, "geometry(PointZ,4326)");
  EXPECT_EQ(import(doc), "01010000A0E6100000000000000000F03F00000000000000400000000000000840\n");  // POINT Z (1 2 3)
}

TEST(GeoJson, LegacyCrs) {
  const char* doc = R"({"type": "FeatureCollection",
    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
    "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [652356.5, 6863544.5]}}]})";
  EXPECT_EQ(col(read_geojson(doc, gj_options()), "geom").pg_type, "geometry(Point,2154)");
  EXPECT_EQ(import(doc), "01010000206A0800000000000089E8234100000020AE2E5A41\n");  // SRID=2154;POINT(652356.5 6863544.5)
}

TEST(GeoJson, InvalidGeometryRejectedPerRow) {
  const char* doc = R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1]]]}},
    {"type": "Feature", "properties": {"n": 2}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]})";
  EXPECT_EQ(sqlstate_of([&] { import(doc); }), "22P02");
  std::vector<RejectedRow> rej;
  EXPECT_EQ(import(doc, R"({"on_error": "skip"})", &rej),
            "2\t0103000020E6100000010000000400000000000000000000000000000000000000000000000000F03F0000000000000000000000000000F03F000000000000F03F00000000000000000000000000000000\n");  // POLYGON((0 0,1 0,1 1,0 0))
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].row, 1u);
  EXPECT_EQ(rej[0].column, "geom");
}

TEST(GeoJson, BadJsonIs22P04WithPosition) {
  EXPECT_EQ(sqlstate_of([] { read_geojson(R"({"type": "FeatureCollection", "features": [)", gj_options()); }),
            "22P04");
  try {
    read_geojson("{\"type\": \"FeatureCollection\",\n \"features\": [}", gj_options());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(e.detail().find("line 2"), std::string::npos) << e.detail();
    EXPECT_NE(e.detail().find("byte offset"), std::string::npos) << e.detail();
  }
  std::string deep(1000, '[');
  EXPECT_EQ(sqlstate_of([&] { read_geojson(deep, gj_options()); }), "22P04");
}

// The document is checked by parts (its features array emptied, then each
// feature, then the commas between them): it must accept exactly what a
// whole-document parser accepts, and read the features a scan of the text
// finds.  rows: the rows loaded; -1: invalid JSON.
TEST(GeoJson, CheckedByPartsAsWhole) {
  const std::string f = R"({"type": "Feature", "properties": {"a": "]},["}, "geometry": null})";
  const std::string fc = R"({"type": "FeatureCollection", "features": [)";
  const std::vector<std::pair<std::string, int>> docs = {
      {fc + "]}", 0},
      {fc + " ]}", 0},
      {fc + f + "]}", 1},
      {fc + f + " , \n" + f + "\t]}", 2},
      {fc + R"(1, "x", null,)" + f + "]}", 1},
      {R"({"features": [)" + f + R"(], "type": "FeatureCollection", "bbox": [1, 2, 3]})", 1},
      {R"({"type": "FeatureCollection", "features": [1], "features": [)" + f + "]}", 1},
      {fc + R"({"type": "Feature", "properties": {"a": "\"]"}, "geometry": null}]})", 1},
      {fc + f + ",]}", -1},
      {fc + "," + f + "]}", -1},
      {fc + f + " " + f + "]}", -1},
      {fc + f + ",," + f + "]}", -1},
      {fc + f + "} ", -1},
      {fc + f + "]} x", -1},
      {fc + f + "]]}", -1},
      {fc + "tru," + f + "]}", -1},
      {fc + R"({"type": "Feature", "properties": {"a": 1,}}]})", -1},
      {fc + R"({"type": "Feature", "properties": {"a": "\x"}}]})", -1},
      {R"({"features": [)" + f + R"(], "type": "FeatureCollection", "bbox": [1, 2,]})", -1},
      {fc + f + R"(], "features": [1,]})", -1},
      {fc + f + R"(], "features": [)" + f + "," + f + "]}", 2},
      {R"({"type": "FeatureCollection", "feat\u0075res": [)" + f + "]}", 1},
      {fc + R"(a"],"]})", -1},
      {fc + f + "," + R"(a"],"]})", -1},
  };
  for (const auto& [doc, rows] : docs) {
    ASSERT_EQ(nlohmann::json::accept(doc), rows >= 0) << doc;
    std::string got;
    try {
      got = import(doc, R"({"on_error": "skip"})");
    } catch (const UserError& e) {
      // Invalid JSON is 22P04 "invalid GeoJSON"; a valid document may
      // still be refused for what it holds (no column at all), not so.
      EXPECT_EQ(std::string(e.what()) == "invalid GeoJSON", rows < 0) << doc << ": " << e.what();
      continue;
    }
    EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), rows) << doc;
  }
}

// Each feature is checked by the sniff's parse of it, not before: an
// invalid document still answers its JSON error first, whatever else the
// document's reading or the sniff refused before reaching the bad feature.
TEST(GeoJson, InvalidFeatureErrorComesFirst) {
  const std::string f = R"({"type": "Feature", "properties": {"a": 1}, "geometry": null})";
  const std::string bad = R"({"type": "Feature", "properties": {"a": 1,}, "geometry": null})";
  auto error_of = [](const std::string& doc) -> std::string {
    try {
      import(doc);
    } catch (const UserError& e) {
      return std::string(e.sqlstate()) + " " + e.what() + ": " + e.detail();
    }
    return "accepted";
  };
  // Not a FeatureCollection, found before any feature is read.
  EXPECT_EQ(error_of(R"({"type": "Polygon", "features": [)" + f + "," + bad + "]}").substr(0, 22),
            "22P04 invalid GeoJSON:");
  EXPECT_EQ(error_of(R"({"type": "Polygon", "features": [)" + f + "]}").substr(0, 50),
            "22P04 GeoJSON document is not a FeatureCollection:");
  // Too many columns, found at the first feature.
  std::string wide = R"({"type": "Feature", "properties": {)";
  for (int i = 0; i < 1601; ++i) wide += std::string(i ? "," : "") + R"("k)" + std::to_string(i) + R"(": 1)";
  wide += R"(}, "geometry": null})";
  const std::string fc = R"({"type": "FeatureCollection", "features": [)";
  EXPECT_EQ(error_of(fc + wide + "," + bad + "]}").substr(0, 22), "22P04 invalid GeoJSON:");
  EXPECT_EQ(error_of(fc + wide + "]}").substr(0, 5), "54011");
  // The position is in the whole document, as a check of the whole gives
  // it: the unexpected '}', counted from 1.
  const std::string doc = fc + f + ",\n" + bad + "]}";
  EXPECT_NE(error_of(doc).find("line 2, column 43"), std::string::npos) << error_of(doc);
  EXPECT_NE(error_of(doc).find("(byte offset " + std::to_string(doc.find(",}") + 2) + ")"), std::string::npos)
      << error_of(doc);
  // Features found by parts that the sniff does not read (it reads the last
  // "features" member, whose name here has an escape) are checked too.
  EXPECT_EQ(error_of(fc + bad + R"(], "feat\u0075res": [)" + f + "]}").substr(0, 22), "22P04 invalid GeoJSON:");
  EXPECT_EQ(error_of(fc + f + R"(], "feat\u0075res": [)" + f + "]}"), "accepted");
}

// Features are parsed with the depth limit of the check by parts; one
// deeper than that, but within JSON's limit of 512 levels for the whole
// document, is valid and loaded.
TEST(GeoJson, DeepFeaturesAtTheLimit) {
  auto doc = [](int levels) {
    return R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": )" +
           std::string(levels, '[') + std::string(levels, ']') + R"(}, "geometry": null}]})";
  };
  EXPECT_EQ(import(doc(500)).size(), 2 * 500 + 1u);  // the jsonb text and its newline
  EXPECT_EQ(sqlstate_of([&] { import(doc(510)); }), "22P04");
}

// The load reads a document whose features the sniff checked.
TEST(GeoJson, LoadNeedsTheSniff) {
  CsvOptions o = gj_options();
  GeoJsonDocument doc(kSmall, o.encoding);
  SniffReport plan = read_geojson(std::string_view(kSmall), o);
  EXPECT_FALSE(doc.features_checked());
  EXPECT_THROW(GeoJsonNormaliser(doc, o, plan), std::logic_error);
  doc.check_features();
  EXPECT_TRUE(doc.features_checked());
  GeoJsonNormaliser n(doc, o, plan);
  EXPECT_EQ(n.plan().row_count, 2u);
}

TEST(GeoJson, NotAFeatureCollection) {
  EXPECT_EQ(sqlstate_of([] { read_geojson(R"({"type": "Point", "coordinates": [1, 2]})", gj_options()); }), "22P04");
  EXPECT_EQ(sqlstate_of([] { read_geojson("[1, 2]", gj_options()); }), "22P04");
  EXPECT_EQ(sqlstate_of([] { read_geojson(R"({"type": "FeatureCollection"})", gj_options()); }), "22P04");
  // A lone Feature is a collection of one.
  EXPECT_EQ(import(R"({"type": "Feature", "properties": {"a": "b"}, "geometry": null})"), "b\n");
}

TEST(GeoJson, NonFeatureMembersRejected) {
  const char* doc = R"({"type": "FeatureCollection", "features": [1, {"type": "Feature", "properties": {"a": 5}, "geometry": null}]})";
  EXPECT_EQ(sqlstate_of([&] { import(doc); }), "22P04");
  std::vector<RejectedRow> rej;
  EXPECT_EQ(import(doc, R"({"on_error": "skip"})", &rej), "5\n");
  EXPECT_EQ(rej.size(), 1u);
}

TEST(GeoJson, GeometryOptionFalseDropsTheColumn) {
  SniffReport r = read_geojson(kSmall, gj_options(R"({"geometry": false})"));
  EXPECT_EQ(r.columns.back().name, "extra");
  EXPECT_EQ(r.geometry_column, "");
}

TEST(GeoJson, OverridesApply) {
  SniffReport r = read_geojson(kSmall, gj_options(R"({"columns": {"pop": {"type": "bigint", "name": "population"}}})"));
  EXPECT_EQ(col(r, "population").pg_type, "bigint");
}

TEST(GeoJson, CommunesSampleFiles) {
  for (const char* name : {"communes_91_essonne.geojson", "communes_77_seine_et_marne.geojson"}) {
    std::string data = testing::read_data_file(name);
    if (data.empty()) GTEST_SKIP() << "sample file not found";
    CsvOptions o = gj_options();
    SniffReport r = read_geojson(data, o);
    EXPECT_EQ(r.row_count, std::string(name).find("91") != std::string::npos ? 196u : 510u);
    EXPECT_EQ(col(r, "code").pg_type, "text") << col(r, "code").reason;
    EXPECT_EQ(col(r, "nom").pg_type, "text");
    EXPECT_EQ(col(r, "geom").pg_type, "geometry(Polygon,4326)");
    GeoJsonNormaliser n(data, o, r);
    std::string chunk;
    uint64_t lines = 0;
    while (n.next_chunk(chunk))
      for (char c : chunk) lines += c == '\n';
    EXPECT_EQ(lines, r.row_count);
    EXPECT_EQ(n.rows_rejected(), 0u);
  }
}

}  // namespace
}  // namespace opendata::ingest

namespace opendata::ingest {
namespace {

TEST(GeoJson, NulCharactersNeverReachCopy) {
  const char* doc = R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"t": "a\u0000b", "j": {"k": "\u0000"}}, "geometry": null}]})";
  CsvOptions o = parse_options_text(R"({"on_error": "skip"})", InputFormat::GeoJson);
  GeoJsonNormaliser n(doc, o, read_geojson(doc, o));
  std::string chunk;
  EXPECT_FALSE(n.next_chunk(chunk));
  ASSERT_EQ(n.rejected().size(), 1u);
  EXPECT_EQ(n.rejected()[0].column, "t");
}

}  // namespace
}  // namespace opendata::ingest
