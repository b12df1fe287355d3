#include "pg/usage_shmem.hpp"

#include <cstring>

#include "pg/settings.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

namespace opendata::pg::usage_shmem {
namespace {

constexpr const char kTrancheName[] = "opendata_usage";

Header* g_header = nullptr;
HTAB* g_table = nullptr;

#if PG_VERSION_NUM >= 150000
shmem_request_hook_type g_prev_request_hook = nullptr;
#endif
shmem_startup_hook_type g_prev_startup_hook = nullptr;

Size shared_size() {
  return add_size(MAXALIGN(sizeof(Header)),
                  hash_estimate_size(g_usage_max_keys, sizeof(Entry)));
}

void request_space() {
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTrancheName, 1);
  usage_quota::request_space();
}

#if PG_VERSION_NUM >= 150000
// Since PostgreSQL 15, shared memory is requested from this hook only.
void on_shmem_request() {
  if (g_prev_request_hook != nullptr) g_prev_request_hook();
  request_space();
}
#endif

// Runs in the postmaster at start and after every crash restart (which
// gives fresh shared memory: the counters start again from zero, the flushed
// rows stay in the table), and in each backend on EXEC_BACKEND builds.
void on_shmem_startup() {
  if (g_prev_startup_hook != nullptr) g_prev_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  g_header = static_cast<Header*>(ShmemInitStruct("opendata usage", sizeof(Header), &found));
  if (!found) {
    g_header->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
    pg_atomic_init_u64(&g_header->dropped_calls, 0);
    pg_atomic_init_u64(&g_header->flushes, 0);
    g_header->worker_latch = nullptr;
    g_header->max_keys = g_usage_max_keys;
  }
  HASHCTL info;
  std::memset(&info, 0, sizeof(info));
  info.keysize = sizeof(Key);
  info.entrysize = sizeof(Entry);
  g_table = ShmemInitHash("opendata usage counters", g_usage_max_keys, g_usage_max_keys, &info,
                          HASH_ELEM | HASH_BLOBS | HASH_FIXED_SIZE);
  usage_quota::attach();
  LWLockRelease(AddinShmemInitLock);
}

void init_entry(Entry* e) {
  pg_atomic_init_u64(&e->calls, 0);
  pg_atomic_init_u64(&e->rows, 0);
  pg_atomic_init_u64(&e->bytes, 0);
  pg_atomic_init_u64(&e->errors, 0);
  e->flushed = {};
  for (auto& w : e->hll) pg_atomic_init_u32(&w, 0);
}

// Raises one register to `rank` (never lowers it): 4 registers share a word,
// so the update is a compare-and-swap loop on that word.
void raise_register(Entry* e, std::uint64_t client_hash) {
  opendata::usage::HllUpdate u = opendata::usage::hll_update_for(client_hash);
  pg_atomic_uint32* word = &e->hll[u.index / 4];
  const int shift = static_cast<int>(u.index % 4) * 8;
  uint32 old = pg_atomic_read_u32(word);
  while (((old >> shift) & 0xff) < u.rank) {
    uint32 wanted = (old & ~(0xffu << shift)) | (static_cast<uint32>(u.rank) << shift);
    if (pg_atomic_compare_exchange_u32(word, &old, wanted)) break;
  }
}

void bump(Entry* e, std::uint64_t rows, std::uint64_t bytes, bool error, std::uint64_t client_hash) {
  // The sketch first, the calls last: a flush that sees a call sees its client.
  raise_register(e, client_hash);
  if (rows != 0) pg_atomic_fetch_add_u64(&e->rows, static_cast<int64>(rows));
  if (bytes != 0) pg_atomic_fetch_add_u64(&e->bytes, static_cast<int64>(bytes));
  if (error) pg_atomic_fetch_add_u64(&e->errors, 1);
  pg_atomic_fetch_add_u64(&e->calls, 1);
}

}  // namespace

void request_at_preload() {
#if PG_VERSION_NUM >= 150000
  g_prev_request_hook = shmem_request_hook;
  shmem_request_hook = on_shmem_request;
#else
  request_space();
#endif
  g_prev_startup_hook = shmem_startup_hook;
  shmem_startup_hook = on_shmem_startup;
}

bool usage_enabled() { return g_header != nullptr && g_table != nullptr; }
Header* header() { return g_header; }
HTAB* table() { return g_table; }

int32 today() { return static_cast<int32>(GetCurrentTimestamp() / USECS_PER_DAY); }

Key make_key(opendata::usage::Endpoint endpoint, const char* dataset, std::size_t len, int32 day) {
  Key key;
  std::memset(&key, 0, sizeof(key));
  key.database = MyDatabaseId;
  key.day = day;
  key.endpoint = static_cast<int32>(endpoint);
  // Cut at a character boundary: the name is shown back as text.
  std::size_t n = len < kDatasetNameBytes - 1 ? len : pg_mbcliplen(dataset, static_cast<int>(len), kDatasetNameBytes - 1);
  std::memcpy(key.dataset, dataset, n);
  return key;
}

void add(const Key& key, std::uint64_t rows, std::uint64_t bytes, bool error,
         std::uint64_t client_hash) {
  if (!usage_enabled()) return;
  LWLockAcquire(g_header->lock, LW_SHARED);
  auto* e = static_cast<Entry*>(hash_search(g_table, &key, HASH_FIND, nullptr));
  if (e != nullptr) {
    bump(e, rows, bytes, error, client_hash);
    LWLockRelease(g_header->lock);
    return;
  }
  // First call of this key today: insert under the exclusive lock.  Another
  // backend may have inserted it meanwhile (HASH_ENTER finds it then).
  LWLockRelease(g_header->lock);
  LWLockAcquire(g_header->lock, LW_EXCLUSIVE);
  bool found = false;
  e = static_cast<Entry*>(hash_search(g_table, &key, HASH_ENTER_NULL, &found));
  if (e == nullptr) {
    pg_atomic_fetch_add_u64(&g_header->dropped_calls, 1);
  } else {
    if (!found) init_entry(e);
    bump(e, rows, bytes, error, client_hash);
  }
  LWLockRelease(g_header->lock);
}

void add_error(const Key& key) {
  if (!usage_enabled()) return;
  LWLockAcquire(g_header->lock, LW_EXCLUSIVE);
  bool found = false;
  auto* e = static_cast<Entry*>(hash_search(g_table, &key, HASH_ENTER_NULL, &found));
  if (e == nullptr) {
    pg_atomic_fetch_add_u64(&g_header->dropped_calls, 1);
  } else {
    if (!found) init_entry(e);
    pg_atomic_fetch_add_u64(&e->errors, 1);
  }
  LWLockRelease(g_header->lock);
}

opendata::usage::Counts live_counts(const Entry& e) {
  auto* m = const_cast<Entry*>(&e);
  return {pg_atomic_read_u64(&m->calls), pg_atomic_read_u64(&m->rows),
          pg_atomic_read_u64(&m->bytes), pg_atomic_read_u64(&m->errors)};
}

void read_hll(const Entry& e, std::uint8_t* out) {
  auto* m = const_cast<Entry*>(&e);
  for (std::size_t w = 0; w < kHllWords; ++w) {
    uint32 word = pg_atomic_read_u32(&m->hll[w]);
    for (int i = 0; i < 4; ++i) out[w * 4 + i] = static_cast<std::uint8_t>(word >> (8 * i));
  }
}

}  // namespace opendata::pg::usage_shmem
