#include "pg/compiled_requests.hpp"

#include <utility>

#include "pg/recently_used.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

RecentlyUsed<odsql::Compiled> g_compiled(64);

// Each part ends with '\0' (no part holds one: they come from text
// arguments); lists are counted, so that their items cannot shift.
void add(std::string& key, const std::string& part) {
  key += part;
  key += '\0';
}

void add(std::string& key, const std::vector<std::string>& parts) {
  add(key, std::to_string(parts.size()));
  for (const std::string& p : parts) add(key, p);
}

std::string key_of(const KeptDataset& kept, const odsql::Request& req) {
  std::string key;
  add(key, std::to_string(GetUserId()));
  add(key, kept.dataset.slug);
  add(key, kept.state.id);
  add(key, kept.state.version);
  add(key, kept.state.modified);
  add(key, kept.state.is_public ? "public" : "restricted");
  add(key, req.relation);
  add(key, req.select);
  add(key, req.where);
  add(key, req.where_parameter);
  add(key, req.group_by);
  add(key, req.order_by);
  add(key, req.refine);
  add(key, req.exclude);
  add(key, std::to_string(req.limit));
  add(key, std::to_string(req.offset));
  add(key, req.timezone);
  add(key, req.key);
  add(key, std::to_string(req.keyset_columns.size()));
  for (const odsql::KeysetColumn& c : req.keyset_columns) {
    add(key, c.name);
    add(key, std::to_string(static_cast<int>(c.kind)) + (c.not_null ? "n" : ""));
  }
  add(key, req.after);
  return key;
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
