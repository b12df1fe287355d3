// The cluster grid publish() computed for a point dataset's current data
// (src/sql/37_cluster_grids.sql, core/geo/cluster_grid.hpp), as tile()
// reads it.  Needs an SPI connection; reads as the caller, like the
// dataset itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/dataset_query.hpp"

namespace opendata::pg {

struct GridTile {
  std::int64_t point_count = 0;  // 0: no point in the tile
  std::string tile;              // its clusters as a vector tile
};

// The tile (z, x, y) of the dataset's grid, or nullopt when the grid does
// not tell it: no grid, a grid of an older version, a write to the table
// since the publication, or a zoom beyond the grid's (where no tile holds
// more than geo::kGridMaxPoints points).  `state` is the dataset's catalog
// row as the caller read it: whether its version has a grid, and to which
// zoom, is kept in the backend, so that a tile beyond the grid's zooms, or
// of a dataset without one, costs no query (issue #15).
std::optional<GridTile> grid_tile(const DatasetState& state, const std::string& slug,
                                  std::int64_t z, std::int64_t x, std::int64_t y);

}  // namespace opendata::pg
