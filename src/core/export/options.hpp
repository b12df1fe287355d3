// Export formats and their options, parsed from the user's JSON object.
//
// Options arrive from SQL (a jsonb/text argument of the export functions),
// so every mistake is a user error: an unknown key, a key that does not
// apply to the chosen format, or a bad value raises UserError 22023 naming
// the key.  Keys are checked per format so that a typo never passes silently.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/geojson_precision.hpp"

namespace opendata::exporter {

// Text formats first; the others are files (bytes): Parquet, XLSX and the
// GDAL formats (docs/export.md).
enum class Format { Csv, Json, Jsonl, GeoJson, Parquet, Xlsx, GeoPackage, FlatGeobuf, Kml, Shapefile };
enum class HeaderMode { Name, Label, None };
enum class GeometryFormat { GeoJson, Wkt };

struct ExportOptions {
  // CSV only.
  char delimiter = ';';  // Opendatasoft's default; any ASCII byte but '"', CR, LF, NUL
  bool bom = true;       // UTF-8 BOM so that Excel detects the encoding
  bool quote_all = false;
  HeaderMode header = HeaderMode::Name;
  std::string list_separator = ",";  // joins Array cells
  bool crlf = true;                  // RFC 4180 record separator
  GeometryFormat geometry_format = GeometryFormat::GeoJson;
  bool escape_formulas = false;  // prefix text starting with = + - @ TAB CR by '

  // Geometries, every format.
  int precision = kGeoJsonDecimals;  // decimals for coordinates; -1 = shortest round-trip
  bool keep_z = true;  // write Z as a third position element; M is always dropped

  // GeoJSON only.
  std::string id_field;        // column giving Feature.id; empty = no id
  std::string geometry_field;  // column giving Feature.geometry; empty = first geometry column
  bool bbox = false;           // per-feature and collection bbox
};

// "csv", "json", "jsonl" (or "ndjson"), "geojson", "parquet", "xlsx",
// "gpkg", "fgb", "kml", "shp" (and the long names "geopackage",
// "flatgeobuf", "shapefile"); anything else -> 22023.
Format parse_format(std::string_view name);
const char* format_name(Format f);
// A binary file (returned as bytea), not text.
bool is_binary(Format f);

// `text` is a JSON object (or empty / "null" for the defaults).  Uses the
// non-throwing parser: malformed JSON is a 22023 user error, not a crash.
ExportOptions parse_options(Format format, std::string_view text);
ExportOptions options_from_json(Format format, const nlohmann::json& object);

}  // namespace opendata::exporter
