// The crossings of the API (opendata_api.cross and near): their arguments
// as the options of the crossing compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace opendata::cross {

// The shortest text that reads back as v (2.3, not 2.2999999999999998): it
// goes into SQL, links and messages that people read.
std::string shortest_number(double v);

// opendata_api.cross()'s distance_m and k as an options object (JSON
// text): distance_m is nearest's max_distance_m or within_distance's
// distance_m; k is nearest's.  The right fields are prefixed "right_".
// 22023 for an argument the predicate does not take, a distance that is
// not a positive finite number, or the attribute predicate (a derived
// dataset only).  k's range is checked with the other options.
std::string ad_hoc_options(const std::string& predicate, std::optional<double> distance_m,
                           std::optional<std::int64_t> k);

// A distance argument of the API: a finite number greater than 0.
double positive_distance(double d, const char* name);

}  // namespace opendata::cross
