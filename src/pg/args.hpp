// Reading SQL arguments into C++ values, through the guard.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/text.hpp"

namespace opendata::pg {

// The text of argument `i`, or an empty string when it is NULL.
inline std::string text_arg(FunctionCallInfo fcinfo, int i) {
  return PG_ARGISNULL(i) ? std::string() : text_string(PG_GETARG_DATUM(i));
}

inline std::optional<std::string> optional_text_arg(FunctionCallInfo fcinfo, int i) {
  if (PG_ARGISNULL(i)) return std::nullopt;
  return text_string(PG_GETARG_DATUM(i));
}

inline std::int64_t int_arg(FunctionCallInfo fcinfo, int i, std::int64_t fallback) {
  return PG_ARGISNULL(i) ? fallback : static_cast<std::int64_t>(PG_GETARG_INT32(i));
}

// The elements of a text[] argument; NULL elements are skipped.
std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int i);

}  // namespace opendata::pg
