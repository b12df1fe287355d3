#include "pg/dataset_cache.hpp"

#include <cstdint>
#include <list>

#include "pg/usage.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

// What the fields were read at: the catalog row's identity and state, as
// the calling role sees it (no row: not published, or not readable).
constexpr const char* kStateQuery = R"sql(
SELECT d.id, d.version, (extract(epoch FROM d.modified) * 1000000)::int8
  FROM opendata.datasets d
 WHERE d.slug = $1 AND d.status = 'published')sql";

SPIPlanPtr g_state_plan = nullptr;

struct Kept {
  std::string slug;
  Oid role;
  std::string state;  // "id/version/modified"
  PublishedDataset dataset;
};

// Most recently used first.
constexpr std::size_t kKeptDatasets = 64;
std::list<Kept> g_kept;

std::string current_state(const std::string& slug) {
  if (spi::execute_saved(g_state_plan, kStateQuery, {{TEXTOID, slug}}, true) == 0) return "";
  return spi::value(0, 1).value_or("") + "/" + spi::value(0, 2).value_or("") + "/" +
         spi::value(0, 3).value_or("");
}

}  // namespace

PublishedDataset published_dataset_kept(const std::string& slug) {
  const std::string state = current_state(slug);
  const Oid role = GetUserId();
  for (auto it = g_kept.begin(); it != g_kept.end(); ++it) {
    if (it->slug != slug || it->role != role) continue;
    if (!state.empty() && it->state == state) {
      g_kept.splice(g_kept.begin(), g_kept, it);
      // As load_published_dataset(): a failure from here is this dataset's.
      note_call_dataset(slug);
      return it->dataset;
    }
    g_kept.erase(it);
    break;
  }
  // Not kept, or changed: read (and its errors raised) as always.
  PublishedDataset ds = load_published_dataset(slug);
  if (!state.empty()) {
    if (g_kept.size() >= kKeptDatasets) g_kept.pop_back();
    g_kept.push_front({slug, role, state, ds});
  }
  return ds;
}

}  // namespace opendata::pg
