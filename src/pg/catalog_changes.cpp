#include "pg/catalog_changes.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(opendata_catalog_changed);
}

namespace opendata::pg {
namespace {

// The tables whose rows the kept copies are made of; each has the trigger
// that sends their invalidations (src/sql/23_catalog_changes.sql, and for
// tile()'s answers 36_summaries.sql, 37_cluster_grids.sql,
// 38_mercator_copies.sql).
constexpr const char* kCatalogTables[] = {"datasets",   "fields",        "organization_members",
                                          "catalog",    "cluster_grids", "mercator_copies",
                                          "data_writes"};

// Starts at 1: no copy is ever stamped kReadForThisCallOnly's 0 as current.
std::uint64_t g_generation = 1;

// The relations whose invalidations move the generation: the catalog
// tables (looked up again after each move: the extension may have been
// dropped and created again) and those the current copies were read from.
// Plain data: the callbacks read it while PostgreSQL processes messages.
constexpr int kWatched = 256;
Oid g_watched[kWatched];
int g_watched_count = 0;
bool g_tables_watched = false;

// Every copy stamped before is stale; the copies read again watch their
// relations again.
void move_generation() {
  g_generation++;
  g_watched_count = 0;
  g_tables_watched = false;
}

// Every relation invalidation processed, watched or not: a copy being read
// cannot tell yet which relations it will watch.
std::uint64_t g_relations_invalidated = 0;

// PostgreSQL code only: called while invalidation messages are processed,
// where reading a catalog is not allowed.
void relation_changed(Datum, Oid relation) {
  g_relations_invalidated++;
  if (relation == InvalidOid) {  // every relation: a reset of the queue
    move_generation();
    return;
  }
  for (int i = 0; i < g_watched_count; i++) {
    if (g_watched[i] == relation) {
      move_generation();
      return;
    }
  }
}

void role_changed(Datum, int, uint32) { move_generation(); }

void watch(Oid relation) {
  if (relation == InvalidOid) return;
  for (int i = 0; i < g_watched_count; i++) {
    if (g_watched[i] == relation) return;
  }
  // Full: forget every copy rather than miss one's change.
  if (g_watched_count == kWatched) move_generation();
  g_watched[g_watched_count++] = relation;
}

// The pending invalidations processed, the catalog tables watched.
std::uint64_t current_generation() {
  call([] {
    AcceptInvalidationMessages();
    if (g_tables_watched) return;
    const Oid schema = get_namespace_oid("opendata", true);
    if (schema == InvalidOid) return;  // no extension (yet): nothing kept either
    for (const char* table : kCatalogTables) watch(get_relname_relid(table, schema));
    g_tables_watched = true;
  });
  return g_generation;
}

}  // namespace

void register_catalog_change_callbacks() {
  CacheRegisterRelcacheCallback(relation_changed, 0);
  CacheRegisterSyscacheCallback(AUTHOID, role_changed, 0);
  CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, role_changed, 0);
}

bool still_current(std::uint64_t stamp) {
  return stamp != kReadForThisCallOnly && stamp == current_generation();
}

void watch_relation(Oid relation) { call([relation] { watch(relation); }); }

namespace detail {

ReadStart begin_read_for_keeping() {
  ReadStart start;
  start.generation = current_generation();
  start.relations_invalidated = g_relations_invalidated;
  // A snapshot newer than the generation: every change it does not see
  // sends its invalidation after it was taken, so moves the generation
  // later.  Under REPEATABLE READ and SERIALIZABLE, the transaction's
  // snapshot; in a parallel worker, the leader's.
  start.new_snapshot = !IsolationUsesXactSnapshot() && !IsInParallelMode();
  if (start.new_snapshot) call([] { PushActiveSnapshot(GetTransactionSnapshot()); });
  return start;
}

void abandon_read_for_keeping(const ReadStart& start) {
  if (start.new_snapshot) call([] { PopActiveSnapshot(); });
}

std::uint64_t end_read_for_keeping(const ReadStart& start) {
  abandon_read_for_keeping(start);
  if (!start.new_snapshot || g_relations_invalidated != start.relations_invalidated)
    return kReadForThisCallOnly;
  return start.generation;
}

}  // namespace detail
}  // namespace opendata::pg

// opendata._catalog_changed(): the trigger of the catalog tables.  An
// invalidation of the table written, sent with the transaction's own (at
// its commit, to every backend and standby; never if it rolls back).
// PostgreSQL code only.
extern "C" Datum opendata_catalog_changed(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("opendata._catalog_changed() must be called as a trigger")));
  CacheInvalidateRelcache(reinterpret_cast<TriggerData*>(fcinfo->context)->tg_relation);
  return PointerGetDatum(nullptr);
}
