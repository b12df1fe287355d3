// The statements of cluster grids (core/geo/cluster_grid.hpp): the Morton
// keys they compute, the zoom levels they sum, the tiles they build.
// The statements run in sql/tiles.sql against tiles clustered on the fly;
// here their parts are checked one by one, and the bit arithmetic of the
// Morton keys is replayed in C++.
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "core/geo/cluster_grid.hpp"
#include "core/geo/tile.hpp"

namespace {

using namespace opendata::geo;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

// The interleaving the keys must have: bit i of x at bit 2i, of y at 2i + 1.
std::uint64_t interleave(std::uint64_t x, std::uint64_t y) {
  std::uint64_t m = 0;
  for (int i = 0; i < 29; i++) {
    m |= ((x >> i) & 1u) << (2 * i);
    m |= ((y >> i) & 1u) << (2 * i + 1);
  }
  return m;
}

// The spreading steps of the statement, in the order they run (innermost
// first): "(b.x | (b.x << S)) & M".
struct Step {
  int shift;
  std::uint64_t mask;
};
std::vector<Step> spreading_steps(const std::string& sql) {
  std::vector<Step> steps;
  const std::regex step(R"(\(b\.x \| \(b\.x << (\d+)\)\) & (\d+) AS x, \(b\.y \| \(b\.y << \1\)\) & \2 AS y)");
  for (std::sregex_iterator it(sql.begin(), sql.end(), step), end; it != end; ++it)
    steps.push_back({std::stoi((*it)[1]), std::stoull((*it)[2])});
  // Each step wraps the previous one: the innermost is written last.
  return std::vector<Step>(steps.rbegin(), steps.rend());
}

std::uint64_t spread(std::uint64_t v, const std::vector<Step>& steps) {
  for (const Step& s : steps) v = (v | (v << s.shift)) & s.mask;
  return v;
}

TEST(ClusterGrid, MortonKeysInterleaveTheCellsOfZoom29) {
  const std::string sql = densest_zoom_sql("SELECT 0 AS lon, 0 AS lat", kGridMaxPoints);
  const std::vector<Step> steps = spreading_steps(sql);
  ASSERT_EQ(steps.size(), 5u);
  ASSERT_NE(sql.find("SELECT k.x | (k.y << 1) AS m"), std::string::npos);
  const std::uint64_t last = (std::uint64_t{1} << kMaxZoom) - 1;
  for (std::uint64_t x : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{5}, std::uint64_t{0x12345},
                          last / 3, last - 1, last}) {
    for (std::uint64_t y : {std::uint64_t{0}, std::uint64_t{2}, std::uint64_t{0xABCDE}, last / 7, last}) {
      EXPECT_EQ(spread(x, steps) | (spread(y, steps) << 1), interleave(x, y)) << x << ", " << y;
    }
  }
}

TEST(ClusterGrid, MortonOrderKeepsTheTilesOfEveryZoomTogether) {
  // The property the densest zoom rests on: two cells of zoom 29 are in the
  // same tile of zoom z exactly when their keys agree on the first 2z bits
  // of 58, i.e. their XOR has at most 58 - 2z bits.
  const std::uint64_t a = interleave(0x0ABCDEF, 0x1234567), b = interleave(0x0ABCDEF ^ 0x40, 0x1234567);
  std::uint64_t d = a ^ b;
  int bits = 0;
  while (d != 0) {
    bits++;
    d >>= 1;
  }
  // x differs at bit 6 of 29: the same tile up to zoom 29 - 7 = 22.
  EXPECT_EQ((58 - bits) / 2, 22);
}

