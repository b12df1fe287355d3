// The argument tables of signatures.hpp, and opendata._argument_tables(),
// which returns them as rows for sql/argument_tables.sql.
#include "pg/signatures.hpp"

#include <iterator>

#include "pg/guard.hpp"
#include "pg/text.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(opendata_argument_tables);
}

namespace opendata::pg {
namespace {

template <std::size_t N>
constexpr Signature table(const char* symbol, const char* const (&names)[N]) {
  return Signature{symbol, names, static_cast<int>(N)};
}

// records(), explain_odsql() and the exports share their first arguments,
// the ODSQL request (dataset_query.hpp, odsql_request()).
constexpr const char* kRecordsNames[] = {"dataset",  "fields", "where",    "group_by",
                                         "order_by", "rows",   "start",    "refine",
                                         "exclude",  "lang",   "timezone", "after"};
constexpr const char* kExplainNames[] = {"dataset",  "fields", "where",  "group_by", "order_by",
                                         "rows",     "start",  "refine", "exclude",  "lang",
                                         "timezone", "after",  "plan"};
constexpr const char* kFacetsNames[] = {"dataset", "facet", "where",   "refine",
                                        "exclude", "lang",  "timezone"};
constexpr const char* kExportNames[] = {"dataset",  "fields", "where",    "group_by",
                                        "order_by", "rows",   "start",    "refine",
                                        "exclude",  "lang",   "timezone", "options"};
constexpr const char* kExportWithFormatNames[] = {
    "dataset", "format", "fields",  "where", "group_by", "order_by", "rows",
    "start",   "refine", "exclude", "lang",  "timezone", "options"};
constexpr const char* kImportNames[] = {"slug", "data", "options"};
constexpr const char* kImportFileNames[] = {"slug", "path", "options"};
constexpr const char* kSniffNames[] = {"data", "options"};
constexpr const char* kDcatSerialiseNames[] = {"document", "format"};
constexpr const char* kSchemaOrgNames[] = {"dataset"};
constexpr const char* kAsRoleNames[] = {"role", "sql"};
constexpr const char* kCountCallNames[] = {"endpoint", "dataset", "rows", "bytes"};
constexpr const char* kTwoBytesNames[] = {"a", "b"};
constexpr const char* kSketchNames[] = {"sketch"};
constexpr const char* kQuotaTakeNames[] = {"identity", "per_minute", "per_day"};
constexpr const char* kTileNames[] = {"dataset", "z", "x", "y", "where", "fields"};
constexpr const char* kClusterZoomNames[] = {"dataset", "geometry"};
constexpr const char* kClusterTilesNames[] = {"dataset", "geometry", "max_zoom"};
constexpr const char* kDatasetIdNames[] = {"dataset_id"};
constexpr const char* kNearestCandidatesNames[] = {"lon", "lat", "source", "geometry_column", "k",
                                                   "max_distance_m"};
constexpr const char* kCrossNames[] = {"left",        "right", "predicate", "distance_m",
                                       "k",           "where", "right_where", "rows",
                                       "start",       "fields", "order_by"};
constexpr const char* kNearNames[] = {"dataset", "lon",   "lat",    "distance_m", "where",
                                      "rows",    "start", "fields", "order_by"};
// _cross_select(): the two sides (l_*, r_*: cross_statements.cpp reads
// them by prefix; the right one with its key), then the predicate and its
// options.
constexpr const char* kCrossSelectNames[] = {"l_from", "l_fields",  "l_geom", "l_srid",
                                             "r_from", "r_fields",  "r_geom", "r_srid",
                                             "r_key",  "predicate", "options"};
constexpr const char* kCrossSideNames[] = {"ds", "options", "option"};
constexpr const char* kOdsqlFieldNames[] = {"name"};
constexpr const char* kApiViewSelectListNames[] = {"fields", "reprojected", "postgis_schema"};
constexpr const char* kRowFingerprintsSqlNames[] = {"key_fields", "relation"};
constexpr const char* kSearchNames[] = {"q",        "refine", "exclude", "facet",
                                        "order_by", "rows",   "start",   "lang"};
constexpr const char* kSearchScoreNames[] = {"document", "title", "query"};
constexpr const char* kExpandMNames[] = {"g", "d"};

}  // namespace

namespace signature {
const Signature kRecords = table("opendata_records", kRecordsNames);
const Signature kFacets = table("opendata_facets", kFacetsNames);
const Signature kExplainOdsql = table("opendata_explain_odsql", kExplainNames);
const Signature kExportCsv = table("opendata_export_csv", kExportNames);
const Signature kExportJson = table("opendata_export_json", kExportNames);
const Signature kExportJsonl = table("opendata_export_jsonl", kExportNames);
const Signature kExportGeoJson = table("opendata_export_geojson", kExportNames);
const Signature kExportParquet = table("opendata_export_parquet", kExportNames);
const Signature kExportFile = table("opendata_export_file", kExportWithFormatNames);
const Signature kExportChunks = table("opendata_export_chunks", kExportWithFormatNames);
const Signature kImportCsv = table("opendata_import_csv", kImportNames);
const Signature kImportGeoJson = table("opendata_import_geojson", kImportNames);
const Signature kImportCsvFile = table("opendata_import_csv_file", kImportFileNames);
const Signature kImportGeoJsonFile = table("opendata_import_geojson_file", kImportFileNames);
const Signature kSniffCsv = table("opendata_sniff_csv", kSniffNames);
const Signature kDcatSerialise = table("opendata_dcat_serialise", kDcatSerialiseNames);
const Signature kSchemaOrg = table("opendata_schema_org", kSchemaOrgNames);
const Signature kQueryAs = table("opendata_query_as", kAsRoleNames);
const Signature kExecAs = table("opendata_exec_as", kAsRoleNames);
const Signature kCountCall = table("opendata_count_call", kCountCallNames);
const Signature kHllUnion = table("opendata_hll_union", kTwoBytesNames);
const Signature kHllEstimate = table("opendata_hll_estimate", kSketchNames);
const Signature kQuotaTake = table("opendata_quota_take", kQuotaTakeNames);
const Signature kConstantTimeEqual = table("opendata_constant_time_equal", kTwoBytesNames);
const Signature kTile = table("opendata_tile", kTileNames);
const Signature kClusterZoomSql = table("opendata_cluster_zoom_sql", kClusterZoomNames);
const Signature kClusterTilesSql = table("opendata_cluster_tiles_sql", kClusterTilesNames);
const Signature kBuildClusterGridAfterCommit =
    table("opendata_build_cluster_grid_after_commit", kDatasetIdNames);
const Signature kNearestCandidates = table("opendata_nearest_candidates", kNearestCandidatesNames);
const Signature kCross = table("opendata_cross", kCrossNames);
const Signature kNear = table("opendata_near", kNearNames);
const Signature kCrossSelect = table("opendata_cross_select", kCrossSelectNames);
const Signature kCrossSide = table("opendata_cross_side", kCrossSideNames);
const Signature kOdsqlField = table("opendata_odsql_field", kOdsqlFieldNames);
const Signature kApiViewSelectList =
    table("opendata_api_view_select_list", kApiViewSelectListNames);
const Signature kRowFingerprintsSql =
    table("opendata_row_fingerprints_sql", kRowFingerprintsSqlNames);
const Signature kSearch = table("opendata_search", kSearchNames);
const Signature kSearchScore = table("opendata_search_score", kSearchScoreNames);
const Signature kExpandM = table("opendata_expand_m", kExpandMNames);
}  // namespace signature

const Signature* const* all_signatures(std::size_t* count) {
  using namespace signature;
  static const Signature* const all[] = {&kRecords,       &kFacets,
                                         &kExplainOdsql,  &kExportCsv,
                                         &kExportJson,    &kExportJsonl,
                                         &kExportGeoJson, &kExportParquet,
                                         &kExportFile,    &kExportChunks,
                                         &kImportCsv,     &kImportGeoJson,
                                         &kImportCsvFile, &kImportGeoJsonFile,
                                         &kSniffCsv,      &kDcatSerialise,
                                         &kSchemaOrg,     &kQueryAs,
                                         &kExecAs,        &kCountCall,
                                         &kHllUnion,      &kHllEstimate,
                                         &kQuotaTake,     &kConstantTimeEqual,
                                         &kTile,          &kClusterZoomSql,
                                         &kClusterTilesSql,
                                         &kBuildClusterGridAfterCommit,
                                         &kNearestCandidates, &kCross,
                                         &kNear,          &kCrossSelect,
                                         &kCrossSide,
                                         &kApiViewSelectList, &kRowFingerprintsSql,
                                         &kOdsqlField,       &kSearch,
                                         &kSearchScore,      &kExpandM};
  *count = std::size(all);
  return all;
}

}  // namespace opendata::pg

// _argument_tables() RETURNS TABLE(symbol text, "position" int, name text):
// one row per argument of every table, position 1-based as in pg_proc.
extern "C" Datum opendata_argument_tables(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&] {
    opendata::pg::call([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::size_t n = 0;
    const opendata::pg::Signature* const* all = opendata::pg::all_signatures(&n);
    for (std::size_t s = 0; s < n; s++) {
      for (int i = 0; i < all[s]->count; i++) {
        Datum values[3];
        bool nulls[3] = {false, false, false};
        values[0] = opendata::pg::text_datum(all[s]->symbol);
        values[1] = Int32GetDatum(i + 1);
        values[2] = opendata::pg::text_datum(all[s]->names[i]);
        opendata::pg::call(
            [&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
      }
    }
    return static_cast<Datum>(0);
  });
}
