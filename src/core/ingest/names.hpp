// Column names: from whatever the header says to safe PostgreSQL identifiers.
//
// The generated name never needs quoting in SQL nor in PostgREST query
// strings: lower-case ASCII letters, digits and '_', not starting with a
// digit, at most 63 bytes (NAMEDATALEN - 1), never empty, unique within the
// table, and never a PostgreSQL system column (xmin, ctid, ...) nor a
// PostgREST query parameter (select, order, limit, ...).  The original
// header is kept as the column's label.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opendata::ingest {

// One header -> identifier, without the uniqueness step.  `position` is
// 1-based and names empty headers col_N.
std::string make_identifier(std::string_view label, size_t position);

// Whole header.  `forced[i]` non-empty means the user chose that name (it
// wins; generated names are suffixed around it).  Returns one name per label.
std::vector<std::string> make_identifiers(const std::vector<std::string>& labels,
                                          const std::vector<std::string>& forced = {});

// Adds `base` (or base_2, base_3, ...) to `taken` and returns it.
std::string unique_name(const std::string& base, std::vector<std::string>& taken);

}  // namespace opendata::ingest
