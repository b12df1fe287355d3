// The argument names of the SQL-callable C functions, in pg_proc order.
//
// A C function reads its arguments by name through pg::Args (args.hpp),
// never by a position of its own: the names here are the one place that
// knows positions.  sql/argument_tables.sql compares every table with
// pg_proc.proargnames of the functions declared with that C symbol, so a
// SQL signature that drifts from its C reader fails `make test`.
#pragma once

#include <cstddef>

namespace opendata::pg {

struct Signature {
  const char* symbol;        // the C function, pg_proc.prosrc
  const char* const* names;  // proargnames, input arguments only
  int count;
};

namespace signature {
extern const Signature kRecords;
extern const Signature kFacets;
extern const Signature kExplainOdsql;
extern const Signature kExportCsv;
extern const Signature kExportJson;
extern const Signature kExportJsonl;
extern const Signature kExportGeoJson;
extern const Signature kExportParquet;
extern const Signature kExportFile;
extern const Signature kExportChunks;
extern const Signature kImportCsv;
extern const Signature kImportGeoJson;
extern const Signature kImportCsvFile;
extern const Signature kImportGeoJsonFile;
extern const Signature kSniffCsv;
extern const Signature kDcatSerialise;
extern const Signature kSchemaOrg;
extern const Signature kQueryAs;
extern const Signature kExecAs;
extern const Signature kCountCall;
extern const Signature kHllUnion;
extern const Signature kHllEstimate;
extern const Signature kQuotaTake;
extern const Signature kConstantTimeEqual;
extern const Signature kTile;
extern const Signature kClusterZoomSql;
extern const Signature kClusterTilesSql;
extern const Signature kBuildClusterGridAfterCommit;
extern const Signature kNearestCandidates;
extern const Signature kCross;
extern const Signature kNear;
extern const Signature kCrossSelect;
extern const Signature kCrossSide;
extern const Signature kOdsqlField;
extern const Signature kApiViewSelectList;
extern const Signature kRowFingerprintsSql;
extern const Signature kSearch;
extern const Signature kSearchScore;
extern const Signature kExpandM;
}  // namespace signature

// Every table above, for opendata._argument_tables().
const Signature* const* all_signatures(std::size_t* count);

}  // namespace opendata::pg
