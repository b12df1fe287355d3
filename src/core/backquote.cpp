#include "core/backquote.hpp"

namespace opendata {

std::size_t read_backquoted(std::string_view text, std::size_t open, std::string& name) {
  name.clear();
  std::size_t i = open + 1;
  while (i < text.size()) {
    const std::size_t quote = text.find('`', i);
    if (quote == std::string_view::npos) break;
    name.append(text.substr(i, quote - i));
    if (quote + 1 < text.size() && text[quote + 1] == '`') {
      name += '`';
      i = quote + 2;
      continue;
    }
    return quote + 1;
  }
  return std::string_view::npos;
}

std::string backquote(std::string_view name) {
  std::string out = "`";
  for (const char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

}  // namespace opendata
