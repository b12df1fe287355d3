// The extension's settings (GUCs), defined at module load.
#pragma once

namespace opendata::pg {

// opendata.max_page_size: the largest `rows` a record query may ask for.
extern int g_max_page_size;
extern bool g_search_cache;  // opendata.search_cache: search()'s in-memory index
// opendata.exact_count_threshold: above this many matching records (as the
// planner estimates them), total_count is the estimate, flagged as such.
extern int g_exact_count_threshold;

// opendata.tile_max_features: the most features a vector tile carries one
// by one; beyond, points are clustered and shapes thinned (pg/tiles.cpp).
extern int g_tile_max_features;
// opendata.tile_cluster_max_points: the most points a tile clustered on
// the fly reads (with a filter, or without a cluster grid); beyond, its
// clusters count the points read and say so with _partial = true.
extern int g_tile_cluster_max_points;

// Usage counters and quotas (pg/usage_*.cpp, docs/usage.md).
// opendata.usage_max_keys: entries of the shared counter table (postmaster).
extern int g_usage_max_keys;
// opendata.usage_flush_interval: seconds between two flushes of the worker.
extern int g_usage_flush_interval;
// opendata.usage_database: the database the flush worker writes to.
extern char* g_usage_database;
// opendata.usage_track: count calls (superuser; off to compare costs).
extern bool g_usage_track;
// opendata.quota_max_clients: token buckets in shared memory (postmaster).
extern int g_quota_max_clients;
// opendata.quota_anonymous_per_minute / _per_day: limits per client
// address for requests without a key (0: no limit).
extern int g_quota_anonymous_per_minute;
extern int g_quota_anonymous_per_day;

void define_settings();

}  // namespace opendata::pg
