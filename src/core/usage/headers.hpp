// The few request headers usage counting, quotas and tiles' 304s read, out of the JSON
// object PostgREST sets in request.headers (lower-cased names, string
// values), read in one pass without building the document: a whole parse
// of every header a browser sends was most of what counting a call cost
// (docs/usage.md, "Cost").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opendata::usage {

struct PickedHeaders {
  std::string authorization;
  std::string x_api_key;
  std::string x_forwarded_for;
  std::string x_real_ip;
  std::string if_none_match;  // tiles (pg/tiles.cpp)
};

// nullopt when the text is not a JSON object whose values are all strings
// (then no header is read from it).  Escapes are decoded, \u ones included;
// of a name given twice the last value is kept.
std::optional<PickedHeaders> pick_headers(std::string_view json);

}  // namespace opendata::usage
