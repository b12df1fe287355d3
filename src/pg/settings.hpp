// The extension's settings (GUCs), defined at module load.
#pragma once

namespace opendata::pg {

// opendata.max_page_size: the largest `rows` a record query may ask for.
extern int g_max_page_size;
// opendata.exact_count_threshold: above this many matching records (as the
// planner estimates them), total_count is the estimate, flagged as such.
extern int g_exact_count_threshold;

// opendata.tile_max_features: the most features a vector tile carries one
// by one; beyond, points are clustered and shapes thinned (pg/tiles.cpp).
extern int g_tile_max_features;

void define_settings();

}  // namespace opendata::pg
