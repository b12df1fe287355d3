#include "core/export/csv_writer.hpp"

#include <cmath>
#include <cstring>

#include "core/export/number_format.hpp"

namespace opendata::exporter {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Spreadsheets run a cell starting with one of these as a formula
// (OWASP "CSV injection").
bool starts_formula(std::string_view s) {
  if (s.empty()) return false;
  const char c = s[0];
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void append_double_pg(std::string& out, double d) {
  // PostgreSQL's spelling, as COPY writes them.
  if (std::isnan(d))
    out.append("NaN");
  else if (std::isinf(d))
    out.append(d > 0 ? "Infinity" : "-Infinity");
  else
    append_double_shortest(out, d);
}

}  // namespace

CsvWriter::CsvWriter(std::vector<Column> columns, const ExportOptions& options)
    : Writer(std::move(columns), options) {
  special_[static_cast<unsigned char>(options_.delimiter)] = true;
  special_['"'] = true;
  special_['\r'] = true;
  special_['\n'] = true;
  eol_ = options_.crlf ? std::string_view("\r\n", 2) : std::string_view("\n", 1);
}

void CsvWriter::write_begin() {
  if (options_.bom) out_.append("\xEF\xBB\xBF", 3);
  if (options_.header == HeaderMode::None) return;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i != 0) out_.push_back(options_.delimiter);
    const Column& c = columns_[i];
    const bool label = options_.header == HeaderMode::Label && !c.label.empty();
    write_text(label ? c.label : c.name, false);
  }
  out_.append(eol_);
}

void CsvWriter::write_row(const Cell* cells) {
  const std::size_t n = columns_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0) out_.push_back(options_.delimiter);
    write_field(cells[i]);
  }
  out_.append(eol_);
}

void CsvWriter::write_field(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::Null:
      return;
    case CellKind::Text:
      write_text(cell.text, options_.escape_formulas);
      return;
    case CellKind::Integer:
      if (!cell.is_text) {
        if (options_.quote_all) out_.push_back('"');
        append_int(out_, cell.v.i);
        if (options_.quote_all) out_.push_back('"');
        return;
      }
      write_text(cell.text, false);
      return;
    case CellKind::Number:
      if (!cell.is_text) {
        if (options_.quote_all) out_.push_back('"');
        append_double_pg(out_, cell.v.d);
        if (options_.quote_all) out_.push_back('"');
        return;
      }
      write_text(cell.text, false);
      return;
    case CellKind::Boolean:
      write_text(cell.v.b ? std::string_view("true") : std::string_view("false"), false);
      return;
    case CellKind::Json:
    case CellKind::Date:
    case CellKind::DateTime:
      write_text(cell.text, false);
      return;
    case CellKind::Geometry:
    case CellKind::Array:
      scratch_.clear();
      join_item(scratch_, cell);
      write_text(scratch_, options_.escape_formulas && cell.kind == CellKind::Array);
      return;
  }
}

void CsvWriter::join_item(std::string& dst, const Cell& cell) {
  switch (cell.kind) {
    case CellKind::Null:
      return;
    case CellKind::Text:
    case CellKind::Json:
    case CellKind::Date:
    case CellKind::DateTime:
      dst.append(cell.text);
      return;
    case CellKind::Integer:
      if (cell.is_text)
        dst.append(cell.text);
      else
        append_int(dst, cell.v.i);
      return;
    case CellKind::Number:
      if (cell.is_text)
        dst.append(cell.text);
      else
        append_double_pg(dst, cell.v.d);
      return;
    case CellKind::Boolean:
      dst.append(cell.v.b ? "true" : "false");
      return;
    case CellKind::Geometry:
      if (options_.geometry_format == GeometryFormat::Wkt) {
        append_wkt(cell.text, geometry_options_, dst);
      } else {
        append_geojson_checked(dst, cell.text, geometry_options_, nullptr);
      }
      return;
    case CellKind::Array:
      for (std::size_t i = 0; i < cell.v.count; ++i) {
        if (i != 0) dst.append(options_.list_separator);
        join_item(dst, cell.items[i]);
      }
      return;
  }
}

void CsvWriter::write_text(std::string_view s, bool guard_formula) {
  const bool prefix = guard_formula && starts_formula(s);
  bool quote = options_.quote_all || s.empty() || is_blank(s.front()) || is_blank(s.back());
  if (!quote) {
    for (const char c : s) {
      if (special_[static_cast<unsigned char>(c)]) {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    if (prefix) out_.push_back('\'');
    out_.append(s);
    return;
  }
  out_.push_back('"');
  if (prefix) out_.push_back('\'');
  // Double every quote; copy the stretches between them in one append.
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const auto* q =
        static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (q == nullptr) {
      out_.append(p, static_cast<std::size_t>(end - p));
      break;
    }
    out_.append(p, static_cast<std::size_t>(q - p + 1));
    out_.push_back('"');
    p = q + 1;
  }
  out_.push_back('"');
}

}  // namespace opendata::exporter
