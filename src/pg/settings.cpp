#include "pg/settings.hpp"

#include "pg/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace opendata::pg {

int g_max_page_size = 100;
bool g_search_cache = true;
int g_exact_count_threshold = 1000000;
int g_tile_max_features = 5000;
int g_tile_cluster_max_points = 50000;
int g_usage_max_keys = 1000;
int g_usage_flush_interval = 60;
char* g_usage_database = nullptr;
bool g_usage_track = true;
int g_quota_max_clients = 10000;
int g_quota_anonymous_per_minute = 0;
int g_quota_anonymous_per_day = 0;

namespace {

// The settings of usage counting and quotas (docs/usage.md).  Those read
// once when the server starts (shared memory's size, the worker's
// database) exist only when the library is preloaded: PostgreSQL refuses
// to define them later.
void define_startup_usage_settings() {
  DefineCustomIntVariable(
      "opendata.usage_max_keys", "Usage counters kept in shared memory: one per dataset, endpoint and day.",
      "Each takes about 1.2 kB. When full, further new keys are not counted (usage_status() "
      "reports them as dropped_calls) until the flush worker frees the days it has written.",
      &g_usage_max_keys, 1000, 16, 1000000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "opendata.usage_database", "Database whose opendata.usage_daily the flush worker writes.",
      "Counters of other databases stay readable with opendata.usage_counters().",
      &g_usage_database, "postgres", PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.quota_max_clients", "Token buckets kept in shared memory: one per API key or anonymous address.",
      "When full, the buckets idle longest are reused.", &g_quota_max_clients, 10000, 16,
      10000000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
}

void define_usage_settings() {
  if (process_shared_preload_libraries_in_progress) define_startup_usage_settings();
  DefineCustomIntVariable(
      "opendata.usage_flush_interval", "Time between two writes of the usage counters to opendata.usage_daily.",
      "A crash loses at most this much counting; a clean shutdown loses nothing.",
      &g_usage_flush_interval, 60, 1, 86400, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable(
      "opendata.usage_track", "Count API calls in shared memory.",
      "Off, calls are not counted (quotas still apply).", &g_usage_track, true, PGC_SUSET, 0,
      nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.quota_anonymous_per_minute", "Calls per minute allowed to one address without an API key.",
      "0: no limit.", &g_quota_anonymous_per_minute, 0, 0, INT_MAX, PGC_SIGHUP, 0, nullptr,
      nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.quota_anonymous_per_day", "Calls per day allowed to one address without an API key.",
      "0: no limit.", &g_quota_anonymous_per_day, 0, 0, INT_MAX, PGC_SIGHUP, 0, nullptr, nullptr,
      nullptr);
}

}  // namespace

void define_settings() {
  DefineCustomIntVariable(
      "opendata.max_page_size", "Largest number of records one record query may return.",
      "Opendatasoft caps pages at 100 records; here the cap is a setting. Set it per role "
      "(ALTER ROLE opendata_anon SET opendata.max_page_size = 1000) or per database.",
      &g_max_page_size, 100, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.exact_count_threshold",
      "Matching-record count above which total_count is the planner's estimate.",
      "Below it, total_count is exact. Above it, counting every record would cost more than the "
      "page itself, so the estimate is returned with \"total_count_estimated\": true.",
      &g_exact_count_threshold, 1000000, 0, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable(
      "opendata.search_cache", "Answer catalog searches of the public catalog from an in-memory index.",
      "Each backend that serves search() keeps its own copy of the public catalog's search rows "
      "(docs/search.md). Off, every search runs in SQL.",
      &g_search_cache, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.tile_max_features", "Most features a vector tile carries one by one.",
      "Beyond it, a tile of points carries clusters (count and mean position) and a tile of "
      "lines or polygons its largest features; either says so with _thinned = true.",
      &g_tile_max_features, 5000, 1, 1000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "opendata.tile_cluster_max_points",
      "Most points read to cluster one vector tile on the fly.",
      "Tiles with a where filter, or of a dataset without a cluster grid, are clustered as they "
      "are asked for; beyond this many points their clusters count the points read, and say so "
      "with _partial = true.",
      &g_tile_cluster_max_points, 50000, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  define_usage_settings();
#if PG_VERSION_NUM >= 150000
  MarkGUCPrefixReserved("opendata");
#else
  EmitWarningsOnPlaceholders("opendata");
#endif
}

}  // namespace opendata::pg
