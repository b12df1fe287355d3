// Bound parameters of a compiled statement.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

// The values of a compiled statement, numbered $1, $2, ... in the order
// they are added.  Several ODSQL clauses may share one list (the two sides
// of a crossing): each continues the numbering, so the statement that
// embeds them needs no renumbering.  An inlined list writes each value as a
// typed literal instead, for SQL that cannot hold parameters (the query of
// a materialized view).
class Params {
 public:
  enum class Mode { kNumbered, kInlined };
  explicit Params(Mode mode = Mode::kNumbered) : mode_(mode) {}

  // Returns "$n::type" (or "'value'::type" when inlined).  Equal (type,
  // value) pairs share one number: the translator compares generated SQL
  // text to match select items against group_by keys, which only works if
  // equal literals print equally.
  std::string add(ParamType type, const std::string& value);

  // A ParamType::LikePattern of these pieces: "$n::text" (its value their
  // text[] literal).  Numbered lists only: an inlined statement cannot
  // bind a pattern folded by the caller.
  std::string add_like_pattern(const std::vector<std::string>& pieces);

  // The request's time zone, always the first value (start_request()).
  std::string tz() const;
  // The time zone of a statement with numbered parameters: "$1::text".
  static std::string numbered_tz() { return "$1::text"; }

  bool inlined() const { return mode_ == Mode::kInlined; }
  std::vector<Param> take() { return std::move(list_); }
  std::size_t size() const { return list_.size(); }

 private:
  Mode mode_;
  std::vector<Param> list_;
  std::map<std::pair<int, std::string>, std::size_t> index_;
};

}  // namespace opendata::odsql
