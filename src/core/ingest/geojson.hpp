// GeoJSON FeatureCollection import.
//
// The document is decoded and validated once (GeoJsonDocument: simdjson by
// parts, a SAX pass for the exact error position), which also finds where
// each Feature is; the sniff and the load then visit the features one at a
// time from that list, each parsed on its own, so memory stays proportional
// to the largest feature, not to the file.  The sniff's parse of each
// feature is the check of that part.
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

#include "core/ingest/encoding.hpp"
#include "core/ingest/normalise.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"

namespace opendata::ingest {

// A GeoJSON document read once for both the sniff and the load: the text
// decoded (encoding.hpp), validated, its top-level members read and its
// features located.  Throws UserError 22P04 for invalid JSON (with the byte
// offset) or a document that is not a FeatureCollection (a lone Feature is
// accepted as a collection of one), 22021 for invalid explicit UTF-8.
// `data` must outlive it.
//
// Validation is by parts (geojson.cpp): the constructor checks the
// document with its features array emptied and finds the features; each
// feature is checked by the sniff's parse of it, which read_geojson() does
// anyway, so that no feature is parsed one time more for its check.  The
// errors are those of a check of the whole before anything else: a
// document found invalid answers its JSON error, whatever other error the
// constructor or the sniff met first.
class GeoJsonDocument {
 public:
  GeoJsonDocument(std::string_view data, Encoding encoding);
  ~GeoJsonDocument();
  GeoJsonDocument(const GeoJsonDocument&) = delete;
  GeoJsonDocument& operator=(const GeoJsonDocument&) = delete;

  const DecodedText& decoded() const { return text_; }
  struct Layout;  // top-level members and feature positions (geojson.cpp)
  const Layout& layout() const { return *layout_; }

  // Whether every feature is known to be valid JSON: read_geojson() has
  // read them, or check_features() has run.
  bool features_checked() const;
  // Checks the features no sniff has read; throws the document's JSON
  // error if one is invalid.
  void check_features();

 private:
  friend SniffReport read_geojson(GeoJsonDocument& doc, const CsvOptions& options);
  DecodedText text_;
  std::unique_ptr<Layout> layout_;
};

// Sniffs a GeoJSON FeatureCollection, checking its features on the way
// (above).  Throws 22023 for bad options.
SniffReport read_geojson(GeoJsonDocument& doc, const CsvOptions& options);
// The same on raw bytes, decoded with options.encoding.
SniffReport read_geojson(std::string_view data, const CsvOptions& options);

class GeoJsonNormaliser {
 public:
  // `doc` must outlive this object and `plan` is read_geojson's report of
  // it (possibly edited, but not its encoding): the text is not decoded,
  // validated or scanned again.  Throws std::logic_error if the document's
  // features are not checked (no read_geojson() of it).
  GeoJsonNormaliser(const GeoJsonDocument& doc, const CsvOptions& options, SniffReport plan);
  // Same contract as CsvNormaliser: `data` must outlive this object and
  // `plan` is read_geojson's report (possibly edited); the document is
  // decoded with the plan's encoding and read again.
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
  void start(const GeoJsonDocument& doc);  // the constructors' common part
  std::unique_ptr<GeoJsonDocument> owned_doc_;  // the constructor from bytes
  SniffReport plan_;
  NullSet nulls_;
  RowErrors errors_;
  std::unique_ptr<State> st_;
  uint64_t written_ = 0;
  RowSink copy_rows_{RowForm::CopyText};  // next_chunk's
};

}  // namespace opendata::ingest
