// Recognising and converting single field values.
//
// classify() tells which types a value could belong to, as a bit set; the
// type inferrer intersects those sets over a whole column.  The convert_*
// functions turn a value into PostgreSQL's input syntax for the chosen type
// (or report that it does not fit).  Both work on trimmed text, never
// allocate on the classify path, and are locale-independent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/types.hpp"

namespace opendata::ingest {

namespace detail {
std::string_view trim_edges(std::string_view v);
}

// Spaces, tabs and no-break spaces around a value carry no meaning in any
// typed column (text columns keep them).  Inline: most values have nothing
// to trim, and every field goes through here twice (sniff and load).
inline std::string_view trim_value(std::string_view v) {
  auto edge = [](char c) { return c == ' ' || c == '\t' || c == '\xC2' || c == '\xA0'; };
  if (v.empty() || (!edge(v.front()) && !edge(v.back()))) return v;
  return detail::trim_edges(v);
}

// Sentinels that mean "no value": the empty string always, plus by default
// NC (non communiqué), N/A, NA, n/a, -, null, matched case-insensitively.
class NullSet {
 public:
  NullSet();  // defaults
  explicit NullSet(const std::vector<std::string>& values);
  // Inline for the common cases: a value longer than every sentinel, or
  // starting with a byte none starts with (digits, mostly).
  bool is_null(std::string_view trimmed) const {
    if (trimmed.empty()) return true;
    if (trimmed.size() > max_len_ || !first_[static_cast<unsigned char>(trimmed[0])]) return false;
    return matches(trimmed);
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  bool matches(std::string_view trimmed) const;
  std::vector<std::string> values_;  // lower-cased
  size_t max_len_ = 0;
  bool first_[256] = {};  // first bytes of the sentinels, both cases
};

enum ValueBit : uint32_t {
  kBool = 1u << 0,        // a boolean word, or 0 / 1
  kIntLike = 1u << 1,     // [+-]digits (leading zeros allowed)
  kInt4 = 1u << 2,        // integer in int4 range
  kInt8 = 1u << 3,        // integer in int8 range
  kNumDot = 1u << 4,      // integer or decimal with '.' (exponent allowed)
  kNumComma = 1u << 5,    // integer or decimal with ','
  kDateIso = 1u << 6,     // yyyy-mm-dd or yyyy/mm/dd
  kDateDmy = 1u << 7,     // dd/mm/yyyy (also - or . separators)
  kDateMdy = 1u << 8,     // mm/dd/yyyy
  kDateCompact = 1u << 9, // yyyymmdd
  kIsoTemporal = 1u << 10,// ISO date or ISO date-time, with or without offset
  kDmyTimestamp = 1u << 11,// dd/mm/yyyy hh:mm[:ss]
  kLatLon = 1u << 12,     // "lat,lon" / "lat, lon" in WGS84 ranges
  kGeoJson = 1u << 13,    // a GeoJSON geometry object
  kWkt = 1u << 14,        // WKT / EWKT
  kAllBits = (1u << 15) - 1,
};

// Facts about one value that matter beyond the candidate set.
struct ValueFlags {
  bool word_bool = false;      // true/false/oui/non/... (not 0/1)
  bool zero = false;           // exactly "0"
  bool one = false;            // exactly "1"
  char letter = 0;             // a one-letter boolean (t f y n o), lower case
  bool leading_zero = false;   // integer-looking with a significant leading 0
  bool dot_decimal = false;    // has '.' or an exponent
  bool comma_decimal = false;  // has a decimal ','
  bool thousands_like = false; // d{1,3},ddd: could be an English thousands group
  bool has_time = false;       // ISO temporal with a time part
  bool has_tz = false;         // ISO temporal with Z or an offset
  int srid = 0;                // EWKT "SRID=n;" prefix, 0 if none
  char geom_kind = 0;          // 'P' point, 'L' line, 'A' polygon, 'M'... see geometry.hpp
  bool geom_z = false;
};

// Returns the candidate bits of `v` (already trimmed, non-null), testing
// only the bits in `alive` (what the column can still be).
uint32_t classify(std::string_view v, uint32_t alive, ValueFlags& flags);

// ---- conversions to PostgreSQL input syntax ---------------------------------
// Each returns false (out unspecified) when the value does not fit.

bool convert_boolean(std::string_view v, std::string& out);
// Integer in int4 (bits32) or int8 range; written without leading '+'.
bool convert_integer(std::string_view v, bool bits32, std::string& out);
// decimal: '.', ',' or 0 for "either, but not both in one value".
bool convert_numeric(std::string_view v, char decimal, std::string& out);
bool convert_date(std::string_view v, DateOrder order, std::string& out);
// The date as the integer yyyymmdd, or -1 if it is not a date in that
// order: a sort key for min/max that spares writing the ISO text.
int32_t date_key(std::string_view v, DateOrder order);
// ISO date-time (T or space, optional fraction and offset) or, for
// DateOrder::Dmy/Mdy, dd/mm/yyyy hh:mm[:ss].  Output: yyyy-mm-dd hh:mm:ss[.f][+hh:mm]
bool convert_timestamp(std::string_view v, DateOrder order, std::string& out);

// Parses a boolean word (case-insensitive): true/false, oui/non,
// vrai/faux, yes/no, the letters t/f, y/n, o/n, and 0/1.  `value` receives
// the truth value; `letter`, when given, the lower-case letter of a
// one-letter form (0 otherwise).
bool parse_bool_word(std::string_view v, bool& value, bool& is_digit, char* letter = nullptr);

// One bit per boolean letter, for sets of letters seen in a column.
enum : uint8_t { kLetterT = 1, kLetterF = 2, kLetterY = 4, kLetterN = 8, kLetterO = 16 };
inline uint8_t letter_bit(char c) {
  switch (c) {
    case 't': return kLetterT;
    case 'f': return kLetterF;
    case 'y': return kLetterY;
    case 'n': return kLetterN;
    case 'o': return kLetterO;
    default: return 0;
  }
}

// Parses a latitude,longitude pair; false if not in WGS84 ranges.
bool parse_latlon(std::string_view v, std::string_view& lat, std::string_view& lon);

// Parses a plain decimal number with '.' or ','.  For range checks only.
bool parse_double(std::string_view v, double& out);

}  // namespace opendata::ingest
