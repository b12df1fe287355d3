#include "core/ingest/options.hpp"

#include "core/error.hpp"

namespace opendata::ingest {

namespace {

using nlohmann::json;

[[noreturn]] void bad_option(const std::string& key, const std::string& detail,
                             const std::string& hint = {}) {
  throw UserError(sqlstate::kInvalidParameterValue, "invalid import option \"" + key + "\"",
                  detail, hint);
}

const std::string& need_string(const json& v, const std::string& key) {
  if (!v.is_string()) bad_option(key, "Expected a string, got " + std::string(v.type_name()) + ".");
  return v.get_ref<const std::string&>();
}

// A one-character option such as the delimiter.  "\t" and "tab" both mean tab.
char need_char(const json& v, const std::string& key, std::string_view allowed, bool allow_empty) {
  const std::string& s = need_string(v, key);
  std::string t = s;
  if (t == "tab" || t == "\\t") t = "\t";
  if (t.empty() && allow_empty) return '\0';
  if (t.size() != 1 || allowed.find(t[0]) == std::string_view::npos) {
    std::string shown;
    for (char c : allowed) {
      if (!shown.empty()) shown += ", ";
      shown += c == '\t' ? std::string("tab") : std::string(1, c);
    }
    if (allow_empty) shown += ", or \"\" for none";
    bad_option(key, "Got \"" + s + "\".", "Use one of: " + shown + ".");
  }
  return t[0];
}

GeometryOption parse_geometry(const json& v) {
  GeometryOption g;
  if (v.is_boolean()) {
    if (v.get<bool>()) bad_option("geometry", "true is not a geometry source.",
                                  "Use false, or an object such as {\"latlon\": \"geo_point\"}.");
    g.kind = GeometryOption::Kind::None;
    return g;
  }
  if (!v.is_object() || v.empty())
    bad_option("geometry", "Expected false or an object.",
               "For example {\"latlon\": \"geo_point\"}, {\"lat\": \"y\", \"lon\": \"x\"}, "
               "{\"geojson\": \"shape\"} or {\"wkt\": \"wkt\"}.");
  for (const auto& [k, val] : v.items()) {
    const std::string key = "geometry." + k;
    if (k == "latlon" || k == "geojson" || k == "wkt") {
      if (g.kind != GeometryOption::Kind::Auto) bad_option(key, "Only one geometry source may be given.");
      g.kind = k == "latlon"    ? GeometryOption::Kind::LatLon
               : k == "geojson" ? GeometryOption::Kind::GeoJson
                                : GeometryOption::Kind::Wkt;
      g.column = need_string(val, key);
    } else if (k == "lat") {
      g.lat = need_string(val, key);
    } else if (k == "lon") {
      g.lon = need_string(val, key);
    } else {
      bad_option(key, "Unknown geometry source.", "Use latlon, lat and lon, geojson or wkt.");
    }
  }
  if (!g.lat.empty() || !g.lon.empty()) {
    if (g.kind != GeometryOption::Kind::Auto) bad_option("geometry", "Only one geometry source may be given.");
    if (g.lat.empty() || g.lon.empty()) bad_option("geometry", "Both \"lat\" and \"lon\" are needed.");
    g.kind = GeometryOption::Kind::Pair;
  }
  return g;
}

ColumnOverride parse_column(const std::string& key, const json& v) {
  ColumnOverride c;
  c.key = key;
  const std::string base = "columns." + key;
  if (!v.is_object()) bad_option(base, "Expected an object such as {\"type\": \"text\"}.");
  for (const auto& [k, val] : v.items()) {
    if (k == "type") {
      ColumnType t;
      if (!parse_column_type(need_string(val, base + ".type"), t))
        bad_option(base + ".type", "Unknown type \"" + val.get<std::string>() + "\".",
                   "Use text, boolean, integer, bigint, numeric, date, timestamp, timestamptz, "
                   "jsonb or geometry.");
      c.type = t;
    } else if (k == "name") {
      c.name = need_string(val, base + ".name");
      bool ok = !c.name.empty() && c.name.size() <= 63 && !(c.name[0] >= '0' && c.name[0] <= '9');
      for (char ch : c.name)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
      if (!ok)
        bad_option(base + ".name", "\"" + c.name + "\" is not a safe column name.",
                   "Use lower-case letters, digits and underscores, not starting with a digit, "
                   "at most 63 bytes.");
    } else {
      bad_option(base + "." + k, "Unknown column setting.", "Use \"type\" and \"name\".");
    }
  }
  return c;
}

}  // namespace

CsvOptions parse_options(const json& v, InputFormat format) {
  CsvOptions o;
  if (v.is_null()) return o;
  if (!v.is_object()) bad_option("options", "Import options must be a JSON object.");
  for (const auto& [k, val] : v.items()) {
    const bool csv_only = k == "delimiter" || k == "quote" || k == "escape" || k == "header";
    if (csv_only && format != InputFormat::Csv)
      bad_option(k, "This option applies to CSV files only.");
    if (k == "encoding") {
      if (!parse_encoding(need_string(val, k), o.encoding))
        bad_option(k, "Unknown encoding \"" + val.get<std::string>() + "\".",
                   "Use auto, utf-8, windows-1252, latin-1, latin-9, utf-16le or utf-16be.");
    } else if (k == "delimiter") {
      o.delimiter = need_char(val, k, ",;\t|", false);
    } else if (k == "quote") {
      o.quote = need_char(val, k, "\"'", true);
    } else if (k == "escape") {
      o.escape = need_char(val, k, "\"'\\", true);
    } else if (k == "header") {
      if (!val.is_boolean()) bad_option(k, "Expected true or false.");
      o.header = val.get<bool>();
    } else if (k == "null_values") {
      if (!val.is_array()) bad_option(k, "Expected an array of strings.");
      std::vector<std::string> nv;
      for (const auto& e : val) nv.push_back(need_string(e, k));
      o.null_values = std::move(nv);
    } else if (k == "decimal") {
      o.decimal = need_char(val, k, ".,", false);
    } else if (k == "date_format") {
      const std::string& s = need_string(val, k);
      if (s == "auto") o.date_format = DateFormat::Auto;
      else if (s == "dmy") o.date_format = DateFormat::Dmy;
      else if (s == "mdy") o.date_format = DateFormat::Mdy;
      else if (s == "ymd") o.date_format = DateFormat::Ymd;
      else if (s == "yyyymmdd") o.date_format = DateFormat::Compact;
      else bad_option(k, "Got \"" + s + "\".", "Use auto, dmy, mdy, ymd or yyyymmdd.");
    } else if (k == "columns") {
      if (!val.is_object()) bad_option(k, "Expected an object mapping column to {type, name}.");
      for (const auto& [ck, cv] : val.items()) o.columns.push_back(parse_column(ck, cv));
    } else if (k == "on_error") {
      const std::string& s = need_string(val, k);
      if (s == "abort") o.on_error = OnError::Abort;
      else if (s == "skip") o.on_error = OnError::Skip;
      else bad_option(k, "Got \"" + s + "\".", "Use \"abort\" or \"skip\".");
    } else if (k == "geometry") {
      o.geometry = parse_geometry(val);
    } else {
      bad_option(k, "Unknown option.",
                 "Known options: encoding, delimiter, quote, escape, header, null_values, "
                 "decimal, date_format, columns, on_error, geometry.");
    }
  }
  if (o.quote && o.escape && *o.escape != '\\' && *o.escape != *o.quote)
    bad_option("escape", "The escape must be the quote character (doubled quotes) or a backslash.");
  if (o.decimal != 0 && o.decimal == o.delimiter)
    bad_option("decimal", "The decimal mark cannot be the delimiter.");
  return o;
}

CsvOptions parse_options_text(std::string_view json_text, InputFormat format) {
  json v = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (v.is_discarded()) bad_option("options", "The options are not valid JSON.");
  return parse_options(v, format);
}

}  // namespace opendata::ingest
