// explain_sql(): a readable rendering of a compiled request.
#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

// Makes `sql` mention every parameter, so that PostgreSQL can type all of
// $1..$n from the statement alone however the caller binds them.  Missing
// ones go into a CTE that nothing reads: PostgreSQL never evaluates it.
std::string reference_all_params(const std::string& sql, const std::vector<Param>& params) {
  std::string missing;
  for (std::size_t i = 1; i <= params.size(); ++i) {
    const std::string ref = "$" + std::to_string(i) + "::";
    if (sql.find(ref) != std::string::npos) continue;
    missing += (missing.empty() ? "" : ", ") + ref + param_type_name(params[i - 1].type);
  }
  if (missing.empty()) return sql;
  return "WITH \"__odsql_params\" AS (SELECT " + missing + ") " + sql;
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
    out += "$" + std::to_string(i + 1) + " " + param_type_name(c.params[i].type) + " = " + v + "\n";
  }
  return out;
}

}  // namespace opendata::odsql
