// Combining compiled ODSQL statements: each one numbers its parameters from
// $1, so a statement that embeds two of them renumbers the second.
#pragma once

#include <cstddef>
#include <string>

namespace opendata::odsql {

// `sql` with every parameter reference $n (outside string literals and
// quoted identifiers) renumbered $(n + offset).  Dollar signs that do not
// start a parameter reference (inside "a $2 label", '$5', or a bare "$")
// are left alone.
std::string shift_params(const std::string& sql, std::size_t offset);

// `sql` with every parameter reference $n (outside string literals and
// quoted identifiers, as for shift_params) replaced by replacement(n), a
// std::string.  Quoted identifiers and string literals are skipped whole, a
// doubled quote staying inside.
template <typename Replacement>
std::string map_params(const std::string& sql, Replacement replacement) {
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
    out += replacement(n);
    i = j - 1;
  }
  return out;
}

// `sql` without the leading `WITH "__odsql_params" AS (SELECT $k::type, ...) `
// that reference_all_params() adds, when present.  A caller that binds every
// parameter with its declared type does not need it, and a subquery with a
// WITH clause cannot be merged into the statement around it (which would
// keep spatial indexes out of a join).
std::string without_params_cte(const std::string& sql);

}  // namespace opendata::odsql
