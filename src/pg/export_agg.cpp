// Media-type handlers for PostgREST (v12): aggregates over the rows of any
// relation that return a media-type domain, so that `GET /<dataset>` with
// `Accept: text/csv`, `application/geo+json` or `application/x-ndjson`
// is written by the same streaming writers as the export functions.
//
//   SELECT opendata_api.csv_agg(t) FROM opendata_api."arbres" t;
//
// The state is one C++ object (writer, converter, cells) owned by the
// aggregate's memory context: it is deleted by a reset callback of that
// context, whether the query ends, fails or is cancelled.  Each row is
// converted in a scratch context reset after the row.
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "core/export/options.hpp"
#include "core/export/writer.hpp"
#include "pg/export_cells.hpp"
#include "pg/guard.hpp"
#include "pg/text.hpp"

extern "C" {
#include "utils/lsyscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(opendata_csv_agg_transfn);
PG_FUNCTION_INFO_V1(opendata_csv_agg_finalfn);
PG_FUNCTION_INFO_V1(opendata_geojson_agg_transfn);
PG_FUNCTION_INFO_V1(opendata_geojson_agg_finalfn);
PG_FUNCTION_INFO_V1(opendata_jsonl_agg_transfn);
PG_FUNCTION_INFO_V1(opendata_jsonl_agg_finalfn);
}

