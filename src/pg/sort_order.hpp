// Which columns ORDER BY can sort as they are: the crossings order the
// rows they cannot tell apart by every field of a side
// (cross::tie_order_sql()), and compare by their text the fields whose
// type has no ordering (json, xml, point...).
#pragma once

#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace opendata::pg {

// Whether ORDER BY sorts values of `type` without being told how: the type
// has a default B-tree ordering (its "<", as ORDER BY finds it).
bool has_default_order(Oid type);

// The fields among `fields` of the relation text `from` (trusted SQL: a
// relation or a parenthesised subquery without parameters) whose type has
// no default ordering.  `from` is parsed, never planned nor run: no
// function of it executes.  Needs an SPI connection.
std::vector<std::string> fields_without_order(const std::string& from,
                                              const std::vector<std::string>& fields);

}  // namespace opendata::pg
