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
#include <deque>
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
#include "funcapi.h"

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

  explicit Export(ex::Format format) : format_(format) {
    receiver_.pub.receiveSlot = receive_slot;
    receiver_.pub.rStartup = startup;
    receiver_.pub.rShutdown = [](DestReceiver*) {};
    receiver_.pub.rDestroy = [](DestReceiver*) {};
    receiver_.pub.mydest = DestNone;
    receiver_.self = this;
  }
  Export(const Export&) = delete;
  Export& operator=(const Export&) = delete;

  // Runs the whole export in one statement, handing each chunk of output
  // to `sink`.
  void run(const Args& args, Sink sink) {
    spi::connect();
    Statement statement = prepare(args, std::move(sink));
    batch_cxt_ = batch_context();  // in the SPI connection's memory
    spi::execute_to(statement.sql, statement.params, &receiver_.pub);
    end();
    spi::finish();
  }

  // The same export, run a few rows at a time by fetch() (export_chunks,
  // which returns each chunk as soon as it is written): the statement is
  // opened as a cursor, kept past this call's SPI connection.  Allocates
  // in the current memory context, which must live as long as this object.
  void open(const Args& args, Sink sink) {
    batch_cxt_ = batch_context();
    spi::connect();
    Statement statement = prepare(args, std::move(sink));
    cursor_ = spi::open_cursor(statement.sql, statement.params);
    spi::finish();
  }

  // Runs the cursor for up to `rows` more rows.  Returns false once it has
  // no more: the cursor is closed and the end of the output written.
  bool fetch(long rows) {
    if (cursor_.empty()) return false;
    if (spi::fetch_to(cursor_, rows, &receiver_.pub) == static_cast<uint64>(rows)) return true;
    close();
    end();
    return false;
  }

  // Closes the cursor if it is open (the caller stops before the end).
  void close() noexcept {
    if (cursor_.empty()) return;
    spi::close_cursor(cursor_.c_str());
    cursor_.clear();
  }

 private:
  struct Statement {
    std::string sql;
    std::vector<spi::TextParam> params;
  };

  // Reads the arguments, compiles the query and starts the writer (inside
  // an SPI connection).
  Statement prepare(const Args& args_in, Sink sink) {
    ExportArgs args = export_args(args_in);
    ex::ExportOptions options = ex::parse_options(format_, args.options);
    PublishedDataset ds = load_published_dataset(args.dataset);
    odsql::Request req = export_request(args_in, ds);
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
    dataset_ = args.dataset;
    return Statement{"SELECT " + select + " FROM (" + compiled.rows_sql + ") x", pg::bind(compiled.params)};
  }

  static MemoryContext batch_context() {
    return call([] {
      return AllocSetContextCreate(CurrentMemoryContext, "opendata export batch", ALLOCSET_DEFAULT_SIZES);
    });
  }

  // Writes the end of the document, hands the rest over and counts the call.
  void end() {
    writer_->finish();
    send_buffer();
    count_call(export_endpoint(format_), dataset_, rows_, bytes_);
  }

  // What the executor sees: a DestReceiver that leads back to this object.
  struct Receiver {
    DestReceiver pub;  // first, so that a DestReceiver* is a Receiver*
    Export* self;
  };

  // Called by the executor (C frames above, C++ frames of run() below):
  // each body runs in a boundary, so no exception crosses the executor.
  static void startup(DestReceiver* dest, int /*operation*/, TupleDesc desc) {
    Export* self = reinterpret_cast<Receiver*>(dest)->self;
    // Called again by each fetch() of a cursor, with the same columns.
    if (self->converter_) return;
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

  ex::Format format_;
  Receiver receiver_{};
  Sink sink_;
  std::string dataset_;
  std::string cursor_;  // the open cursor's name, "" when none
  std::unique_ptr<ex::Writer> writer_;
  std::unique_ptr<CellConverter> converter_;
  std::vector<ex::Cell> cells_;
  MemoryContext batch_cxt_ = nullptr;
  long batch_rows_ = 0;
  std::uint64_t rows_ = 0;   // for the usage counters
  std::uint64_t bytes_ = 0;
};

