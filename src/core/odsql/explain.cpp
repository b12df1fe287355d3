// explain_sql(): a readable rendering of a compiled request.
#include <vector>

#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

// Which of $1..$n the SQL references, looking only outside quoted
// identifiers and string literals: an output label such as "a $2::x" is
// not a reference.
static std::vector<bool> referenced(const std::string& sql, std::size_t n) {
  std::vector<bool> used(n + 1, false);
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '"' || c == '\'') {
      // Skip to the closing quote; a doubled quote stays inside.
      for (++i; i < sql.size(); ++i) {
        if (sql[i] != c) continue;
        if (i + 1 < sql.size() && sql[i + 1] == c) {
          ++i;
          continue;
        }
        break;
      }
      continue;
    }
    if (c != '$') continue;
    std::size_t k = 0, j = i + 1;
    for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) k = k * 10 + (sql[j] - '0');
    if (k >= 1 && k <= n) used[k] = true;
    i = j - 1;
  }
  return used;
}

// Makes `sql` mention every parameter, so that PostgreSQL can type all of
// $1..$n from the statement alone however the caller binds them.  Missing
// ones go into a CTE that nothing reads: PostgreSQL never evaluates it.
std::string reference_all_params(const std::string& sql, const std::vector<Param>& params) {
  const std::vector<bool> used = referenced(sql, params.size());
  std::string missing;
  for (std::size_t i = 1; i <= params.size(); ++i) {
    if (used[i]) continue;
    missing += (missing.empty() ? "" : ", ") + ("$" + std::to_string(i) + "::") +
               param_type_name(params[i - 1].type);
  }
  if (missing.empty()) return sql;
  const std::string with = "WITH \"__odsql_params\" AS (SELECT " + missing + ")";
  // A statement with its own WITH gets one more common table in its list.
  if (sql.compare(0, 5, "WITH ") == 0) return with + ", " + sql.substr(5);
  return with + " " + sql;
}

std::string explain_sql(const Compiled& c) {
  std::string out =
      "-- results\n" + c.results_sql + ";\n-- count\n" + c.count_sql + ";\n-- parameters\n";
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    // Shown as SQL literals for reading only; execution binds them.
    std::string v = "'";
    for (char ch : c.params[i].value) {
      if (ch == '\'') v += '\'';
      v += ch;
    }
    v += "'";
    out += "$" + std::to_string(i + 1) + " " + param_type_name(c.params[i].type) + " = " + v;
    if (c.params[i].type == ParamType::LikePattern)
      out += " (pieces of a LIKE pattern, bound folded)";
    out += "\n";
  }
  return out;
}

}  // namespace opendata::odsql
