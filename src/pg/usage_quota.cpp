// Quota buckets in shared memory: one per API key or anonymous address,
// found by the 64-bit hash of its identity (no address is stored), each a
// per-minute and a per-day rate (core/usage/token_bucket.hpp) under its own
// spinlock.  Requested with the counters at preload (pg/usage_shmem.cpp's
// hooks); a full table reuses the bucket idle longest.
#include <cstring>

#include "core/usage/hyperloglog.hpp"
#include "core/usage/token_bucket.hpp"
#include "pg/args.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/text.hpp"
#include "pg/usage.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(opendata_quota_take);
PG_FUNCTION_INFO_V1(opendata_constant_time_equal);
PG_FUNCTION_INFO_V1(opendata_request_key);
}

#include "core/usage/api_key.hpp"

namespace opendata::pg::usage_quota {
namespace {

struct Bucket {
  std::uint64_t identity;  // key: the hash of "key:<id>" or "addr:<address>"
  slock_t mutex;
  opendata::usage::BucketState minute;
  opendata::usage::BucketState day;
  TimestampTz last_used;
};

struct Shared {
  LWLock* lock;  // the table's shape; buckets change under their spinlock
};

constexpr const char kTrancheName[] = "opendata_quota";
constexpr std::int64_t kMinuteUs = 60LL * USECS_PER_SEC;
constexpr std::int64_t kDayUs = 86400LL * USECS_PER_SEC;

Shared* g_shared = nullptr;
HTAB* g_buckets = nullptr;

}  // namespace

// Called from the shared memory hooks of pg/usage_shmem.cpp.
void request_space() {
  RequestAddinShmemSpace(add_size(MAXALIGN(sizeof(Shared)),
                                  hash_estimate_size(g_quota_max_clients, sizeof(Bucket))));
  RequestNamedLWLockTranche(kTrancheName, 1);
}

void attach() {
  bool found = false;
  g_shared = static_cast<Shared*>(ShmemInitStruct("opendata quota", sizeof(Shared), &found));
  if (!found) g_shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
  HASHCTL info;
  std::memset(&info, 0, sizeof(info));
  info.keysize = sizeof(std::uint64_t);
  info.entrysize = sizeof(Bucket);
  g_buckets = ShmemInitHash("opendata quota buckets", g_quota_max_clients, g_quota_max_clients,
                            &info, HASH_ELEM | HASH_BLOBS | HASH_FIXED_SIZE);
}

namespace {

// The bucket idle longest leaves the table (called full, under the
// exclusive lock): its client starts again with a full bucket.
void evict_idlest() {
  HASH_SEQ_STATUS seq;
  hash_seq_init(&seq, g_buckets);
  Bucket* idlest = nullptr;
  while (auto* b = static_cast<Bucket*>(hash_seq_search(&seq)))
    if (idlest == nullptr || b->last_used < idlest->last_used) idlest = b;
  if (idlest != nullptr) hash_search(g_buckets, &idlest->identity, HASH_REMOVE, nullptr);
}

Bucket* find_or_add(std::uint64_t identity) {
  LWLockAcquire(g_shared->lock, LW_SHARED);
  auto* b = static_cast<Bucket*>(hash_search(g_buckets, &identity, HASH_FIND, nullptr));
  if (b != nullptr) return b;  // the shared lock stays held
  LWLockRelease(g_shared->lock);
  LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
  bool found = false;
  b = static_cast<Bucket*>(hash_search(g_buckets, &identity, HASH_ENTER_NULL, &found));
  if (b == nullptr) {
    evict_idlest();
    b = static_cast<Bucket*>(hash_search(g_buckets, &identity, HASH_ENTER, &found));
  }
  if (!found) {
    SpinLockInit(&b->mutex);
    b->minute = {};
    b->day = {};
    b->last_used = 0;
  }
  return b;  // the exclusive lock stays held
}

// The decision for both limits: allowed only when both allow, and then
// both take a token; the headers describe the one with less room left.
opendata::usage::BucketDecision take(Bucket* b, std::int64_t now, int per_minute, int per_day) {
  using opendata::usage::BucketDecision;
  using opendata::usage::BucketState;
  SpinLockAcquire(&b->mutex);
  BucketState minute = b->minute, day = b->day;
  BucketDecision dm{true, 0, 0, 0, 0}, dd{true, 0, 0, 0, 0};
  if (per_minute > 0) dm = opendata::usage::take_token(minute, now, per_minute, kMinuteUs);
  if (per_day > 0) dd = opendata::usage::take_token(day, now, per_day, kDayUs);
  bool allowed = dm.allowed && dd.allowed;
  if (allowed) {
    b->minute = minute;
    b->day = day;
  }
  b->last_used = now;
  SpinLockRelease(&b->mutex);
  // The headers speak of the limit that refused, else of the one with
  // less room left.
  BucketDecision out;
  if (per_minute <= 0) out = dd;
  else if (per_day <= 0) out = dm;
  else if (!dm.allowed) out = dm;
  else if (!dd.allowed) out = dd;
  else out = dm.remaining <= dd.remaining ? dm : dd;
  out.allowed = allowed;
  if (allowed) out.retry_after_seconds = 0;
  return out;
}

}  // namespace

bool enabled() { return g_shared != nullptr && g_buckets != nullptr; }

opendata::usage::BucketDecision take_for(std::string_view identity, int per_minute, int per_day) {
  std::uint64_t h = opendata::usage::hash_identity(identity);
  Bucket* b = find_or_add(h);
  opendata::usage::BucketDecision d = take(b, GetCurrentTimestamp(), per_minute, per_day);
  LWLockRelease(g_shared->lock);
  return d;
}

// The function's result row (its OUT arguments) from values and nulls.
Datum composite(FunctionCallInfo fcinfo, Datum* values, bool* nulls) {
  return call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "opendata: a function with OUT arguments was declared without them");
    return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
  });
}

}  // namespace opendata::pg::usage_quota

