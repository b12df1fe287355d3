#include "core/ingest/report.hpp"

namespace opendata::ingest {

namespace {

std::string char_name(char c) {
  if (c == '\0') return "";
  if (c == '\t') return "\t";
  return std::string(1, c);
}

const char* source_name(GeomSource s) {
  switch (s) {
    case GeomSource::None: return nullptr;
    case GeomSource::LatLonText: return "latlon";
    case GeomSource::GeoJsonText: return "geojson";
    case GeomSource::WktText: return "wkt";
    case GeomSource::LatLonPair: return "lat_lon_columns";
    case GeomSource::Feature: return "feature";
  }
  return nullptr;
}

const char* order_name(DateOrder o) {
  switch (o) {
    case DateOrder::Iso: return "ymd";
    case DateOrder::Dmy: return "dmy";
    case DateOrder::Mdy: return "mdy";
    case DateOrder::Compact: return "yyyymmdd";
  }
  return "ymd";
}

}  // namespace

nlohmann::json to_json(const SniffReport& r) {
  using nlohmann::json;
  json j;
  j["format"] = r.format;
  json d;
  d["encoding"] = encoding_name(r.dialect.encoding);
  d["bom_count"] = r.dialect.bom_count;
  if (r.format == "csv") {
    d["delimiter"] = char_name(r.dialect.delimiter);
    d["quote"] = char_name(r.dialect.quote);
    d["escape"] = r.dialect.escape == '\\' ? "\\" : char_name(r.dialect.escape);
    d["header"] = r.dialect.header;
    d["line_ending"] = r.dialect.line_ending;
  }
  j["dialect"] = std::move(d);
  j["row_count"] = r.row_count;
  json cols = json::array();
  for (const auto& c : r.columns) {
    json k;
    k["name"] = c.name;
    k["label"] = c.label;
    k["type"] = column_type_name(c.type);
    k["pg_type"] = c.pg_type;
    k["reason"] = c.reason;
    k["forced"] = c.forced;
    k["null_count"] = c.null_count;
    k["non_null_count"] = c.non_null_count;
    k["distinct_count"] = c.distinct_count;
    k["distinct_exact"] = c.distinct_exact;
    k["min"] = c.min.empty() ? json(nullptr) : json(c.min);
    k["max"] = c.max.empty() ? json(nullptr) : json(c.max);
    k["examples"] = c.examples;
    if (c.type == ColumnType::Numeric) k["decimal"] = char_name(c.decimal == 0 ? '.' : c.decimal);
    if (c.type == ColumnType::Date || c.type == ColumnType::Timestamp)
      k["date_format"] = order_name(c.date_order);
    if (const char* s = source_name(c.geom_source)) k["geometry_source"] = s;
    if (c.geom_source == GeomSource::LatLonPair) {
      k["lat_source"] = c.lat_index;
      k["lon_source"] = c.lon_index;
    }
    cols.push_back(std::move(k));
  }
  j["columns"] = std::move(cols);
  j["geometry_column"] = r.geometry_column.empty() ? json(nullptr) : json(r.geometry_column);
  j["ragged_count"] = r.ragged_count;
  json rr = json::array();
  for (const auto& x : r.ragged_rows)
    rr.push_back({{"row", x.row}, {"line", x.line}, {"fields", x.fields}, {"expected", x.expected}});
  j["ragged_rows"] = std::move(rr);
  j["warnings"] = r.warnings;
  return j;
}

}  // namespace opendata::ingest
