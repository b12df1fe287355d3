// Streaming export writers: the interface the PostgreSQL layer drives.
//
//   auto w = make_writer(Format::Csv, columns, parse_options(Format::Csv, opts));
//   w->begin();
//   for each row: fill cells; w->add_row(cells.data(), cells.size());
//                 if (w->buffer().size() >= 64 * 1024) { send(w->buffer()); w->buffer().clear(); }
//   w->finish(); send(w->buffer());
//
// Writers only append to their buffer; they never hold a document tree, so
// memory stays at one chunk plus one row whatever the result size.  The
// caller may send and clear() the buffer between any two calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/export/cell.hpp"
#include "core/export/options.hpp"
#include "core/export/wkb_reader.hpp"

namespace opendata::exporter {

class Writer {
 public:
  virtual ~Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Header, BOM or opening bracket.  Call once, first.
  void begin();
  // One row: exactly columns().size() cells, in column order.  If it throws
  // (UserError 22P03 for a malformed geometry, or an interrupt), the buffer
  // is rolled back to its state before the call: no half row is left in it.
  void add_row(const Cell* cells, std::size_t count);
  void add_row(const std::vector<Cell>& cells) { add_row(cells.data(), cells.size()); }
  // Closing bracket (and the collection bbox).  Call once, last.
  void finish();

  // The output produced so far; the caller may send it and clear() it.
  std::string& buffer() { return out_; }
  const std::vector<Column>& columns() const { return columns_; }
  std::uint64_t row_count() const { return rows_; }

 protected:
  Writer(std::vector<Column> columns, const ExportOptions& options);

  virtual void write_begin() = 0;
  virtual void write_row(const Cell* cells) = 0;
  virtual void write_finish() = 0;

  std::vector<Column> columns_;
  ExportOptions options_;
  GeometryOptions geometry_options_;
  std::string out_;
  std::uint64_t rows_ = 0;

 private:
  enum class State { Created, Begun, Finished };
  State state_ = State::Created;
};

std::unique_ptr<Writer> make_writer(Format format, std::vector<Column> columns,
                                    const ExportOptions& options);

// Content-Type for the HTTP response (PostgREST media type domains).
const char* media_type(Format format);
// File name extension, without the dot: "csv", "json", "jsonl", "geojson".
const char* file_extension(Format format);

// Appends a cell as a JSON value: strings escaped, numbers as given (NaN and
// infinities -> null), Json raw, geometries as GeoJSON objects, arrays as
// JSON arrays.  Shared by the JSON, JSONL and GeoJSON writers.
void append_json_value(std::string& out, const Cell& cell, const GeometryOptions& geometry);

// Appends a geometry cell's GeoJSON object.  GeoJSON positions are WGS 84
// longitude/latitude (RFC 7946 section 4): an EWKB SRID other than 4326 (0,
// i.e. none, is trusted) raises 22023 rather than publishing coordinates in
// the wrong system.
void append_geojson_checked(std::string& out, std::string_view wkb, const GeometryOptions& geometry,
                            BBox* bbox);

}  // namespace opendata::exporter
