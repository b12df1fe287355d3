// Web Mercator map tiles: checking a tile address, the grid of
// geo_cluster() as SQL, and the field list of a tile request.  Pure C++,
// shared by the ODSQL compiler (geo_cluster) and src/pg/tiles.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opendata::geo {

// Zoom levels 0..29, as geo_cluster(): 2^58 cells still fit a bigint key.
inline constexpr std::int64_t kMaxZoom = 29;

// Vector tiles' grid: 4096 units a side, and a buffer of 64 units around
// the tile that geometries are clipped to.
inline constexpr int kTileExtent = 4096;
inline constexpr int kTileBuffer = 64;

// Web Mercator's latitude limit: the latitude whose projection is the square.
inline constexpr const char kMaxLatitudeSql[] = "85.0511287798066";

// Refuses a tile address outside the pyramid (22023): z from 0 to kMaxZoom,
// x and y from 0 to 2^z - 1.
void check_tile(std::int64_t z, std::int64_t x, std::int64_t y);

// The column and row (x, y) of the cell of a point at a zoom level, as SQL
// expressions of type int8: `lon_sql` and `lat_sql` are the point's
// longitude and latitude in degrees, `cells_sql` an int8 expression giving
// the number of cells a side (2^zoom).  Latitudes beyond the Mercator limit,
// and longitudes outside -180..180, fall in the nearest edge cell.  This is
// the grid of geo_cluster(): its cells nest in the tiles of lower zooms.
struct CellSql {
  std::string x;
  std::string y;
};
CellSql mercator_cell_sql(const std::string& lon_sql, const std::string& lat_sql,
                          const std::string& cells_sql);

// The `fields` argument of a tile: a comma-separated list of field names,
// each optionally in back-quotes (as in ODSQL).  Spaces around names are
// ignored; an empty list (only spaces) means every field.  An empty item or
// an unterminated back-quote is refused (22023).
std::vector<std::string> parse_field_list(const std::string& text);

}  // namespace opendata::geo
