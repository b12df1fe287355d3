// Streaming conversion of a file to rows of PostgreSQL input values.
//
// Values are in PostgreSQL input syntax for the column's type: "1,5" ->
// "1.5", "31/12/2020" -> "2020-12-31", "oui" -> "true", geometries as EWKT
// "SRID=4326;POINT(lon lat)".  They are written to a RowSink
// (core/ingest/row_sink.hpp), either as cells a type's input function
// takes (next_rows with RowForm::Cells) or as COPY's default text format
// (next_chunk: no HEADER, DELIMITER E'\t', NULL '\N', backslash escapes,
// UTF-8), which the caller hands to BeginCopyFrom's data source callback
// unchanged.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/interrupt.hpp"
#include "core/ingest/csv_reader.hpp"
#include "core/ingest/encoding.hpp"
#include "core/ingest/geometry.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"
#include "core/ingest/row_sink.hpp"
#include "core/ingest/values.hpp"

namespace opendata::ingest {

// A row left out with on_error = "skip".
struct RejectedRow {
  uint64_t row = 0;    // record number, header = 1 (GeoJSON: feature number, 1-based)
  uint64_t line = 0;   // physical line where the record starts (CSV only)
  std::string column;  // column name, "" for a structural problem
  std::string value;   // offending value (clipped to 200 bytes)
  std::string reason;
};

nlohmann::json to_json(const std::vector<RejectedRow>& rows);

// Appends `v` escaped for COPY text format.
void append_copy_text(std::string& out, std::string_view v);

enum class Convert { Null, Ok, Bad };

// A text value is kept verbatim (untrimmed): Null for a sentinel, Bad for
// what PostgreSQL text cannot hold.
Convert check_text(std::string_view raw, const NullSet& nulls, std::string& err);

// Converts one source value for column `c` (GeomSource::LatLonPair excluded).
// Text keeps the value verbatim (untrimmed); other types trim first.
// Appends the PostgreSQL input text to `out` (unescaped); on Bad, `err`
// says why.
Convert convert_value(const ColumnProfile& c, std::string_view raw, const NullSet& nulls,
                      std::string& out, std::string& err);

// Checks a converted geometry against the column's typmod (kind and Z), as
// PostGIS would on insert.
bool check_geometry(const ColumnProfile& c, const GeomInfo& info, std::string& err);

// Collects or raises row errors according to on_error.
class RowErrors {
 public:
  explicit RowErrors(OnError mode) : mode_(mode) {}
  // Throws UserError (22P02 for a bad value, 22P04 for a bad row shape)
  // with abort; records the row with skip.
  void reject(const RejectedRow& r, const char* sqlstate);
  const std::vector<RejectedRow>& rows() const { return rows_; }
  uint64_t count() const { return count_; }

 private:
  OnError mode_;
  std::vector<RejectedRow> rows_;  // the first kMaxKept
  uint64_t count_ = 0;
};

class CsvNormaliser {
 public:
  // `data` must outlive the normaliser.  `plan` is the (possibly edited)
  // report of sniff_csv on the same data and options; its dialect and
  // columns drive the conversion.
  CsvNormaliser(std::string_view data, const CsvOptions& options, SniffReport plan);

  // Replaces `out` with the next chunk of COPY text (whole lines, about
  // 64 KB).  Returns false, with `out` empty, when the input is exhausted.
  bool next_chunk(std::string& out);

  // Replaces the sink's rows with the next rows (about kChunkSize bytes),
  // in the sink's form.  Returns false, with the sink empty, when the input
  // is exhausted.
  bool next_rows(RowSink& out);

  const SniffReport& plan() const { return plan_; }
  uint64_t rows_written() const { return written_; }
  uint64_t rows_rejected() const { return errors_.count(); }
  const std::vector<RejectedRow>& rejected() const { return errors_.rows(); }

  static constexpr size_t kChunkSize = 64 * 1024;

 private:
  bool convert_row(const std::vector<std::string_view>& f, RowSink& out);

  DecodedText text_;
  SniffReport plan_;
  NullSet nulls_;
  CsvReader reader_;
  RowErrors errors_;
  std::vector<std::string_view> fields_;
  RowSink copy_rows_{RowForm::CopyText};  // next_chunk's
  std::string scratch_, err_;
  size_t ncols_ = 0;  // source field count expected
  uint64_t written_ = 0;
  uint64_t seen_ = 0;
  InterruptTicker ticker_;
  bool done_ = false;
};

}  // namespace opendata::ingest
