// The flush worker: writes the usage counters of shared memory to
// opendata.usage_daily every opendata.usage_flush_interval, and once more
// when the server shuts down (the postmaster stops background workers
// before the last checkpoint).  It starts on the primary only
// (BgWorkerStart_RecoveryFinished): a standby keeps its counters in memory.
//
// Written in C style on purpose: SPI and the transaction calls raise with
// longjmp, and no C++ object with a destructor lives across them.  An error
// ends the process; the postmaster starts it again after one interval, and
// the counters it had not flushed are still in shared memory.
#include <cstring>

#include "core/usage/counters.hpp"
#include "pg/settings.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "access/xact.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/date.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void opendata_usage_worker(Datum arg);
}

namespace opendata::pg {
namespace {

namespace shm = usage_shmem;

// One entry as the flush read it, before the transaction.
struct Pending {
  shm::Key key;
  opendata::usage::Counts live;
  opendata::usage::Counts send;
  std::uint8_t hll[opendata::usage::kHllRegisters];
};

const char kUpsert[] =
    "INSERT INTO opendata.usage_daily AS u "
    "  (day, dataset, endpoint, calls, rows, bytes, errors, clients) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (day, dataset, endpoint) DO UPDATE SET "
    "  calls = u.calls + excluded.calls, rows = u.rows + excluded.rows, "
    "  bytes = u.bytes + excluded.bytes, errors = u.errors + excluded.errors, "
    "  clients = opendata._hll_union(u.clients, excluded.clients)";

// Entries of this database with something not yet flushed, palloc'd.
Pending* collect(int* count) {
  shm::Header* h = shm::header();
  LWLockAcquire(h->lock, LW_SHARED);
  long n = hash_get_num_entries(shm::table());
  Pending* out = static_cast<Pending*>(palloc(sizeof(Pending) * (n > 0 ? n : 1)));
  int used = 0;
  HASH_SEQ_STATUS seq;
  hash_seq_init(&seq, shm::table());
  while (auto* e = static_cast<shm::Entry*>(hash_seq_search(&seq))) {
    if (e->key.database != MyDatabaseId || used >= n) continue;
    opendata::usage::Counts live = shm::live_counts(*e);
    opendata::usage::Counts send = opendata::usage::unflushed(live, e->flushed);
    if (send.empty()) continue;
    Pending* p = &out[used++];
    p->key = e->key;
    p->live = live;
    p->send = send;
    shm::read_hll(*e, p->hll);
  }
  LWLockRelease(h->lock);
  *count = used;
  return out;
}

Datum int8_datum(std::uint64_t v) { return Int64GetDatum(static_cast<int64>(v)); }

// One transaction: every pending entry added to its row.  False when the
// extension is not installed in this database (nothing is written then).
bool write_pending(const Pending* pending, int count) {
  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  SPI_connect();
  PushActiveSnapshot(GetTransactionSnapshot());
  pgstat_report_activity(STATE_RUNNING, "opendata: flushing usage counters");
  bool installed =
      SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'opendata'", true, 1) ==
          SPI_OK_SELECT &&
      SPI_processed == 1;
  if (installed) {
    Oid types[8] = {DATEOID, TEXTOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID, BYTEAOID};
    SPIPlanPtr plan = SPI_prepare(kUpsert, 8, types);
    if (plan == nullptr) elog(ERROR, "opendata: could not prepare the usage flush: %s",
                              SPI_result_code_string(SPI_result));
    bytea* hll = static_cast<bytea*>(palloc(VARHDRSZ + opendata::usage::kHllRegisters));
    SET_VARSIZE(hll, VARHDRSZ + opendata::usage::kHllRegisters);
    for (int i = 0; i < count; ++i) {
      const Pending& p = pending[i];
      std::string_view endpoint =
          opendata::usage::endpoint_name(static_cast<opendata::usage::Endpoint>(p.key.endpoint));
      std::memcpy(VARDATA(hll), p.hll, opendata::usage::kHllRegisters);
      Datum values[8] = {DateADTGetDatum(p.key.day),
                         PointerGetDatum(cstring_to_text(p.key.dataset)),
                         PointerGetDatum(cstring_to_text_with_len(endpoint.data(), static_cast<int>(endpoint.size()))),
                         int8_datum(p.send.calls),
                         int8_datum(p.send.rows),
                         int8_datum(p.send.bytes),
                         int8_datum(p.send.errors),
                         PointerGetDatum(hll)};
      if (SPI_execute_plan(plan, values, nullptr, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "opendata: the usage flush could not write its row");
    }
  }
  SPI_finish();
  PopActiveSnapshot();
  CommitTransactionCommand();
  pgstat_report_activity(STATE_IDLE, nullptr);
  return installed;
}

// After the commit: the marks move to what was written; days before today
// that are fully written leave shared memory.
void mark_flushed(const Pending* pending, int count) {
  shm::Header* h = shm::header();
  int32 today = shm::today();
  LWLockAcquire(h->lock, LW_EXCLUSIVE);
  for (int i = 0; i < count; ++i) {
    auto* e = static_cast<shm::Entry*>(hash_search(shm::table(), &pending[i].key, HASH_FIND, nullptr));
    if (e != nullptr) e->flushed = pending[i].live;
  }
  HASH_SEQ_STATUS seq;
  hash_seq_init(&seq, shm::table());
  while (auto* e = static_cast<shm::Entry*>(hash_seq_search(&seq))) {
    if (e->key.database == MyDatabaseId && e->key.day < today &&
        opendata::usage::unflushed(shm::live_counts(*e), e->flushed).empty())
      hash_search(shm::table(), &e->key, HASH_REMOVE, nullptr);
  }
  LWLockRelease(h->lock);
}

void flush() {
  int count = 0;
  Pending* pending = collect(&count);
  if (count > 0 && write_pending(pending, count)) mark_flushed(pending, count);
  pfree(pending);
  pg_atomic_fetch_add_u64(&shm::header()->flushes, 1);
}

void set_worker_latch(Latch* latch) {
  LWLockAcquire(shm::header()->lock, LW_EXCLUSIVE);
  shm::header()->worker_latch = latch;
  LWLockRelease(shm::header()->lock);
}

void forget_worker_latch(int, Datum) { set_worker_latch(nullptr); }

}  // namespace

void register_usage_worker() {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof(worker));
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = 10;
  std::strcpy(worker.bgw_library_name, "opendata");
  std::strcpy(worker.bgw_function_name, "opendata_usage_worker");
  std::strcpy(worker.bgw_name, "opendata usage flush");
  std::strcpy(worker.bgw_type, "opendata usage flush");
  RegisterBackgroundWorker(&worker);
}

}  // namespace opendata::pg

void opendata_usage_worker(Datum) {
  using namespace opendata::pg;
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(g_usage_database, nullptr, 0);
  set_worker_latch(MyLatch);
  before_shmem_exit(forget_worker_latch, 0);
  while (!ShutdownRequestPending) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                    static_cast<long>(g_usage_flush_interval) * 1000L, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    flush();
  }
  // SIGTERM: the server is stopping (or the worker is being terminated).
  flush();
  proc_exit(0);
}
