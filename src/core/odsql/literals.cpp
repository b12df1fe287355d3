#include "core/odsql/literals.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/ingest/geometry.hpp"
#include "core/odsql/lexer.hpp"

namespace opendata::odsql {

static std::string two(int v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string DateValue::date_text() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string DateValue::timestamp_text() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", year, month, day, hour,
                minute, second, micro);
  std::string out = buf;
  if (has_offset) {
    const int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    out += offset_minutes < 0 ? "-" : "+";
    out += two(m / 60) + ":" + two(m % 60);
  }
  return out;
}

static bool digits(const std::string& s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  i += n;
  return true;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

bool parse_date(const std::string& text, DateValue& out, std::string& error) {
  const std::string& s = text;
  std::size_t i = 0;
  DateValue d;
  error = "expected a date such as 2020-05-03, 2020/05/03 or 2020-05-03T10:20:00";
  if (!digits(s, i, 4, d.year)) return false;
  if (i < s.size() && (s[i] == '-' || s[i] == '/')) {
    const char sep = s[i++];
    if (!digits(s, i, 2, d.month)) return false;
    d.precision = 2;
    if (i < s.size() && s[i] == sep) {
      ++i;
      if (!digits(s, i, 2, d.day)) return false;
      d.precision = 3;
    }
  }
  if (d.precision == 3 && i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    ++i;
    if (!digits(s, i, 2, d.hour)) return false;
    d.precision = 4;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, d.minute)) return false;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!digits(s, i, 2, d.second)) return false;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
          ++i;
          int scale = 100000, n = 0;
          while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            d.micro += (s[i] - '0') * scale;
            scale /= 10;
            ++i, ++n;
          }
          if (n == 0) return false;
        }
      }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
      d.has_offset = true;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const bool neg = s[i++] == '-';
      int oh = 0, om = 0;
      if (!digits(s, i, 2, oh)) return false;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size()) {
        if (!digits(s, i, 2, om)) return false;
      }
      if (oh > 15 || om > 59) {
        error = "time zone offset out of range";
        return false;
      }
      d.has_offset = true;
      d.offset_minutes = (neg ? -1 : 1) * (oh * 60 + om);
    }
  }
  if (i != s.size()) return false;
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > days_in_month(d.year, d.month) || d.hour > 23 || d.minute > 59 || d.second > 59) {
    error = "date or time field out of range";
    return false;
  }
  out = d;
  error.clear();
  return true;
}

bool parse_number(const std::string& text, double& value, bool& is_integer, std::int64_t& ivalue) {
  if (text.empty() || text.size() > 64) return false;
  const std::size_t digits_from = text[0] == '-' ? 1 : 0;
  is_integer = text.size() > digits_from &&
               text.find_first_not_of("0123456789", digits_from) == std::string::npos &&
               text.size() <= 18;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != '\0' || errno == ERANGE || !std::isfinite(value)) return false;
  ivalue = is_integer ? std::strtoll(text.c_str(), nullptr, 10) : 0;
  return true;
}

static bool check_geometry_shape(const std::string& text, bool& is_geojson, std::string& error) {
  std::size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) {
    error = "the geometry literal is empty";
    return false;
  }
  if (text[b] == '{') {
    is_geojson = true;
    // Geometries nest a few levels (a MultiPolygon's coordinates are 4 deep);
    // refuse absurd nesting before building a tree from it.
    int depth = 0, max_depth = 0;
    bool in_string = false;
    for (std::size_t i = b; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        max_depth = std::max(max_depth, ++depth);
      } else if (c == ']' || c == '}') {
        --depth;
      }
    }
    if (max_depth > 32) {
      error = "GeoJSON is too deeply nested";
      return false;
    }
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      error = "invalid GeoJSON";
      return false;
    }
    auto t = j.find("type");
    if (t == j.end() || !t->is_string()) {
      error = "GeoJSON geometry has no \"type\"";
      return false;
    }
    static constexpr const char* kTypes[] = {
        "Point",           "LineString",   "Polygon",           "MultiPoint",
        "MultiLineString", "MultiPolygon", "GeometryCollection"};
    const std::string type = t->get<std::string>();
    for (const char* k : kTypes) {
      if (type == k) return true;
    }
    error = "unsupported GeoJSON type \"" + type.substr(0, 40) + "\"";
    return false;
  }
  is_geojson = false;
  // WKT: a type keyword, then numbers, spaces, commas and balanced parens.
  std::size_t i = b;
  while (i < text.size() &&
         ((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
    ++i;
  const std::string word = lower_ascii(text.substr(b, i - b));
  static constexpr const char* kWkt[] = {
      "point",           "linestring",   "polygon",           "multipoint",
      "multilinestring", "multipolygon", "geometrycollection"};
  bool known = false;
  for (const char* k : kWkt) known = known || word == k;
  if (!known) {
    error = "expected WKT (POINT, LINESTRING, POLYGON, ...) or a GeoJSON object";
    return false;
  }
  int depth = 0;
  bool any_paren = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(') {
      ++depth, any_paren = true;
    } else if (c == ')') {
      if (--depth < 0) break;
    } else if (!((c >= '0' && c <= '9') || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
                 c == '.' || c == ',' || c == '-' || c == '+' || (c >= 'A' && c <= 'Z') ||
                 (c >= 'a' && c <= 'z'))) {
      error = "unexpected character in WKT";
      return false;
    }
  }
  const bool empty = lower_ascii(text).find("empty") != std::string::npos;
  if (depth != 0 || (!any_paren && !empty)) {
    error = "unbalanced parentheses in WKT";
    return false;
  }
  return true;
}

bool check_geometry(const std::string& text, bool& is_geojson, std::string& error) {
  if (!check_geometry_shape(text, is_geojson, error)) return false;
  // What PostGIS would refuse while the statement runs, with its internal
  // error class (XX000): too few positions, an unclosed ring, a non-finite
  // coordinate (NaN and infinity are accepted by its WKT reader, and then
  // poison every distance).  The importer's validators apply the same rules
  // to geometry columns.
  ingest::GeomInfo info;
  if (is_geojson) {
    std::string scratch;
    return ingest::geojson_text_to_ewkt(text, 4326, true, scratch, info, error);
  }
  return ingest::wkt_to_ewkt(text, 4326, true, nullptr, info, error);
}

double distance_unit_meters(const std::string& unit) {
  const std::string u = lower_ascii(unit);
  if (u == "m" || u.empty()) return 1.0;
  if (u == "km") return 1000.0;
  if (u == "mi") return 1609.344;
  if (u == "yd") return 0.9144;
  if (u == "ft") return 0.3048;
  if (u == "cm") return 0.01;
  if (u == "mm") return 0.001;
  return 0.0;
}

std::string like_escape(const std::string& text, bool star_wildcard) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') {
      out += '\\';
      out += c;
    } else if (c == '*' && star_wildcard) {
      out += '%';
    } else {
      out += c;
    }
  }
  return out;
}

std::string text_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace opendata::odsql
