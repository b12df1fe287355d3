#include "core/export/options.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace opendata::exporter {

namespace {

using nlohmann::json;

constexpr unsigned kCsv = 1u << 0;
constexpr unsigned kJson = 1u << 1;
constexpr unsigned kJsonl = 1u << 2;
constexpr unsigned kGeo = 1u << 3;
constexpr unsigned kFile = 1u << 4;  // the binary formats: no option applies
// Coordinates written as text: binary formats keep every bit of them.
constexpr unsigned kText = kCsv | kJson | kJsonl | kGeo;

struct KeySpec {
  const char* name;
  unsigned formats;
};

// A plain constexpr table: no static constructor runs at load time.
constexpr KeySpec kKeys[] = {
    {"delimiter", kCsv},
    {"bom", kCsv},
    {"quote_all", kCsv},
    {"header", kCsv},
    {"list_separator", kCsv},
    {"line_ending", kCsv},
    {"geometry_format", kCsv},
    {"escape_formulas", kCsv},
    {"precision", kText},
    {"keep_z", kText},
    {"id_field", kGeo},
    {"geometry_field", kGeo},
    {"bbox", kGeo},
};

unsigned format_bit(Format f) {
  switch (f) {
    case Format::Csv:
      return kCsv;
    case Format::Json:
      return kJson;
    case Format::Jsonl:
      return kJsonl;
    case Format::GeoJson:
      return kGeo;
    case Format::Parquet:
    case Format::Xlsx:
    case Format::GeoPackage:
    case Format::FlatGeobuf:
    case Format::Kml:
    case Format::Shapefile:
      return kFile;
  }
  return 0;
}

[[noreturn]] void bad_value(const std::string& key, const std::string& expected) {
  throw UserError(sqlstate::kInvalidParameterValue,
                  "invalid value for export option \"" + key + "\"", "Expected " + expected + ".");
}

bool get_bool(const std::string& key, const json& v) {
  if (!v.is_boolean()) bad_value(key, "true or false");
  return v.get<bool>();
}

const std::string& get_string(const std::string& key, const json& v, const char* expected) {
  if (!v.is_string()) bad_value(key, expected);
  return v.get_ref<const std::string&>();
}

}  // namespace

Format parse_format(std::string_view name) {
  if (name == "csv") return Format::Csv;
  if (name == "json") return Format::Json;
  if (name == "jsonl" || name == "ndjson") return Format::Jsonl;
  if (name == "geojson") return Format::GeoJson;
  if (name == "parquet") return Format::Parquet;
  if (name == "xlsx") return Format::Xlsx;
  if (name == "gpkg" || name == "geopackage") return Format::GeoPackage;
  if (name == "fgb" || name == "flatgeobuf") return Format::FlatGeobuf;
  if (name == "kml") return Format::Kml;
  if (name == "shp" || name == "shapefile") return Format::Shapefile;
  throw UserError(sqlstate::kInvalidParameterValue,
                  "unknown export format \"" + std::string(name) + "\"", {},
                  "Use one of csv, json, jsonl, geojson, parquet, xlsx, gpkg, fgb, kml, shp.");
}

bool is_binary(Format f) {
  return f != Format::Csv && f != Format::Json && f != Format::Jsonl && f != Format::GeoJson;
}

const char* format_name(Format f) {
  switch (f) {
    case Format::Csv:
      return "csv";
    case Format::Json:
      return "json";
    case Format::Jsonl:
      return "jsonl";
    case Format::GeoJson:
      return "geojson";
    case Format::Parquet:
      return "parquet";
    case Format::Xlsx:
      return "xlsx";
    case Format::GeoPackage:
      return "gpkg";
    case Format::FlatGeobuf:
      return "fgb";
    case Format::Kml:
      return "kml";
    case Format::Shapefile:
      return "shp";
  }
  return "?";
}

