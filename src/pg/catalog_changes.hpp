// Knowing without a query that the catalog rows a backend keeps copies of
// have not changed (issue #15: reading a dataset's state through SPI was a
// tenth of a small records() page).
//
// The triggers of src/sql/23_catalog_changes.sql make every write to
// opendata.datasets, fields, organization_members and catalog (and, for
// tile(), cluster_grids, mercator_copies and data_writes) send an
// invalidation of the table written, as PostgreSQL's own DDL does for its
// catalogs: to this backend at the end of the writing statement, to every
// other backend at commit (and, through the commit's WAL record, to every
// hot standby).  This backend counts them in a generation number, with
// those of the relations a kept copy was read from (a dataset's API view
// and source: a view replaced, a column set NOT NULL), those of roles and
// role memberships (row-level security shows a role what its memberships
// allow), and a reset of the invalidation queue.  A copy stamped with the
// generation it was read at is current as long as the generation has not
// moved.
//
// The stamp is only worth something if the copy saw every change whose
// invalidation came before it: read_for_keeping() reads it under a
// snapshot taken after the generation, which READ COMMITTED allows.  Under
// REPEATABLE READ or SERIALIZABLE the transaction's snapshot may predate an
// invalidation already counted, so a copy read there is for its call only;
// so is a copy during whose reading a relation it had not yet said it read
// was invalidated.
#pragma once

#include <cstdint>
#include <utility>

#include "pg/guard.hpp"

namespace opendata::pg {

// The stamp of a copy that is good for the call that read it only.
constexpr std::uint64_t kReadForThisCallOnly = 0;

// Registers the invalidation callbacks; once per backend, at module load.
void register_catalog_change_callbacks();

// Whether a copy stamped `stamp` is still current: no invalidation that
// concerns it has come since, counting those committed since the last check
// (processed here, as PostgreSQL does at every lock it takes).
bool still_current(std::uint64_t stamp);

// A relation a kept copy was read from besides the catalog tables (a
// dataset's API view or source): its invalidations move the generation
// from now on.
void watch_relation(Oid relation);

namespace detail {
struct ReadStart {
  std::uint64_t generation;
  std::uint64_t relations_invalidated;  // any relation's, so far
  bool new_snapshot;                    // pushed
};
ReadStart begin_read_for_keeping();
std::uint64_t end_read_for_keeping(const ReadStart& start);
void abandon_read_for_keeping(const ReadStart& start);
}  // namespace detail

// Runs `read` (SPI statements, read-only: they run under the active
// snapshot) under a snapshot taken after the generation was read, and
// returns the stamp of the copy it made.  `read` calls watch_relation()
// for the relations it read besides the catalog tables.
template <typename Fn>
std::uint64_t read_for_keeping(Fn&& read) {
  const detail::ReadStart start = detail::begin_read_for_keeping();
  try {
    read();
  } catch (...) {
    detail::abandon_read_for_keeping(start);
    throw;
  }
  return detail::end_read_for_keeping(start);
}

}  // namespace opendata::pg
