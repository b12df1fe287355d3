// A dataset's rows kept by an ODSQL filter, as a statement to embed in a
// larger one (the sides of a crossing, the rows of a vector tile).  Its
// values go into a parameter list the caller may share between several
// clauses, so the embedding statement uses the numbers as they come.
#pragma once

#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "core/odsql/params.hpp"

namespace opendata::odsql {

struct FilteredRows {
  // SELECT of every field, written as records() writes it (datetimes as
  // ISO 8601 text in the request's time zone), FROM req.relation, filtered
  // by req.where, refine and exclude.
  std::string sql;
  std::vector<std::string> columns;  // the field names, in order
};

// Checks the request as records() does (start_request()), then compiles
// its filter; the time zone and the filter's values are added to `params`.
FilteredRows compile_filtered_rows(const std::vector<FieldInfo>& fields, const Request& req,
                                   Params& params);

// The filter alone: the WHERE body, "" when the request has none.
std::string compile_condition(const std::vector<FieldInfo>& fields, const Request& req,
                              Params& params);

}  // namespace opendata::odsql