using namespace opendata;

// _quota_take(identity, per_minute, per_day) -> (allowed, lim, remaining,
// reset_s, retry_after_s): one call against the client's buckets.  Without
// shared_preload_libraries every call is allowed and lim is null.
Datum opendata_quota_take(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kQuotaTake);
    std::string identity = pg::text_string(args.datum("identity"));
    int per_minute = static_cast<int>(args.int32_or("per_minute", 0));
    int per_day = static_cast<int>(args.int32_or("per_day", 0));
    Datum values[5] = {BoolGetDatum(true), 0, 0, 0, 0};
    bool nulls[5] = {false, true, true, true, true};
    if (pg::usage_quota::enabled() && (per_minute > 0 || per_day > 0)) {
      usage::BucketDecision d = pg::usage_quota::take_for(identity, per_minute, per_day);
      values[0] = BoolGetDatum(d.allowed);
      values[1] = Int64GetDatum(d.limit);
      values[2] = Int64GetDatum(d.remaining);
      values[3] = Int64GetDatum(d.reset_seconds);
      values[4] = Int64GetDatum(d.retry_after_seconds);
      for (int i = 1; i < 5; ++i) nulls[i] = false;
    }
    return pg::usage_quota::composite(fcinfo, values, nulls);
  });
}

// _constant_time_equal(a, b): a = b for secrets, in a time that depends on
// the lengths only.
Datum opendata_constant_time_equal(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kConstantTimeEqual);
    return BoolGetDatum(usage::constant_time_equal(pg::text_view(args.datum("a")),
                                                   pg::text_view(args.datum("b"))));
  });
}

// _request_key() -> (id, secret, address): the API key the request presents
// (both null when none; id '' when what is presented is not a key) and the
// client's address, from request.headers, as the counters read them.
Datum opendata_request_key(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    pg::RequestClient client = pg::request_client();
    Datum values[3] = {0, 0, 0};
    bool nulls[3] = {true, true, false};
    std::string id, secret;
    if (client.presented_key) {
      nulls[0] = nulls[1] = false;
      if (auto key = usage::parse_api_key(*client.presented_key)) {
        id = key->id;
        secret = key->secret;
      }
    }
    values[0] = nulls[0] ? 0 : pg::text_datum(id);
    values[1] = nulls[1] ? 0 : pg::text_datum(secret);
    values[2] = pg::text_datum(client.address);
    return pg::usage_quota::composite(fcinfo, values, nulls);
  });
}
