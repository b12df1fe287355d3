// Reading SQL arguments into C++ values, through the guard.
//
// pg::Args reads them by name, through the function's table in
// signatures.hpp (which sql/argument_tables.sql checks against pg_proc).
// The positional helpers below it serve the entry points not converted yet
// (crossings, tiles, cluster grids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/signatures.hpp"
#include "pg/text.hpp"

namespace opendata::pg {

class Args {
 public:
  Args(FunctionCallInfo fcinfo, const Signature& signature)
      : fcinfo_(fcinfo), signature_(signature) {}

  // Whether the function has this argument at all (the exports have no
  // `after`).
  bool has(const char* name) const;
  // Whether it was given, i.e. not NULL.  Names the function does not have
  // are an internal error, as for every reader below.
  bool given(const char* name) const;
  std::string text(const char* name) const;  // "" when NULL
  std::string text_or(const char* name, const std::string& fallback) const;
  std::int64_t int32_or(const char* name, std::int64_t fallback) const;
  std::int64_t int64_or(const char* name, std::int64_t fallback) const;
  bool bool_or(const char* name, bool fallback) const;
  std::vector<std::string> text_array(const char* name) const;  // NULL elements skipped
  Datum datum(const char* name) const;                          // of a given argument
  // 0-based, as fcinfo counts (get_fn_expr_argtype()).
  int position(const char* name) const;
  FunctionCallInfo fcinfo() const { return fcinfo_; }

 private:
  FunctionCallInfo fcinfo_;
  const Signature& signature_;
};

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
