// Number formatting for the writers: std::to_chars only (no iostreams, no
// locale: a French lc_numeric must never turn 1.5 into "1,5").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opendata::exporter {

void append_int(std::string& out, std::int64_t v);

// Shortest text that reads back as the same double ("0.1", "1e+300").
// The caller handles NaN and infinities (JSON has no literal for them).
void append_double_shortest(std::string& out, double v);

// A coordinate rounded to `precision` decimals, trailing zeros trimmed
// ("2.350498", "3", never "-0").  precision < 0 or > 15: shortest round-trip.
// Non-finite values are written as null (see docs/export.md).
void append_coordinate(std::string& out, double v, int precision);

// PostgreSQL output text of a numeric/float column, as seen by JSON.
enum class NumberText {
  Valid,      // already a JSON number: copy it
  NonFinite,  // NaN, Infinity, -Infinity (any case, as PostgreSQL accepts): write null
  Invalid,    // anything else: the writers quote it as a string rather than corrupt the document
};
NumberText classify_number_text(std::string_view s);

}  // namespace opendata::exporter
