// Type inference over a whole column, one value at a time.
//
// Sampling is not enough for open data: a department code column is "75"
// for 30,000 rows and "2A" at the end of the file, and a population column
// may hold "NC" once.  So every value is classified, but cheaply: the
// classifier only tests the types the column can still be, so after a few
// rows most columns cost one table lookup per value.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"
#include "core/ingest/values.hpp"

namespace opendata::ingest {

// Settings shared by all columns of one file.
struct InferSettings {
  const NullSet* nulls = nullptr;
  char decimal = 0;             // option: 0 auto
  DateFormat date_format = DateFormat::Auto;
  bool geometry_allowed = true; // false: geometry=false or another source forced
  char delimiter = ',';         // for the decimal-comma ambiguity rule
};

// Distinct-count estimate: exact up to kExactCap, then HyperLogLog.
class DistinctCounter {
 public:
  void add(std::string_view v);
  uint64_t count() const;
  bool exact() const { return !overflow_; }

 private:
  void add_hash(uint64_t h);
  static constexpr size_t kExactCap = 10000;
  static constexpr int kBits = 12;
  // Exact phase: an open-addressing set of 64-bit hashes (a collision
  // between distinct values is a 2^-64 event), no per-value allocation.
  std::vector<uint64_t> slots_;
  size_t used_ = 0;
  uint64_t last_ = 0;  // hash of the previous value
  std::vector<uint8_t> registers_;  // allocated when the exact set overflows
  bool overflow_ = false;
};

enum class JsonKind { String, Number, Bool, Null, Nested };

class ColumnInferrer {
 public:
  ColumnInferrer(const InferSettings& s, std::string name);

  // A raw CSV field (untrimmed).  `row` is for the reason strings.
  void add(std::string_view raw, uint64_t row);
  // A GeoJSON property value: `text` is the string content, the number's
  // text, "true"/"false", or the JSON dump of a nested value.
  void add_json(JsonKind kind, std::string_view text, uint64_t row);
  void add_null() { ++nulls_; }
  void add_nulls(uint64_t n) { nulls_ += n; }
  uint64_t seen() const { return values_ + nulls_; }

  // Decides the type.  `forced` (optional) skips inference.
  void finish(ColumnProfile& out, const ColumnType* forced) const;

  uint32_t candidates() const { return cand_; }

 private:
  void add_value(std::string_view v, uint64_t row, bool json_string);
  void stats(std::string_view v);
  void decide(ColumnProfile& out) const;
  void decide_forced(ColumnProfile& out, ColumnType t) const;
  DateOrder forced_date_order(ColumnType t) const;
  void fill_minmax(ColumnProfile& out) const;

  const InferSettings& s_;
  std::string name_;
  uint32_t cand_ = kAllBits;
  uint64_t values_ = 0, nulls_ = 0;
  bool word_bool_ = false, zero_ = false, one_ = false;
  uint8_t letters_ = 0;  // one-letter booleans seen: bit per letter (t f y n o)
  bool letters_paired() const;
  uint64_t leading_zero_ = 0;
  std::string leading_zero_example_;
  bool dot_ = false, comma_ = false;
  uint64_t comma_values_ = 0, thousands_like_ = 0;
  bool time_ = false, tz_ = false, notz_time_ = false;
  bool nested_ = false;
  // Geometry: uniform kind (Unknown once mixed), Z on all, one SRID.
  bool geom_seen_ = false;
  GeomKind geom_kind_ = GeomKind::Unknown;
  bool geom_all_z_ = true;
  int srid_ = 0;
  bool srid_mixed_ = false;
  // Why text: the first value that fits nothing, or that emptied the set.
  std::string text_example_;
  uint64_t text_row_ = 0;
  bool text_pure_ = false;
  // Statistics.
  DistinctCounter distinct_;
  std::vector<std::string> examples_;
  std::string text_min_, text_max_;
  double num_min_ = 0, num_max_ = 0;
  std::string num_min_text_, num_max_text_;
  bool num_seen_ = false;
  // Day-month-year keys (yyyymmdd) under both readings, for min/max.
  int32_t dmy_min_ = 0, dmy_max_ = 0, mdy_min_ = 0, mdy_max_ = 0;
  bool date_seen_ = false;
  // Values of each date form.  Counted beyond the point where a non-date
  // value rules the column out, as long as most values are dates: a column
  // forced to a date type takes its order from its valid values, and the
  // invalid ones are rejected at load.
  uint64_t date_values_ = 0;
  uint64_t iso_votes_ = 0, dmy_votes_ = 0, mdy_votes_ = 0, compact_votes_ = 0;
};

// Column-name hints, on generated (lower-case) names.
bool is_code_name(const std::string& name);  // integer-looking values stay text
bool is_date_name(const std::string& name);  // enables yyyymmdd dates
bool is_lat_name(const std::string& name);
bool is_lon_name(const std::string& name);

}  // namespace opendata::ingest
