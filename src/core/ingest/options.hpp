// Import options, given by the publisher as a JSON object.
//
// Every key is optional: the defaults sniff everything.  Options are parsed
// strictly (an unknown key or a bad value is a UserError 22023 naming the
// key) because a silently ignored typo such as "delimeter" would produce a
// wrong table that looks right.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/encoding.hpp"
#include "core/ingest/types.hpp"

namespace opendata::ingest {

enum class OnError { Abort, Skip };

enum class DateFormat { Auto, Dmy, Mdy, Ymd, Compact };

enum class InputFormat { Csv, GeoJson };

struct ColumnOverride {
  std::string key;                  // matches a generated name or an original header
  std::optional<ColumnType> type;   // forced type (inference skipped)
  std::string name;                 // forced identifier, empty = generated
};

struct GeometryOption {
  enum class Kind { Auto, None, LatLon, Pair, GeoJson, Wkt };
  Kind kind = Kind::Auto;
  std::string column;  // LatLon, GeoJson, Wkt
  std::string lat;     // Pair
  std::string lon;     // Pair
};

// The import options.  The same set serves GeoJSON: parse_options rejects
// there the keys that only make sense for CSV (delimiter, quote, escape,
// header).
struct CsvOptions {
  Encoding encoding = Encoding::Auto;
  char delimiter = 0;            // 0: detect among , ; tab |
  std::optional<char> quote;     // '\0' inside: no quoting at all
  std::optional<char> escape;    // == quote: doubled quotes; '\\': backslash
  std::optional<bool> header;    // unset: detect
  // Replaces the default sentinels (NC, N/A, NA, n/a, -, null).  The empty
  // string is always NULL.
  std::optional<std::vector<std::string>> null_values;
  char decimal = 0;              // 0: detect; '.' or ','
  DateFormat date_format = DateFormat::Auto;
  std::vector<ColumnOverride> columns;
  OnError on_error = OnError::Abort;
  GeometryOption geometry;
};

// Parses an options object.  `v` may be null (all defaults).  Throws
// UserError 22023 naming the offending key.
CsvOptions parse_options(const nlohmann::json& v, InputFormat format = InputFormat::Csv);
// Same from JSON text (non-throwing JSON parse; bad JSON is 22023 too).
CsvOptions parse_options_text(std::string_view json_text, InputFormat format = InputFormat::Csv);

}  // namespace opendata::ingest
