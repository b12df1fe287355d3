// Cluster grids computed ahead: the clusters of every tile of a big point
// dataset, at the zooms where one of its tiles holds too many points to be
// clustered while a map waits (docs/maps.md, "Clusters computed at
// publication").  publish() runs the two statements built here, as the
// dataset's acting role, over the dataset's API view; tile() serves what
// they computed while the data has not changed since.
//
// The grid is geo_cluster()'s (tile.hpp): a tile at zoom z holds the cells
// of zoom z + 4 (16 x 16), and each cluster is the count and mean position
// of a cell's points, as the tiles clustered on the fly have them.
#pragma once

#include <cstdint>
#include <string>

namespace opendata::geo {

// Cells of zoom z + kClusterZoomOffset in a tile of zoom z: 16 x 16.
inline constexpr std::int64_t kClusterZoomOffset = 4;
// The highest tile zoom whose cells still exist: 29 - 4.
inline constexpr std::int64_t kMaxGridZoom = 25;
// A grid is computed up to the last zoom where one tile holds more points
// than this: the default of opendata.tile_max_features.  Beyond it every
// tile is small enough to be read whole.
inline constexpr std::int64_t kGridMaxPoints = 5000;

// The points of a relation as (lon, lat), the centroids of the geometry
// column `geometry` (quoted) of `relation` (a quoted name or a
// parenthesized subquery), restricted by `filter` (SQL on s.<geometry>,
// "true" for none); empty geometries form no point.
std::string point_coordinates_sql(const std::string& relation, const std::string& geometry,
                                  const std::string& filter);

// One row, one int column: the last zoom (0..kMaxGridZoom) at which a tile
// holds more than `max_points` of the points, NULL when none does (fewer
// points than that in the whole Mercator square).  One sort: in Morton
// order (the cells of zoom 29 interleaved) the points of any tile of any
// zoom are consecutive, so a tile holds more than n points exactly when
// two points n apart in that order share it, and the zoom of the largest
// tile they share is read from the smallest XOR of their keys.
std::string densest_zoom_sql(const std::string& points_sql, std::int64_t max_points);

// Rows (z int, x int, y int, point_count int8, tile bytea): every tile of
// zooms 0 to max_zoom with at least one point, its number of points, and
// its Mapbox vector tile of clusters (layer `layer_literal`, an SQL string
// literal), one point per cell with cluster = true, point_count and
// _thinned = true.  The cells are counted once at the finest zoom and
// summed upwards.
std::string cluster_tiles_sql(const std::string& points_sql, const std::string& layer_literal,
                              std::int64_t max_zoom);

}  // namespace opendata::geo
