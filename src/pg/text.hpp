// Text conversions between PostgreSQL datums and C++ strings.
#pragma once

#include <string>
#include <string_view>

#include "pg/guard.hpp"

namespace opendata::pg {

// A text datum built from C++ bytes (palloc'd in the current context).
inline Datum text_datum(std::string_view s) {
  const char* data = s.data();
  int len = static_cast<int>(s.size());
  return call([data, len] { return PointerGetDatum(cstring_to_text_with_len(data, len)); });
}

// The bytes of a text (or bytea/varchar) argument, detoasted.
inline std::string_view text_view(Datum d) {
  struct varlena* v = call([d] { return PG_DETOAST_DATUM_PACKED(d); });
  return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

inline std::string text_string(Datum d) { return std::string(text_view(d)); }

// An SQL string literal of `value` (quote_literal).
inline std::string sql_literal(const std::string& value) {
  const char* v = value.c_str();
  return std::string(call([v] { return quote_literal_cstr(v); }));
}

}  // namespace opendata::pg
