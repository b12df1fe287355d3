#include "core/export/geojson_writer.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/export/json_writer.hpp"
#include "core/export/number_format.hpp"
#include "core/export/text_escape.hpp"

namespace opendata::exporter {

namespace {

std::size_t find_column(const std::vector<Column>& columns, const std::string& name,
                        const char* option) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  throw UserError(sqlstate::kInvalidParameterValue, "export option \"" + std::string(option) +
                                                        "\" names no column: \"" + name + "\"");
}

}  // namespace

GeoJsonWriter::GeoJsonWriter(std::vector<Column> columns, const ExportOptions& options)
    : Writer(std::move(columns), options) {
  if (!options_.geometry_field.empty()) {
    geometry_index_ = find_column(columns_, options_.geometry_field, "geometry_field");
    if (columns_[geometry_index_].kind != CellKind::Geometry) {
      throw UserError(sqlstate::kInvalidParameterValue,
                      "export option \"geometry_field\": column \"" + options_.geometry_field +
                          "\" is not a geometry");
    }
  } else {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].kind == CellKind::Geometry) {
        geometry_index_ = i;
        break;
      }
    }
  }
  if (!options_.id_field.empty()) {
    id_index_ = find_column(columns_, options_.id_field, "id_field");
    const CellKind k = columns_[id_index_].kind;
    // RFC 7946 section 3.2: the id is a string or a number.
    if (k != CellKind::Text && k != CellKind::Integer && k != CellKind::Number &&
        k != CellKind::Date && k != CellKind::DateTime) {
      throw UserError(sqlstate::kInvalidParameterValue, "export option \"id_field\": column \"" +
                                                            options_.id_field +
                                                            "\" is not a text or number column");
    }
  }
  std::vector<Column> props;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i != geometry_index_) props.push_back(columns_[i]);
  }
  keys_ = json_keys(props);
}

void GeoJsonWriter::write_begin() { out_.append("{\"type\":\"FeatureCollection\",\"features\":["); }

void GeoJsonWriter::write_id(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::Null:
      return;  // no id member rather than "id":null (not a string or number)
    case CellKind::Integer:
    case CellKind::Number:
      if (!cell.is_text && cell.kind == CellKind::Number && !std::isfinite(cell.v.d)) return;
      if (cell.is_text && classify_number_text(cell.text) == NumberText::NonFinite) return;
      out_.append("\"id\":");
      append_json_value(out_, cell, geometry_options_);
      out_.push_back(',');
      return;
    case CellKind::Text:
    case CellKind::Date:
    case CellKind::DateTime:
      out_.append("\"id\":");
      append_json_string(out_, cell.text);
      out_.push_back(',');
      return;
    default:
      return;  // other kinds are refused by the constructor's column check
  }
}

void GeoJsonWriter::write_row(const Cell* cells) {
  if (rows_ != 0) out_.push_back(',');
  out_.append("{\"type\":\"Feature\",");
  if (id_index_ != kNone) write_id(cells[id_index_]);
  out_.append("\"geometry\":");
  BBox box;
  const bool has_geometry =
      geometry_index_ != kNone && cells[geometry_index_].kind == CellKind::Geometry;
  if (has_geometry) {
    append_geojson_checked(out_, cells[geometry_index_].text, geometry_options_,
                           options_.bbox ? &box : nullptr);
  } else {
    out_.append("null", 4);
  }
  if (options_.bbox && !box.empty) {
    out_.append(",\"bbox\":");
    box.append_json(out_, options_.precision);
  }
  out_.append(",\"properties\":{");
  std::size_t k = 0;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i == geometry_index_) continue;
    if (k != 0) out_.push_back(',');
    out_.append(keys_[k++]);
    append_json_value(out_, cells[i], geometry_options_);
  }
  out_.append("}}");
  // Merge only once the row is complete: a row that throws leaves no trace.
  if (options_.bbox) total_.merge(box);
}

void GeoJsonWriter::write_finish() {
  out_.push_back(']');
  if (options_.bbox && !total_.empty) {
    out_.append(",\"bbox\":");
    total_.append_json(out_, options_.precision);
  }
  out_.push_back('}');
}

}  // namespace opendata::exporter
