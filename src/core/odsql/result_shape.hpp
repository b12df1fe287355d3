// `fields` and `order_by` of near() and cross(): which columns of a
// crossing's result to return, and in which order, as records() lets one
// choose them (issue #24: the same request shape on every endpoint).  A
// crossing's result is not a dataset, so its columns are plain names here:
// "name, other" for fields, "name [asc|desc], ..." for order_by, each one
// a column of the result (the left fields, the right ones with their
// prefix, distance_m, ...).
#pragma once

#include <string>
#include <vector>

namespace opendata::odsql {

struct ResultShape {
  std::string select;    // "c.\"a\", c.\"b\"" or "c.*"
  std::string order_by;  // "c.\"a\" DESC NULLS LAST, ..." or "" (the crossing's own order)
};

// Throws 22023 (naming `fields` or `order_by`) for a name that is not one
// of `columns`, an empty item or a direction other than asc/desc.  The
// `geometry_columns` (a subset of `columns`) are selected as records()
// writes geometries: RFC 7946 GeoJSON, without the `crs` member and the 15
// decimals of PostGIS' cast to json (issue #17); then "c.*" becomes the
// list of every column.
ResultShape result_shape(const std::string& fields, const std::string& order_by,
                         const std::vector<std::string>& columns,
                         const std::vector<std::string>& geometry_columns = {});

}  // namespace opendata::odsql
