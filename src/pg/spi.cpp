#include "pg/spi.hpp"

#include <list>
#include <utility>

#include <cstring>

extern "C" {
#include "nodes/params.h"
#include "tcop/pquery.h"
#include "utils/portal.h"
#include "utils/lsyscache.h"
}

namespace opendata::pg::spi {

namespace {

// SPI reports most misuse through negative return codes rather than ERROR.
void check(int rc, const char* what) {
  if (rc < 0)
    throw UserError(sqlstate::kInternalError, std::string(what) + " failed",
                    std::string("SPI result: ") + SPI_result_code_string(rc));
}

}  // namespace

void connect() {
  int rc = call([] { return SPI_connect(); });
  check(rc, "SPI_connect");
}

void finish() {
  int rc = call([] { return SPI_finish(); });
  check(rc, "SPI_finish");
}

uint64 execute(const char* sql, bool read_only) {
  int rc = call([sql, read_only] { return SPI_execute(sql, read_only, 0); });
  check(rc, "SPI_execute");
  return SPI_processed;
}

uint64 execute_with_args(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
                         bool read_only) {
  int rc = call([=] { return SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0); });
  check(rc, "SPI_execute_with_args");
  return SPI_processed;
}

BoundParams bind_text_params(const std::vector<TextParam>& params) {
  int n = static_cast<int>(params.size());
  std::vector<Oid> types(n);
  std::vector<Datum> values(n);
  std::string nulls(n, ' ');
  // Each input function may raise; it runs under the guard, and only the
  // vectors above (owned here) are alive when it does.
  for (int i = 0; i < n; i++) {
    types[i] = params[i].type;
    if (!params[i].value) {
      nulls[i] = 'n';
      continue;
    }
    const char* input = params[i].value->c_str();
    Oid type = types[i];
    values[i] = call([input, type] {
      Oid input_fn;
      Oid io_param;
      getTypeInputInfo(type, &input_fn, &io_param);
      return OidInputFunctionCall(input_fn, const_cast<char*>(input), io_param, -1);
    });
  }
  return BoundParams{std::move(types), std::move(values), std::move(nulls)};
}

uint64 execute_text_params(const std::string& sql, const std::vector<TextParam>& params,
                           bool read_only) {
  BoundParams b = bind_text_params(params);
  return execute_with_args(sql.c_str(), static_cast<int>(params.size()), b.types.data(),
                           b.values.data(), b.nulls.data(), read_only);
}

namespace {

// Text parameters as a ParamListInfo (in the current memory context), for
// the calls that take one.
ParamListInfo param_list(const std::vector<TextParam>& params) {
  BoundParams b = bind_text_params(params);
  int n = static_cast<int>(params.size());
  return call([&] {
    ParamListInfo list = makeParamList(n);
    for (int i = 0; i < n; i++) {
      list->params[i].value = b.values[i];
      list->params[i].isnull = b.nulls[i] == 'n';
      list->params[i].pflags = PARAM_FLAG_CONST;
      list->params[i].ptype = b.types[i];
    }
    return list;
  });
}

}  // namespace

void execute_to(const std::string& sql, const std::vector<TextParam>& params, DestReceiver* dest) {
  ParamListInfo list = param_list(params);
  const char* query = sql.c_str();
  int rc = call([&] {
    SPIExecuteOptions options;
    memset(&options, 0, sizeof(options));
    options.params = list;
    options.read_only = true;
    options.dest = dest;
    return SPI_execute_extended(query, &options);
  });
  check(rc, "SPI_execute_extended");
}

std::string open_cursor(const std::string& sql, const std::vector<TextParam>& params) {
  ParamListInfo list = param_list(params);
  const char* query = sql.c_str();
  Portal portal = call([&] {
    SPIParseOpenOptions options;
    memset(&options, 0, sizeof(options));
    options.params = list;  // copied into the portal
    // Planned for all its rows (no CURSOR_OPT_FAST_PLAN), forward only.
    options.cursorOptions = CURSOR_OPT_NO_SCROLL;
    options.read_only = true;
    return SPI_cursor_parse_open(nullptr, query, &options);
  });
  return portal->name;
}

uint64 fetch_to(const std::string& cursor, long count, DestReceiver* dest) {
  const char* name = cursor.c_str();
  return call([name, count, dest] {
    Portal portal = GetPortalByName(name);
    if (!PortalIsValid(portal)) elog(ERROR, "cursor \"%s\" does not exist", name);
    return PortalRunFetch(portal, FETCH_FORWARD, count, dest);
  });
}

void close_cursor(const char* cursor) {
  Portal portal = GetPortalByName(cursor);
  if (PortalIsValid(portal)) PortalDrop(portal, false);
}

