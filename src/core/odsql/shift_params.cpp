// Renumbering the parameters of a compiled statement (see shift_params.hpp).
// Scans like reference_all_params(): quoted identifiers and string literals
// are skipped whole, a doubled quote staying inside.
#include "core/odsql/shift_params.hpp"

namespace opendata::odsql {

std::string shift_params(const std::string& sql, std::size_t offset) {
  return map_params(sql, [offset](std::size_t n) { return "$" + std::to_string(n + offset); });
}

std::string without_params_cte(const std::string& sql) {
  static const char kPrefix[] = "WITH \"__odsql_params\" AS (SELECT ";
  const std::size_t plen = sizeof(kPrefix) - 1;
  if (sql.compare(0, plen, kPrefix) != 0) return sql;
  // The list holds only "$k::type" items: the first ")" closes it.
  const std::size_t close = sql.find(')', plen);
  if (close == std::string::npos) return sql;
  for (std::size_t i = plen; i < close; ++i) {
    const char c = sql[i];
    const bool ok = c == '$' || c == ':' || c == ',' || c == ' ' || c == '[' || c == ']' ||
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
    if (!ok) return sql;
  }
  // First of the statement's own common tables, or alone before its SELECT.
  if (sql.compare(close, 3, "), ") == 0) return "WITH " + sql.substr(close + 3);
  if (sql.compare(close, 2, ") ") == 0) return sql.substr(close + 2);
  return sql;
}

}  // namespace opendata::odsql
