// Loading COPY text into a table through PostgreSQL's own COPY FROM
// machinery, fed from C++ by a chunk producer.  That is what makes imports
// run at COPY speed, and what makes them show in pg_stat_progress_copy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "pg/guard.hpp"

extern "C" {
#include "utils/relcache.h"
}

namespace opendata::pg {

// Fills `out` with the next chunk of COPY text (whole lines, UTF-8);
// returns false when there is no more.  May throw.
using ChunkProducer = std::function<bool(std::string& out)>;

// Runs COPY FROM into `relation` (its OID), reading chunks from `next`.
// Returns the number of rows loaded.  Not re-entrant: one COPY at a time per
// backend, which is all a function call can do.
std::uint64_t copy_into(Oid relation, const ChunkProducer& next);

// What COPY FROM checks before loading into `rel` (opened): INSERT on the
// table or on every column (42501), no row-level security (0A000).
// Raises a PostgreSQL ERROR: call it inside pg::call().
void check_load_rights(Relation rel);

}  // namespace opendata::pg
