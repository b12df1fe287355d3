// The two sides the crossing compiler's tests cross.
#pragma once

#include <string>
#include <vector>

#include "core/cross/request.hpp"

namespace opendata::cross {

inline Side side(const std::string& from, const std::vector<std::string>& fields,
                 const std::string& geometry, int srid) {
  Side s;
  s.from = from;
  s.fields = fields;
  s.geometry = geometry;
  s.srid = srid;
  return s;
}

// Left: l (id, name, geom in WGS 84); right: r (code, pop, shape in
// `right_srid`), without a key.
inline Request two_sides(const std::string& predicate, const std::string& options,
                         int right_srid = 4326) {
  Request req;
  req.left = side("l", {"id", "name"}, "geom", 4326);
  req.right = side("r", {"code", "pop"}, "shape", right_srid);
  req.predicate = predicate;
  req.options_json = options;
  return req;
}

}  // namespace opendata::cross
