// Bound parameters of a compiled statement.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

class Params {
 public:
  // Returns "$n::type".  Equal (type, value) pairs share one number: the
  // translator compares generated SQL text to match select items against
  // group_by keys, which only works if equal literals print equally.
  std::string add(ParamType type, const std::string& value);

  // "$1::text": the request's time zone, always the first parameter.
  static std::string tz() { return "$1::text"; }

  std::vector<Param> take() { return std::move(list_); }
  std::size_t size() const { return list_.size(); }

 private:
  std::vector<Param> list_;
  std::map<std::pair<int, std::string>, std::size_t> index_;
};

}  // namespace opendata::odsql
