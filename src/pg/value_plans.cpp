// C++ headers first: PostgreSQL's (through pg/value_plans.hpp) come after.
#include <array>
#include <functional>
#include <utility>

#include "pg/recently_used.hpp"
#include "pg/value_plans.hpp"

extern "C" {
#include "executor/spi_priv.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
}

namespace opendata::pg {
namespace {

// The values a kept statement was analysed with, in memory that lives as
// long as its entry: the plan cache calls the parser hook again whenever it
// re-analyses the statement.  A plain C struct, read by PostgreSQL code.
struct FixedValues {
  int n;  // parameters; $n stays a parameter
  Oid* types;
  Datum* values;
  bool* nulls;
};

// p_paramref_hook: $1..$n-1 are the kept values, $n a parameter of the plan.
// PostgreSQL code only: errors may jump out of it.
Node* fixed_paramref(ParseState* pstate, ParamRef* pref) {
  const FixedValues* v = static_cast<const FixedValues*>(pstate->p_ref_hook_state);
  const int k = pref->number;
  if (k < 1 || k > v->n)
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_PARAMETER), errmsg("there is no parameter $%d", k),
                    parser_errposition(pstate, pref->location)));
  const Oid type = v->types[k - 1];
  if (k == v->n) {
    Param* param = makeNode(Param);
    param->paramkind = PARAM_EXTERN;
    param->paramid = k;
    param->paramtype = type;
    param->paramtypmod = -1;
    param->paramcollid = get_typcollation(type);
    param->location = pref->location;
    return reinterpret_cast<Node*>(param);
  }
  int16 typlen;
  bool typbyval;
  get_typlenbyval(type, &typlen, &typbyval);
  Const* c = makeConst(type, -1, get_typcollation(type), typlen, v->values[k - 1], v->nulls[k - 1],
                       typbyval);
  c->location = pref->location;
  return reinterpret_cast<Node*>(c);
}

void fixed_values_setup(ParseState* pstate, void* arg) {
  pstate->p_paramref_hook = fixed_paramref;
  pstate->p_ref_hook_state = arg;
}

struct KeptPlan {
  SPIPlanPtr plan;
  MemoryContext values_cxt;  // holds the FixedValues
};

// Hashes of the keys seen once and not kept, the latest kSeen.
constexpr std::size_t kSeen = 256;
std::array<std::size_t, kSeen> g_seen{};
std::size_t g_seen_next = 0;

bool seen_before(std::size_t hash) {
  for (std::size_t h : g_seen) {
    if (h == hash) return true;
  }
  g_seen[g_seen_next] = hash;
  g_seen_next = (g_seen_next + 1) % kSeen;
  return false;
}

// The values in their text form: the compiler writes them in forms that
// every session reads alike (ISO dates, times with their offset, a local
// time as text cast in the query itself, intervals in words), so that the
// same text is the same constant whatever the session's TimeZone, DateStyle
// or IntervalStyle.
std::string key_of(const std::string& sql, const std::vector<spi::TextParam>& params) {
  std::string key = sql;
  for (const spi::TextParam& p : params) {
    key += '\0';
    key += std::to_string(p.type);
    // NULL and '' differ: a NULL has no ':'.
    if (p.value) key += ':' + *p.value;
  }
  return key;
}

// The values but the last, copied into a new context, a child of the
// current one until the statement is kept (an error before that frees it
// with the transaction's memory).
MemoryContext copy_values(const spi::BoundParams& bound, FixedValues** out) {
  const int n = static_cast<int>(bound.types.size());
  return call([&] {
    MemoryContext cxt =
        AllocSetContextCreate(CurrentMemoryContext, "opendata kept values", ALLOCSET_SMALL_SIZES);
    FixedValues* v = static_cast<FixedValues*>(MemoryContextAlloc(cxt, sizeof(FixedValues)));
    v->n = n;
    v->types = static_cast<Oid*>(MemoryContextAlloc(cxt, sizeof(Oid) * n));
    v->values = static_cast<Datum*>(MemoryContextAllocZero(cxt, sizeof(Datum) * n));
    v->nulls = static_cast<bool*>(MemoryContextAlloc(cxt, sizeof(bool) * n));
    MemoryContext old = MemoryContextSwitchTo(cxt);
    for (int i = 0; i < n; i++) {
      v->types[i] = bound.types[i];
      v->nulls[i] = bound.nulls[i] == 'n';
      if (i == n - 1 || v->nulls[i]) continue;
      int16 typlen;
      bool typbyval;
      get_typlenbyval(v->types[i], &typlen, &typbyval);
      v->values[i] = datumCopy(bound.values[i], typbyval, typlen);
    }
    MemoryContextSwitchTo(old);
    *out = v;
    return cxt;
  });
}

void forget(KeptPlan& kept) {
  SPIPlanPtr plan = kept.plan;
  MemoryContext cxt = kept.values_cxt;
  call([plan, cxt] {
    SPI_freeplan(plan);
    MemoryContextDelete(cxt);
  });
}

// A plan of a small page is tens of kilobytes.
RecentlyUsed<KeptPlan> g_plans(32, forget);

}  // namespace

SPIPlanPtr plan_for_values(const std::string& sql, const std::vector<spi::TextParam>& params,
                           const spi::BoundParams& bound) {
  if (params.empty()) return nullptr;
  std::string key = key_of(sql, params);
  if (const KeptPlan* kept = g_plans.find(key)) return kept->plan;
  if (!seen_before(std::hash<std::string>{}(key))) return nullptr;

  FixedValues* values = nullptr;
  MemoryContext cxt = copy_values(bound, &values);
  const char* query = sql.c_str();
  // One generic plan: every value but the last is a constant of the query.
  SPIPlanPtr prepared = call([=] {
    return SPI_prepare_params(query, fixed_values_setup, values,
                              CURSOR_OPT_PARALLEL_OK | CURSOR_OPT_GENERIC_PLAN);
  });
  if (prepared == nullptr)
    throw UserError(sqlstate::kInternalError, "SPI_prepare_params failed",
                    std::string("SPI result: ") + SPI_result_code_string(SPI_result));
  call([prepared, cxt] {
    if (list_length(prepared->plancache_list) != 1)
      ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("one statement expected")));
    SPI_keepplan(prepared);
    MemoryContextSetParent(cxt, CacheMemoryContext);
  });
  g_plans.add(std::move(key), {prepared, cxt});
  return prepared;
}

}  // namespace opendata::pg
