// Pieces shared by compile_records() and compile_facets().
#pragma once

#include <string>

#include "core/odsql/compiler.hpp"
#include "core/odsql/params.hpp"
#include "core/odsql/schema.hpp"
#include "core/odsql/translator.hpp"

namespace opendata::odsql {

// Most refine + exclude items, and most facet fields, in one request.
inline constexpr std::size_t kMaxFacetItems = 100;

// Checks relation, limit, offset and time zone (22023), then starts the
// parameter list with the time zone as $1.
void start_request(const Request& req, Params& params);

// The WHERE body combining where, refine and exclude; "" when none.
std::string build_filter(const Schema& schema, Params& params, const Request& req);

// The condition for one refine/exclude item "field:value".
std::string facet_condition(const Schema& schema, Params& params, const std::string& item,
                            const char* clause, std::string* field_name = nullptr,
                            std::string* value = nullptr);

// SQL turning a column of the given type into its JSON output form:
// GeoJSON for geometries, ISO 8601 with offset in the request's time zone
// for datetimes, the value itself otherwise.
std::string output_sql(Type type, const std::string& column);

}  // namespace opendata::odsql
