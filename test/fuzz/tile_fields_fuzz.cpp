// libFuzzer target for the `fields` argument of opendata_api.tile().
//
// The input is the argument as a client sends it.  Parsing must either give
// non-empty names or throw UserError (22023); names written back as a list
// of back-quoted names (when none holds a back-quote) must parse to the
// same names.  The tile address check sees the input's first bytes too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/geo/tile.hpp"

using opendata::UserError;
using namespace opendata::geo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (size >= 3) {
    try {
      check_tile(static_cast<std::int8_t>(data[0]), static_cast<std::int8_t>(data[1]) * 1000,
                 static_cast<std::int8_t>(data[2]) * 1000);
    } catch (const UserError& e) {
      if (e.sqlstate() != "22023") std::abort();
    }
  }
  std::vector<std::string> names;
  try {
    names = parse_field_list(input);
  } catch (const UserError& e) {
    if (e.sqlstate() != "22023") std::abort();
    return 0;
  }
  std::string again;
  for (const std::string& n : names) {
    if (n.empty()) std::abort();
    if (n.find('`') != std::string::npos) return 0;
    again += (again.empty() ? "`" : ", `") + n + "`";
  }
  if (parse_field_list(again) != names) std::abort();
  return 0;
}
