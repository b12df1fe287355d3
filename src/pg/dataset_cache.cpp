#include "pg/dataset_cache.hpp"

#include <cstdint>
#include <list>
#include <memory>

#include "pg/catalog_changes.hpp"
#include "pg/usage.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

struct Kept {
  std::string slug;
  Oid role;
  std::uint64_t stamp;  // pg/catalog_changes.hpp
  std::shared_ptr<const KeptDataset> kept;
};

// Most recently used first.
constexpr std::size_t kKeptDatasets = 64;
std::list<Kept> g_kept;

}  // namespace

std::shared_ptr<const KeptDataset> published_dataset_kept(const std::string& slug) {
  const Oid role = GetUserId();
  for (auto it = g_kept.begin(); it != g_kept.end(); ++it) {
    if (it->slug != slug || it->role != role) continue;
    if (still_current(it->stamp)) {
      g_kept.splice(g_kept.begin(), g_kept, it);
      // As load_published_dataset(): a failure from here is this dataset's.
      note_call_dataset(slug);
      return it->kept;
    }
    g_kept.erase(it);
    break;
  }
  // Not kept, or changed since: read (and its errors raised) as always.
  auto fresh = std::make_shared<KeptDataset>();
  const std::uint64_t stamp = read_for_keeping([&] {
    fresh->dataset = load_published_dataset(slug, &fresh->state);
    watch_relation(fresh->dataset.view);
    watch_relation(fresh->dataset.source);
  });
  if (stamp == kReadForThisCallOnly) return fresh;
  if (g_kept.size() >= kKeptDatasets) g_kept.pop_back();
  g_kept.push_front({slug, role, stamp, fresh});
  return fresh;
}

}  // namespace opendata::pg
