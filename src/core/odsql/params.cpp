#include "core/odsql/params.hpp"

#include <stdexcept>

#include "core/odsql/literals.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::odsql {

const char* param_type_name(ParamType type) {
  switch (type) {
    case ParamType::Text:
      return "text";
    case ParamType::Int8:
      return "int8";
    case ParamType::Float8:
      return "float8";
    case ParamType::Bool:
      return "bool";
    case ParamType::Date:
      return "date";
    case ParamType::Timestamptz:
      return "timestamptz";
    case ParamType::Interval:
      return "interval";
    case ParamType::TextArray:
      return "text[]";
    case ParamType::LikePattern:
      return "text";
  }
  return "text";
}

std::string Params::add(ParamType type, const std::string& value) {
  if (mode_ == Mode::kInlined) {
    if (list_.empty()) list_.push_back(Param{type, value, {}});  // the time zone, for tz()
    return string_literal(value) + "::" + param_type_name(type);
  }
  const auto key = std::make_pair(static_cast<int>(type), value);
  auto it = index_.find(key);
  std::size_t n;
  if (it != index_.end()) {
    n = it->second;
  } else {
    list_.push_back(Param{type, value, {}});
    n = list_.size();
    index_.emplace(key, n);
  }
  return "$" + std::to_string(n) + "::" + param_type_name(type);
}

std::string Params::add_like_pattern(const std::vector<std::string>& pieces) {
  if (mode_ == Mode::kInlined) throw std::logic_error("a LIKE pattern parameter in an inlined statement");
  const std::string literal = text_array_literal(pieces);
  const std::string placeholder = add(ParamType::LikePattern, literal);
  // The parameter, new or shared with an equal word's (equal literals,
  // equal pieces), gets the pieces.
  list_[index_.at({static_cast<int>(ParamType::LikePattern), literal}) - 1].pieces = pieces;
  return placeholder;
}

std::string Params::tz() const {
  if (mode_ == Mode::kNumbered) return numbered_tz();
  return string_literal(list_.empty() ? std::string("UTC") : list_.front().value) + "::text";
}

}  // namespace opendata::odsql