// The state of one export_chunks() call across the rows it returns: the
// export, run by cursor, and the chunks it wrote that are not returned yet
// (a fetch of kBatchRows rows may write more than one).  Lives in the
// multi-call memory context, whose deletion (at the end, on a rescan, or
// when an error or a cancel aborts the statement) destroys it.
class ChunkStream {
 public:
  // The first call: checks the format, opens the export's cursor.
  static void start(FunctionCallInfo fcinfo) {
    const Args args(fcinfo, signature::kExportChunks);
    ex::Format format = ex::parse_format(args.text("format"));
    // Text rows cannot carry a binary file (NUL bytes, invalid UTF-8).
    if (ex::is_binary(format))
      throw UserError(sqlstate::kInvalidParameterValue,
                      std::string("export_chunks writes text formats, not ") + ex::format_name(format), "",
                      "Use opendata_api.export_" + std::string(ex::format_name(format)) +
                          "() or opendata_api.download().");
    // Refuses a caller that cannot take rows one at a time.
    FuncCallContext* funcctx = call([fcinfo] { return init_MultiFuncCall(fcinfo); });
    ContextSwitch in_multi_call(funcctx->multi_call_memory_ctx);
    auto* on_delete = static_cast<MemoryContextCallback*>(call([] { return palloc0(sizeof(MemoryContextCallback)); }));
    auto* stream = new ChunkStream(format);
    on_delete->func = [](void* arg) { delete static_cast<ChunkStream*>(arg); };
    on_delete->arg = stream;
    call([funcctx, on_delete] { MemoryContextRegisterResetCallback(funcctx->multi_call_memory_ctx, on_delete); });
    funcctx->user_fctx = stream;
    // After init_MultiFuncCall's callback, so it runs before it (callbacks
    // run last registered first) while the stream is still there.
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    call([rsinfo, stream] { RegisterExprContextCallback(rsinfo->econtext, shut_down, PointerGetDatum(stream)); });
    stream->export_.open(args, [stream](const std::string& chunk) {
      if (!chunk.empty()) stream->pending_.push_back(chunk);
    });
  }

  // The next chunk, false when there is none left.
  bool next(std::string& chunk) {
    while (pending_.empty() && export_.fetch(kBatchRows)) {
    }
    if (pending_.empty()) return false;
    chunk = std::move(pending_.front());
    pending_.pop_front();
    return true;
  }

  // The caller stopped before the end (a LIMIT, a closed client cursor) or
  // rescans: closes the cursor now rather than at the end of the
  // transaction.  Not called on error: the abort drops the cursor.
  static void shut_down(Datum arg) { reinterpret_cast<ChunkStream*>(DatumGetPointer(arg))->export_.close(); }

 private:
  explicit ChunkStream(ex::Format format) : export_(format) {}

  Export export_;
  std::deque<std::string> pending_;
};

// The single-value exports: the chunks go straight into the returned text
// (or bytea: the same varlena, for the binary formats).
Datum export_value(FunctionCallInfo fcinfo, const Signature& signature, ex::Format format) {
  return boundary([&] {
    const Args args(fcinfo, signature);
    // Before run() connects to SPI: the value must outlive SPI_finish.
    TextBuffer out;
    Export(format).run(args, [&out](const std::string& chunk) { out.append(chunk); });
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
// 64 KB, for outputs beyond what one value can hold.  Value per call: each
// call runs the export's cursor until a chunk is written and returns it, so
// in a SELECT list (a ProjectSet node) the client receives each chunk as it
// is written and the backend holds no more than a few.  (In FROM, the
// FunctionScan stores every row in its tuplestore anyway.)
Datum opendata_export_chunks(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    if (SRF_IS_FIRSTCALL()) pg::ChunkStream::start(fcinfo);
    FuncCallContext* funcctx = pg::call([fcinfo] { return per_MultiFuncCall(fcinfo); });
    auto* stream = static_cast<pg::ChunkStream*>(funcctx->user_fctx);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string chunk;
    if (stream->next(chunk)) {
      rsinfo->isDone = ExprMultipleResult;
      return pg::text_datum(chunk);  // in the per-row memory, freed by the caller
    }
    // Done: end_MultiFuncCall() deletes the multi-call memory, and the
    // stream with it, so its own shutdown callback goes first.
    pg::call([fcinfo, funcctx, stream, rsinfo] {
      UnregisterExprContextCallback(rsinfo->econtext, pg::ChunkStream::shut_down, PointerGetDatum(stream));
      end_MultiFuncCall(fcinfo, funcctx);
    });
    rsinfo->isDone = ExprEndResult;
    fcinfo->isnull = true;
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
    pg::Export(format).run(args, [&out](const std::string& chunk) { out.append(chunk); });
    return out.datum();
  });
}
