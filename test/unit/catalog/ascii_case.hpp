// Case folding as the C collation does it: the TextCase the catalog's unit
// tests give where the server gives the database's (src/pg/search.cpp).
#pragma once

#include <string>

#include "core/catalog/search_sql.hpp"

namespace opendata::catalog::test_support {

inline std::string ascii(std::string s, bool upper) {
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

inline const TextCase kAscii{[](const std::string& s) { return ascii(s, false); },
                             [](const std::string& s) { return ascii(s, true); }};

}  // namespace opendata::catalog::test_support
