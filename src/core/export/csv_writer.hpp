// CSV (RFC 4180) writer.
#pragma once

#include <array>
#include <string_view>

#include "core/export/writer.hpp"

namespace opendata::exporter {

// Fields are quoted only when needed (delimiter, '"', CR, LF, leading or
// trailing space/tab, empty string) unless quote_all; NULL is an empty,
// unquoted field and the empty string is "" (as COPY ... CSV does), so the
// two survive a round trip.  Arrays are joined by list_separator,
// geometries written as GeoJSON text or WKT.
class CsvWriter final : public Writer {
 public:
  CsvWriter(std::vector<Column> columns, const ExportOptions& options);

 private:
  void write_begin() override;
  void write_row(const Cell* cells) override;
  void write_finish() override {}

  void write_field(const Cell& cell);
  void write_text(std::string_view s, bool guard_formula);
  void join_item(std::string& dst, const Cell& cell);  // one array item, unquoted

  // Bytes that force quoting: the delimiter, '"', CR, LF.  Per writer, not
  // static, because the delimiter is an option.
  std::array<bool, 256> special_{};
  std::string_view eol_;
  std::string scratch_;  // reused for geometry text and joined arrays
};

}  // namespace opendata::exporter
