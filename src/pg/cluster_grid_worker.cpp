// Cluster grids are built after publish() commits, by a background worker
// of their own (docs/maps.md, "Clusters computed after publication"): the
// grid of a million points takes a minute and more, which publish()'s
// transaction, its locks and its caller should not wait for.
//
//   opendata._build_cluster_grid_after_commit(dataset_id bigint) RETURNS void
//
// notes the dataset; when the transaction commits, one dynamic background
// worker per noted dataset connects to the database (as the bootstrap
// superuser: a worker cannot log in as a NOLOGIN role) and runs
// opendata._build_cluster_grid(dataset_id), which computes the grid as the
// dataset's acting role and does nothing if the grid is already there
// (opendata.build_cluster_grid() built it, or another worker), then
// opendata._build_mercator_copy(dataset_id), the same for the Web Mercator
// copy of a line or polygon dataset.  A dynamic
// worker needs no shared_preload_libraries, only a free slot of
// max_worker_processes: without one, the dataset keeps no grid until it is
// built by hand (a WARNING says so) or published again.  A rolled-back
// transaction starts nothing.
//
// C style, as the usage worker (usage_worker.cpp): SPI and the transaction
// calls raise with longjmp, and no C++ object with a destructor lives
// across them.  An error ends the worker; it is not restarted.
#include <cstring>

#include "pg/args.hpp"
#include "pg/guard.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(opendata_build_cluster_grid_after_commit);
PGDLLEXPORT void opendata_cluster_grid_worker(Datum arg);
}

namespace opendata::pg {
namespace {

// What the worker builds: the cluster grid of a point dataset, the Web
// Mercator copy of a line or polygon one (38_mercator_copies.sql); each
// does nothing for the other kind.
constexpr const char* kBuildStatement =
    "SELECT opendata._build_cluster_grid($1), opendata._build_mercator_copy($1)";

// The datasets noted by the transaction running: plain data, emptied at
// its end.  A transaction that publishes more point datasets than this
// leaves the others to build_cluster_grid() (a WARNING names them).
constexpr int kMaxNoted = 32;
struct Noted {
  int count;
  int64 ids[kMaxNoted];
  bool callback_registered;
};
Noted g_noted;

void start_worker(int64 dataset_id) {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof(worker));
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  std::strcpy(worker.bgw_library_name, "opendata");
  std::strcpy(worker.bgw_function_name, "opendata_cluster_grid_worker");
  snprintf(worker.bgw_name, BGW_MAXLEN, "opendata cluster grid of dataset %lld",
           static_cast<long long>(dataset_id));
  std::strcpy(worker.bgw_type, "opendata cluster grid");
  worker.bgw_main_arg = Int64GetDatum(dataset_id);
  std::memcpy(worker.bgw_extra, &MyDatabaseId, sizeof(Oid));
  worker.bgw_notify_pid = 0;
  if (!RegisterDynamicBackgroundWorker(&worker, nullptr))
    ereport(WARNING, (errmsg("no background worker slot to build the cluster grid of dataset %lld",
                             static_cast<long long>(dataset_id)),
                      errhint("Raise max_worker_processes, or run opendata.build_cluster_grid().")));
}

// After the commit only: the worker must see what the transaction wrote.
void on_transaction_end(XactEvent event, void*) {
  if (event == XACT_EVENT_COMMIT) {
    for (int i = 0; i < g_noted.count; i++) start_worker(g_noted.ids[i]);
  }
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
      event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
    g_noted.count = 0;
}

void note(int64 dataset_id) {
  for (int i = 0; i < g_noted.count; i++) {
    if (g_noted.ids[i] == dataset_id) return;
  }
  if (g_noted.count == kMaxNoted) {
    ereport(WARNING, (errmsg("the cluster grid of dataset %lld will not be built after this transaction",
                             static_cast<long long>(dataset_id)),
                      errdetail("A transaction starts at most %d grid builds.", kMaxNoted),
                      errhint("Run opendata.build_cluster_grid() after it.")));
    return;
  }
  if (!g_noted.callback_registered) {
    RegisterXactCallback(on_transaction_end, nullptr);
    g_noted.callback_registered = true;
  }
  g_noted.ids[g_noted.count++] = dataset_id;
}

}  // namespace
}  // namespace opendata::pg

Datum opendata_build_cluster_grid_after_commit(PG_FUNCTION_ARGS) {
  // Read in the boundary, noted outside it: note() reports with ereport().
  const int64 dataset_id = opendata::pg::boundary([&]() -> int64 {
    const opendata::pg::Args args(fcinfo, opendata::pg::signature::kBuildClusterGridAfterCommit);
    return args.int64_or("dataset_id", 0);
  });
  if (dataset_id != 0) opendata::pg::note(dataset_id);
  PG_RETURN_VOID();
}

void opendata_cluster_grid_worker(Datum arg) {
  const int64 dataset_id = DatumGetInt64(arg);
  Oid database;
  std::memcpy(&database, MyBgworkerEntry->bgw_extra, sizeof(Oid));
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  SPI_connect();
  PushActiveSnapshot(GetTransactionSnapshot());
  pgstat_report_activity(STATE_RUNNING, opendata::pg::kBuildStatement);
  Oid types[1] = {INT8OID};
  Datum values[1] = {Int64GetDatum(dataset_id)};
  SPI_execute_with_args(opendata::pg::kBuildStatement, 1, types, values, nullptr, false, 0);
  SPI_finish();
  PopActiveSnapshot();
  CommitTransactionCommand();
  pgstat_report_activity(STATE_IDLE, nullptr);
  proc_exit(0);
}
