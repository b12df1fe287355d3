// opendata._odsql_field(name): a field name as ODSQL writes it, for the SQL
// that builds ODSQL clauses (the OGC API's items filters).  The spelling is
// the core's (src/core/backquote.hpp), the one the ODSQL lexer reads back,
// so a field whose name holds a back-quote cannot end the clause early.
#include "core/backquote.hpp"
#include "pg/args.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_odsql_field);
}

using namespace opendata;

Datum opendata_odsql_field(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kOdsqlField);
    return pg::text_datum(backquote(args.text("name")));
  });
}
