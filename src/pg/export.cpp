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
#include "core/odsql/schema.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/export_args.hpp"
#include "pg/export_cells.hpp"

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
    check_timezone(req.timezone);

    std::vector<ex::Column> columns;
    std::string select;
    for (std::size_t i = 0; i < compiled.columns.size(); i++) {
      const auto& c = compiled.columns[i];
      std::string label = c.name;
      for (std::size_t f = 0; f < ds.fields.size(); f++)
        if (ds.fields[f].name == c.name) label = ds.labels[f];
      columns.push_back(ex::Column{c.name, label, kind_of(c.type)});
      std::string col = "x." + odsql::quote_ident(c.name);
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
    // The geometry columns are selected as ST_AsBinary(): bytea is WKB.
    std::unique_ptr<CellConverter> converter;
    std::vector<ex::Cell> cells(columns.size());
    for (;;) {
      uint64 n = spi::fetch(portal, kBatchRows);
      if (n == 0) break;
      if (!converter) converter = std::make_unique<CellConverter>(SPI_tuptable->tupdesc, true);
      MemoryContext old = MemoryContextSwitchTo(batch_cxt);
      for (uint64 row = 0; row < n; row++) {
        converter->fill(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, cells);
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
