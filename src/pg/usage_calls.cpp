// Which calls are the clients' (issue #18).  A client's call is the
// outermost call of a counted opendata_api function; the calls it makes in
// turn (the dataset page's records() preview, ogc_items()' records(), the
// facets() that publish() computes through _refresh_summary) are part of it
// and not counted again.  And a call that fails is counted as an error of
// its endpoint.
//
// Both come from PostgreSQL's function manager hook, the one sepgsql uses:
// needs_fmgr_hook marks the counted functions (by schema and name, see
// endpoint_of_api_function()), and fmgr_hook then brackets each of their
// calls with START and END, or START and ABORT when the call raises.  That
// bracketing holds whatever the function's language, early returns,
// exception blocks around it or nesting; nothing is written anywhere.
//
// The hooks are C-style functions: they own no C++ object, so an error
// raised by a catalog lookup in them unwinds nothing that needs destroying.
#include <algorithm>
#include <cstring>

#include "core/usage/counters.hpp"
#include "pg/settings.hpp"
#include "pg/usage.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "utils/syscache.h"
}

namespace opendata::pg {
namespace {

namespace shm = usage_shmem;
using opendata::usage::Endpoint;

// What a hooked function is: an endpoint (>= 0) or an internal caller.
constexpr int kInternal = -1;
constexpr int kNotCounted = -2;

// The calls of counted functions running in this backend.  Plain data: no
// constructor runs at load.
struct CallState {
  int depth;                           // hooked calls running, nested
  int endpoint;                        // the outermost's (kInternal: not counted)
  bool counted;                        // the outermost counted itself (count_call)
  char dataset[shm::kDatasetNameBytes];  // the outermost's dataset, once known
};
CallState g_call;

needs_fmgr_hook_type g_prev_needs_hook = nullptr;
fmgr_hook_type g_prev_fmgr_hook = nullptr;

int classify(Oid function) {
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
  if (!HeapTupleIsValid(tuple)) return kNotCounted;
  auto* proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
  int kind = kNotCounted;
  // Set-returning functions run once per row: none is an endpoint.
  if (!proc->proretset) {
    const char* name = NameStr(proc->proname);
    if (proc->pronamespace == get_namespace_oid("opendata_api", true)) {
      if (auto e = opendata::usage::endpoint_of_api_function(name)) kind = static_cast<int>(*e);
    } else if (proc->pronamespace == get_namespace_oid("opendata", true) &&
               opendata::usage::is_internal_caller(name)) {
      kind = kInternal;
    }
  }
  ReleaseSysCache(tuple);
  return kind;
}

bool needs_hook(Oid function) {
  if (g_prev_needs_hook != nullptr && g_prev_needs_hook(function)) return true;
  return classify(function) != kNotCounted;
}

void copy_dataset(std::string_view dataset) {
  std::size_t n = std::min(dataset.size(), sizeof(g_call.dataset) - 1);
  std::memcpy(g_call.dataset, dataset.data(), n);
  g_call.dataset[n] = '\0';
}

// The hook's private word keeps, across calls of one call site, what the
// function is (kind + 3, so that 0 means "not looked up yet") and, during a
// call, whether it is the outermost (bit 8).
constexpr Datum kOutermostBit = 0x100;

void on_start(Oid function, Datum* word) {
  if ((*word & 0xff) == 0) *word = static_cast<Datum>(classify(function) + 3);
  const int kind = static_cast<int>(*word & 0xff) - 3;
  if (kind == kNotCounted) return;  // hooked for an earlier hook's sake
  const bool outermost = g_call.depth == 0;
  g_call.depth++;
  *word &= ~kOutermostBit;
  if (!outermost) return;
  *word |= kOutermostBit;
  g_call.endpoint = kind;
  g_call.counted = false;
  g_call.dataset[0] = '\0';
}

// END and ABORT: the call is over.  The outermost counts itself here unless
// it did with its rows and bytes (count_call).
void on_finish(Datum* word, bool failed) {
  const int kind = static_cast<int>(*word & 0xff) - 3;
  if (kind == kNotCounted || g_call.depth == 0) return;
  g_call.depth--;
  if ((*word & kOutermostBit) == 0 || g_call.endpoint == kInternal) return;
  if (!g_usage_track || !shm::usage_enabled()) return;
  auto endpoint = static_cast<Endpoint>(g_call.endpoint);
  shm::Key key = shm::make_key(endpoint, g_call.dataset, std::strlen(g_call.dataset), shm::today());
  if (failed)
    shm::add_error(key);
  else if (!g_call.counted)
    count_now(endpoint, g_call.dataset, 0, 0);
}

void fmgr_hook_fn(FmgrHookEventType event, FmgrInfo* flinfo, Datum* word) {
  if (g_prev_fmgr_hook != nullptr) g_prev_fmgr_hook(event, flinfo, word);
  switch (event) {
    case FHET_START:
      on_start(flinfo->fn_oid, word);
      break;
    case FHET_END:
      on_finish(word, false);
      break;
    case FHET_ABORT:
      on_finish(word, true);
      break;
  }
}

// Belt and braces: START and END/ABORT always pair, but a transaction's
// end leaves no call running whatever happened.
void on_transaction_end(XactEvent event, void*) {
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
      event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
    g_call.depth = 0;
}

}  // namespace

void install_call_hooks() {
  g_prev_needs_hook = needs_fmgr_hook;
  needs_fmgr_hook = needs_hook;
  g_prev_fmgr_hook = fmgr_hook;
  fmgr_hook = fmgr_hook_fn;
  RegisterXactCallback(on_transaction_end, nullptr);
}

CallRole call_role(std::string_view dataset) noexcept {
  if (g_call.depth == 0) return CallRole::kUnbracketed;
  if (g_call.depth > 1) {
    // A call inside a client's: it tells the outer call its dataset.
    if (g_call.dataset[0] == '\0') copy_dataset(dataset);
    return CallRole::kNested;
  }
  if (g_call.endpoint == kInternal) return CallRole::kNested;
  copy_dataset(dataset);
  return CallRole::kOutermost;
}

void note_call_dataset(std::string_view dataset) noexcept {
  if (g_call.depth > 0 && g_call.dataset[0] == '\0') copy_dataset(dataset);
}

void mark_counted() noexcept { g_call.counted = true; }

}  // namespace opendata::pg
