// Validation and normalisation of ODSQL literal values.
//
// Literals are checked here, in C++, so that a bad date or geometry is a
// clean 22xxx error pointing at the user's text instead of a PostgreSQL input
// error raised while the statement runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opendata::odsql {

struct DateValue {
  int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int micro = 0;
  int precision = 1;  // 1 year, 2 month, 3 day, 4 time of day
  bool has_offset = false;
  int offset_minutes = 0;

  // "YYYY-MM-DD HH:MM:SS.ffffff" (+ "+HH:MM" when has_offset).
  std::string timestamp_text() const;
  // "YYYY-MM-DD".
  std::string date_text() const;
};

// ISO 8601 (2020, 2020-05, 2020-05-03, 2020-05-03T10:20[:30[.5]][Z|+02:00])
// and slash dates (2020/05/03).  On failure returns false with `error` set.
bool parse_date(const std::string& text, DateValue& out, std::string& error);

// A finite decimal number.  `is_integer` when it has no fraction/exponent
// and fits an int64.
bool parse_number(const std::string& text, double& value, bool& is_integer, std::int64_t& ivalue);

// Minimal shape check of a geometry literal: WKT with a known type and
// balanced parentheses, or a GeoJSON object with a geometry "type".
// Sets is_geojson.  Returns false with `error` set when refused.
bool check_geometry(const std::string& text, bool& is_geojson, std::string& error);

// Meters per distance unit (m, km, mi, yd, ft, cm, mm); 0 when unknown.
double distance_unit_meters(const std::string& unit);

// Escapes \ % _ for LIKE (default escape character '\').  With
// star_wildcard, '*' becomes '%'.
std::string like_escape(const std::string& text, bool star_wildcard);

// A PostgreSQL text[] literal: every element double-quoted, with double
// quotes and backslashes escaped by a backslash, so any text round-trips
// through array_in.
std::string text_array_literal(const std::vector<std::string>& items);

// Shortest text for a double, in PostgreSQL float8 input form.
std::string format_double(double v);

}  // namespace opendata::odsql
