// libFuzzer target for the ODSQL compiler.
//
// The input is split on '\n' into clauses: select, where, group_by,
// order_by, then refine, exclude and facet items.  Compiling against a fixed
// schema must either succeed with consistent parameters or throw UserError;
// anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/odsql/compiler.hpp"

using opendata::UserError;
using namespace opendata::odsql;

namespace {

std::vector<FieldInfo> schema() {
  return {{"name", FieldType::Text},          {"city", FieldType::Text},
          {"population", FieldType::Integer}, {"height", FieldType::Double},
          {"planted", FieldType::Date},       {"updated", FieldType::DateTime},
          {"alive", FieldType::Boolean},      {"geo", FieldType::GeoPoint},
          {"shape", FieldType::GeoShape},     {"12", FieldType::Text},
          {"we\"ird", FieldType::Text}};
}

// Every $n the SQL mentions (outside quoted identifiers and literals) must
// exist, and the quotes must be balanced.
void check_params(const std::string& sql, std::size_t count) {
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '"' || c == '\'') {
      bool closed = false;
      for (++i; i < sql.size(); ++i) {
        if (sql[i] != c) continue;
        if (i + 1 < sql.size() && sql[i + 1] == c) {
          ++i;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) std::abort();
      continue;
    }
    if (c != '$') continue;
    std::size_t n = 0, j = i + 1;
    for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) n = n * 10 + (sql[j] - '0');
    if (n == 0 || n > count) std::abort();
    i = j - 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = input.find('\n', start);
    parts.push_back(input.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  Request req;
  req.relation = "t";
  req.limit = static_cast<std::int64_t>(size % 7) - 1;
  req.offset = static_cast<std::int64_t>(size % 3);
  std::vector<std::string> facet_fields;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    switch (i) {
      case 0:
        req.select = parts[i];
        break;
      case 1:
        req.where = parts[i];
        break;
      case 2:
        req.group_by = parts[i];
        break;
      case 3:
        req.order_by = parts[i];
        break;
      default:
        if (i % 3 == 1)
          req.refine.push_back(parts[i]);
        else if (i % 3 == 2)
          req.exclude.push_back(parts[i]);
        else
          facet_fields.push_back(parts[i]);
    }
  }
  const std::vector<FieldInfo> fields = schema();
  try {
    const Compiled c = compile_records(fields, req);
    check_params(c.results_sql, c.params.size());
    check_params(c.count_sql, c.params.size());
    check_params(c.rows_sql, c.params.size());
    if (c.columns.size() > 1000) std::abort();
    (void)explain_sql(c);
  } catch (const UserError&) {
  }
  try {
    const Compiled c = compile_facets(fields, req, facet_fields);
    check_params(c.results_sql, c.params.size());
    check_params(c.count_sql, c.params.size());
  } catch (const UserError&) {
  }
  return 0;
}
