#include "core/export/writer.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/export/csv_writer.hpp"
#include "core/export/geojson_writer.hpp"
#include "core/export/gdal_writer.hpp"
#include "core/export/json_writer.hpp"
#include "core/export/parquet_writer.hpp"
#include "core/export/number_format.hpp"
#include "core/export/text_escape.hpp"
#include "core/export/xlsx_writer.hpp"
#include "core/interrupt.hpp"

namespace opendata::exporter {

namespace {

[[noreturn]] void misuse(const char* what) {
  // A bug in the caller, not in the user's request.
  throw UserError(sqlstate::kInternalError, std::string("export writer misuse: ") + what);
}

// Check for a cancel request every this many rows (the PostgreSQL layer
// also checks per fetched batch; this covers callers that do not).
constexpr std::uint64_t kInterruptEveryRows = 4096;

}  // namespace

Writer::Writer(std::vector<Column> columns, const ExportOptions& options)
    : columns_(std::move(columns)), options_(options) {
  geometry_options_.precision = options.precision;
  geometry_options_.keep_z = options.keep_z;
  out_.reserve(std::size_t{64} * 1024);
}

void Writer::begin() {
  if (state_ != State::Created) misuse("begin() called twice");
  write_begin();
  state_ = State::Begun;
}

void Writer::add_row(const Cell* cells, std::size_t count) {
  if (state_ != State::Begun) misuse("add_row() outside begin()/finish()");
  if (count != columns_.size()) misuse("row width differs from the column count");
  if (rows_ % kInterruptEveryRows == kInterruptEveryRows - 1) check_interrupts();
  const std::size_t mark = out_.size();
  try {
    write_row(cells);
  } catch (...) {
    out_.resize(mark);  // no half row: the caller may report and stop cleanly
    throw;
  }
  ++rows_;
}

void Writer::finish() {
  if (state_ != State::Begun) misuse("finish() without begin()");
  write_finish();
  state_ = State::Finished;
}

GdalWriterMaker g_gdal_writer_maker = nullptr;

std::unique_ptr<Writer> make_writer(Format format, std::vector<Column> columns,
                                    const ExportOptions& options) {
  switch (format) {
    case Format::Csv:
      return std::make_unique<CsvWriter>(std::move(columns), options);
    case Format::Json:
      return std::make_unique<JsonWriter>(std::move(columns), options, false);
    case Format::Jsonl:
      return std::make_unique<JsonWriter>(std::move(columns), options, true);
    case Format::GeoJson:
      return std::make_unique<GeoJsonWriter>(std::move(columns), options);
    case Format::Parquet:
      return make_parquet_writer(std::move(columns), options);
    case Format::Xlsx:
      return make_xlsx_writer(std::move(columns), options, kMaxFileBytes);
    case Format::GeoPackage:
    case Format::FlatGeobuf:
    case Format::Kml:
    case Format::Shapefile:
      if (g_gdal_writer_maker == nullptr)
        throw UserError(sqlstate::kFeatureNotSupported, "GDAL formats are not available in this build");
      return g_gdal_writer_maker(format, std::move(columns), options, kMaxFileBytes);
  }
  misuse("unknown format");
}

const char* media_type(Format format) {
  switch (format) {
    case Format::Csv:
      return "text/csv; charset=utf-8";
    case Format::Json:
      return "application/json";
    case Format::Jsonl:
      return "application/x-ndjson";
    case Format::GeoJson:
      return "application/geo+json";
    case Format::Parquet:
      return "application/vnd.apache.parquet";
    case Format::Xlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case Format::GeoPackage:
      return "application/geopackage+sqlite3";
    case Format::FlatGeobuf:
      return "application/flatgeobuf";
    case Format::Kml:
      return "application/vnd.google-earth.kml+xml";
    case Format::Shapefile:
      return "application/zip";
  }
  return "application/octet-stream";
}

const char* file_extension(Format format) { return format_name(format); }

void append_geojson_checked(std::string& out, std::string_view wkb, const GeometryOptions& geometry,
                            BBox* bbox) {
  const std::int32_t srid = append_geojson_geometry(wkb, geometry, out, bbox);
  if (srid != 0 && srid != 4326) {
    throw UserError(sqlstate::kInvalidParameterValue,
                    "geometry with SRID " + std::to_string(srid) + " cannot be written as GeoJSON",
                    "GeoJSON positions are WGS 84 longitude/latitude (SRID 4326).",
                    "Transform it first: ST_Transform(geom, 4326).");
  }
}

void append_json_value(std::string& out, const Cell& cell, const GeometryOptions& geometry) {
  switch (cell.kind) {
    case CellKind::Null:
      out.append("null", 4);
      return;
    case CellKind::Text:
    case CellKind::Date:
    case CellKind::DateTime:
      append_json_string(out, cell.text);
      return;
    case CellKind::Integer:
    case CellKind::Number:
      if (!cell.is_text) {
        if (cell.kind == CellKind::Integer) {
          append_int(out, cell.v.i);
        } else if (std::isfinite(cell.v.d)) {
          append_double_shortest(out, cell.v.d);
        } else {
          out.append("null", 4);  // JSON has no NaN or Infinity
        }
        return;
      }
      switch (classify_number_text(cell.text)) {
        case NumberText::Valid:
          out.append(cell.text);
          return;
        case NumberText::NonFinite:
          out.append("null", 4);
          return;
        case NumberText::Invalid:
          append_json_string(out, cell.text);
          return;
      }
      return;
    case CellKind::Boolean:
      if (cell.v.b)
        out.append("true", 4);
      else
        out.append("false", 5);
      return;
    case CellKind::Json:
      // json/jsonb output is valid JSON by construction; an empty text
      // would not be, so it stands for null.
      if (cell.text.empty())
        out.append("null", 4);
      else
        out.append(cell.text);
      return;
    case CellKind::Geometry:
      append_geojson_checked(out, cell.text, geometry, nullptr);
      return;
    case CellKind::Array:
      out.push_back('[');
      for (std::size_t i = 0; i < cell.v.count; ++i) {
        if (i != 0) out.push_back(',');
        append_json_value(out, cell.items[i], geometry);
      }
      out.push_back(']');
      return;
  }
}

}  // namespace opendata::exporter