namespace opendata::pg {
namespace {

namespace ex = opendata::exporter;

// Everything the aggregate keeps between rows.
struct AggExport {
  ex::Format format;
  Oid type = InvalidOid;
  int32 typmod = -1;
  TupleDesc desc = nullptr;          // a copy in the aggregate context
  MemoryContext row_cxt = nullptr;   // scratch, reset after each row
  std::unique_ptr<CellConverter> converter;
  std::unique_ptr<ex::Writer> writer;
  std::vector<ex::Cell> cells;
  bool finished = false;
};

// palloc'd in the aggregate context: the pointer the state Datum carries.
struct AggHolder {
  AggExport* agg;
  MemoryContextCallback callback;
};

void delete_agg(void* arg) {
  auto* holder = static_cast<AggHolder*>(arg);
  delete holder->agg;  // destructors only: nothing here can raise
  holder->agg = nullptr;
}

std::vector<ex::Column> columns_of(TupleDesc desc, const std::vector<ex::CellKind>& kinds) {
  std::vector<ex::Column> columns;
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    std::string name = NameStr(att->attname);
    columns.push_back(ex::Column{name, name, kinds[i]});
  }
  return columns;
}

// The writer for rows of `desc`, begun: default options (docs/export.md).
void start(AggExport& agg, TupleDesc desc) {
  agg.converter = std::make_unique<CellConverter>(desc, false);
  agg.writer = ex::make_writer(agg.format, columns_of(desc, agg.converter->kinds()),
                               ex::parse_options(agg.format, ""));
  agg.writer->begin();
}

Datum transfn(FunctionCallInfo fcinfo, ex::Format format) {
  return boundary([&]() -> Datum {
    MemoryContext aggcxt = nullptr;
    if (call([fcinfo, &aggcxt] { return AggCheckCallContext(fcinfo, &aggcxt); }) == 0)
      throw UserError(sqlstate::kFeatureNotSupported, "export aggregate called in a non-aggregate context");
    AggHolder* holder = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<AggHolder*>(PG_GETARG_POINTER(0));
    if (holder == nullptr) {
      holder = static_cast<AggHolder*>(
          call([aggcxt] { return MemoryContextAllocZero(aggcxt, sizeof(AggHolder)); }));
      holder->agg = new AggExport();
      holder->agg->format = format;
      holder->callback.func = delete_agg;
      holder->callback.arg = holder;
      call([aggcxt, holder] { MemoryContextRegisterResetCallback(aggcxt, &holder->callback); });
      holder->agg->row_cxt = call([aggcxt] {
        return AllocSetContextCreate(aggcxt, "opendata export row", ALLOCSET_SMALL_SIZES);
      });
    }
    AggExport& agg = *holder->agg;
    if (agg.finished) throw UserError(sqlstate::kFeatureNotSupported, "export aggregate used after its final function");
    if (PG_ARGISNULL(1)) return PointerGetDatum(holder);  // a NULL row: nothing to write

    // Not a row: PostgREST applies the handler of the Accept header to a
    // function's result (/rpc/export_csv with Accept: application/geo+json).
    // PT406 is PostgREST's way of answering 406 Not Acceptable, which is
    // what that request deserves (docs/export.md); in SQL the message says
    // what to pass instead.
    Oid argtype = call([fcinfo] { return get_fn_expr_argtype(fcinfo->flinfo, 1); });
    if (!call([argtype] { return type_is_rowtype(argtype); }))
      throw UserError(sqlstate::kPostgrestNotAcceptable,
                      std::string("cannot write a value of type ") +
                          call([argtype] { return format_type_be(argtype); }) + " as " +
                          ex::media_type(format),
                      "Export aggregates take whole rows.",
                      "Pass the row itself: csv_agg(t) FROM some_view t; over PostgREST, ask "
                      "a function for the media type it returns.");

    Datum row = PG_GETARG_DATUM(1);
    MemoryContext row_cxt = agg.row_cxt;
    MemoryContext old = MemoryContextSwitchTo(row_cxt);
    HeapTupleHeader th = reinterpret_cast<HeapTupleHeader>(
        call([row] { return DatumGetPointer(PG_DETOAST_DATUM(row)); }));
    Oid type = HeapTupleHeaderGetTypeId(th);
    int32 typmod = HeapTupleHeaderGetTypMod(th);
    if (agg.writer == nullptr) {
      agg.type = type;
      agg.typmod = typmod;
      TupleDesc* slot = &agg.desc;
      call([aggcxt, type, typmod, slot] {
        MemoryContext prev = MemoryContextSwitchTo(aggcxt);
        *slot = lookup_rowtype_tupdesc_copy(type, typmod);
        MemoryContextSwitchTo(prev);
      });
      MemoryContextSwitchTo(aggcxt);
      start(agg, agg.desc);
      MemoryContextSwitchTo(row_cxt);
    } else if (type != agg.type || typmod != agg.typmod) {
      MemoryContextSwitchTo(old);
      throw UserError(sqlstate::kDatatypeMismatch, "export aggregate rows must all have the same type");
    }
    HeapTupleData tuple;
    tuple.t_len = HeapTupleHeaderGetDatumLength(th);
    ItemPointerSetInvalid(&tuple.t_self);
    tuple.t_tableOid = InvalidOid;
    tuple.t_data = th;
    agg.converter->fill(&tuple, agg.desc, agg.cells);
    agg.writer->add_row(agg.cells.data(), agg.cells.size());
    MemoryContextSwitchTo(old);
    call([row_cxt] { MemoryContextReset(row_cxt); });
    check_for_interrupts();
    return PointerGetDatum(holder);
  });
}

// The body: the writer's whole output.  With no row at all, the writer for
// the declared row type when it is known (a named composite type), else the
// format's empty document.
Datum finalfn(FunctionCallInfo fcinfo, ex::Format format) {
  return boundary([&]() -> Datum {
    AggHolder* holder = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<AggHolder*>(PG_GETARG_POINTER(0));
    std::unique_ptr<AggExport> empty;
    AggExport* agg = holder != nullptr ? holder->agg : nullptr;
    if (agg == nullptr || agg->writer == nullptr) {
      empty = std::make_unique<AggExport>();
      empty->format = format;
      Oid argtype = call([fcinfo] { return get_fn_expr_argtype(fcinfo->flinfo, 1); });
      TupleDesc desc = nullptr;
      if (argtype != RECORDOID && call([argtype] { return type_is_rowtype(argtype); }))
        desc = call([argtype] { return lookup_rowtype_tupdesc_copy(argtype, -1); });
      if (desc != nullptr) {
        start(*empty, desc);
      } else if (format == ex::Format::GeoJson) {
        empty->writer = ex::make_writer(format, {}, ex::parse_options(format, ""));
        empty->writer->begin();
      } else {
        // No column is known (an anonymous record type): no header line,
        // an empty body.
        return text_datum(std::string_view());
      }
      agg = empty.get();
    }
    if (!agg->finished) {
      agg->writer->finish();
      agg->finished = true;
    }
    return text_datum(agg->writer->buffer());
  });
}

}  // namespace
}  // namespace opendata::pg

using opendata::exporter::Format;
namespace pg = opendata::pg;

Datum opendata_csv_agg_transfn(PG_FUNCTION_ARGS) { return pg::transfn(fcinfo, Format::Csv); }
Datum opendata_csv_agg_finalfn(PG_FUNCTION_ARGS) { return pg::finalfn(fcinfo, Format::Csv); }
Datum opendata_geojson_agg_transfn(PG_FUNCTION_ARGS) { return pg::transfn(fcinfo, Format::GeoJson); }
Datum opendata_geojson_agg_finalfn(PG_FUNCTION_ARGS) { return pg::finalfn(fcinfo, Format::GeoJson); }
Datum opendata_jsonl_agg_transfn(PG_FUNCTION_ARGS) { return pg::transfn(fcinfo, Format::Jsonl); }
Datum opendata_jsonl_agg_finalfn(PG_FUNCTION_ARGS) { return pg::finalfn(fcinfo, Format::Jsonl); }
