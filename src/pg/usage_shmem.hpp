// Usage counters in shared memory (issue #18), like pg_stat_statements keeps
// its statistics: one fixed-size hash table of (database, day, dataset,
// endpoint) entries whose counters are atomics, found under a shared
// LWLock, added to without any write to a table.  It exists only when the
// library is in shared_preload_libraries; without it every function here
// is a no-op and usage_enabled() is false.
#pragma once

#include <cstdint>

#include "core/usage/counters.hpp"
#include "core/usage/hyperloglog.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "utils/hsearch.h"
}

namespace opendata::pg::usage_shmem {

constexpr int kDatasetNameBytes = NAMEDATALEN;  // longer names are cut (slugs are shorter)
constexpr std::size_t kHllWords = opendata::usage::kHllRegisters / 4;  // 4 registers per word

struct Key {
  Oid database;
  int32 day;  // DateADT: days since 2000-01-01, in UTC
  int32 endpoint;
  char dataset[kDatasetNameBytes];  // "" for the portal's own pages
};

struct Entry {
  Key key;  // first: the hash table's key
  pg_atomic_uint64 calls;
  pg_atomic_uint64 rows;
  pg_atomic_uint64 bytes;
  pg_atomic_uint64 errors;
  // What the flush worker last committed to opendata.usage_daily.  Written
  // by the worker only, under the exclusive lock; read under the shared one.
  opendata::usage::Counts flushed;
  pg_atomic_uint32 hll[kHllWords];
};

struct Header {
  LWLock* lock;
  pg_atomic_uint64 dropped_calls;  // calls not counted: the table was full
  pg_atomic_uint64 flushes;        // flushes the worker has finished
  Latch* worker_latch;             // the running flush worker's, under lock
  int max_keys;
};

// Called from _PG_init while shared_preload_libraries are loaded.
void request_at_preload();

bool usage_enabled();
Header* header();
HTAB* table();

// The key of `dataset` for `endpoint` today in this database (zeroed bytes
// past the name: the hash table compares keys as blobs).
Key make_key(opendata::usage::Endpoint endpoint, const char* dataset, std::size_t len, int32 day);
int32 today();

// Counts one call; never raises.  client_hash: the hashed identity.
void add(const Key& key, std::uint64_t rows, std::uint64_t bytes, bool error,
         std::uint64_t client_hash);

// Counts one failed call (errors only: no call, row, byte or client).
void add_error(const Key& key);

opendata::usage::Counts live_counts(const Entry& e);
// The registers of the sketch, unpacked (kHllRegisters bytes).
void read_hll(const Entry& e, std::uint8_t* out);

}  // namespace opendata::pg::usage_shmem

// The quota buckets (pg/usage_quota.cpp) share the counters' hooks.
namespace opendata::pg::usage_quota {
void request_space();
void attach();  // under AddinShmemInitLock
}  // namespace opendata::pg::usage_quota
