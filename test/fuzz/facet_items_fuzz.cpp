// libFuzzer target for the refine/exclude lists apps send
// (core/odsql/facet_items.hpp).
//
// Any input either gives items or throws UserError; items it gives, written
// back as an array literal (the form links carry), read back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/odsql/facet_items.hpp"
#include "core/odsql/links.hpp"

using namespace opendata::odsql;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  try {
    const auto items = parse_facet_items(input);
    if (parse_facet_items(array_literal(items)) != items) std::abort();
  } catch (const opendata::UserError&) {
  }
  return 0;
}
