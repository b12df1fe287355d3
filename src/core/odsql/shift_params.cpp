// Renumbering the parameters of a compiled statement (see shift_params.hpp).
// Scans like reference_all_params(): quoted identifiers and string literals
// are skipped whole, a doubled quote staying inside.
#include "core/odsql/shift_params.hpp"

namespace opendata::odsql {

std::string shift_params(const std::string& sql, std::size_t offset) {
  std::string out;
  out.reserve(sql.size() + 16);
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      for (; j < sql.size(); ++j) {
        if (sql[j] != c) continue;
        if (j + 1 < sql.size() && sql[j + 1] == c) {
          ++j;
          continue;
        }
        break;
      }
      const std::size_t end = j < sql.size() ? j + 1 : sql.size();
      out.append(sql, i, end - i);
      i = end - 1;
      continue;
    }
    if (c != '$' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    std::size_t n = 0;
    for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) n = n * 10 + (sql[j] - '0');
    out += '$';
    out += std::to_string(n + offset);
    i = j - 1;
  }
  return out;
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
