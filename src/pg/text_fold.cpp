#include "pg/text_fold.hpp"

#include "pg/extension_schema.hpp"
#include "pg/text.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace opendata::pg {
namespace {

// unaccent(regdictionary, text) and the `unaccent` dictionary, both in the
// unaccent extension's schema (which opendata requires), resolved once per
// backend and checked still there at every use: an extension dropped and
// created again (with opendata) gets new objects.  Plain C data.
struct Unaccent {
  Oid function;
  Oid dictionary;
  FmgrInfo call;
};
Unaccent g_unaccent = {InvalidOid, InvalidOid, {}};

// The schema of the unaccent extension.  PostgreSQL code only: errors
// jump out.
Oid unaccent_schema() {
  Oid schema = extension_schema("unaccent");
  if (!OidIsValid(schema))
    ereport(ERROR,
            (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("extension \"unaccent\" is not installed"),
             errhint("opendata requires it: CREATE EXTENSION unaccent.")));
  return schema;
}

// PostgreSQL code only.
void resolve_unaccent() {
  if (OidIsValid(g_unaccent.function) &&
      SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(g_unaccent.function)) &&
      SearchSysCacheExists1(TSDICTOID, ObjectIdGetDatum(g_unaccent.dictionary)))
    return;
  g_unaccent.function = InvalidOid;
  char* schema = get_namespace_name(unaccent_schema());
  List* dictionary = list_make2(makeString(schema), makeString(pstrdup("unaccent")));
  Oid dictionary_oid = get_ts_dict_oid(dictionary, false);
  List* function = list_make2(makeString(schema), makeString(pstrdup("unaccent")));
  const Oid argtypes[2] = {REGDICTIONARYOID, TEXTOID};
  Oid function_oid = LookupFuncName(function, 2, argtypes, false);
  fmgr_info_cxt(function_oid, &g_unaccent.call, TopMemoryContext);
  g_unaccent.dictionary = dictionary_oid;
  g_unaccent.function = function_oid;
}

}  // namespace

std::string folded_text(const std::string& text) {
  Datum in = text_datum(text);
  // unaccent() is executable by PUBLIC, as opendata._odsql_fold() calls it
  // for the rows: no privilege check here either.
  Datum out = call([in] {
    resolve_unaccent();
    Datum unaccented = FunctionCall2Coll(&g_unaccent.call, DEFAULT_COLLATION_OID,
                                         ObjectIdGetDatum(g_unaccent.dictionary), in);
    return DirectFunctionCall1Coll(lower, DEFAULT_COLLATION_OID, unaccented);
  });
  return text_string(out);
}

}  // namespace opendata::pg
