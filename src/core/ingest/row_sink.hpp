// Where the normalisers write converted rows, in one of two forms:
//
//   CopyText  PostgreSQL COPY's default text format (tab-separated, "\N" for
//             NULL, backslash escapes, "\n" after each row, UTF-8), for a
//             load through COPY FROM.
//   Cells     each value as a NUL-terminated string in PostgreSQL input
//             syntax (unescaped), or NULL, addressed by row and column: what
//             a type's input function takes, so the PostgreSQL layer builds
//             tuples from it without parsing any text format again.
//
// A row is written value by value between start_row() and end_row();
// cancel_row() drops a row half-written (a rejected value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opendata::ingest {

enum class RowForm { CopyText, Cells };

class RowSink {
 public:
  explicit RowSink(RowForm form) : form_(form) {}

  RowForm form() const { return form_; }

  void start_row();
  // A value, escaped for COPY when the form asks for it.
  void value(std::string_view v);
  void null();
  // A value holding no byte COPY escapes (numbers, dates, booleans in
  // canonical form), written in place: append to the string returned by
  // open_value(), then call close_value(), or null() when the conversion
  // found a NULL (what was appended is dropped, separator included).
  std::string& open_value();
  void close_value();
  void end_row();
  void cancel_row();

  // Empties the sink, keeping its memory.
  void clear();
  // Bytes written so far (the chunk size the normalisers aim at).
  std::size_t bytes() const { return bytes_.size(); }
  std::size_t rows() const { return rows_; }

  // CopyText: the text of the complete rows.
  const std::string& copy_text() const { return bytes_; }
  // Cells: the value at (row, column), NUL-terminated; nullptr for NULL.
  // Valid until the next write.
  const char* cell(std::size_t row, std::size_t column) const {
    const std::int64_t at = cells_[row * columns_ + column];
    return at < 0 ? nullptr : bytes_.data() + at;
  }
  std::size_t columns() const { return columns_; }

 private:
  void separate();

  RowForm form_;
  std::string bytes_;
  std::vector<std::int64_t> cells_;  // Cells: offset of each value, -1 for NULL
  std::size_t columns_ = 0;          // Cells: values per row (from the first row)
  std::size_t rows_ = 0;
  std::size_t row_bytes_mark_ = 0, row_cells_mark_ = 0, value_start_ = 0;
  std::size_t open_mark_ = 0;  // bytes_ before the open value's separator
  bool first_in_row_ = true;
  bool open_first_ = true;     // first_in_row_ before open_value()
  bool value_open_ = false;
};

}  // namespace opendata::ingest
