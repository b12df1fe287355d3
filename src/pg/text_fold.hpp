// The folding of ODSQL's accent- and case-insensitive text matching,
// applied in C++ to a search word's pieces: lower(unaccent('unaccent', x)),
// as opendata._odsql_fold() folds every row's text (src/sql/50_records.sql),
// so that records() binds each word's LIKE pattern ready made
// (odsql/like_pattern.hpp) instead of having its statement compute it.
#pragma once

#include <string>

namespace opendata::pg {

// lower(unaccent('unaccent', text)) under the database's default collation
// (the collation a pattern of text[] pieces was folded with in SQL).
std::string folded_text(const std::string& text);

}  // namespace opendata::pg
