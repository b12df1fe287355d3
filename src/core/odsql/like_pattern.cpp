#include "core/odsql/like_pattern.hpp"

#include <stdexcept>
#include <vector>

namespace opendata::odsql {
namespace {

[[noreturn]] void refuse() {
  throw std::invalid_argument("not a quoted text[] literal of LIKE pieces");
}

// The items of a text_array_literal() (odsql/literals.hpp): every item
// double-quoted, '"' and '\' escaped by a backslash.
std::vector<std::string> literal_items(const std::string& literal) {
  std::vector<std::string> items;
  std::size_t i = 0;
  if (literal.size() < 2 || literal[i++] != '{') refuse();
  if (literal[i] == '}') {
    if (i + 1 != literal.size()) refuse();
    return items;
  }
  for (;;) {
    if (i >= literal.size() || literal[i++] != '"') refuse();
    std::string item;
    for (;;) {
      if (i >= literal.size()) refuse();
      char c = literal[i++];
      if (c == '"') break;
      if (c == '\\') {
        if (i >= literal.size()) refuse();
        c = literal[i++];
      }
      item += c;
    }
    items.push_back(std::move(item));
    if (i >= literal.size()) refuse();
    const char next = literal[i++];
    if (next == '}') break;
    if (next != ',') refuse();
  }
  if (i != literal.size()) refuse();
  return items;
}

}  // namespace

std::string like_pattern(const std::string& value, const Fold& fold) {
  std::string out = "%";
  bool first = true;
  for (const std::string& piece : literal_items(value)) {
    if (!first) out += '%';
    first = false;
    for (char c : fold(piece)) {
      if (c == '\\' || c == '%' || c == '_') out += '\\';
      out += c;
    }
  }
  out += '%';
  return out;
}

}  // namespace opendata::odsql
