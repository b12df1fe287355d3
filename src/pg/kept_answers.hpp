// Small answers read from the catalog, kept in the backend between calls
// while no invalidation that concerns them has come (pg/catalog_changes.hpp):
// knowing that they are still true takes no query.  The reading function
// runs SPI statements (read-only) and calls watch_relation() for each
// relation it read besides the catalog tables.  Keys say everything the
// answer depends on besides those relations (a dataset's version, the role
// when row-level security decides).  Needs an SPI connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "pg/catalog_changes.hpp"
#include "pg/recently_used.hpp"

namespace opendata::pg {

template <class V>
class KeptAnswers {
 public:
  explicit KeptAnswers(std::size_t capacity) : kept_(capacity) {}

  // The kept answer for `key` when it is still current, else read()'s,
  // kept when the read allows it (not under REPEATABLE READ, nor when a
  // relation it read changed meanwhile).
  template <class Read>
  V get(const std::string& key, Read&& read) {
    Stamped* found = kept_.find(key);
    if (found != nullptr && still_current(found->stamp)) return found->value;
    V value{};
    const std::uint64_t stamp = read_for_keeping([&] { value = read(); });
    if (stamp == kReadForThisCallOnly) return value;
    if (found != nullptr)
      *found = Stamped{stamp, value};
    else
      kept_.add(key, Stamped{stamp, value});
    return value;
  }

 private:
  struct Stamped {
    std::uint64_t stamp;
    V value;
  };
  RecentlyUsed<Stamped> kept_;
};

}  // namespace opendata::pg