TEST(ClusterGrid, DensestZoomComparesPointsMaxPointsApartAndStopsAtTheLastGridZoom) {
  const std::string sql = densest_zoom_sql("SELECT lon, lat FROM pts", 1234);
  EXPECT_NE(sql.find("lead(k.m, 1234) OVER (ORDER BY k.m)"), std::string::npos);
  EXPECT_NE(sql.find("least(" + std::to_string(kMaxGridZoom) + ", (58 - "), std::string::npos);
  EXPECT_NE(sql.find("(SELECT lon, lat FROM pts OFFSET 0) p"), std::string::npos);
  // The cells are those of zoom 29.
  EXPECT_NE(sql.find(std::to_string(std::int64_t{1} << kMaxZoom) + "::int8"), std::string::npos);
  // Fewer points than that anywhere: no row.
  EXPECT_NE(sql.find("WHERE d.x IS NOT NULL"), std::string::npos);
}

TEST(ClusterGrid, TilesSumTheFinestCellsUpwardsOneLevelAZoom) {
  for (std::int64_t max_zoom : {0, 3, 14}) {
    const std::string sql = cluster_tiles_sql("SELECT lon, lat FROM pts", "'layer'", max_zoom);
    const std::int64_t finest = max_zoom + kClusterZoomOffset;
    // Points are counted once, in the cells of the finest zoom...
    EXPECT_EQ(count_of(sql, "FROM pts"), 1u) << max_zoom;
    EXPECT_NE(sql.find("WITH c" + std::to_string(finest) + " AS MATERIALIZED"), std::string::npos);
    EXPECT_NE(sql.find(std::to_string(std::int64_t{1} << finest) + "::int8"), std::string::npos);
    // ...and each coarser level halves the cells of the one below it.
    for (std::int64_t zoom = finest - 1; zoom >= kClusterZoomOffset; zoom--) {
      const std::string level = "c" + std::to_string(zoom) + " AS MATERIALIZED (SELECT c.cx >> 1 AS cx";
      EXPECT_EQ(count_of(sql, level), 1u) << zoom;
      EXPECT_NE(sql.find("FROM c" + std::to_string(zoom + 1) + " c GROUP BY 1, 2)"), std::string::npos)
          << zoom;
    }
    EXPECT_EQ(count_of(sql, " AS MATERIALIZED"), static_cast<std::size_t>(finest - kClusterZoomOffset + 1));
    // One branch a zoom, 0 to max_zoom, each reading its own level: the
    // 16 x 16 cells of zoom z + 4 in a tile of zoom z (cx >> 4).
    EXPECT_EQ(count_of(sql, " UNION ALL "), static_cast<std::size_t>(max_zoom));
    for (std::int64_t z = 0; z <= max_zoom; z++) {
      EXPECT_NE(sql.find("SELECT " + std::to_string(z) + " AS z, (c.cx >> 4)::int AS x, (c.cy >> 4)::int AS y"),
                std::string::npos)
          << z;
      EXPECT_NE(sql.find("counts FROM c" + std::to_string(z + kClusterZoomOffset) + " c GROUP BY 2, 3"),
                std::string::npos)
          << z;
    }
    // The tile: the layer given, the extent and buffer of every tile.
    EXPECT_NE(sql.find("ST_AsMVT(f.*, 'layer', " + std::to_string(kTileExtent) + ", '__mvt_geom')"),
              std::string::npos);
    EXPECT_NE(sql.find(std::to_string(kTileExtent) + ", " + std::to_string(kTileBuffer) + ", true)"),
              std::string::npos);
    EXPECT_NE(sql.find("true AS cluster, u.n AS point_count, true AS _thinned"), std::string::npos);
  }
}

TEST(ClusterGrid, PointCoordinatesAreCentroidsOfNonEmptyGeometries) {
  const std::string sql = point_coordinates_sql("opendata_api.\"a b\"", "\"geo\"", "s.\"geo\" && box");
  EXPECT_EQ(sql,
            "SELECT ST_X(ST_Centroid(s.\"geo\")) AS lon, ST_Y(ST_Centroid(s.\"geo\")) AS lat FROM "
            "opendata_api.\"a b\" s WHERE s.\"geo\" && box AND NOT ST_IsEmpty(s.\"geo\")");
}

}  // namespace
