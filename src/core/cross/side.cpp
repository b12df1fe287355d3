// The sides of a derived dataset (see side.hpp).
#include "core/cross/side.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace opendata::cross {

std::optional<std::string> side_filter(const std::string& options_json,
                                       const std::string& option) {
  const nlohmann::json options = nlohmann::json::parse(options_json, nullptr, false);
  if (!options.is_object()) return std::nullopt;
  const auto it = options.find(option);
  if (it == options.end()) return std::nullopt;
  if (!it->is_string())
    throw UserError(sqlstate::kInvalidParameterValue,
                    "option \"" + option + "\" must be an ODSQL where clause (a string)");
  return it->get<std::string>();
}

std::string filtered_relation(const std::string& relation, const std::string& condition) {
  if (condition.empty()) return relation;
  return "(SELECT * FROM " + relation + " WHERE " + condition + ")";
}

}  // namespace opendata::cross
