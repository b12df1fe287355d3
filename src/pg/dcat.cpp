// opendata._dcat_serialise() and opendata._schema_org(): the catalog
// document that SQL builds (src/sql/61_dcat.sql) serialised by the pure C++
// core (src/core/catalog) as JSON-LD, Turtle or RDF/XML, or as schema.org.
#include <string>

#include <nlohmann/json.hpp>

#include "core/catalog/dcat.hpp"
#include "core/error.hpp"
#include "pg/args.hpp"
#include "pg/guard.hpp"
#include "pg/text.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_dcat_serialise);
PG_FUNCTION_INFO_V1(opendata_schema_org);
}

using namespace opendata;

// _dcat_serialise(document json, format text) RETURNS text, STRICT.
Datum opendata_dcat_serialise(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kDcatSerialise);
    std::string format = args.text("format");
    std::optional<catalog::RdfFormat> f = catalog::parse_format(format);
    if (!f)
      throw UserError(sqlstate::kInvalidParameterValue, "unknown catalog format \"" + format + "\"",
                      "", "Formats: jsonld, turtle, rdfxml.");
    std::string out = catalog::serialise_catalog(pg::text_view(args.datum("document")), *f);
    return pg::text_datum(out);
  });
}

// _schema_org(dataset json) RETURNS text, STRICT.
Datum opendata_schema_org(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kSchemaOrg);
    std::string out = catalog::schema_org_dataset(pg::text_view(args.datum("dataset")));
    return pg::text_datum(out);
  });
}
