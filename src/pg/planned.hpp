// A statement planned once for its parameter values and run from that same
// plan, with a look at the plan in between.  records() plans its page and
// the page's count as one statement, reads the planner's estimate of the
// count from the plan, and only then decides whether the count runs: one
// planning where SPI alone would need two (a cursor's plan, to read the
// estimate, and a second one to run, since a cursor starts no parallel
// workers).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg/spi.hpp"

extern "C" {
#include "nodes/plannodes.h"
}

namespace opendata::pg {

// Gives the value of the statement's last parameter once the statement is
// planned.  That parameter is left out of the plan (a run-time value, not a
// constant the planner folds), so the plan holds whatever it decides.
using LastParamDecision = std::function<std::optional<std::string>(const PlannedStmt* plan)>;

// Runs a read-only SELECT planned once with these parameter values (a
// custom plan, parallel workers allowed, as SPI_execute_with_args plans),
// the last parameter's value coming from `decide`.  Needs an SPI
// connection; the row lives until spi::finish().
spi::Row run_planned(const std::string& sql, const std::vector<spi::TextParam>& params,
                     const LastParamDecision& decide);

// The planner's estimate of the rows that the uncorrelated sub-select giving
// the last column of the plan's result reads at its top, for
// "(SELECT count(*) FROM ...)" the rows it would count; nullopt when the
// plan has no such sub-select.  The sub-select's plan may be parallel:
// the rows of a partial plan are per process, and are scaled back to the
// whole as the planner divided them.
std::optional<double> last_column_input_rows(const PlannedStmt* plan);

}  // namespace opendata::pg
