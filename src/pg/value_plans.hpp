// Plans kept for a statement *and its values*, when the same request comes
// back (issue #15: planning is a quarter of a small page's time).
//
// records() plans its page for each call's values (a custom plan), because
// a generic plan would not see a bounding box's or a range's selectivity.
// When the very same values come again (a map's first view, a popular
// page), that plan would be made again identical.  Here it is made once:
// the statement is analysed with its values as constants of the query
// (a parser hook turns $1..$n-1 into Consts, as the custom planning folds
// them), and the plan cache keeps its one plan.  The plan cache also keeps
// it right: it re-analyses and re-plans the statement when a relation or
// view it reads changes (a republished dataset, an ANALYZE that moved the
// statistics), when the search_path changes, or, when row-level security
// applied, when the role or row_security does.  Privileges are checked by
// the executor at every run.
//
// A statement's values are kept only the second time they come: a request
// seen once (a map panned) is planned as before, at no extra cost.
#pragma once

#include <string>

#include "pg/spi.hpp"

namespace opendata::pg {

// The kept statement for `sql` with the values of every parameter but the
// last (which stays a parameter of the plan, read at run time), or nullptr
// when these values are seen for the first time.  `bound` is `params`
// converted (spi::bind_text_params).  Needs an SPI connection.
SPIPlanPtr plan_for_values(const std::string& sql, const std::vector<spi::TextParam>& params,
                           const spi::BoundParams& bound);

}  // namespace opendata::pg
