// Fuzz target for the crossing compiler's options (src/core/cross): any
// options text and predicate either compile or raise a UserError, never
// crash or throw anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/cross/compiler.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kPredicates[] = {"nearest", "within_distance", "contains", "enrich",
                                            "attribute"};
  if (size == 0) return 0;
  opendata::cross::Request req;
  req.left.from = "l";
  req.left.fields = {"id", "name"};
  req.left.geometry = "geom";
  req.right.from = "r";
  req.right.fields = {"code", "pop"};
  req.right.geometry = "shape";
  req.right.srid = data[0] & 1 ? 0 : 2154;
  // The catalog's answers about the right side, in each combination.
  req.right.rows_have_ctid = data[0] & 2;
  if (data[0] & 4) req.right.key = {"code"};
  if (data[0] & 8) req.right.unique_field = "code";
  if (data[0] & 16) req.right.unordered_fields = {"pop"};
  req.predicate = kPredicates[data[0] % 5];
  req.options_json.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  req.max_k = data[0] & 0x80 ? opendata::cross::kMaxAdHocK : opendata::cross::kMaxK;
  try {
    const opendata::cross::Statements s = opendata::cross::compile(req);
    if (s.select_sql.empty()) __builtin_trap();
  } catch (const opendata::UserError&) {
  }
  return 0;
}
