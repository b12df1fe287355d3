#include "core/export/json_writer.hpp"

#include "core/export/text_escape.hpp"

namespace opendata::exporter {

std::vector<std::string> json_keys(const std::vector<Column>& columns) {
  std::vector<std::string> keys;
  keys.reserve(columns.size());
  for (const Column& c : columns) {
    std::string k;
    append_json_string(k, c.name);
    k.push_back(':');
    keys.push_back(std::move(k));
  }
  return keys;
}

JsonWriter::JsonWriter(std::vector<Column> columns, const ExportOptions& options, bool lines)
    : Writer(std::move(columns), options), lines_(lines), keys_(json_keys(columns_)) {}

void JsonWriter::write_begin() {
  if (!lines_) out_.push_back('[');
}

void JsonWriter::write_row(const Cell* cells) {
  if (!lines_ && rows_ != 0) out_.push_back(',');
  out_.push_back('{');
  const std::size_t n = keys_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0) out_.push_back(',');
    out_.append(keys_[i]);
    append_json_value(out_, cells[i], geometry_options_);
  }
  out_.push_back('}');
  if (lines_) out_.push_back('\n');
}

void JsonWriter::write_finish() {
  if (!lines_) out_.push_back(']');
}

}  // namespace opendata::exporter
