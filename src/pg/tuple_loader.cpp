#include "pg/tuple_loader.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pg/copy_loader.hpp"
#include "pg/direct_datum.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/progress.h"
#include "executor/tuptable.h"
#include "pgstat.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace opendata::pg {

namespace {

// COPY FROM's batch: at most this many tuples per table_multi_insert call
// (copyfrom.c's MAX_BUFFERED_TUPLES).
constexpr int kMaxSlots = 1000;

// The state of one load, palloc'd: it lives in PostgreSQL frames (pg::call),
// where no C++ object with a destructor may.
// How a column's values become Datums: its input function, or directly
// for the commonest canonical forms (pg/direct_datum.hpp).
using DirectFn = bool (*)(const char* text, Datum* out);

struct Load {
  Relation rel;
  int natts;
  FmgrInfo* input;        // each column's input function
  DirectFn* direct;       // nullptr: the input function only
  Oid* ioparam;
  int32* typmod;
  TupleTableSlot** slots;  // kMaxSlots
  BulkInsertState bistate;
  CommandId cid;
  int options;             // TABLE_INSERT_*
  MemoryContext batch;     // the values of one batch
  int64 inserted;
};

// Frozen as by COPY ... FREEZE, on the same conditions: the table was
// created in this very subtransaction (a rollback takes its rows away), and
// no snapshot or open cursor of this transaction predates the rows (frozen
// rows are visible to every snapshot).  Otherwise the rows are inserted
// normally, which is only slower.
int insert_options(Relation rel) {
  int options = TABLE_INSERT_SKIP_FSM;  // a new table has no free space to find
  // The catalog snapshot counts as registered; COPY drops it first too.
  InvalidateCatalogSnapshot();
  if (rel->rd_createSubid == GetCurrentSubTransactionId() && ThereAreNoPriorRegisteredSnapshots() &&
      ThereAreNoReadyPortals())
    options |= TABLE_INSERT_FROZEN;
  return options;
}

// Nothing a bulk insert would bypass: an event trigger on CREATE TABLE may
// have given the new table triggers, indexes, checks, NOT NULL columns,
// rules or row-level security since the import created it.
bool plain_table(Relation rel) {
  const TupleConstr* constr = rel->rd_att->constr;
  return rel->rd_rel->relkind == RELKIND_RELATION && rel->trigdesc == nullptr &&
         !rel->rd_rel->relhasindex && !rel->rd_rel->relhasrules && !rel->rd_rel->relrowsecurity &&
         (constr == nullptr || (constr->num_check == 0 && !constr->has_not_null));
}

// The load's state, or nullptr when the table is not plain (opened once
// for both: the lock taken is the one the insert needs).
Load* begin_load(Oid relation) {
  Relation rel = table_open(relation, RowExclusiveLock);
  if (!plain_table(rel)) {
    table_close(rel, NoLock);
    return nullptr;
  }
  check_load_rights(rel);
  if (rel->rd_createSubid == InvalidSubTransactionId)
    elog(ERROR, "relation \"%s\" is not a table created in this transaction",
         RelationGetRelationName(rel));
  auto* load = static_cast<Load*>(palloc0(sizeof(Load)));
  TupleDesc desc = RelationGetDescr(rel);
  load->rel = rel;
  load->natts = desc->natts;
  load->input = static_cast<FmgrInfo*>(palloc0(sizeof(FmgrInfo) * desc->natts));
  load->ioparam = static_cast<Oid*>(palloc0(sizeof(Oid) * desc->natts));
  load->typmod = static_cast<int32*>(palloc0(sizeof(int32) * desc->natts));
  load->direct = static_cast<DirectFn*>(palloc0(sizeof(DirectFn) * desc->natts));
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    Oid func;
    getTypeInputInfo(att->atttypid, &func, &load->ioparam[i]);
    fmgr_info(func, &load->input[i]);
    load->typmod[i] = att->atttypmod;
    if (att->atttypid == DATEOID) load->direct[i] = direct_date;
    if (att->atttypid == TIMESTAMPTZOID && att->atttypmod < 0) load->direct[i] = direct_timestamptz;
  }
  load->slots = static_cast<TupleTableSlot**>(palloc0(sizeof(TupleTableSlot*) * kMaxSlots));
  load->bistate = GetBulkInsertState();
  load->cid = GetCurrentCommandId(true);
  load->options = insert_options(rel);
  load->batch = AllocSetContextCreate(CurrentMemoryContext, "opendata import batch",
                                      ALLOCSET_DEFAULT_SIZES);
  pgstat_progress_start_command(PROGRESS_COMMAND_COPY, relation);
  const int index[] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE};
  const int64 value[] = {PROGRESS_COPY_COMMAND_FROM, PROGRESS_COPY_TYPE_CALLBACK};
  pgstat_progress_update_multi_param(2, index, value);
  return load;
}

