// A statement planned once for its parameter values and run from that same
// plan, with a look at the plan in between.  records() plans its page and
// the page's count as one statement, reads the planner's estimate of the
// count from the plan, and only then decides whether the count runs: one
// planning where SPI alone would need two (a cursor's plan, to read the
// estimate, and a second one to run, since a cursor starts no parallel
// workers).
#pragma once

#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/spi.hpp"

extern "C" {
#include "nodes/plannodes.h"
}

namespace opendata::pg {

// What to do with a planned statement, decided from its plan.
struct PlanChoice {
  // The value of the statement's last parameter.  That parameter is left
  // out of the plan (a run-time value, not a constant the planner folds),
  // so the plan holds whatever is decided.
  std::optional<std::string> last;
  // A node of the plan whose rows are counted as they pass (nullptr: none).
  const Plan* count_rows_of = nullptr;
};
using PlanDecision = std::function<PlanChoice(const PlannedStmt* plan)>;

struct PlannedResult {
  spi::Row row;  // the first row
  // The rows PlanChoice::count_rows_of produced; nullopt when it did not
  // run (a LIMIT 0 never reads its input) or was not asked for.
  std::optional<std::int64_t> counted;
};

// Runs a read-only SELECT planned with these parameter values (a custom
// plan, parallel workers allowed, as SPI_execute_with_args plans; the plan
// kept for these very values when they came before, pg/value_plans.hpp),
// the last parameter's value and the node to count coming from `decide`.
// Needs an SPI connection; the row lives until spi::finish().
PlannedResult run_planned(const std::string& sql, const std::vector<spi::TextParam>& params,
                          const PlanDecision& decide);

// In a plan of the shape "[Aggregate ->] Limit -> Sort -> X", X: the input
// the sort reads to its end before the LIMIT takes the first rows, so that
// counting X's rows counts every row the query matches before it is cut to
// a page.  nullptr for any other shape (an index read in order and stopped
// at the limit, an incremental sort, a parallel sort under a Gather Merge).
const Plan* sorted_input(const PlannedStmt* plan);

// The planner's estimate of the rows that the uncorrelated sub-select giving
// the last column of the plan's result reads at its top, for
// "(SELECT count(*) FROM ...)" the rows it would count; nullopt when the
// plan has no such sub-select.  The sub-select's plan may be parallel:
// the rows of a partial plan are per process, and are scaled back to the
// whole as the planner divided them.
std::optional<double> last_column_input_rows(const PlannedStmt* plan);

}  // namespace opendata::pg
