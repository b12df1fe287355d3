#include "pg/compiled_requests.hpp"

#include <utility>

#include "core/odsql/request_key.hpp"
#include "pg/recently_used.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

RecentlyUsed<odsql::Compiled> g_compiled(64);

// The request's own key (odsql/request_key.hpp: every field of it), after
// what its compilation depends on besides: the role and the state of the
// dataset's catalog row that its fields were read at.
std::string key_of(const KeptDataset& kept, const odsql::Request& req) {
  std::string key;
  for (const std::string& part :
       {std::to_string(GetUserId()), kept.dataset.slug, kept.state.id, kept.state.version,
        kept.state.modified, std::string(kept.state.is_public ? "public" : "restricted")}) {
    key += part;
    key += '\0';
  }
  return key + odsql::request_key(req);
}

}  // namespace

odsql::Compiled compiled_records(const KeptDataset& kept, const odsql::Request& req) {
  std::string key = key_of(kept, req);
  if (const odsql::Compiled* known = g_compiled.find(key)) return *known;
  odsql::Compiled compiled = odsql::compile_records(kept.dataset.fields, req);
  g_compiled.add(std::move(key), compiled);
  return compiled;
}

}  // namespace opendata::pg