// Inserts rows [first, first + n) of `rows`, n <= kMaxSlots.  The values are
// converted by the columns' input functions with the columns' typmods, as
// COPY FROM converts them: the same checks, the same errors.
void insert_batch(Load* load, const ingest::RowSink& rows, std::size_t first, int n) {
  MemoryContext old = MemoryContextSwitchTo(load->batch);
  for (int r = 0; r < n; r++) {
    TupleTableSlot* slot = load->slots[r];
    if (slot == nullptr) {
      MemoryContextSwitchTo(old);
      slot = load->slots[r] = table_slot_create(load->rel, nullptr);
      MemoryContextSwitchTo(load->batch);
    }
    ExecClearTuple(slot);
    for (int a = 0; a < load->natts; a++) {
      const char* value = rows.cell(first + static_cast<std::size_t>(r), static_cast<std::size_t>(a));
      slot->tts_isnull[a] = value == nullptr;
      slot->tts_values[a] = 0;
      if (value == nullptr || (load->direct[a] && load->direct[a](value, &slot->tts_values[a])))
        continue;
      slot->tts_values[a] = InputFunctionCall(&load->input[a], const_cast<char*>(value),
                                              load->ioparam[a], load->typmod[a]);
    }
    ExecStoreVirtualTuple(slot);
  }
  table_multi_insert(load->rel, load->slots, n, load->cid, load->options, load->bistate);
  for (int r = 0; r < n; r++) ExecClearTuple(load->slots[r]);
  MemoryContextSwitchTo(old);
  MemoryContextReset(load->batch);
  load->inserted += n;
  pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, load->inserted);
}

void end_load(Load* load) {
  for (int r = 0; r < kMaxSlots && load->slots[r] != nullptr; r++)
    ExecDropSingleTupleTableSlot(load->slots[r]);
  FreeBulkInsertState(load->bistate);
  table_finish_bulk_insert(load->rel, load->options);
  table_close(load->rel, NoLock);
  MemoryContextDelete(load->batch);
  pgstat_progress_end_command();
}

}  // namespace

std::optional<std::uint64_t> insert_into_new_table(Oid relation, const RowProducer& next) {
  Load* load = call([relation] { return begin_load(relation); });
  if (load == nullptr) return std::nullopt;
  ingest::RowSink rows(ingest::RowForm::Cells);
  while (next(rows)) {
    if (rows.columns() != static_cast<std::size_t>(load->natts))
      throw std::logic_error("rows of " + std::to_string(rows.columns()) + " values for a table of " +
                             std::to_string(load->natts) + " columns");
    for (std::size_t first = 0; first < rows.rows(); first += kMaxSlots) {
      const int n = static_cast<int>(std::min<std::size_t>(kMaxSlots, rows.rows() - first));
      call([load, &rows, first, n] { insert_batch(load, rows, first, n); });
    }
    check_for_interrupts();
  }
  const auto inserted = static_cast<std::uint64_t>(load->inserted);
  call([load] { end_load(load); });
  return inserted;
}

}  // namespace opendata::pg
