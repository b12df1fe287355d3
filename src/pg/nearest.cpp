// opendata._nearest_candidates(lon, lat, source, geometry_column, k, max_distance_m):
// the nearest crossing of two point datasets, without one GiST descent per
// left row.
//
// The first call of a statement reads every point of the right side (a
// table or materialized view) into an in-memory index of unit vectors
// (src/core/geo/sphere_index); each call then returns, as tid[], the rows
// that may be the k nearest to (lon, lat) on the ground.  The SQL that
// opendata._cross_select() writes around it fetches those rows by ctid,
// measures them with ST_Distance(geography) and keeps the k nearest: the
// answer is the exact one on the WGS 84 ellipsoid, as PostGIS measures it.
//
// The index lives in the function's flinfo (fn_extra), so it lasts one
// execution of one statement, under that statement's snapshot: the rows
// and ctids it holds are the ones the surrounding join sees.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/cross/options.hpp"
#include "core/geo/sphere_index.hpp"
#include "pg/args.hpp"
#include "pg/call_site_object.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "storage/itemptr.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(opendata_nearest_candidates);
}

namespace opendata::pg {
namespace {

// Which snapshot a call runs under.  Within one statement it never
// changes; a flinfo that outlives statements (a PL/pgSQL simple expression
// keeps its state for the transaction) sees a new one after each command,
// and must not answer from rows read before it.
struct SnapshotIdentity {
  TransactionId xmin = InvalidTransactionId;
  TransactionId xmax = InvalidTransactionId;
  CommandId curcid = InvalidCommandId;
  bool operator==(const SnapshotIdentity& o) const {
    return xmin == o.xmin && xmax == o.xmax && curcid == o.curcid;
  }
};

SnapshotIdentity current_snapshot() {
  SnapshotIdentity id;
  if (ActiveSnapshotSet()) {
    Snapshot s = GetActiveSnapshot();
    id.xmin = s->xmin;
    id.xmax = s->xmax;
    id.curcid = s->curcid;
  }
  return id;
}

// The right side of one crossing, indexed.
struct RightPoints {
  Oid relid = InvalidOid;
  std::string column;
  SnapshotIdentity seen;              // the snapshot the points were read under
  std::vector<ItemPointerData> tids;  // by point id
  std::unique_ptr<geo::SphereIndex> index;
};

std::string qualified_relation(Oid relid) {
  char* name = call([relid]() -> char* {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple))
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                      errmsg("relation with OID %u does not exist", relid)));
    Form_pg_class form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    char kind = form->relkind;
    bool has_children = form->relhassubclass;
    ReleaseSysCache(tuple);
    // The crossing fetches rows back by ctid: a ctid names one row of a
    // table or materialized view, not of a view, and not across the
    // children of an inheritance tree or the partitions of a table.
    if ((kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) || has_children)
      ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                      errmsg("\"%s\" is not a table or materialized view without children",
                             get_rel_name(relid))));
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
                                      get_rel_name(relid));
  });
  return name;
}

std::string postgis_schema() {
  spi::execute(
      "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
      " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'",
      true);
  std::optional<std::string> schema = spi::value(0, 1);
  if (!schema) throw UserError(sqlstate::kObjectNotInPrerequisiteState, "PostGIS is not installed");
  return *schema;
}

