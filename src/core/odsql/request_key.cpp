#include "core/odsql/request_key.hpp"

namespace opendata::odsql {
namespace {

// Each part ends with '\0', which no part holds (they come from text
// arguments, where PostgreSQL allows none).
void add(std::string& key, const std::string& part) {
  key += part;
  key += '\0';
}

void add(std::string& key, const char* part) { add(key, std::string(part != nullptr ? part : "")); }

void add(std::string& key, std::int64_t number) { add(key, std::to_string(number)); }

// Counted, so that the items of one list cannot pass for the next part.
void add(std::string& key, const std::vector<std::string>& parts) {
  add(key, static_cast<std::int64_t>(parts.size()));
  for (const std::string& p : parts) add(key, p);
}

void add(std::string& key, const std::vector<KeysetColumn>& columns) {
  add(key, static_cast<std::int64_t>(columns.size()));
  for (const KeysetColumn& c : columns) {
    const auto& [name, kind, not_null] = c;  // every field: see request_key()
    add(key, name);
    add(key, static_cast<std::int64_t>(kind));
    add(key, not_null ? "not null" : "null");
  }
}

}  // namespace

std::string request_key(const Request& req) {
  // A structured binding names every field, in order: a field added to
  // Request (or KeysetColumn) stops this from compiling until it is given
  // its place in the key too.
  const auto& [relation, select, where, where_parameter, group_by, order_by, refine, exclude, limit,
               offset, timezone, key_fields, keyset_columns, after] = req;
  std::string key;
  add(key, relation);
  add(key, select);
  add(key, where);
  add(key, where_parameter);
  add(key, group_by);
  add(key, order_by);
  add(key, refine);
  add(key, exclude);
  add(key, limit);
  add(key, offset);
  add(key, timezone);
  add(key, key_fields);
  add(key, keyset_columns);
  add(key, after);
  return key;
}

}  // namespace opendata::odsql
