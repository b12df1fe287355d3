// GeoJSON FeatureCollection import.
//
// The document is validated once by a SAX pass (constant memory, exact
// error position), then features are visited one at a time: each Feature is
// located by a light structural scan and parsed on its own, so memory stays
// proportional to the largest feature, not to the file.
//
// Columns: the Feature "id" (when any feature has one), then the properties
// in order of first appearance, typed with the same rules as CSV fields
// (JSON strings are read like CSV text, JSON numbers and booleans keep their
// type, nested objects/arrays make the column jsonb), then the geometry as
// EWKT in a column named "geom" (SRID 4326, or the legacy "crs" member).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ingest/normalise.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"

namespace opendata::ingest {

// Sniffs a GeoJSON FeatureCollection (a lone Feature is accepted as a
// collection of one).  Throws UserError 22P04 for invalid JSON (with the
// line, column and byte offset) or a document that is not a FeatureCollection,
// 22023 for bad options.
SniffReport read_geojson(std::string_view data, const CsvOptions& options);

class GeoJsonNormaliser {
 public:
  // Same contract as CsvNormaliser: `data` must outlive this object and
  // `plan` is read_geojson's report (possibly edited).
  GeoJsonNormaliser(std::string_view data, const CsvOptions& options, SniffReport plan);
  ~GeoJsonNormaliser();
  GeoJsonNormaliser(const GeoJsonNormaliser&) = delete;
  GeoJsonNormaliser& operator=(const GeoJsonNormaliser&) = delete;

  bool next_chunk(std::string& out);
  bool next_rows(RowSink& out);

  const SniffReport& plan() const { return plan_; }
  uint64_t rows_written() const { return written_; }
  uint64_t rows_rejected() const { return errors_.count(); }
  const std::vector<RejectedRow>& rejected() const { return errors_.rows(); }

 private:
  struct State;
  DecodedText text_;
  SniffReport plan_;
  NullSet nulls_;
  RowErrors errors_;
  std::unique_ptr<State> st_;
  uint64_t written_ = 0;
  RowSink copy_rows_{RowForm::CopyText};  // next_chunk's
};

}  // namespace opendata::ingest
