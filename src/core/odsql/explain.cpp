// explain_sql(): a readable rendering of a compiled request.
#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

std::string explain_sql(const Compiled& c) {
  std::string out = "-- results\n" + c.results_sql + ";\n-- count\n" + c.count_sql + ";\n-- parameters\n";
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
