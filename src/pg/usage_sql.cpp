// SQL functions of the usage counters: their state, the live counters (on
// a standby too), a flush on demand, and the HyperLogLog sketches the flush
// merges into opendata.usage_daily.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "core/usage/hyperloglog.hpp"
#include "pg/args.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/text.hpp"
#include "pg/usage.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "pgstat.h"
#include "utils/date.h"
#include "utils/wait_event.h"

PG_FUNCTION_INFO_V1(opendata_usage_status);
PG_FUNCTION_INFO_V1(opendata_usage_counters);
PG_FUNCTION_INFO_V1(opendata_usage_flush);
PG_FUNCTION_INFO_V1(opendata_hll_union);
PG_FUNCTION_INFO_V1(opendata_hll_estimate);
PG_FUNCTION_INFO_V1(opendata_count_call);
}

namespace opendata::pg {
namespace {

namespace shm = usage_shmem;
using opendata::usage::kHllRegisters;

long used_keys() {
  LWLockAcquire(shm::header()->lock, LW_SHARED);
  long n = hash_get_num_entries(shm::table());
  LWLockRelease(shm::header()->lock);
  return n;
}

bool worker_running() {
  LWLockAcquire(shm::header()->lock, LW_SHARED);
  bool running = shm::header()->worker_latch != nullptr;
  LWLockRelease(shm::header()->lock);
  return running;
}

// A sketch argument: exactly kHllRegisters bytes, else 22023.
const std::uint8_t* sketch_arg(const Args& args, const char* name) {
  std::string_view bytes = text_view(args.datum(name));
  if (bytes.size() != kHllRegisters)
    throw UserError(sqlstate::kInvalidParameterValue, "a client sketch has " + std::to_string(kHllRegisters) +
                                 " bytes, not " + std::to_string(bytes.size()));
  return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;
using opendata::usage::kHllRegisters;

// usage_status() -> json: whether counting is on, and how full it is.
Datum opendata_usage_status(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    namespace shm = pg::usage_shmem;
    std::string out;
    if (!shm::usage_enabled()) {
      out = "{\"status\": \"off\", \"reason\": \"opendata is not in shared_preload_libraries\"}";
    } else {
      out = std::string("{\"status\": \"") + (pg::g_usage_track ? "on" : "paused") +
            "\", \"max_keys\": " + std::to_string(shm::header()->max_keys) +
            ", \"keys_used\": " + std::to_string(pg::used_keys()) +
            ", \"dropped_calls\": " + std::to_string(pg_atomic_read_u64(&shm::header()->dropped_calls)) +
            ", \"flushes\": " + std::to_string(pg_atomic_read_u64(&shm::header()->flushes)) +
            ", \"flush_worker\": " + (pg::worker_running() ? "true" : "false") +
            ", \"flush_interval_s\": " + std::to_string(pg::g_usage_flush_interval) + "}";
    }
    return pg::call([&] { return DirectFunctionCall1(json_in, CStringGetDatum(out.c_str())); });
  });
}

// usage_counters(): every entry of shared memory, of every database.  Read
// under the shared lock into the tuplestore, whose rows are plain values.
Datum opendata_usage_counters(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    namespace shm = pg::usage_shmem;
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    if (!shm::usage_enabled()) return Datum(0);
    pg::call([fcinfo] {
      auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
      std::uint8_t registers[kHllRegisters];
      LWLockAcquire(shm::header()->lock, LW_SHARED);
      HASH_SEQ_STATUS seq;
      hash_seq_init(&seq, shm::table());
      while (auto* e = static_cast<shm::Entry*>(hash_seq_search(&seq))) {
        opendata::usage::Counts live = shm::live_counts(*e);
        shm::read_hll(*e, registers);
        std::string_view endpoint =
            opendata::usage::endpoint_name(static_cast<opendata::usage::Endpoint>(e->key.endpoint));
        Datum values[10] = {ObjectIdGetDatum(e->key.database),
                            DateADTGetDatum(e->key.day),
                            PointerGetDatum(cstring_to_text(e->key.dataset)),
                            PointerGetDatum(cstring_to_text_with_len(endpoint.data(), static_cast<int>(endpoint.size()))),
                            Int64GetDatum(static_cast<int64>(live.calls)),
                            Int64GetDatum(static_cast<int64>(live.rows)),
                            Int64GetDatum(static_cast<int64>(live.bytes)),
                            Int64GetDatum(static_cast<int64>(live.errors)),
                            Int64GetDatum(static_cast<int64>(e->flushed.calls)),
                            Float8GetDatum(opendata::usage::hll_estimate(registers))};
        bool nulls[10] = {};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
      }
      LWLockRelease(shm::header()->lock);
    });
    return Datum(0);
  });
}

// usage_flush(): asks the flush worker for a flush now and waits until one
// has finished (at most 60 s).  For tests and for an administrator about to
// stop the server hard; false when there is no worker (standby, or off).
Datum opendata_usage_flush(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    namespace shm = pg::usage_shmem;
    if (!shm::usage_enabled()) return BoolGetDatum(false);
    // Two flushes after the request: the first may have started before it.
    const std::uint64_t target = pg_atomic_read_u64(&shm::header()->flushes) + 2;
    for (int waited_ms = 0; pg_atomic_read_u64(&shm::header()->flushes) < target; waited_ms += 10) {
      LWLockAcquire(shm::header()->lock, LW_SHARED);
      Latch* latch = shm::header()->worker_latch;
      if (latch != nullptr) SetLatch(latch);
      LWLockRelease(shm::header()->lock);
      if (latch == nullptr) return BoolGetDatum(false);
      if (waited_ms >= 60000)
        throw UserError(sqlstate::kQueryCanceled, "the usage flush worker did not flush within 60 s");
      pg::call([] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10L, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        return 0;
      });
    }
    return BoolGetDatum(true);
  });
}

// _hll_union(a, b): the register-wise maximum of two client sketches.
Datum opendata_hll_union(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kHllUnion);
    const std::uint8_t* a = pg::sketch_arg(args, "a");
    const std::uint8_t* b = pg::sketch_arg(args, "b");
    std::uint8_t merged[kHllRegisters];
    std::memcpy(merged, a, kHllRegisters);
    opendata::usage::hll_merge(merged, b);
    return pg::call([&] {
      bytea* out = static_cast<bytea*>(palloc(VARHDRSZ + kHllRegisters));
      SET_VARSIZE(out, VARHDRSZ + kHllRegisters);
      std::memcpy(VARDATA(out), merged, kHllRegisters);
      return PointerGetDatum(out);
    });
  });
}

// _hll_estimate(sketch): the distinct clients it has seen, rounded.
Datum opendata_hll_estimate(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kHllEstimate);
    const std::uint8_t* sketch = pg::sketch_arg(args, "sketch");
    return Int64GetDatum(static_cast<int64>(opendata::usage::hll_estimate(sketch) + 0.5));
  });
}

// _count_call(endpoint, dataset, rows, bytes): count_call() for the API
// functions written in plpgsql (tile, the pages).
Datum opendata_count_call(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kCountCall);
    std::string name = args.text("endpoint");
    std::optional<usage::Endpoint> endpoint = usage::endpoint_from_name(name);
    if (!endpoint) throw UserError(sqlstate::kInvalidParameterValue, "unknown usage endpoint \"" + name + "\"");
    std::string dataset = args.text("dataset");
    auto count = [&](const char* arg) {
      return static_cast<std::uint64_t>(std::max<std::int64_t>(0, args.int64_or(arg, 0)));
    };
    pg::count_call(*endpoint, dataset, count("rows"), count("bytes"));
    return Datum(0);
  });
}
