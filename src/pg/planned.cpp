// C++ headers first: PostgreSQL's (through pg/planned.hpp) come after.
#include <list>
#include <utility>

#include "pg/planned.hpp"
#include "pg/value_plans.hpp"

extern "C" {
#include "executor/executor.h"
#include "executor/instrument.h"
#include "executor/spi_priv.h"
#include "nodes/nodeFuncs.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/snapmgr.h"
}

namespace opendata::pg {

namespace {

// Keeps the first row the executor produces (the statements run here return
// one), copied into the memory that was current when the run started.
struct FirstRow {
  DestReceiver pub;  // first, so that a DestReceiver* is a FirstRow*
  MemoryContext cxt;
  HeapTuple tuple;
  TupleDesc desc;
};

// Executor callbacks: PostgreSQL code only, so an error may jump out of them.
void first_row_startup(DestReceiver* self, int /*operation*/, TupleDesc desc) {
  FirstRow* r = reinterpret_cast<FirstRow*>(self);
  MemoryContext old = MemoryContextSwitchTo(r->cxt);
  r->desc = CreateTupleDescCopy(desc);
  MemoryContextSwitchTo(old);
}

bool first_row_receive(TupleTableSlot* slot, DestReceiver* self) {
  FirstRow* r = reinterpret_cast<FirstRow*>(self);
  if (r->tuple == nullptr) {
    MemoryContext old = MemoryContextSwitchTo(r->cxt);
    r->tuple = ExecCopySlotHeapTuple(slot);
    MemoryContextSwitchTo(old);
  }
  return true;
}

void first_row_done(DestReceiver* /*self*/) {}

// Errors while planning or running get the context line SPI gives them.
void statement_context(void* arg) {
  errcontext("SQL statement \"%s\"", static_cast<const char*>(arg));
}

// Finds the PARAM_EXEC parameter of an expression (the output of an
// initplan).
bool find_exec_param(Node* node, void* found) {
  if (node == nullptr) return false;
  if (IsA(node, Param) && castNode(Param, node)->paramkind == PARAM_EXEC) {
    *static_cast<int*>(found) = castNode(Param, node)->paramid;
    return true;
  }
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(find_exec_param)), found);
}

// The initplan setting PARAM_EXEC `paramid`, attached to `plan` or a node
// under it.
const SubPlan* initplan_setting(const Plan* plan, int paramid) {
  if (plan == nullptr) return nullptr;
  ListCell* lc;
  foreach (lc, plan->initPlan) {
    const SubPlan* sp = lfirst_node(SubPlan, lc);
    if (list_member_int(sp->setParam, paramid)) return sp;
  }
  const SubPlan* found = initplan_setting(plan->lefttree, paramid);
  return found != nullptr ? found : initplan_setting(plan->righttree, paramid);
}

// As the planner divides a partial plan's rows among the processes
// (costsize.c, get_parallel_divisor()).
double parallel_divisor(int workers) {
  double divisor = workers;
  if (parallel_leader_participation) {
    double leader = 1.0 - 0.3 * workers;
    if (leader > 0) divisor += leader;
  }
  return divisor;
}

// Statements parsed and analysed once per backend and kept (SPI_keepplan),
// most recently used first.  A compiled statement's text does not depend
// on the request's values (they are parameters), so one entry serves every
// request of the same shape.  What is kept is the analysed query, not a
// plan: each run is planned anew for its values (CURSOR_OPT_CUSTOM_PLAN;
// a generic plan would not see a bounding box's or a range's selectivity,
// and the count's estimate must be for the values).  The plan cache
// re-analyses a kept statement when something it was analysed against
// changed: a relation or view it reads (a republished dataset's view), the
// search_path, or, when row-level security applied to it, the role or
// row_security.  Privileges are checked by the executor at every run.
constexpr std::size_t kKeptStatements = 64;
std::list<std::pair<std::string, SPIPlanPtr>> g_kept;

std::string kept_key(const std::string& sql, const std::vector<Oid>& types) {
  std::string key = sql;
  key += '\0';
  for (Oid t : types) key += std::to_string(t) + ",";
  return key;
}

