// Input and output of opendata_api.facet_items, the type of the refine and
// exclude arguments (src/sql/41_facet_items.sql).  Its value is a text[]
// (the casts to and from text[] return the same datum), so every function reads it as
// one; only the input differs: the three spellings an app sends, parsed by
// src/core/odsql/facet_items.hpp.
#include <string>
#include <vector>

#include "core/odsql/facet_items.hpp"
#include "pg/guard.hpp"
#include "pg/text.hpp"
#include "pg/text_array.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(opendata_facet_items_in);
PG_FUNCTION_INFO_V1(opendata_facet_items_out);
PG_FUNCTION_INFO_V1(opendata_facet_items_same);
}

using namespace opendata;

// _facet_items_in(cstring) RETURNS opendata_api.facet_items
Datum opendata_facet_items_in(PG_FUNCTION_ARGS) {
  const char* input = PG_GETARG_CSTRING(0);
  return pg::boundary([&]() -> Datum {
    return pg::text_array_datum(odsql::parse_facet_items(input));
  });
}

// _facet_items_out(opendata_api.facet_items) RETURNS cstring: written as the
// text[] it is, which the input reads back.
Datum opendata_facet_items_out(PG_FUNCTION_ARGS) {
  Oid output;
  bool varlena;
  getTypeOutputInfo(TEXTARRAYOID, &output, &varlena);
  PG_RETURN_CSTRING(OidOutputFunctionCall(output, PG_GETARG_DATUM(0)));
}

// The casts between text[] and opendata_api.facet_items: the same datum.
// (PostgreSQL allows no WITHOUT FUNCTION cast to or from an array type.)
Datum opendata_facet_items_same(PG_FUNCTION_ARGS) { PG_RETURN_DATUM(PG_GETARG_DATUM(0)); }
