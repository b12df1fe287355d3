// opendata._api_view_select_list() and opendata._row_fingerprints_sql():
// the statements of publishing whose text depends on a dataset's fields,
// written by src/core/catalog/publish_sql.cpp for src/sql/33_publish.sql.
#include <string>
#include <vector>

#include "core/catalog/publish_sql.hpp"
#include "pg/args.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_api_view_select_list);
PG_FUNCTION_INFO_V1(opendata_row_fingerprints_sql);
}

using namespace opendata;

// _api_view_select_list(fields text[], reprojected text[], postgis_schema
// text) RETURNS text: NULL when there is no field.
Datum opendata_api_view_select_list(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kApiViewSelectList);
    const std::vector<std::string> fields = args.text_array("fields");
    if (fields.empty()) {
      fcinfo->isnull = true;
      return (Datum)0;
    }
    return pg::text_datum(catalog::api_view_select_list(fields, args.text_array("reprojected"),
                                                        args.text("postgis_schema")));
  });
}

// _row_fingerprints_sql(key_fields text[], relation text) RETURNS text
Datum opendata_row_fingerprints_sql(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kRowFingerprintsSql);
    const std::vector<std::string> key_fields = args.text_array("key_fields");
    if (key_fields.empty() || !args.given("relation"))
      throw UserError(sqlstate::kInvalidParameterValue, "key_fields and relation must be given");
    return pg::text_datum(catalog::row_fingerprints_sql(key_fields, args.text("relation")));
  });
}
