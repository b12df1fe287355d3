#include "core/export/geojson_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

std::vector<Column> trees() {
  return {col("id", CellKind::Integer), col("espece", CellKind::Text),
          col("hauteur", CellKind::Number), col("geom", CellKind::Geometry)};
}

TEST(ExportGeoJson, EmptyCollection) {
  EXPECT_EQ(run(Format::GeoJson, trees(), {}), R"({"type":"FeatureCollection","features":[]})");
  EXPECT_EQ(run(Format::GeoJson, trees(), {}, R"({"bbox":true})"),
            R"({"type":"FeatureCollection","features":[]})");
}

TEST(ExportGeoJson, FeaturesWithIdGeometryProperties) {
  std::string p1 = Wkb().point(2.3522219, 48.856614).str();
  std::string out =
      run(Format::GeoJson, trees(),
          {{Cell::integer(10), Cell::text_value("Platane"), Cell::number(25.5), Cell::geometry(p1)},
           {Cell::integer(11), Cell::text_value("Chêne \"vert\""), Cell::null(), Cell::null()}},
          R"({"id_field":"id"})");
  EXPECT_EQ(
      out,
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","id":10,"geometry":{"type":"Point","coordinates":[2.3522219,48.856614]},)"
      R"("properties":{"id":10,"espece":"Platane","hauteur":25.5}},)"
      R"({"type":"Feature","id":11,"geometry":null,"properties":{"id":11,"espece":"Chêne \"vert\"","hauteur":null}}]})");
  json j = parse(out);
  EXPECT_FALSE(j.contains("crs"));
  EXPECT_EQ(j["features"][1]["properties"]["espece"], "Chêne \"vert\"");
}

TEST(ExportGeoJson, TextIdAndNullId) {
  std::vector<Column> cols{col("code", CellKind::Text), col("geom", CellKind::Geometry)};
  std::string out = run(Format::GeoJson, cols,
                        {{Cell::text_value("75056"), Cell::geometry(Wkb().point(1, 2).str())},
                         {Cell::null(), Cell::null()}},
                        R"({"id_field":"code"})");
  json j = parse(out);
  EXPECT_EQ(j["features"][0]["id"], "75056");
  EXPECT_FALSE(j["features"][1].contains("id"));  // no "id":null: RFC 7946 wants a string or number
}

TEST(ExportGeoJson, NoGeometryColumnGivesNullGeometry) {
  std::string out = run(Format::GeoJson, {col("a", CellKind::Integer)}, {{Cell::integer(1)}});
  EXPECT_EQ(
      out,
      R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"a":1}}]})");
}

TEST(ExportGeoJson, ChosenGeometryFieldOthersInProperties) {
  std::vector<Column> cols{col("centre", CellKind::Geometry), col("contour", CellKind::Geometry)};
  std::string a = Wkb().point(1, 1).str();
  std::string b = Wkb().header(2).points({{0, 0}, {2, 2}}).str();
  json first = parse(run(Format::GeoJson, cols, {{Cell::geometry(a), Cell::geometry(b)}}));
  EXPECT_EQ(first["features"][0]["geometry"]["type"], "Point");
  EXPECT_EQ(first["features"][0]["properties"]["contour"]["type"], "LineString");
  json chosen = parse(run(Format::GeoJson, cols, {{Cell::geometry(a), Cell::geometry(b)}},
                          R"({"geometry_field":"contour"})"));
  EXPECT_EQ(chosen["features"][0]["geometry"]["type"], "LineString");
  EXPECT_EQ(chosen["features"][0]["properties"]["centre"]["type"], "Point");
}

TEST(ExportGeoJson, BBoxPerFeatureAndCollection) {
  std::vector<Column> cols{col("geom", CellKind::Geometry)};
  std::string out = run(Format::GeoJson, cols,
                        {{Cell::geometry(Wkb().header(2).points({{1, 5}, {3, 2}}).str())},
                         {Cell::null()},
                         {Cell::geometry(Wkb().point(-1.123456789, 4).str())}},
                        R"({"bbox":true,"precision":3})");
  EXPECT_EQ(
      out,
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,5],[3,2]]},"bbox":[1,2,3,5],"properties":{}},)"
      R"({"type":"Feature","geometry":null,"properties":{}},)"
      R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-1.123,4]},"bbox":[-1.123,4,-1.123,4],"properties":{}}],)"
      R"("bbox":[-1.123,2,3,5]})");
  parse(out);
}

TEST(ExportGeoJson, ZKeptOrDropped) {
  std::vector<Column> cols{col("geom", CellKind::Geometry)};
  std::string z = Wkb().header(1001).f64(1).f64(2).f64(35.5).str();
  json kept = parse(run(Format::GeoJson, cols, {{Cell::geometry(z)}}));
  EXPECT_EQ(kept["features"][0]["geometry"]["coordinates"].size(), 3u);
  json dropped = parse(run(Format::GeoJson, cols, {{Cell::geometry(z)}}, R"({"keep_z":false})"));
  EXPECT_EQ(dropped["features"][0]["geometry"]["coordinates"].size(), 2u);
}

TEST(ExportGeoJson, ColumnOptionErrors) {
  auto make = [](const char* opts) {
    return [opts] { make_writer(Format::GeoJson, trees(), parse_options(Format::GeoJson, opts)); };
  };
  EXPECT_EQ(sqlstate_of(make(R"({"id_field":"nope"})")), "22023");
  EXPECT_EQ(sqlstate_of(make(R"({"id_field":"geom"})")), "22023");
  EXPECT_EQ(sqlstate_of(make(R"({"geometry_field":"espece"})")), "22023");
  EXPECT_EQ(sqlstate_of(make(R"({"geometry_field":"nope"})")), "22023");
  EXPECT_EQ(sqlstate_of(make(R"({"delimiter":","})")), "22023");  // a CSV option
  EXPECT_EQ(sqlstate_of(make(R"({"id_field":"id","geometry_field":"geom"})")), "none");
}

TEST(ExportGeoJson, ManyRowsChunkedStayValid) {
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> wkbs;
  wkbs.reserve(500);
  for (int i = 0; i < 500; ++i) wkbs.push_back(Wkb(i % 2 == 0).point(i * 0.01, -i * 0.02).str());
  for (int i = 0; i < 500; ++i) {
    rows.push_back(
        {Cell::integer(i), Cell::text_value("t"), Cell::number(i / 3.0), Cell::geometry(wkbs[i])});
  }
  json j = parse(run(Format::GeoJson, trees(), rows, R"({"id_field":"id","precision":null})"));
  ASSERT_EQ(j["features"].size(), 500u);
  EXPECT_EQ(j["features"][499]["geometry"]["coordinates"][0].get<double>(), 499 * 0.01);
  EXPECT_EQ(j["features"][499]["properties"]["hauteur"].get<double>(), 499 / 3.0);
}

}  // namespace
}  // namespace opendata::exporter
