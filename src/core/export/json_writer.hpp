// JSON (array of objects) and JSON Lines (one object per line) writers.
#pragma once

#include <string>
#include <vector>

#include "core/export/writer.hpp"

namespace opendata::exporter {

// Objects are keyed by column name, in column order.  JSON: "[" objects
// separated by "," "]"; JSONL: each object followed by "\n", nothing else
// (an empty result is an empty body).
class JsonWriter final : public Writer {
 public:
  JsonWriter(std::vector<Column> columns, const ExportOptions& options, bool lines);

 private:
  void write_begin() override;
  void write_row(const Cell* cells) override;
  void write_finish() override;

  bool lines_;
  // "\"name\":" per column, escaped once here instead of once per row.
  std::vector<std::string> keys_;
};

// Escaped "\"name\":" prefixes for a list of columns (shared with GeoJSON).
std::vector<std::string> json_keys(const std::vector<Column>& columns);

}  // namespace opendata::exporter
