// GeoJSON (RFC 7946) FeatureCollection writer.
#pragma once

#include <string>
#include <vector>

#include "core/export/writer.hpp"

namespace opendata::exporter {

// Each row is a Feature: "id" from the id_field column (omitted when that
// cell is NULL), "geometry" from the geometry column (null when NULL or
// when the result has no geometry column), "properties" with every other
// column (the id column included).  No "crs" member (RFC 7946 removed it).
// With bbox, each feature with a non-empty geometry gets a "bbox" and the
// collection gets one after "features" (members are unordered in JSON, and
// a streaming writer only knows it at the end).
class GeoJsonWriter final : public Writer {
 public:
  GeoJsonWriter(std::vector<Column> columns, const ExportOptions& options);

 private:
  void write_begin() override;
  void write_row(const Cell* cells) override;
  void write_finish() override;

  void write_id(const Cell& cell);

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t geometry_index_ = kNone;
  std::size_t id_index_ = kNone;
  std::vector<std::string> keys_;  // property keys, "\"name\":"
  BBox total_;
};

}  // namespace opendata::exporter
