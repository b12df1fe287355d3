#include "pg/compiled_requests.hpp"

#include <utility>

#include "core/odsql/request_key.hpp"
#include "pg/recently_used.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

RecentlyUsed<SharedCompiled> g_compiled(64);

// The request's own key (odsql/request_key.hpp: every field of it), after
// what its compilation depends on besides: the compiler (`what`: records,
// or facets and their fields), the role and the state of the dataset's
// catalog row that its fields were read at.
std::string key_of(const std::string& what, const KeptDataset& kept, const odsql::Request& req) {
  std::string key;
  for (const std::string& part :
       {what, std::to_string(GetUserId()), kept.dataset.slug, kept.state.id, kept.state.version,
        kept.state.modified, std::string(kept.state.is_public ? "public" : "restricted")}) {
    key += part;
    key += '\0';
  }
  return key + odsql::request_key(req);
}

template <typename Compile>
SharedCompiled compiled_under(std::string key, Compile compile) {
  if (const SharedCompiled* known = g_compiled.find(key)) return *known;
  SharedCompiled compiled = std::make_shared<const odsql::Compiled>(compile());
  g_compiled.add(std::move(key), compiled);
  return compiled;
}

}  // namespace

SharedCompiled compiled_records(const KeptDataset& kept, const odsql::Request& req) {
  return compiled_under(key_of("records", kept, req),
                        [&] { return odsql::compile_records(kept.dataset.fields, req); });
}

SharedCompiled compiled_facets(const KeptDataset& kept, const odsql::Request& req,
                               const std::vector<std::string>& facet_fields) {
  // The fields counted: their number, then each after a '\0' (which no
  // text holds).
  std::string what = "facets " + std::to_string(facet_fields.size());
  for (const std::string& field : facet_fields) {
    what += '\0';
    what += field;
  }
  return compiled_under(key_of(what, kept, req),
                        [&] { return odsql::compile_facets(kept.dataset.fields, req, facet_fields); });
}

}  // namespace opendata::pg