// The kept statement for `sql` and these parameter types, prepared and
// kept first if there is none.
SPIPlanPtr kept_statement(const std::string& sql, std::vector<Oid>& types) {
  std::string key = kept_key(sql, types);
  for (auto it = g_kept.begin(); it != g_kept.end(); ++it) {
    if (it->first == key) {
      g_kept.splice(g_kept.begin(), g_kept, it);
      return it->second;
    }
  }
  const char* query = sql.c_str();
  const int n = static_cast<int>(types.size());
  Oid* t = types.data();
  SPIPlanPtr prepared = call([=] {
    return SPI_prepare_cursor(query, n, t, CURSOR_OPT_PARALLEL_OK | CURSOR_OPT_CUSTOM_PLAN);
  });
  if (prepared == nullptr)
    throw UserError(sqlstate::kInternalError, "SPI_prepare_cursor failed",
                    std::string("SPI result: ") + SPI_result_code_string(SPI_result));
  call([prepared] {
    if (list_length(prepared->plancache_list) != 1)
      ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("one statement expected")));
    SPI_keepplan(prepared);
  });
  if (g_kept.size() >= kKeptStatements) {
    SPIPlanPtr oldest = g_kept.back().second;
    g_kept.pop_back();
    call([oldest] { SPI_freeplan(oldest); });
  }
  g_kept.emplace_front(std::move(key), prepared);
  return prepared;
}

// The state node running `plan` in the tree under `state`.
PlanState* state_of(PlanState* state, const Plan* plan) {
  if (state == nullptr) return nullptr;
  if (state->plan == plan) return state;
  PlanState* found = state_of(state->lefttree, plan);
  return found != nullptr ? found : state_of(state->righttree, plan);
}

}  // namespace

const Plan* sorted_input(const PlannedStmt* stmt) {
  const Plan* node = stmt->planTree;
  // The page's JSON is aggregated over the page's rows.
  while (node != nullptr &&
         ((IsA(node, Agg) && reinterpret_cast<const Agg*>(node)->aggstrategy == AGG_PLAIN) ||
          IsA(node, SubqueryScan) ||
          (IsA(node, Result) && reinterpret_cast<const Result*>(node)->resconstantqual == nullptr))) {
    node = IsA(node, SubqueryScan) ? reinterpret_cast<const SubqueryScan*>(node)->subplan
                                   : node->lefttree;
  }
  if (node == nullptr || !IsA(node, Limit)) return nullptr;
  node = node->lefttree;
  if (node == nullptr || !IsA(node, Sort)) return nullptr;
  return node->lefttree;
}

std::optional<double> last_column_input_rows(const PlannedStmt* stmt) {
  // -1: no such sub-select.
  double rows = call([stmt] {
    const Plan* top = stmt->planTree;
    Expr* expr = nullptr;
    ListCell* lc;
    foreach (lc, top->targetlist) {
      if (!lfirst_node(TargetEntry, lc)->resjunk) expr = lfirst_node(TargetEntry, lc)->expr;
    }
    int paramid = -1;
    find_exec_param(reinterpret_cast<Node*>(expr), &paramid);
    const SubPlan* sp = paramid < 0 ? nullptr : initplan_setting(top, paramid);
    if (sp == nullptr) return -1.0;
    const Plan* sub = static_cast<const Plan*>(list_nth(stmt->subplans, sp->plan_id - 1));
    const Plan* in = sub->lefttree != nullptr ? sub->lefttree : sub;
    // Finalize Aggregate -> Gather -> Partial Aggregate -> partial plan.
    if (IsA(in, Gather) && in->lefttree != nullptr && IsA(in->lefttree, Agg) &&
        in->lefttree->lefttree != nullptr) {
      return in->lefttree->lefttree->plan_rows *
             parallel_divisor(reinterpret_cast<const Gather*>(in)->num_workers);
    }
    return in->plan_rows;
  });
  if (rows < 0) return std::nullopt;
  return rows;
}

