// The options of a crossing, checked in one place with one set of limits
// (docs/crossings.md lists them).  Every bad option is a UserError naming
// it: 22023, or 42703 for a field the side does not have.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cross/request.hpp"

namespace opendata::cross {

// k of a nearest crossing: at most 1000 nearest rows for each left row.
inline constexpr std::int64_t kMaxK = 1000;
// k of an ad hoc crossing over the API (opendata_api.cross), whose rows are
// computed for every request: 100.
inline constexpr std::int64_t kMaxAdHocK = 100;
// A prefix of the right fields: at most 40 of [a-z0-9_], which leaves room
// for the field name in PostgreSQL's 63 bytes.
inline constexpr std::size_t kMaxPrefix = 40;
// normalize "pad" of an attribute key: a width from 1 to 100.
inline constexpr std::int64_t kMaxPad = 100;

enum class Output { kRows, kCount };

struct Aggregate {
  std::string function;  // sum, avg, min, max or count, lower case
  std::string field;     // a right field
};

struct Normalize {
  bool trim = false;
  std::string letter_case;  // "", "upper" or "lower"
  std::int64_t pad = 0;     // 0: no padding
};

struct Options {
  Predicate predicate = Predicate::kNearest;
  std::string prefix = "right_";
  std::vector<std::string> left_fields, right_fields;  // kept, in order
  std::int64_t k = 1;
  std::optional<double> distance_m, max_distance_m;
  Output output = Output::kRows;
  std::vector<Aggregate> aggregates;
  // contains: covers (default) or interior; enrich: first (default) or
  // interior.
  std::string border;
  // nearest and enrich: the right fields that order the right rows the
  // predicate cannot tell apart (at the same distance, sharing a border),
  // before the side's own order (tie_order_sql() in compiler.hpp).
  std::vector<std::string> tie_break;
  std::vector<std::string> left_key, right_key;  // attribute
  Normalize normalize;                           // attribute
};

// The options of `req` (options_json), checked against its predicate and
// sides.  The keys metadata, left_where and right_where are known but left
// to the caller (opendata.cross() stores the first and compiles the others
// into the sides).
Options parse_options(const Request& req);

}  // namespace opendata::cross
