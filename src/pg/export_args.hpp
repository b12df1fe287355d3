// The arguments of the export functions, read by name (signatures.cpp):
// those of records() but `after`, read by odsql_request() as records()
// reads them, then the writer options; export_chunks and _export_file also
// take the format, second.
#pragma once

#include <string>

#include "core/odsql/compiler.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/keyset.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace opendata::pg {

struct ExportArgs {
  std::string dataset;
  std::string options;  // JSON text, "" for the defaults
};

inline ExportArgs export_args(const Args& args) {
  if (!args.given("dataset")) throw UserError(sqlstate::kInvalidParameterValue, "dataset must be given");
  ExportArgs a;
  a.dataset = args.text("dataset");
  if (args.given("options")) {
    Datum d = args.datum("options");
    // Over GET, PostgREST passes every argument as a JSON string, so the
    // options object arrives as a jsonb string holding its JSON text: the
    // string's content is the options.
    JsonbValue inner;
    Jsonb* jb = reinterpret_cast<Jsonb*>(call([d] { return PG_DETOAST_DATUM(d); }));
    if (JB_ROOT_IS_SCALAR(jb) && JsonbExtractScalar(&jb->root, &inner) && inner.type == jbvString) {
      a.options.assign(inner.val.string.val, inner.val.string.len);
    } else {
      const char* text = call([d] { return DatumGetCString(DirectFunctionCall1(jsonb_out, d)); });
      a.options = text;
    }
  }
  return a;
}

// The ODSQL request of an export: as records(), but no page limit unless
// `rows` is given.
inline odsql::Request export_request(const Args& args, const PublishedDataset& ds) {
  odsql::Request req = odsql_request(args, ds, -1);
  // -1, as null, is no limit (docs/export.md).
  if (req.limit < -1)
    throw UserError(sqlstate::kInvalidParameterValue, "rows must be zero or more, or -1 for no limit, not " +
                                 std::to_string(req.limit));
  if (req.offset < 0)
    throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(req.offset));
  // The rows come in the order records() gives them: the query's order,
  // completed by the dataset's key.
  add_key(ds, req);
  return req;
}

}  // namespace opendata::pg
