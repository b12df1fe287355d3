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

// `sql` without the leading `WITH "__odsql_params" AS (SELECT $k::type, ...) `
// that reference_all_params() adds, when present.  A caller that binds every
// parameter with its declared type does not need it, and a subquery with a
// WITH clause cannot be merged into the statement around it (which would
// keep spatial indexes out of a join).
std::string without_params_cte(const std::string& sql);

}  // namespace opendata::odsql
