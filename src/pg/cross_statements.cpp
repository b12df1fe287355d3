// opendata._cross_select(): the statements of a derived dataset, for
// opendata.cross() and opendata.refresh(), from the crossing compiler
// (src/core/cross).  The sides are relation texts (the source, or the
// source filtered by _cross_side() with its values inlined: a materialized
// view's query holds no parameters).  The catalog questions are asked
// here: whether the in-memory index of _nearest_candidates() can serve a
// nearest crossing, how contains' report tells the right side's rows apart
// (a ctid, a unique field), and which of its columns have a type without
// ordering (for the order of ties).
#include <string>
#include <vector>

#include "core/cross/compiler.hpp"
#include "core/odsql/literals.hpp"
#include "pg/args.hpp"
#include "pg/sort_order.hpp"
#include "pg/spi.hpp"
#include "pg/text_array.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "funcapi.h"

PG_FUNCTION_INFO_V1(opendata_cross_select);
}

namespace opendata::pg {
namespace {

// Both sides are point tables (not views, not filtered) and the right one
// is small enough for the index: the right relation, as regclass text.
constexpr const char* kNearestIndexRelation = R"sql(
SELECT r::text
  FROM (SELECT opendata._point_relation($3, $4) AS r) p
 WHERE r IS NOT NULL AND opendata._point_relation($1, $2) IS NOT NULL
   AND opendata._nearest_index_fits(r))sql";

std::string nearest_index_relation(const cross::Request& req) {
  spi::connect();
  const uint64 n = spi::execute_text_params(kNearestIndexRelation,
                           {{TEXTOID, req.left.from},
                            {TEXTOID, req.left.geometry},
                            {TEXTOID, req.right.from},
                            {TEXTOID, req.right.geometry}},
                           true);
  std::string relation = n > 0 ? spi::value(0, 1).value_or("") : "";
  spi::finish();
  return relation;
}

// How contains' report may tell the right side's rows apart: by b.ctid
// when the side is read straight from a table without children or a
// materialized view (each row has one ctid); by a field when one of the
// side's fields is the only column of a unique index, NOT NULL, that
// every row is in (not partial, not deferrable), on such a relation or a
// partitioned table.  An int field is preferred: its values sort by value.
// No row for a subquery (a filtered side): neither.
constexpr const char* kRowIdentity = R"sql(
SELECT c.relkind IN ('r', 'm') AND NOT c.relhassubclass,
       (SELECT a.attname::text
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indisvalid
           AND i.indnkeyatts = 1 AND i.indexprs IS NULL AND i.indpred IS NULL
           AND a.attnotnull AND a.attname::text = ANY ($2::text[])
           AND (c.relkind IN ('r', 'm') AND NOT c.relhassubclass OR c.relkind = 'p')
         ORDER BY t.typbyval DESC, i.indisprimary DESC, a.attnum LIMIT 1)
  FROM pg_catalog.pg_class c
 WHERE c.oid = CASE WHEN left($1, 1) = '(' THEN NULL ELSE pg_catalog.to_regclass($1) END)sql";

void add_row_identity(cross::Side& side) {
  spi::connect();
  if (spi::execute_text_params(
          kRowIdentity,
          {{TEXTOID, side.from}, {TEXTARRAYOID, odsql::text_array_literal(side.fields)}},
          true) > 0) {
    side.rows_have_ctid = spi::value(0, 1).value_or("f") == "t";
    side.unique_field = spi::value(0, 2).value_or("");
  }
  spi::finish();
}

// The right side's order of ties (nearest, enrich): its key as given, and
// its fields whose type has no ordering.
void add_tie_order(const Args& args, cross::Side& right) {
  right.key = args.text_array("r_key");
  spi::connect();
  right.unordered_fields = fields_without_order(right.from, right.fields);
  spi::finish();
}

// A side's four arguments, named `prefix` + from, fields, geom, srid.
cross::Side side_args(const Args& args, const std::string& prefix) {
  cross::Side side;
  side.from = args.text((prefix + "from").c_str());
  side.fields = args.text_array((prefix + "fields").c_str());
  side.geometry = args.text((prefix + "geom").c_str());
  side.srid = static_cast<int>(args.int32_or((prefix + "srid").c_str(), 0));
  return side;
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// _cross_select(l_from, l_fields, l_geom, l_srid, r_from, r_fields, r_geom,
//   r_srid, r_key, predicate, options, OUT select_sql, OUT report_sql,
//   OUT left_fields, OUT right_fields)
Datum opendata_cross_select(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kCrossSelect);
    cross::Request req;
    req.left = pg::side_args(args, "l_");
    req.right = pg::side_args(args, "r_");
    req.predicate = args.text("predicate");
    req.options_json = args.jsonb_text("options");
    req.max_k = cross::kMaxK;
    if (req.predicate == "nearest" && !req.left.geometry.empty() && !req.right.geometry.empty())
      req.nearest_index_relation = pg::nearest_index_relation(req);
    if (req.predicate == "contains") pg::add_row_identity(req.right);
    if (req.predicate == "nearest" || req.predicate == "enrich") pg::add_tie_order(args, req.right);
    const cross::Statements out = cross::compile(req);
    Datum values[4] = {pg::text_datum(out.select_sql),
                       out.report_sql.empty() ? Datum(0) : pg::text_datum(out.report_sql),
                       pg::text_array_datum(out.left_fields),
                       pg::text_array_datum(out.right_fields)};
    bool nulls[4] = {false, out.report_sql.empty(), false, false};
    return pg::call([&] {
      TupleDesc desc;
      if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "opendata: _cross_select() was declared without its OUT arguments");
      return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
    });
  });
}
