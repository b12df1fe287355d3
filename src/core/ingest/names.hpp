// Column names: from whatever the header says to safe PostgreSQL identifiers.
//
// The generated name never needs quoting in SQL nor in PostgREST query
// strings: lower-case ASCII letters, digits and '_', not starting with a
// digit, at most 63 bytes (NAMEDATALEN - 1), never empty, unique within the
// table, and never a PostgreSQL system column (xmin, ctid, ...) nor a
// PostgREST query parameter (select, order, limit, ...).  The original
// header is kept as the column's label.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace opendata::ingest {

// PostgreSQL's MaxHeapAttributeNumber: a table has at most 1600 columns.
// A file with more is refused (54011) before its columns are named or
// profiled: each column costs work per row, and a header of a million
// fields would otherwise keep a backend busy for minutes.
inline constexpr size_t kMaxColumns = 1600;

// Throws UserError 54011 when `columns` exceeds kMaxColumns.
void check_column_count(size_t columns);

// One header -> identifier, without the uniqueness step.  `position` is
// 1-based and names empty headers col_N.
std::string make_identifier(std::string_view label, size_t position);

// Whole header.  `forced[i]` non-empty means the user chose that name (it
// wins; generated names are suffixed around it).  Returns one name per label.
std::vector<std::string> make_identifiers(const std::vector<std::string>& labels,
                                          const std::vector<std::string>& forced = {});

// Adds `base` (or base_2, base_3, ...) to `taken` and returns it.  Linear
// in taken.size(): for one name added to a finished list.
std::string unique_name(const std::string& base, std::vector<std::string>& taken);

// Names already used, hashed: unique() costs O(1) expected per name, even
// when every header is the same word.
class NameSet {
 public:
  void add(const std::string& name);
  bool contains(const std::string& name) const;
  // `base` if free, else base_2, base_3, ... (truncated to 63 bytes); the
  // returned name is added.
  std::string unique(const std::string& base);

 private:
  std::unordered_set<std::string> used_;
  std::unordered_map<std::string, size_t> next_suffix_;
};

}  // namespace opendata::ingest
