#include "core/geo/cluster_grid.hpp"

#include "core/geo/tile.hpp"

namespace opendata::geo {
namespace {

std::string cells_of_zoom(std::int64_t zoom) {
  return std::to_string(std::int64_t{1} << zoom) + "::int8";
}

// Spreads the 29 bits of x and y to the even bits of an int8 (x's) and
// the odd ones (y's): five steps of shifts and masks, each a subquery of
// its own (OFFSET 0), so that no step copies the expression of the last.
std::string morton_keys_sql(const std::string& cells_sql) {
  struct Step {
    int shift;
    std::uint64_t mask;
  };
  constexpr Step steps[] = {{16, 0x0000FFFF0000FFFFull},
                            {8, 0x00FF00FF00FF00FFull},
                            {4, 0x0F0F0F0F0F0F0F0Full},
                            {2, 0x3333333333333333ull},
                            {1, 0x5555555555555555ull}};
  std::string sql = cells_sql;
  for (const Step& s : steps) {
    const std::string shift = std::to_string(s.shift), mask = std::to_string(s.mask);
    sql = "SELECT (b.x | (b.x << " + shift + ")) & " + mask + " AS x, (b.y | (b.y << " + shift +
          ")) & " + mask + " AS y FROM (" + sql + ") b OFFSET 0";
  }
  return "SELECT k.x | (k.y << 1) AS m FROM (" + sql + ") k";
}

}  // namespace

std::string point_coordinates_sql(const std::string& relation, const std::string& geometry,
                                  const std::string& filter) {
  const std::string g = "s." + geometry;
  return "SELECT ST_X(ST_Centroid(" + g + ")) AS lon, ST_Y(ST_Centroid(" + g + ")) AS lat FROM " +
         relation + " s WHERE " + filter + " AND NOT ST_IsEmpty(" + g + ")";
}

std::string densest_zoom_sql(const std::string& points_sql, std::int64_t max_points) {
  const CellSql cell = mercator_cell_sql("p.lon", "p.lat", cells_of_zoom(kMaxZoom));
  const std::string cells =
      "SELECT " + cell.x + " AS x, " + cell.y + " AS y FROM (" + points_sql + " OFFSET 0) p";
  // Two keys share the tile of zoom z when their first 2z bits (of 58)
  // agree: when their XOR has at most 58 - 2z bits.
  return "SELECT least(" + std::to_string(kMaxGridZoom) +
         ", (58 - length(ltrim(d.x::bit(64)::text, '0'))) / 2)::int AS z FROM (SELECT min(w.m # "
         "w.next) AS x FROM (SELECT k.m, lead(k.m, " +
         std::to_string(max_points) + ") OVER (ORDER BY k.m) AS next FROM (" +
         morton_keys_sql(cells) + ") k) w) d WHERE d.x IS NOT NULL";
}

std::string cluster_tiles_sql(const std::string& points_sql, const std::string& layer_literal,
                              std::int64_t max_zoom) {
  const std::int64_t finest = max_zoom + kClusterZoomOffset;
  auto level = [](std::int64_t zoom) { return "c" + std::to_string(zoom); };
  const CellSql cell = mercator_cell_sql("p.lon", "p.lat", cells_of_zoom(finest));
  std::string sql = "WITH " + level(finest) +
                    " AS MATERIALIZED (SELECT k.cx, k.cy, count(*)::int8 AS n, sum(k.lon) AS sx, "
                    "sum(k.lat) AS sy FROM (SELECT p.lon, p.lat, " +
                    cell.x + " AS cx, " + cell.y + " AS cy FROM (" + points_sql +
                    " OFFSET 0) p OFFSET 0) k GROUP BY k.cx, k.cy)";
  for (std::int64_t zoom = finest - 1; zoom >= kClusterZoomOffset; zoom--) {
    sql += ", " + level(zoom) +
           " AS MATERIALIZED (SELECT c.cx >> 1 AS cx, c.cy >> 1 AS cy, sum(c.n)::int8 AS n, "
           "sum(c.sx) AS sx, sum(c.sy) AS sy FROM " +
           level(zoom + 1) + " c GROUP BY 1, 2)";
  }
  std::string tiles;
  for (std::int64_t z = 0; z <= max_zoom; z++) {
    if (z > 0) tiles += " UNION ALL ";
    tiles += "SELECT " + std::to_string(z) +
             " AS z, (c.cx >> 4)::int AS x, (c.cy >> 4)::int AS y, sum(c.n)::int8 AS n, "
             "array_agg(c.sx / c.n) AS lons, array_agg(c.sy / c.n) AS lats, array_agg(c.n) AS "
             "counts FROM " +
             level(z + kClusterZoomOffset) + " c GROUP BY 2, 3";
  }
  const std::string extent = std::to_string(kTileExtent);
  return sql + " SELECT t.z, t.x, t.y, t.n AS point_count, m.tile FROM (" + tiles +
         ") t CROSS JOIN LATERAL (SELECT ST_AsMVT(f.*, " + layer_literal + ", " + extent +
         ", '__mvt_geom') AS tile FROM (SELECT ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint("
         "u.lon, u.lat), 4326), 3857), ST_TileEnvelope(t.z, t.x, t.y), " +
         extent + ", " + std::to_string(kTileBuffer) +
         ", true) AS __mvt_geom, true AS cluster, u.n AS point_count, true AS _thinned FROM "
         "unnest(t.lons, t.lats, t.counts) AS u(lon, lat, n)) f WHERE f.__mvt_geom IS NOT NULL) m";
}

}  // namespace opendata::geo