ExportOptions parse_options(Format format, std::string_view text) {
  // Blank text means "no options", as an SQL default of '' or NULL would.
  std::size_t i = 0;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    ++i;
  if (i == text.size()) return ExportOptions{};
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw UserError(sqlstate::kInvalidParameterValue, "export options are not valid JSON", {},
                    "Pass a JSON object such as {\"delimiter\": \",\"}.");
  }
  return options_from_json(format, parsed);
}

ExportOptions options_from_json(Format format, const json& object) {
  ExportOptions o;
  if (object.is_null()) return o;
  if (!object.is_object()) {
    throw UserError(sqlstate::kInvalidParameterValue, "export options must be a JSON object");
  }
  const unsigned bit = format_bit(format);
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    const KeySpec* spec = nullptr;
    for (const KeySpec& k : kKeys) {
      if (key == k.name) spec = &k;
    }
    if (spec == nullptr) {
      throw UserError(sqlstate::kInvalidParameterValue, "unknown export option \"" + key + "\"", {},
                      "See docs/export.md for the options of each format.");
    }
    if ((spec->formats & bit) == 0) {
      throw UserError(
          sqlstate::kInvalidParameterValue,
          "export option \"" + key + "\" does not apply to format " + format_name(format));
    }

    if (key == "delimiter") {
      const std::string& s = get_string(key, v, "a single ASCII character");
      // One byte keeps the quoting scan a table lookup.  The quote and the
      // line breaks would make the file ambiguous; NUL breaks C tools.
      if (s.size() != 1 || static_cast<unsigned char>(s[0]) >= 0x80 || s[0] == '"' ||
          s[0] == '\r' || s[0] == '\n' || s[0] == '\0') {
        bad_value(key, "a single ASCII character other than '\"', CR, LF and NUL");
      }
      o.delimiter = s[0];
    } else if (key == "bom") {
      o.bom = get_bool(key, v);
    } else if (key == "quote_all") {
      o.quote_all = get_bool(key, v);
    } else if (key == "escape_formulas") {
      o.escape_formulas = get_bool(key, v);
    } else if (key == "keep_z") {
      o.keep_z = get_bool(key, v);
    } else if (key == "bbox") {
      o.bbox = get_bool(key, v);
    } else if (key == "header") {
      const std::string& s = get_string(key, v, "\"name\", \"label\" or \"none\"");
      if (s == "name")
        o.header = HeaderMode::Name;
      else if (s == "label")
        o.header = HeaderMode::Label;
      else if (s == "none")
        o.header = HeaderMode::None;
      else
        bad_value(key, "\"name\", \"label\" or \"none\"");
    } else if (key == "list_separator") {
      const std::string& s = get_string(key, v, "a string of at most 16 bytes");
      if (s.size() > 16) bad_value(key, "a string of at most 16 bytes");
      o.list_separator = s;
    } else if (key == "line_ending") {
      const std::string& s = get_string(key, v, "\"crlf\" or \"lf\"");
      if (s == "crlf")
        o.crlf = true;
      else if (s == "lf")
        o.crlf = false;
      else
        bad_value(key, "\"crlf\" or \"lf\"");
    } else if (key == "geometry_format") {
      const std::string& s = get_string(key, v, "\"geojson\" or \"wkt\"");
      if (s == "geojson")
        o.geometry_format = GeometryFormat::GeoJson;
      else if (s == "wkt")
        o.geometry_format = GeometryFormat::Wkt;
      else
        bad_value(key, "\"geojson\" or \"wkt\"");
    } else if (key == "precision") {
      // null asks for full precision (shortest round-trip form).
      if (v.is_null()) {
        o.precision = -1;
      } else if (v.is_number_integer() && v.get<long long>() >= 0 && v.get<long long>() <= 15) {
        o.precision = static_cast<int>(v.get<long long>());
      } else {
        bad_value(key, "an integer from 0 to 15, or null for full precision");
      }
    } else if (key == "id_field") {
      o.id_field = get_string(key, v, "a column name");
    } else if (key == "geometry_field") {
      o.geometry_field = get_string(key, v, "a column name");
    }
  }
  return o;
}

}  // namespace opendata::exporter
