// The SQL of a vector tile's statements (core/geo/tile_sql.hpp).  The
// statements run in sql/tiles.sql; here, what they must say.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/geo/tile_sql.hpp"

namespace {

using opendata::UserError;
using namespace opendata;
using odsql::FieldInfo;
using odsql::FieldType;

const std::vector<FieldInfo> kTrees = {
    {"id", FieldType::Integer},    {"espece", FieldType::Text},   {"plante", FieldType::Date},
    {"geom", FieldType::GeoPoint}, {"zone", FieldType::GeoShape},
};
const std::string kView = "opendata_api.\"arbres\"";

bool has(const std::string& sql, const std::string& piece) {
  return sql.find(piece) != std::string::npos;
}

std::string sqlstate_of(const std::vector<FieldInfo>& fields, const std::string& where,
                        const std::string& field_list) {
  odsql::Params params;
  try {
    geo::tile_source("arbres", kView, fields, where, field_list, params);
  } catch (const UserError& e) {
    return e.sqlstate();
  }
  return "";
}

TEST(TileSql, RefusesADatasetWithoutGeometryAndUnknownFields) {
  EXPECT_EQ(sqlstate_of({{"id", FieldType::Integer}}, "", ""), "22023");
  EXPECT_EQ(sqlstate_of(kTrees, "", "espece, hauteur"), "42703");
  EXPECT_EQ(sqlstate_of(kTrees, "hauteur > 3", ""), "42703");
  EXPECT_EQ(sqlstate_of(kTrees, "", "ESPECE, `id`"), "");
}

TEST(TileSql, TheFirstGeometryIsTheShapeAndTheOthersAreNoAttributes) {
  odsql::Params params;
  geo::TileSource s = geo::tile_source("arbres", kView, kTrees, "", "", params);
  EXPECT_EQ(s.geometry, "\"geom\"");
  EXPECT_TRUE(s.points);
  EXPECT_FALSE(s.mercator);
  EXPECT_EQ(s.attribute_names, (std::vector<std::string>{"\"id\"", "\"espece\"", "\"plante\""}));
  // Dates as ISO 8601 whatever DateStyle; the rest as the rows give them.
  EXPECT_EQ(s.attributes[2], "to_char(s.\"plante\", 'YYYY-MM-DD') AS \"plante\"");
  EXPECT_EQ(s.attributes[0], "s.\"id\"");
}

TEST(TileSql, ListedFieldsComeOnceInTheirOrderWithoutGeometries) {
  odsql::Params params;
  geo::TileSource s =
      geo::tile_source("arbres", kView, kTrees, "", "plante, zone, espece, PLANTE", params);
  EXPECT_EQ(s.attribute_names, (std::vector<std::string>{"\"plante\"", "\"espece\""}));
}

TEST(TileSql, TheTileParametersFollowTheFilters) {
  odsql::Params none;
  geo::TileSource plain = geo::tile_source("arbres", kView, kTrees, "", "", none);
  ASSERT_EQ(none.size(), 1u);  // the time zone
  EXPECT_EQ(plain.z, "$2::int4");
  EXPECT_EQ(plain.layer, "$5::text");

  odsql::Params two;
  geo::TileSource filtered =
      geo::tile_source("arbres", kView, kTrees, "espece = \"chene\" and id > 3", "", two);
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(filtered.z, "$4::int4");
  EXPECT_EQ(filtered.x, "$5::int4");
  EXPECT_EQ(filtered.y, "$6::int4");
  EXPECT_EQ(filtered.layer, "$7::text");
  EXPECT_TRUE(has(filtered.rows, kView));
  EXPECT_TRUE(has(filtered.rows, "$2::text"));
}

TEST(TileSql, TheMercatorCopyTakesOnlyTheTileParameters) {
  odsql::Params params;
  geo::TileSource view = geo::tile_source("arbres", kView, kTrees, "", "espece", params);
  const std::string name = geo::mercator_copy_name("12", "3");
  EXPECT_EQ(name, "opendata.\"mercator_copy_12_3\"");
  geo::TileSource copy = geo::on_mercator_copy(view, name);
  EXPECT_EQ(copy.rows, name);
  EXPECT_EQ(copy.geometry, "__shape");
  EXPECT_TRUE(copy.mercator);
  EXPECT_EQ(copy.attributes, view.attributes);
  EXPECT_EQ(copy.z, "$1::int4");
  EXPECT_EQ(copy.layer, "$4::text");
  // Already in EPSG:3857: the envelope widened in tile units, no transform.
  const std::string sql = geo::features_tile_sql(copy, 12, 10001);
  EXPECT_TRUE(
      has(sql, "s.__shape && ST_TileEnvelope($1::int4, $2::int4, $3::int4, margin => 0.015625)"));
  EXPECT_FALSE(has(sql, "ST_Transform"));
}

TEST(TileSql, FeaturesAreCountedAndBuiltInOneStatement) {
  odsql::Params params;
  geo::TileSource points = geo::tile_source("arbres", kView, kTrees, "", "", params);
  const std::string sql = geo::features_tile_sql(points, 14, 10001);
  EXPECT_EQ(sql.rfind("SELECT count(*), ST_AsMVT(t.*, $5::text, 4096, '__mvt_geom') FROM (", 0),
            0u);
  EXPECT_TRUE(has(sql, " LIMIT 10001) t"));
  // Points are not simplified; the envelope is widened by the buffer in
  // degrees of longitude: 360 / 2^14 * 64 / 4096.
  EXPECT_FALSE(has(sql, "ST_Simplify"));
  EXPECT_TRUE(has(sql,
                  "ST_Expand(ST_Transform(ST_TileEnvelope($2::int4, $3::int4, $4::int4), 4326), "
                  "0.00034332275390625)"));
  EXPECT_TRUE(
      has(sql,
          "ST_AsMVTGeom(ST_Transform(s.\"geom\", 3857), ST_TileEnvelope($2::int4, $3::int4, "
          "$4::int4), 4096, 64, true)"));
}

TEST(TileSql, ShapesAreSimplifiedToHalfAPixel) {
  std::vector<FieldInfo> zones = {{"nom", FieldType::Text}, {"zone", FieldType::GeoShape}};
  odsql::Params params;
  geo::TileSource s = geo::tile_source("zones", "opendata_api.zones", zones, "", "", params);
  EXPECT_FALSE(s.points);
  // 40,075,016.69 m / 2^0 / 4096 / 2.
  EXPECT_TRUE(has(geo::features_tile_sql(s, 0, 10),
                  "ST_Simplify(ST_Transform(s.\"zone\", 3857), 4891.9698102512803, true)"));
  const std::string largest = geo::largest_shapes_tile_sql(s, 0, 25);
  EXPECT_TRUE(has(largest, ", true AS _thinned FROM "));
  EXPECT_TRUE(
      has(largest,
          "ORDER BY greatest(ST_XMax(s.\"zone\") - ST_XMin(s.\"zone\"), ST_YMax(s.\"zone\") - "
          "ST_YMin(s.\"zone\")) DESC LIMIT 25"));
}

TEST(TileSql, ClustersAreTheCellsOfThisTileAtFourZoomsBelow) {
  odsql::Params params;
  geo::TileSource s = geo::tile_source("arbres", kView, kTrees, "", "", params);
  const std::string sql = geo::clusters_tile_sql(s, 10, 5000);
  EXPECT_EQ(sql.rfind("WITH p AS MATERIALIZED (", 0), 0u);
  EXPECT_TRUE(has(sql, " LIMIT 5001) "));  // one point more says the tile is partial
  EXPECT_TRUE(has(sql, "nullif(count(*) > 5000, false) FROM p) AS _partial"));
  // Zoom 14's grid: 16 cells a tile side, from x * 16.
  EXPECT_TRUE(has(sql, "k.cx >= ($3::int4::int8 * 16) AND k.cx < ($3::int4::int8 * 16) + 16"));
  EXPECT_TRUE(has(sql, "16384::int8"));
  // Past the deepest zoom, the grid stops at it: one cell a tile.
  EXPECT_TRUE(has(geo::clusters_tile_sql(s, 29, 10), "k.cx < ($3::int4::int8 * 1) + 1"));
}

}  // namespace
