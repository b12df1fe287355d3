// The two sides the crossing compiler's tests cross.
#pragma once

#include <string>

#include "core/cross/request.hpp"

namespace opendata::cross {

// Left: l (id, name, geom in WGS 84); right: r (code, pop, shape in
// `right_srid`).
inline Request two_sides(const std::string& predicate, const std::string& options,
                         int right_srid = 4326) {
  Request req;
  req.left = Side{"l", {"id", "name"}, "geom", 4326};
  req.right = Side{"r", {"code", "pop"}, "shape", right_srid};
  req.predicate = predicate;
  req.options_json = options;
  return req;
}

}  // namespace opendata::cross
