// Exports: CSV, JSON, JSONL and GeoJSON of a published dataset under an ODSQL
// filtering context, written by the streaming writers of src/core/export.
// The compiled query runs through SPI with a DestReceiver of our own: the
// executor hands each row over as it produces it (no copy into an SPI tuple
// table), the row becomes cells and the writer appends it to its buffer,
// which goes to a sink every 64 KB.  Nothing builds a document tree: memory
// holds one row, one batch of per-row allocations and one chunk of output
// (plus, for the single-value functions, the value they return).
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/export/options.hpp"
#include "core/export/writer.hpp"
#include "core/odsql/compiler.hpp"
#include "core/odsql/schema.hpp"
#include "pg/usage.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/export_args.hpp"
#include "pg/export_cells.hpp"
#include "pg/spi.hpp"
#include "pg/text_buffer.hpp"

extern "C" {
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(opendata_export_csv);
PG_FUNCTION_INFO_V1(opendata_export_json);
PG_FUNCTION_INFO_V1(opendata_export_jsonl);
PG_FUNCTION_INFO_V1(opendata_export_geojson);
PG_FUNCTION_INFO_V1(opendata_export_parquet);
PG_FUNCTION_INFO_V1(opendata_export_chunks);
PG_FUNCTION_INFO_V1(opendata_export_file);
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

// Restores the memory context on every way out of a scope.
class ContextSwitch {
 public:
  explicit ContextSwitch(MemoryContext cxt) : old_(MemoryContextSwitchTo(cxt)) {}
  ~ContextSwitch() { MemoryContextSwitchTo(old_); }
  ContextSwitch(const ContextSwitch&) = delete;
  ContextSwitch& operator=(const ContextSwitch&) = delete;

 private:
  MemoryContext old_;
};

class Export {
 public:
  using Sink = std::function<void(const std::string&)>;

  Export(const Args& args, ex::Format format) : args_(args), format_(format) {}

  // Runs the export, handing each chunk of output to `sink`.
  void run(Sink sink) {
    ExportArgs args = export_args(args_);
    ex::ExportOptions options = ex::parse_options(format_, args.options);
    spi::connect();
    PublishedDataset ds = load_published_dataset(args.dataset);
    odsql::Request req = export_request(args_, ds);
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
      // The geometry columns are selected as ST_AsBinary(): bytea is WKB.
      select += (i ? ", " : "") + (geo ? "ST_AsBinary(" + col + ")" : col);
    }
    if (format_ == ex::Format::GeoJson && options.id_field.empty() && !ds.key_field.empty()) {
      for (const auto& c : columns)
        if (c.name == ds.key_field) options.id_field = ds.key_field;
    }
    writer_ = ex::make_writer(format_, columns, options);
    writer_->buffer().reserve(kChunkBytes + kChunkBytes / 4);
    writer_->begin();
    sink_ = std::move(sink);
    batch_cxt_ = call([] {
      return AllocSetContextCreate(CurrentMemoryContext, "opendata export batch",
                                   ALLOCSET_DEFAULT_SIZES);
    });

    Receiver receiver{};
    receiver.pub.receiveSlot = receive_slot;
    receiver.pub.rStartup = startup;
    receiver.pub.rShutdown = [](DestReceiver*) {};
    receiver.pub.rDestroy = [](DestReceiver*) {};
    receiver.pub.mydest = DestNone;
    receiver.self = this;
    spi::execute_to("SELECT " + select + " FROM (" + compiled.rows_sql + ") x",
                    pg::bind(compiled.params), &receiver.pub);

    writer_->finish();
    send_buffer();
    spi::finish();
    count_call(export_endpoint(format_), args.dataset, rows_, bytes_);
  }

 private:
  // What the executor sees: a DestReceiver that leads back to this object.
  struct Receiver {
    DestReceiver pub;  // first, so that a DestReceiver* is a Receiver*
    Export* self;
  };

  // Called by the executor (C frames above, C++ frames of run() below):
  // each body runs in a boundary, so no exception crosses the executor.
  static void startup(DestReceiver* dest, int /*operation*/, TupleDesc desc) {
    Export* self = reinterpret_cast<Receiver*>(dest)->self;
    boundary([self, desc] { self->converter_ = std::make_unique<CellConverter>(desc, true); });
  }
  static bool receive_slot(TupleTableSlot* slot, DestReceiver* dest) {
    Export* self = reinterpret_cast<Receiver*>(dest)->self;
    return boundary([self, slot] {
      self->add_row(slot);
      return true;
    });
  }

  void add_row(TupleTableSlot* slot) {
    call([slot] { slot_getallattrs(slot); });
    {
      // Output function results and the like: freed a batch at a time.
      ContextSwitch in_batch(batch_cxt_);
      converter_->fill(slot->tts_values, slot->tts_isnull, cells_);
      writer_->add_row(cells_.data(), cells_.size());
    }
    if (++batch_rows_ == kBatchRows) {
      MemoryContext cxt = batch_cxt_;
      call([cxt] { MemoryContextReset(cxt); });
      batch_rows_ = 0;
    }
    ++rows_;
    if (writer_->buffer().size() >= kChunkBytes) send_buffer();
  }

  void send_buffer() {
    bytes_ += writer_->buffer().size();
    sink_(writer_->buffer());
    writer_->buffer().clear();
  }

  static opendata::usage::Endpoint export_endpoint(ex::Format format) {
    switch (format) {
      case ex::Format::Csv: return opendata::usage::Endpoint::kExportCsv;
      case ex::Format::Json: return opendata::usage::Endpoint::kExportJson;
      case ex::Format::Jsonl: return opendata::usage::Endpoint::kExportJsonl;
      case ex::Format::GeoJson: return opendata::usage::Endpoint::kExportGeojson;
      case ex::Format::Parquet:
      case ex::Format::Xlsx:
      case ex::Format::GeoPackage:
      case ex::Format::FlatGeobuf:
      case ex::Format::Kml:
      case ex::Format::Shapefile: return opendata::usage::Endpoint::kExportFile;
    }
    return opendata::usage::Endpoint::kExportCsv;
  }

  const Args& args_;
  ex::Format format_;
  Sink sink_;
  std::unique_ptr<ex::Writer> writer_;
  std::unique_ptr<CellConverter> converter_;
  std::vector<ex::Cell> cells_;
  MemoryContext batch_cxt_ = nullptr;
  long batch_rows_ = 0;
  std::uint64_t rows_ = 0;   // for the usage counters
  std::uint64_t bytes_ = 0;
};