PlannedResult run_planned(const std::string& sql, const std::vector<spi::TextParam>& params,
                          const PlanDecision& decide) {
  spi::BoundParams b = spi::bind_text_params(params);
  const int n = static_cast<int>(params.size());
  // The plan made for these very values last time, or the statement
  // planned now for them (pg/value_plans.hpp).
  SPIPlanPtr prepared = plan_for_values(sql, params, b);
  if (prepared == nullptr) prepared = kept_statement(sql, b.types);
  const char* query = sql.c_str();
  // Every value a constant of the plan, except the last: it stays a
  // parameter the executor reads, set after planning.
  ParamListInfo list = call([&] {
    ParamListInfo l = makeParamList(n);
    for (int i = 0; i < n; i++) {
      l->params[i].value = b.values[i];
      l->params[i].isnull = b.nulls[i] == 'n';
      l->params[i].pflags = i == n - 1 ? 0 : PARAM_FLAG_CONST;
      l->params[i].ptype = b.types[i];
    }
    return l;
  });
  // The plan (this run's own custom plan, or the one kept for these
  // values) is held by the transaction's resource owner, which lets it go
  // if an error comes before the release.
  CachedPlan* cplan = call([&] {
    ErrorContextCallback context{error_context_stack, statement_context,
                                 const_cast<char*>(query)};
    error_context_stack = &context;
    CachedPlanSource* source = static_cast<CachedPlanSource*>(linitial(prepared->plancache_list));
    CachedPlan* plan = GetCachedPlan(source, list, CurrentResourceOwner, nullptr);
    error_context_stack = context.previous;
    return plan;
  });
  PlannedStmt* stmt = call([cplan] {
    if (list_length(cplan->stmt_list) != 1 ||
        linitial_node(PlannedStmt, cplan->stmt_list)->commandType != CMD_SELECT)
      ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("one SELECT expected")));
    return linitial_node(PlannedStmt, cplan->stmt_list);
  });

  PlanChoice choice = decide(stmt);
  spi::BoundParams late = spi::bind_text_params({spi::TextParam{b.types[n - 1], choice.last}});
  list->params[n - 1].value = late.values[0];
  list->params[n - 1].isnull = !choice.last.has_value();
  const Plan* count_node = choice.count_rows_of;
  double counted = -1;  // -1: not counted

  spi::Row row = call([&] {
    ErrorContextCallback context{error_context_stack, statement_context,
                                 const_cast<char*>(query)};
    error_context_stack = &context;
    FirstRow receiver{};
    receiver.pub.receiveSlot = first_row_receive;
    receiver.pub.rStartup = first_row_startup;
    receiver.pub.rShutdown = first_row_done;
    receiver.pub.rDestroy = first_row_done;
    receiver.pub.mydest = DestNone;
    receiver.cxt = CurrentMemoryContext;
    // As SPI runs a read-only statement: in the caller's snapshot, run once
    // (which is what lets the executor start parallel workers).  A call
    // with no snapshot active (not from a query) takes the transaction's.
    bool pushed = false;
    if (!ActiveSnapshotSet()) {
      PushActiveSnapshot(GetTransactionSnapshot());
      pushed = true;
    }
    QueryDesc* qd = CreateQueryDesc(stmt, query, GetActiveSnapshot(), InvalidSnapshot,
                                    &receiver.pub, list, nullptr, 0);
    ExecutorStart(qd, 0);
    // Rows counted on that one node only: a node with instrumentation
    // counts the tuples it returns (ExecProcNodeFirst() installs the
    // counting wrapper at its first call when the node has one).
    PlanState* counting = count_node == nullptr ? nullptr : state_of(qd->planstate, count_node);
    if (counting != nullptr && counting->instrument == nullptr)
      counting->instrument = InstrAlloc(1, INSTRUMENT_ROWS, false);
    ExecutorRun(qd, ForwardScanDirection, 0, true);
    ExecutorFinish(qd);
    if (counting != nullptr && (counting->instrument->running || counting->instrument->nloops > 0))
      counted = counting->instrument->ntuples + counting->instrument->tuplecount;
    ExecutorEnd(qd);
    FreeQueryDesc(qd);
    if (pushed) PopActiveSnapshot();
    ReleaseCachedPlan(cplan, CurrentResourceOwner);
    error_context_stack = context.previous;
    return spi::Row{receiver.tuple, receiver.desc};
  });
  PlannedResult result{row, std::nullopt};
  if (counted >= 0) result.counted = static_cast<std::int64_t>(counted);
  return result;
}

}  // namespace opendata::pg
