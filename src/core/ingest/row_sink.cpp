#include "core/ingest/row_sink.hpp"

#include <stdexcept>

#include "core/ingest/normalise.hpp"

namespace opendata::ingest {

void RowSink::start_row() {
  row_bytes_mark_ = bytes_.size();
  row_cells_mark_ = cells_.size();
  first_in_row_ = true;
}

void RowSink::separate() {
  if (form_ == RowForm::CopyText && !first_in_row_) bytes_.push_back('\t');
  first_in_row_ = false;
}

void RowSink::value(std::string_view v) {
  separate();
  if (form_ == RowForm::CopyText) {
    append_copy_text(bytes_, v);
    return;
  }
  cells_.push_back(static_cast<std::int64_t>(bytes_.size()));
  bytes_.append(v.data(), v.size());
  bytes_.push_back('\0');
}

void RowSink::null() {
  if (value_open_) {  // the open value turned out NULL: forget it
    bytes_.resize(open_mark_);
    first_in_row_ = open_first_;
    value_open_ = false;
  }
  separate();
  if (form_ == RowForm::CopyText) bytes_ += "\\N";
  else cells_.push_back(-1);
}

std::string& RowSink::open_value() {
  open_mark_ = bytes_.size();
  open_first_ = first_in_row_;
  value_open_ = true;
  separate();
  value_start_ = bytes_.size();
  return bytes_;
}

void RowSink::close_value() {
  value_open_ = false;
  if (form_ == RowForm::CopyText) return;
  cells_.push_back(static_cast<std::int64_t>(value_start_));
  bytes_.push_back('\0');
}

void RowSink::end_row() {
  if (form_ == RowForm::CopyText) {
    bytes_.push_back('\n');
  } else {
    const std::size_t n = cells_.size() - row_cells_mark_;
    if (rows_ == 0 && columns_ == 0) columns_ = n;
    if (n != columns_) throw std::logic_error("a row of " + std::to_string(n) + " values, expected " +
                                           std::to_string(columns_));
  }
  ++rows_;
}

void RowSink::cancel_row() {
  value_open_ = false;
  bytes_.resize(row_bytes_mark_);
  cells_.resize(row_cells_mark_);
}

void RowSink::clear() {
  bytes_.clear();
  cells_.clear();
  rows_ = 0;
}

}  // namespace opendata::ingest