// The single-value exports: the chunks go straight into the returned text
// (or bytea: the same varlena, for the binary formats).
Datum export_value(FunctionCallInfo fcinfo, const Signature& signature, ex::Format format) {
  return boundary([&] {
    const Args args(fcinfo, signature);
    // Before run() connects to SPI: the value must outlive SPI_finish.
    TextBuffer out;
    Export(args, format).run([&out](const std::string& chunk) { out.append(chunk); });
    return out.datum();
  });
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

Datum opendata_export_csv(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, pg::signature::kExportCsv, exporter::Format::Csv);
}
Datum opendata_export_json(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, pg::signature::kExportJson, exporter::Format::Json);
}
Datum opendata_export_jsonl(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, pg::signature::kExportJsonl, exporter::Format::Jsonl);
}
Datum opendata_export_geojson(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, pg::signature::kExportGeoJson, exporter::Format::GeoJson);
}
Datum opendata_export_parquet(PG_FUNCTION_ARGS) {
  return pg::export_value(fcinfo, pg::signature::kExportParquet, exporter::Format::Parquet);
}

// export_chunks(dataset, format, ...): one text row per chunk of about
// 64 KB, for outputs beyond what one value can hold.  Materialize mode: the
// rows go to the tuplestore the FunctionScan reads, which spills to disk
// past work_mem.
Datum opendata_export_chunks(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kExportChunks);
    exporter::Format format = exporter::parse_format(args.text("format"));
    // Text rows cannot carry a binary file (NUL bytes, invalid UTF-8).
    if (exporter::is_binary(format))
      throw UserError(sqlstate::kInvalidParameterValue,
                      std::string("export_chunks writes text formats, not ") + exporter::format_name(format),
                      "", "Use opendata_api.export_" + std::string(exporter::format_name(format)) +
                              "() or opendata_api.download().");
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::Export(args, format).run([rsinfo](const std::string& chunk) {
      if (chunk.empty()) return;
      Datum value = pg::text_datum(chunk);
      bool isnull = false;
      pg::call([rsinfo, &value, &isnull] {
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
      });
      pg::call([value] { pfree(DatumGetPointer(value)); });
    });
    return static_cast<Datum>(0);
  });
}

// _export_file(dataset, format, <the other export arguments>): any format
// as bytes (bytea) for download(): a text format's UTF-8, or the file.
Datum opendata_export_file(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kExportFile);
    exporter::Format format = exporter::parse_format(args.text("format"));
    pg::TextBuffer out;  // before run() connects to SPI: the value outlives SPI_finish
    pg::Export(args, format).run([&out](const std::string& chunk) { out.append(chunk); });
    return out.datum();
  });
}
