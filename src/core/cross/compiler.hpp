// The crossing compiler: two sides, a predicate and options in, the SQL of
// the crossing and of its report out (see docs/crossings.md).  Pure C++
// like src/core/odsql: it never runs SQL.  The same statements serve the
// derived datasets of opendata.cross()/refresh() (sides are relations, or
// filters with their values inlined) and the ad hoc crossings of the API
// (sides are compiled ODSQL filters numbered in one parameter list).
//
// Distances are metres on the ground: geography (spheroid) distances on
// WGS 84 coordinates, after a bounding-box pre-filter on the geometry that
// lets its GiST index work.  Geometries of other SRIDs are compared through
// ST_Transform(g, 4326), which an expression index can serve
// (opendata.ensure_spatial_index creates the right one).
#pragma once

#include <string>
#include <vector>

#include "core/cross/options.hpp"
#include "core/cross/request.hpp"

namespace opendata::cross {

// Checks the options (options.hpp) and writes the statements.
Statements compile(const Request& req);

// The order of the side's rows that a crossing cannot tell apart (right
// rows at the same distance of nearest, polygons sharing a border in
// enrich), as ORDER BY items on the side's alias: the fields `first` (the
// option tie_break), then the side's key, or every field of the side when
// it has none (or its key is not among its fields).  A field whose type
// has no ordering is compared by its text.  Only rows equal on every
// field (as their types compare: numeric 1.0 equals 1.00) are left in
// any order.  "" when the side has no field.  near() orders its page by the same items
// on the crossing's result, whose right fields keep their names.
std::string tie_order_sql(const Side& side, const std::vector<std::string>& first,
                          const std::string& alias);

// The row count of a nearest crossing without a maximum distance, from the
// sides alone: a left row with a point gets its min(k, R) nearest rows (R:
// the right rows with a non-empty geometry), a left row without one gets
// one row of NULLs, as does every left row when R is 0.
std::string nearest_count_sql(const Side& left, const Side& right, std::int64_t k);

// The number of rows of a side with a non-empty geometry.
std::string located_count_sql(const Side& side);

// The WGS 84 box around the geometry expression g (SRID 4326) that holds
// every point within d metres of it on the ground, as SQL (g and d are
// trusted SQL expressions, d a float8): a call of opendata._expand_m()
// (ground_box.hpp).
std::string expand_m_sql(const std::string& g, const std::string& d);

}  // namespace opendata::cross
