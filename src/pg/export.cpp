// Exports: CSV, JSON, JSONL and GeoJSON of a published dataset under an ODSQL
// filtering context, written by the streaming writers of src/core/export
// from a cursor, batch by batch.  Nothing builds a document tree: memory
// holds one batch of rows and one chunk of output (the single-value
// functions also hold their whole result, which is what they return).
#include <memory>
#include <string>
#include <vector>

#include "core/export/options.hpp"
#include "core/export/writer.hpp"
#include "core/odsql/compiler.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/export_args.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(opendata_export_csv);
PG_FUNCTION_INFO_V1(opendata_export_json);
PG_FUNCTION_INFO_V1(opendata_export_jsonl);
PG_FUNCTION_INFO_V1(opendata_export_geojson);
PG_FUNCTION_INFO_V1(opendata_export_chunks);
}

namespace opendata::pg {
namespace {

namespace ex = opendata::exporter;

constexpr long kBatchRows = 1000;
constexpr std::size_t kChunkBytes = 64 * 1024;

// How each result column becomes a cell, decided once from its type.
enum class Conv { Int2, Int4, Int8, Float8, Bool, Date, Bytea, Text, Json, Output };

struct ColumnConv {
  Conv conv;
  FmgrInfo output;  // for Output, Json and numeric-like text
};

Conv conv_for(Oid type) {
  switch (type) {
    case INT2OID: return Conv::Int2;
    case INT4OID: return Conv::Int4;
    case INT8OID: return Conv::Int8;
    case FLOAT8OID: return Conv::Float8;
    case BOOLOID: return Conv::Bool;
    case DATEOID: return Conv::Date;
    case BYTEAOID: return Conv::Bytea;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID: return Conv::Text;
    case JSONOID:
    case JSONBOID: return Conv::Json;
    default: return Conv::Output;  // numeric, float4: their digits as shown
  }
}

ex::CellKind kind_of(odsql::FieldType t) {
  switch (t) {
    case odsql::FieldType::Integer: return ex::CellKind::Integer;
    case odsql::FieldType::Double: return ex::CellKind::Number;
    case odsql::FieldType::Date: return ex::CellKind::Date;
    case odsql::FieldType::DateTime: return ex::CellKind::DateTime;
    case odsql::FieldType::Boolean: return ex::CellKind::Boolean;
    case odsql::FieldType::GeoPoint:
    case odsql::FieldType::GeoShape: return ex::CellKind::Geometry;
    case odsql::FieldType::Text: break;
  }
  return ex::CellKind::Text;
}

// ISO 8601, whatever DateStyle says.
std::string_view iso_date(DateADT d, char* buf) {
  if (DATE_NOT_FINITE(d)) return DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity";
  int y, m, day;
  j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
  int n = y > 0 ? snprintf(buf, 32, "%04d-%02d-%02d", y, m, day)
                : snprintf(buf, 32, "%04d-%02d-%02d BC", 1 - y, m, day);
  return std::string_view(buf, n);
}

std::string_view varlena_view(Datum d) {
  struct varlena* v = PG_DETOAST_DATUM_PACKED(d);
  return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

class Export {
 public:
  Export(FunctionCallInfo fcinfo, ex::Format format) : fcinfo_(fcinfo), format_(format) {}

  // Runs the export, handing each chunk of output to `sink`.
  template <typename Sink>
  void run(Sink&& sink) {
    ExportArgs args = export_args(fcinfo_);
    ex::ExportOptions options = ex::parse_options(format_, args.options);
    spi::connect();
    PublishedDataset ds = load_published_dataset(args.dataset);
    odsql::Request req = export_request(fcinfo_, ds);
    odsql::Compiled compiled = odsql::compile_records(ds.fields, req);

    std::vector<ex::Column> columns;
    std::string select;
    for (std::size_t i = 0; i < compiled.columns.size(); i++) {
      const auto& c = compiled.columns[i];
      std::string label = c.name;
      for (std::size_t f = 0; f < ds.fields.size(); f++)
        if (ds.fields[f].name == c.name) label = ds.labels[f];
      columns.push_back(ex::Column{c.name, label, kind_of(c.type)});
      std::string col = "x." + quote_identifier_cpp(c.name);
      bool geo = c.type == odsql::FieldType::GeoPoint || c.type == odsql::FieldType::GeoShape;
      select += (i ? ", " : "") + (geo ? "ST_AsBinary(" + col + ")" : col);
    }
    if (format_ == ex::Format::GeoJson && options.id_field.empty() && !ds.key_field.empty()) {
      for (const auto& c : columns)
        if (c.name == ds.key_field) options.id_field = ds.key_field;
    }
    auto writer = ex::make_writer(format_, columns, options);
    writer->begin();

    MemoryContext batch_cxt = call([] {
      return AllocSetContextCreate(CurrentMemoryContext, "opendata export batch",
                                   ALLOCSET_DEFAULT_SIZES);
    });
    Portal portal = spi::open_cursor("SELECT " + select + " FROM (" + compiled.rows_sql + ") x",
                                     bind(compiled.params));
    std::vector<ColumnConv> convs;
    std::vector<ex::Cell> cells(columns.size());
    std::vector<char> date_bufs(columns.size() * 32);
    for (;;) {
      uint64 n = spi::fetch(portal, kBatchRows);
      if (n == 0) break;
      if (convs.empty()) convs = column_convs(SPI_tuptable->tupdesc);
      MemoryContext old = MemoryContextSwitchTo(batch_cxt);
      for (uint64 row = 0; row < n; row++) {
        fill_cells(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, convs, cells, date_bufs);
        writer->add_row(cells.data(), cells.size());
        if (writer->buffer().size() >= kChunkBytes) {
          sink(writer->buffer());
          writer->buffer().clear();
        }
      }
      MemoryContextSwitchTo(old);
      call([batch_cxt] { MemoryContextReset(batch_cxt); });
      spi::free_batch();
    }
    spi::close_cursor(portal);
    writer->finish();
    sink(writer->buffer());
    writer->buffer().clear();
    spi::finish();
  }

 private:
  static std::string quote_identifier_cpp(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }

  static std::vector<ColumnConv> column_convs(TupleDesc desc) {
    std::vector<ColumnConv> convs(desc->natts);
    for (int i = 0; i < desc->natts; i++) {
      Oid type = TupleDescAttr(desc, i)->atttypid;
      convs[i].conv = conv_for(type);
      if (convs[i].conv == Conv::Output || convs[i].conv == Conv::Json) {
        ColumnConv* c = &convs[i];
        call([type, c] {
          Oid fn;
          bool varlena;
          getTypeOutputInfo(type, &fn, &varlena);
          fmgr_info(fn, &c->output);
        });
      }
    }
    return convs;
  }

  // Runs in the batch memory context; the cells point into it (or into the
  // tuple) until the batch is reset, after add_row().
  static void fill_cells(HeapTuple tuple, TupleDesc desc, std::vector<ColumnConv>& convs,
                         std::vector<ex::Cell>& cells, std::vector<char>& date_bufs) {
    for (int i = 0; i < desc->natts; i++) {
      bool isnull;
      Datum d = heap_getattr(tuple, i + 1, desc, &isnull);
      if (isnull) {
        cells[i] = ex::Cell::null();
        continue;
      }
      ColumnConv& c = convs[i];
      switch (c.conv) {
        case Conv::Int2: cells[i] = ex::Cell::integer(DatumGetInt16(d)); break;
        case Conv::Int4: cells[i] = ex::Cell::integer(DatumGetInt32(d)); break;
        case Conv::Int8: cells[i] = ex::Cell::integer(DatumGetInt64(d)); break;
        case Conv::Float8: cells[i] = ex::Cell::number(DatumGetFloat8(d)); break;
        case Conv::Bool: cells[i] = ex::Cell::boolean(DatumGetBool(d)); break;
        case Conv::Date:
          cells[i] = ex::Cell::date(iso_date(DatumGetDateADT(d), &date_bufs[i * 32]));
          break;
        case Conv::Bytea:
          cells[i] = ex::Cell::geometry(call([d] { return varlena_view(d); }));
          break;
        case Conv::Text: cells[i] = ex::Cell::text_value(call([d] { return varlena_view(d); })); break;
        case Conv::Json:
        case Conv::Output: {
          FmgrInfo* fn = &c.output;
          const char* text = call([fn, d] { return OutputFunctionCall(fn, d); });
          cells[i] = c.conv == Conv::Json ? ex::Cell::json(text) : ex::Cell::number_text(text);
          if (c.conv == Conv::Output && TupleDescAttr(desc, i)->atttypid != NUMERICOID &&
              TupleDescAttr(desc, i)->atttypid != FLOAT4OID)
            cells[i] = ex::Cell::text_value(text);
          break;
        }
      }
    }
  }

  FunctionCallInfo fcinfo_;
  ex::Format format_;
};

Datum export_value(FunctionCallInfo fcinfo, ex::Format format) {
  return boundary([&] {
    std::string out;
    Export(fcinfo, format).run([&](const std::string& chunk) { out += chunk; });
    return text_datum(out);
  });
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

Datum opendata_export_csv(PG_FUNCTION_ARGS) { return pg::export_value(fcinfo, exporter::Format::Csv); }
Datum opendata_export_json(PG_FUNCTION_ARGS) { return pg::export_value(fcinfo, exporter::Format::Json); }
Datum opendata_export_jsonl(PG_FUNCTION_ARGS) { return pg::export_value(fcinfo, exporter::Format::Jsonl); }
Datum opendata_export_geojson(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, exporter::Format::GeoJson);
}

// _export_chunks(<export arguments>, format): one text row per chunk of
// about 64 KB, for outputs beyond what one value can hold; rows go to a
// tuplestore, which spills to disk past work_mem.
Datum opendata_export_chunks(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    exporter::Format format = exporter::parse_format(pg::text_arg(fcinfo, pg::kExportFormatArg));
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::Export(fcinfo, format).run([&](const std::string& chunk) {
      if (chunk.empty()) return;
      Datum value = pg::text_datum(chunk);
      bool isnull = false;
      pg::call([rsinfo, &value, &isnull] {
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
      });
    });
    return static_cast<Datum>(0);
  });
}