// Reads the right side's points in longitude/latitude, batch by batch
// through a cursor (the SPI tuple table stays small whatever the size).
std::unique_ptr<RightPoints> load_right_points(Oid relid, const std::string& column) {
  auto right = std::make_unique<RightPoints>();
  right->relid = relid;
  right->column = column;
  spi::connect();
  const std::string rel = qualified_relation(relid);
  const std::string p = postgis_schema();
  const char* col_c = column.c_str();
  const std::string col = call([col_c] { return quote_identifier(col_c); });
  // Names are qualified: this text is parsed under the caller's search_path
  // (the function has no SET clause, which would cost a GUC change per row).
  const std::string sql = "SELECT r.ctid, " + p + ".st_x(g.g), " + p + ".st_y(g.g) FROM ONLY " +
                          rel + " r CROSS JOIN LATERAL (SELECT CASE " + p + ".st_srid(r." + col +
                          ") WHEN 4326 THEN r." + col + " WHEN 0 THEN " + p + ".st_setsrid(r." +
                          col + ", 4326) ELSE " + p + ".st_transform(r." + col +
                          ", 4326) END AS g) g WHERE r." + col + " IS NOT NULL AND NOT " + p +
                          ".st_isempty(r." + col + ")";
  const char* query = sql.c_str();
  Portal portal = call([query] {
    return SPI_cursor_open_with_args(nullptr, query, 0, nullptr, nullptr, nullptr, true, 0);
  });
  std::vector<geo::LonLat> points;
  for (;;) {
    call([portal] { SPI_cursor_fetch(portal, true, 10000); });
    const uint64 n = SPI_processed;
    if (n == 0) break;
    for (uint64 i = 0; i < n; i++) {
      const spi::Row row = spi::result_row(i);
      bool null_tid = false;
      bool null_x = false;
      bool null_y = false;
      Datum tid = spi::binary_value(row, 1, &null_tid);
      Datum x = spi::binary_value(row, 2, &null_x);
      Datum y = spi::binary_value(row, 3, &null_y);
      if (null_tid || null_x || null_y) continue;
      const double lon = DatumGetFloat8(x);
      const double lat = DatumGetFloat8(y);
      if (!std::isfinite(lon) || !std::isfinite(lat)) continue;
      right->tids.push_back(*reinterpret_cast<ItemPointer>(DatumGetPointer(tid)));
      points.push_back({lon, lat});
    }
    call([] { SPI_freetuptable(SPI_tuptable); });
    check_for_interrupts();
  }
  call([portal] { SPI_cursor_close(portal); });
  spi::finish();
  right->index = std::make_unique<geo::SphereIndex>(points);
  return right;
}

RightPoints& right_points(FunctionCallInfo fcinfo, Oid relid, const std::string& column) {
  CallSiteObject<RightPoints>& site = CallSiteObject<RightPoints>::of(fcinfo);
  const SnapshotIdentity snapshot = current_snapshot();
  const RightPoints* kept = site.get();
  if (kept != nullptr && kept->relid == relid && kept->column == column && kept->seen == snapshot)
    return *site.get();
  // Another relation at the same call site (a new argument value), or a
  // new snapshot: drop the old index now rather than when the context goes.
  site.reset(nullptr);
  std::unique_ptr<RightPoints> loaded = load_right_points(relid, column);
  loaded->seen = snapshot;
  site.reset(loaded.release());
  return *site.get();
}

Datum tid_array(const RightPoints& right, const std::vector<std::uint32_t>& ids) {
  std::vector<Datum> elems;
  elems.reserve(ids.size());
  for (std::uint32_t id : ids) elems.push_back(PointerGetDatum(&right.tids[id]));
  Datum* data = elems.data();
  int n = static_cast<int>(elems.size());
  return call([data, n] {
    return PointerGetDatum(
        construct_array(data, n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT));
  });
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// _nearest_candidates(lon, lat, source regclass, geometry_column name, k int,
//                     max_distance_m float8) RETURNS tid[]
Datum opendata_nearest_candidates(PG_FUNCTION_ARGS) {
  // A left row without a point has no nearest row.
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kNearestCandidates);
    if (!args.given("lon") || !args.given("lat")) {
      fcinfo->isnull = true;
      return (Datum)0;
    }
    if (!args.given("source") || !args.given("geometry_column") || !args.given("k"))
      throw UserError(sqlstate::kInvalidParameterValue,
                      "source, geometry_column and k must be given");
    const double lon = DatumGetFloat8(args.datum("lon"));
    const double lat = DatumGetFloat8(args.datum("lat"));
    if (!std::isfinite(lon) || !std::isfinite(lat))
      throw UserError(sqlstate::kInvalidParameterValue,
                      "longitude and latitude must be finite numbers");
    const int k = static_cast<int>(args.int32_or("k", 0));
    if (k < 1 || k > cross::kMaxK)  // the crossing compiler's limit
      throw UserError(
          sqlstate::kInvalidParameterValue,
          "k must be from 1 to " + std::to_string(cross::kMaxK) + ", not " + std::to_string(k));
    double max_m = -1;
    if (args.given("max_distance_m")) {
      max_m = DatumGetFloat8(args.datum("max_distance_m"));
      if (!(max_m > 0))
        throw UserError(sqlstate::kInvalidParameterValue, "max_distance_m must be greater than 0");
    }
    const Oid relid = DatumGetObjectId(args.datum("source"));
    const std::string column = NameStr(*DatumGetName(args.datum("geometry_column")));
    pg::RightPoints& right = pg::right_points(fcinfo, relid, column);
    return pg::tid_array(right, right.index->nearest_candidates({lon, lat}, k, max_m));
  });
}