uint64 execute_saved(SPIPlanPtr& plan, const char* sql, const std::vector<TextParam>& params,
                     bool read_only) {
  BoundParams b = bind_text_params(params);
  if (plan == nullptr) {
    int n = static_cast<int>(params.size());
    Oid* types = b.types.data();
    // A generic plan, made once: the statements kept here look rows up by
    // key, where the values change nothing in the plan, so planning them
    // for each call's values (a custom plan, which the plan cache may
    // keep choosing) would only add a planning to every call.
    SPIPlanPtr prepared =
        call([=] { return SPI_prepare_cursor(sql, n, types, CURSOR_OPT_GENERIC_PLAN); });
    if (prepared == nullptr) check(SPI_result, "SPI_prepare");
    call([prepared] { SPI_keepplan(prepared); });
    plan = prepared;
  }
  SPIPlanPtr p = plan;
  int rc = call([&] { return SPI_execute_plan(p, b.values.data(), b.nulls.data(), read_only, 0); });
  check(rc, "SPI_execute_plan");
  return SPI_processed;
}

namespace {

constexpr std::size_t kKeptPlans = 32;
std::list<std::pair<std::string, SPIPlanPtr>> g_kept_plans;

}  // namespace

uint64 execute_kept(const std::string& sql, const std::vector<TextParam>& params,
                    bool read_only) {
  BoundParams b = bind_text_params(params);
  std::string key = sql;
  key += '\0';
  for (Oid t : b.types) key += std::to_string(t) + ",";
  SPIPlanPtr plan = nullptr;
  for (auto it = g_kept_plans.begin(); it != g_kept_plans.end(); ++it) {
    if (it->first == key) {
      g_kept_plans.splice(g_kept_plans.begin(), g_kept_plans, it);
      plan = it->second;
      break;
    }
  }
  if (plan == nullptr) {
    const char* query = sql.c_str();
    int n = static_cast<int>(params.size());
    Oid* types = b.types.data();
    SPIPlanPtr prepared = call([=] { return SPI_prepare(query, n, types); });
    if (prepared == nullptr) check(SPI_result, "SPI_prepare");
    call([prepared] { SPI_keepplan(prepared); });
    if (g_kept_plans.size() >= kKeptPlans) {
      SPIPlanPtr oldest = g_kept_plans.back().second;
      g_kept_plans.pop_back();
      call([oldest] { SPI_freeplan(oldest); });
    }
    g_kept_plans.emplace_front(std::move(key), prepared);
    plan = prepared;
  }
  int rc = call([&] { return SPI_execute_plan(plan, b.values.data(), b.nulls.data(), read_only, 0); });
  check(rc, "SPI_execute_plan");
  return SPI_processed;
}

double estimate_input_rows(const std::string& sql, const std::vector<TextParam>& params) {
  BoundParams b = bind_text_params(params);
  const char* query = sql.c_str();
  int n = static_cast<int>(params.size());
  // A cursor is planned when opened and runs only when fetched from.
  return call([&] {
    Portal portal = SPI_cursor_open_with_args(nullptr, query, n, b.types.data(), b.values.data(),
                                              b.nulls.data(), true, 0);
    double rows = 0;
    if (portal->stmts != NIL && IsA(linitial(portal->stmts), PlannedStmt)) {
      Plan* top = linitial_node(PlannedStmt, portal->stmts)->planTree;
      rows = (top->lefttree != nullptr ? top->lefttree : top)->plan_rows;
    }
    SPI_cursor_close(portal);
    return rows;
  });
}

std::optional<std::string> value(uint64 row, int col) {
  char* text = call([row, col] {
    return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
  });
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

Row result_row(uint64 row) {
  return call([row] { return Row{SPI_tuptable->vals[row], SPI_tuptable->tupdesc}; });
}

std::optional<std::string> value(const Row& row, int col) {
  if (row.tuple == nullptr) return std::nullopt;
  char* text = call([&row, col] { return SPI_getvalue(row.tuple, row.desc, col); });
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

Datum binary_value(const Row& row, int col, bool* isnull) {
  return call([&row, col, isnull] { return SPI_getbinval(row.tuple, row.desc, col, isnull); });
}

int column_count(const Row& row) { return row.desc == nullptr ? 0 : row.desc->natts; }

Oid column_type(const Row& row, int col) {
  return call([&row, col] { return SPI_gettypeid(row.desc, col); });
}

namespace {
// One string per column of the last result, from SPI_fname or SPI_gettype.
std::vector<std::string> per_column(char* (*describe)(TupleDesc, int)) {
  std::vector<std::string> out;
  const int n = call([] { return SPI_tuptable == nullptr ? 0 : SPI_tuptable->tupdesc->natts; });
  for (int col = 1; col <= n; col++) {
    char* text = call([describe, col] { return describe(SPI_tuptable->tupdesc, col); });
    out.emplace_back(text == nullptr ? "" : text);
  }
  return out;
}
}  // namespace

std::vector<std::string> column_names() { return per_column(SPI_fname); }

std::vector<std::string> column_type_names() { return per_column(SPI_gettype); }

}  // namespace opendata::pg::spi
