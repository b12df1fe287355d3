// The SQL of a vector tile's statements, which src/pg/tiles.cpp runs:
// the features of one Web Mercator tile as ST_AsMVT over ST_AsMVTGeom,
// read from a dataset's filtered rows (the ODSQL compiler's, over its API
// view) or from its Web Mercator copy, and the two thinned forms of a tile
// too full (clusters of points, the largest shapes).  Pure C++: the
// statements are compared in test/unit/geo/tile_sql_test.cpp and run in
// sql/tiles.sql.
//
// Parameters.  A tile's statements take the filter's values first ($1 to
// $n, in the order odsql::Params numbered them), then the tile's z, x and y
// (int4) and the layer's name (text): the last four.  Over the copy there
// is no filter, so those four are $1 to $4.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "core/odsql/params.hpp"

namespace opendata::geo {

// A tile's rows, geometry and attributes as SQL pieces.
struct TileSource {
  std::string rows;                          // "(SELECT ...)" or a relation's name
  std::string geometry;                      // quoted column of the geometry
  bool points = false;                       // a geo_point_2d field: clustered when too dense
  bool mercator = false;                     // geometry already in EPSG:3857 (a Web Mercator copy)
  std::vector<std::string> attributes;       // select-list items: "s.col" or an expression AS col
  std::vector<std::string> attribute_names;  // their quoted column names, in the same order
  std::string z, x, y, layer;                // the placeholders of the last four parameters
};

// The rows of `fields` in `relation` (a dataset's API view, quoted) that the
// ODSQL filter `where` keeps, with the attributes `field_list` names
// (parse_field_list()'s syntax; empty: every field but the geometries).
// The filter's values are added to `params` (the request's time zone, UTC,
// first).  Throws UserError: 22023 when the dataset has no geometry, 42703
// for an unknown field, the ODSQL compiler's errors for the filter.
TileSource tile_source(const std::string& slug, const std::string& relation,
                       const std::vector<odsql::FieldInfo>& fields, const std::string& where,
                       const std::string& field_list, odsql::Params& params);

// The same attributes over the dataset's Web Mercator copy `relation`
// (src/sql/38_mercator_copies.sql: the view's columns, the shapes in
// EPSG:3857 in __shape), without a filter: z, x, y and the layer are $1-$4.
TileSource on_mercator_copy(const TileSource& view, const std::string& relation);

// The Web Mercator copy of a dataset's version, as _build_mercator_copy()
// names it (quoted, schema-qualified).
std::string mercator_copy_name(const std::string& dataset_id, const std::string& version);

// One statement returning (count, tile): how many rows fall in the tile,
// counting no further than `limit`, and the tile of those features,
// shapes simplified to half a pixel.
std::string features_tile_sql(const TileSource& source, std::int64_t z, std::int64_t limit);

// The tile of the clusters of its points on geo_cluster()'s grid at zoom
// z + 4, from the first `max_points` points read; one row, one bytea.
std::string clusters_tile_sql(const TileSource& source, std::int64_t z, std::int64_t max_points);

// The tile of the `keep` largest shapes (by bounding box), marked thinned;
// one row, one bytea.
std::string largest_shapes_tile_sql(const TileSource& source, std::int64_t z, std::int64_t keep);

}  // namespace opendata::geo
