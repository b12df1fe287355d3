#include "core/odsql/like_pattern.hpp"

namespace opendata::odsql {

std::string like_pattern(const std::vector<std::string>& pieces, const Fold& fold) {
  std::string out = "%";
  bool first = true;
  for (const std::string& piece : pieces) {
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
