// The API's crossing arguments as options (see ad_hoc.hpp).
#include "core/cross/ad_hoc.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"

namespace opendata::cross {

std::string shortest_number(double v) {
  char buf[40];
  // At least the digits before the point: 1000, not 1e+03.
  const double magnitude = std::fabs(v) >= 1 ? std::floor(std::log10(std::fabs(v))) + 1 : 1;
  for (int precision = static_cast<int>(std::min(magnitude, 17.0)); precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

double positive_distance(double d, const char* name) {
  if (!std::isfinite(d))
    throw UserError(sqlstate::kInvalidParameterValue, std::string(name) + " must be a finite number");
  if (d <= 0)
    throw UserError(sqlstate::kInvalidParameterValue,
                    std::string(name) + " must be greater than 0, not " + shortest_number(d));
  return d;
}

std::string ad_hoc_options(const std::string& predicate, std::optional<double> distance_m,
                           std::optional<std::int64_t> k) {
  if (predicate == "attribute")
    throw UserError(sqlstate::kInvalidParameterValue,
                    "attribute crossings are not available ad hoc", "",
                    "Use opendata.cross(slug, left, right, 'attribute', options) to make a "
                    "derived dataset.");
  std::string options = "{\"prefix\": \"right_\"";
  if (distance_m) {
    const std::string d = shortest_number(positive_distance(*distance_m, "distance_m"));
    if (predicate == "nearest") {
      options += ", \"max_distance_m\": " + d;
    } else if (predicate == "within_distance") {
      options += ", \"distance_m\": " + d;
    } else {
      throw UserError(sqlstate::kInvalidParameterValue,
                      "distance_m does not apply to predicate \"" + predicate + "\"");
    }
  }
  if (k) {
    if (predicate != "nearest")
      throw UserError(sqlstate::kInvalidParameterValue, "k applies to predicate nearest only");
    options += ", \"k\": " + std::to_string(*k);
  }
  return options + "}";
}

}  // namespace opendata::cross
