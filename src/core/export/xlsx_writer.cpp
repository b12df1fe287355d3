#include "core/export/xlsx_writer.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <xlsxwriter.h>

#include "core/error.hpp"

namespace opendata::exporter {

namespace {

constexpr std::uint64_t kMaxRows = 1048575;  // a sheet's rows, less the header

// "2024-01-31" or "2024-01-31T10:00:00.5+01:00" (any offset is dropped:
// the text is already in the request's time zone).  False when the text is
// not of that form or the year is before 1900 (no spreadsheet date).
bool parse_iso(std::string_view s, lxw_datetime* out, bool with_time) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  const std::string text(s);
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3) return false;
  if (with_time) {
    int more = 0;
    if (used < static_cast<int>(text.size()) && (text[used] == 'T' || text[used] == ' ') &&
        std::sscanf(text.c_str() + used + 1, "%2d:%2d:%lf%n", &hour, &minute, &second, &more) == 3) {
      // fine: hour, minute and second read
    } else if (used != static_cast<int>(text.size())) {
      return false;
    }
  }
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  *out = lxw_datetime{year, month, day, hour, minute, second};
  return true;
}

// A new empty file of our own in the temporary directory (mkstemps: no
// other process can have chosen the same name).
std::string temp_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/opendata_export_XXXXXX.xlsx";
  const int fd = mkstemps(path.data(), 5);
  if (fd < 0)
    throw UserError(sqlstate::kInternalError, "could not create a temporary file for the XLSX export",
                    path);
  close(fd);
  return path;
}

class XlsxWriter final : public Writer {
 public:
  XlsxWriter(std::vector<Column> columns, const ExportOptions& options, std::string temp_path,
             std::size_t max_bytes)
      : Writer(std::move(columns), options), path_(std::move(temp_path)), max_bytes_(max_bytes) {}

  ~XlsxWriter() override {
    if (book_ != nullptr) workbook_close(book_);
    std::remove(path_.c_str());
  }

 protected:
  void write_begin() override {
    const std::string dir = path_.substr(0, path_.find_last_of('/'));
    lxw_workbook_options opts{};
    opts.constant_memory = LXW_TRUE;
    opts.tmpdir = const_cast<char*>(dir.c_str());
    book_ = workbook_new_opt(path_.c_str(), &opts);
    if (book_ == nullptr) failed("could not create the XLSX file", LXW_ERROR_CREATING_XLSX_FILE);
    sheet_ = workbook_add_worksheet(book_, "export");
    lxw_format* bold = workbook_add_format(book_);
    format_set_bold(bold);
    date_ = workbook_add_format(book_);
    format_set_num_format(date_, "yyyy-mm-dd");
    datetime_ = workbook_add_format(book_);
    format_set_num_format(datetime_, "yyyy-mm-dd hh:mm:ss");
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string& label = columns_[i].label.empty() ? columns_[i].name : columns_[i].label;
      check(worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(i), label.c_str(), bold));
    }
  }

  void write_row(const Cell* cells) override {
    if (rows_ >= kMaxRows)
      throw UserError(sqlstate::kProgramLimitExceeded, "an XLSX sheet holds at most 1048576 rows", "",
                      "Filter the rows (where, refine) or export CSV.");
    const auto row = static_cast<lxw_row_t>(rows_ + 1);
    for (std::size_t i = 0; i < columns_.size(); ++i)
      write_cell(row, static_cast<lxw_col_t>(i), cells[i], columns_[i].kind);
  }

  void write_finish() override {
    lxw_workbook* book = book_;
    book_ = nullptr;
    const lxw_error err = workbook_close(book);
    if (err != LXW_NO_ERROR) failed("could not write the XLSX file", err);
    std::ifstream in(path_, std::ios::binary);
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    if (size > max_bytes_)
      throw UserError(sqlstate::kProgramLimitExceeded, "export is larger than one value can hold", "",
                      "Filter the rows (where, refine) or choose fewer fields.");
    in.seekg(0);
    out_.resize(out_.size() + size);
    in.read(&out_[out_.size() - size], static_cast<std::streamsize>(size));
    if (!in) failed("could not read the XLSX file back", LXW_ERROR_CREATING_TMPFILE);
  }

 private:
  [[noreturn]] static void failed(const std::string& what, lxw_error err) {
    throw UserError(sqlstate::kInternalError, what, lxw_strerror(err));
  }

  void check(lxw_error err) {
    if (err == LXW_NO_ERROR) return;
    if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
      throw UserError(sqlstate::kStringDataRightTruncation, "a text of row " + std::to_string(rows_ + 1) +
                                   " is longer than an XLSX cell holds (32767 characters)",
                      "", "Export CSV, or choose fewer fields.");
    failed("could not write an XLSX cell", err);
  }

  void write_text(lxw_row_t row, lxw_col_t col, std::string_view text) {
    scratch_.assign(text);
    check(worksheet_write_string(sheet_, row, col, scratch_.c_str(), nullptr));
  }

  // Dates and date-times arrive as text (records()' ISO form): the
  // column's kind says what the text is.
  void write_cell(lxw_row_t row, lxw_col_t col, const Cell& cell, CellKind column) {
    lxw_datetime when{};
    const bool dated = cell.kind == CellKind::Text && (column == CellKind::Date || column == CellKind::DateTime);
    switch (dated ? column : cell.kind) {
      case CellKind::Null:
        return;  // an empty cell
      case CellKind::Integer:
        if (!cell.is_text) return check(worksheet_write_number(sheet_, row, col, static_cast<double>(cell.v.i), nullptr));
        return write_number_text(row, col, cell.text);
      case CellKind::Number:
        if (!cell.is_text) return check(worksheet_write_number(sheet_, row, col, cell.v.d, nullptr));
        return write_number_text(row, col, cell.text);
      case CellKind::Boolean:
        return check(worksheet_write_boolean(sheet_, row, col, cell.v.b ? 1 : 0, nullptr));
      case CellKind::Date:
        if (parse_iso(cell.text, &when, false)) return check(worksheet_write_datetime(sheet_, row, col, &when, date_));
        return write_text(row, col, cell.text);
      case CellKind::DateTime:
        if (parse_iso(cell.text, &when, true)) return check(worksheet_write_datetime(sheet_, row, col, &when, datetime_));
        return write_text(row, col, cell.text);
      case CellKind::Text:
        return write_text(row, col, cell.text);
      default:
        // JSON, lists, geometries: their JSON text (GeoJSON for geometries).
        json_.clear();
        append_json_value(json_, cell, geometry_options_);
        return write_text(row, col, json_);
    }
  }

  // numeric's digits: a number when it is one (NaN and infinities stay text).
  void write_number_text(lxw_row_t row, lxw_col_t col, std::string_view text) {
    scratch_.assign(text);
    char* end = nullptr;
    const double d = std::strtod(scratch_.c_str(), &end);
    if (end != nullptr && *end == '\0' && !scratch_.empty() && d == d && d - d == 0)
      return check(worksheet_write_number(sheet_, row, col, d, nullptr));
    check(worksheet_write_string(sheet_, row, col, scratch_.c_str(), nullptr));
  }

  std::string path_;
  std::size_t max_bytes_;
  std::string scratch_, json_;
  lxw_workbook* book_ = nullptr;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* datetime_ = nullptr;
};

}  // namespace

std::unique_ptr<Writer> make_xlsx_writer(std::vector<Column> columns, const ExportOptions& options,
                                         std::size_t max_bytes) {
  return std::make_unique<XlsxWriter>(std::move(columns), options, temp_file(), max_bytes);
}

}  // namespace opendata::exporter
