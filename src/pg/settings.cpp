#include "pg/settings.hpp"

#include "pg/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace opendata::pg {

int g_max_page_size = 100;
int g_exact_count_threshold = 1000000;
int g_tile_max_features = 5000;

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
  DefineCustomIntVariable(
      "opendata.tile_max_features", "Most features a vector tile carries one by one.",
      "Beyond it, a tile of points carries clusters (count and mean position) and a tile of "
      "lines or polygons its largest features; either says so with _thinned = true.",
      &g_tile_max_features, 5000, 1, 1000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
  MarkGUCPrefixReserved("opendata");
#else
  EmitWarningsOnPlaceholders("opendata");
#endif
}

}  // namespace opendata::pg
