// opendata._cross_side(ds, options, option): a side of a derived dataset
// as the relation text opendata._cross_select() takes: the dataset's
// source, or the source filtered by the ODSQL where clause of the option
// `option` (left_where, right_where).  opendata.cross() and refresh() call
// it; refresh() compiles the stored ODSQL again, so no SQL text is ever
// stored.  The filter's values are written as typed literals: the query of
// a materialized view holds no parameters.
//
// The dataset's visible fields come from the field dictionary, drafts
// included (cross() crosses the datasets its caller manages); the caller,
// a definer of the extension, has checked that the caller may use it.
#include <optional>
#include <string>
#include <vector>

#include "core/cross/side.hpp"
#include "core/odsql/filtered_rows.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/internal_call.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(opendata_cross_side);
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

// A dataset's ODSQL filter as an SQL condition on its columns, values
// inlined; "" for an empty filter.  `option` names the option in errors.
std::string odsql_condition(const std::string& slug, const std::string& option,
                            const std::string& where) {
  odsql::Request req;
  req.relation = "source";  // not used: only the condition is compiled
  req.limit = -1;
  req.where = where;
  req.where_parameter = option.c_str();
  spi::connect();
  const std::vector<odsql::FieldInfo> fields = visible_fields(slug);
  spi::finish();
  // Values written as typed literals: "'value'::type".
  odsql::Params literals(odsql::Params::Mode::kInlined);
  return odsql::compile_condition(fields, req, literals);
}

// The field `name` of an opendata.datasets row, as text.
std::string dataset_field(Datum row, const char* name) {
  bool isnull = false;
  const Datum value = call([row, name, &isnull] {
    return GetAttributeByName(DatumGetHeapTupleHeader(row), name, &isnull);
  });
  if (isnull)
    throw UserError(sqlstate::kInvalidParameterValue, std::string("the dataset has no ") + name);
  return text_string(value);
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// _cross_side(ds opendata.datasets, options jsonb, option text) RETURNS text
Datum opendata_cross_side(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kCrossSide);
    if (!args.given("ds") || !args.given("option"))
      throw UserError(sqlstate::kInvalidParameterValue, "ds and option must be given");
    const Datum ds = args.datum("ds");
    bool isnull = false;
    const Oid source = pg::call([ds, &isnull] {
      return DatumGetObjectId(GetAttributeByName(DatumGetHeapTupleHeader(ds), "source", &isnull));
    });
    if (isnull) throw UserError(sqlstate::kInvalidParameterValue, "the dataset has no source");
    const std::optional<std::string> relation =
        pg::call_internal("opendata._qualified(regclass)", {std::to_string(source)});
    if (!relation)
      throw UserError(sqlstate::kUndefinedTable, "the source of the dataset no longer exists");
    const std::string option = args.text("option");
    const std::optional<std::string> where = cross::side_filter(args.jsonb_text("options"), option);
    const std::string condition =
        where ? pg::odsql_condition(pg::dataset_field(ds, "slug"), option, *where) : "";
    return pg::text_datum(cross::filtered_relation(*relation, condition));
  });
}
