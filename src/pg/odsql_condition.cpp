// opendata._odsql_condition(dataset, parameter, "where"): a dataset's ODSQL
// filter as an SQL condition on its columns, its values written as typed
// literals.  opendata.cross() filters the sides of a derived dataset with
// it (options left_where and right_where): the query of a materialized view
// holds no parameters, and refresh() compiles the stored filter again, so
// no SQL text is ever stored.
//
// The dataset's visible fields come from the field dictionary, drafts
// included (cross() crosses the datasets its caller manages); the caller,
// a definer of the extension, has checked that the caller may use it.
#include <string>
#include <vector>

#include "core/odsql/filtered_rows.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"

extern "C" {
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(opendata_odsql_condition);
}

namespace opendata::pg {
namespace {

constexpr const char* kVisibleFields = R"sql(
SELECT f.name::text, f.type
  FROM opendata.datasets d JOIN opendata.fields f ON f.dataset_id = d.id
 WHERE d.slug = $1 AND NOT f.hidden
 ORDER BY f.position)sql";

std::vector<odsql::FieldInfo> visible_fields(const std::string& slug) {
  const uint64 n = spi::execute_text_params(kVisibleFields, {{TEXTOID, slug}}, true);
  if (n == 0) throw UserError(sqlstate::kUndefinedTable, "dataset \"" + slug + "\" does not exist");
  std::vector<odsql::FieldInfo> fields;
  for (uint64 row = 0; row < n; row++)
    fields.push_back({*spi::value(row, 1), field_type(*spi::value(row, 2)), false});
  return fields;
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// _odsql_condition(dataset text, parameter text, "where" text) RETURNS text:
// NULL for an empty filter.  `parameter` names the option in errors.
Datum opendata_odsql_condition(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kOdsqlCondition);
    if (!args.given("where")) {
      fcinfo->isnull = true;
      return (Datum)0;
    }
    const std::string slug = args.text("dataset");
    const std::string parameter = args.text("parameter");
    odsql::Request req;
    req.relation = "source";  // not used: only the condition is compiled
    req.limit = -1;
    req.where = args.text("where");
    req.where_parameter = parameter.c_str();
    pg::spi::connect();
    const std::vector<odsql::FieldInfo> fields = pg::visible_fields(slug);
    pg::spi::finish();
    // Values written as typed literals: "'value'::type".
    odsql::Params literals(odsql::Params::Mode::kInlined);
    const std::string sql = odsql::compile_condition(fields, req, literals);
    if (sql.empty()) {
      fcinfo->isnull = true;
      return (Datum)0;
    }
    return pg::text_datum(sql);
  });
}
