// The sides of a derived dataset (opendata.cross(), refresh()): a source
// relation, or that relation filtered by the ODSQL where clause of the
// option left_where or right_where.  The filter is compiled again from the
// ODSQL each time (src/pg/cross_side.cpp, with its values inlined: the
// query of a materialized view holds no parameters), so no SQL text is
// ever stored; this file writes the relation text the compiler takes as
// Side::from.
#pragma once

#include <optional>
#include <string>

namespace opendata::cross {

// The ODSQL where clause that option `option` (left_where, right_where)
// of the options object gives a side: nullopt when options_json is not an
// object or has no such key.  Any value but a string is a UserError 22023.
std::optional<std::string> side_filter(const std::string& options_json,
                                       const std::string& option);

// The side as a relation text: `relation` (a qualified name) itself when
// the condition is empty, else the subquery of its rows the condition
// keeps.  Both are trusted SQL.
std::string filtered_relation(const std::string& relation, const std::string& condition);

}  // namespace opendata::cross
