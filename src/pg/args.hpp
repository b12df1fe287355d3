// Reading SQL arguments into C++ values, through the guard.
//
// pg::Args reads them by name, through the function's table in
// signatures.hpp (which sql/argument_tables.sql checks against pg_proc):
// every SQL-callable C function of the extension reads its arguments here,
// none by a position of its own.
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
  // Every element, NULL ones as nullopt (name, value pairs).
  std::vector<std::optional<std::string>> text_array_with_nulls(const char* name) const;
  // The text of a jsonb argument, "null" when NULL.
  std::string jsonb_text(const char* name) const;
  double float8(const char* name) const;  // of a given argument
  Datum datum(const char* name) const;    // of a given argument
  // The argument's type, as the call resolved it.
  Oid type(const char* name) const;
  // 0-based, as fcinfo counts (get_fn_expr_argtype()).
  int position(const char* name) const;
  FunctionCallInfo fcinfo() const { return fcinfo_; }
  const Signature& signature() const { return signature_; }

 private:
  FunctionCallInfo fcinfo_;
  const Signature& signature_;
};

}  // namespace opendata::pg
