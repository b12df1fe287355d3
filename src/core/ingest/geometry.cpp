#include "core/ingest/geometry.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/interrupt.hpp"

namespace opendata::ingest {

namespace {

using nlohmann::json;

}  // namespace

const char* geom_kind_wkt_name(GeomKind k) {
  switch (k) {
    case GeomKind::Point: return "POINT";
    case GeomKind::LineString: return "LINESTRING";
    case GeomKind::Polygon: return "POLYGON";
    case GeomKind::MultiPoint: return "MULTIPOINT";
    case GeomKind::MultiLineString: return "MULTILINESTRING";
    case GeomKind::MultiPolygon: return "MULTIPOLYGON";
    case GeomKind::GeometryCollection: return "GEOMETRYCOLLECTION";
    case GeomKind::Unknown: break;
  }
  return "GEOMETRY";
}

GeomKind geom_kind_from_name(std::string_view s) {
  // Case-insensitive: GeoJSON spells "Point", WKT "POINT" or "Point".
  auto eq = [&](const char* name) {
    size_t n = std::strlen(name);
    if (s.size() != n) return false;
    for (size_t i = 0; i < n; ++i) {
      char c = s[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != name[i]) return false;
    }
    return true;
  };
  for (GeomKind k : {GeomKind::Point, GeomKind::LineString, GeomKind::Polygon, GeomKind::MultiPoint,
                     GeomKind::MultiLineString, GeomKind::MultiPolygon, GeomKind::GeometryCollection})
    if (eq(geom_kind_wkt_name(k))) return k;
  return GeomKind::Unknown;
}

namespace {

void append_srid(std::string& out, int srid) {
  out += "SRID=";
  out += std::to_string(srid);
  out += ';';
}

// ---- WKT ---------------------------------------------------------------------

class WktParser {
 public:
  WktParser(std::string_view s, std::string& err) : s_(s), err_(err) {}

  // Parses one geometry body at the cursor.  With out_ set, emits it.
  bool geometry(int depth, GeomInfo& info) {
    if (depth > kMaxGeometryDepth) return fail("geometry collections nested too deeply");
    std::string_view w = word();
    GeomKind kind = geom_kind_from_name(w);
    if (kind == GeomKind::Unknown) return fail("unknown geometry type");
    if (depth == 0) info.kind = kind;
    emit(geom_kind_wkt_name(kind));
    if (z_out_) emit(" Z ");
    size_t save = p_;
    std::string_view dim = word();
    if (dim == "Z" || dim == "z") {
      save = p_;
      dim = word();
    } else if (dim == "M" || dim == "m" || dim == "ZM" || dim == "zm") {
      return fail("M coordinates are not supported");
    }
    if (dim == "EMPTY" || dim == "empty") {
      emit(" EMPTY");
      if (depth == 0) info.empty = true;
      return true;
    }
    p_ = save;
    if (!punct('(')) return fail("expected '('");
    emit("(");
    bool ok = true;
    switch (kind) {
      case GeomKind::Point: ok = coord(); break;
      case GeomKind::LineString: ok = coord_list(2, false); break;
      case GeomKind::MultiPoint: ok = multipoint(); break;
      case GeomKind::Polygon: ok = list_of_lists(4, true); break;
      case GeomKind::MultiLineString: ok = list_of_lists(2, false); break;
      case GeomKind::MultiPolygon:
        do {
          if (!expect_open()) return false;
          if (!list_of_lists(4, true)) return false;
          if (!expect_close()) return false;
        } while (comma());
        break;
      case GeomKind::GeometryCollection:
        do {
          GeomInfo sub;
          if (!geometry(depth + 1, sub)) return false;
        } while (comma());
        break;
      case GeomKind::Unknown: return false;
    }
    if (!ok) return false;
    if (!punct(')')) return fail("expected ')'");
    emit(")");
    return true;
  }

  bool at_end() {
    skip_ws();
    return p_ == s_.size();
  }
  size_t pos() const { return p_; }
  void set_pos(size_t p) { p_ = p; }
  void set_output(std::string* out, bool z) {
    out_ = out;
    z_out_ = z;
  }
  bool all_z = true;

 private:
  bool fail(std::string m) {
    if (err_.empty()) err_ = std::move(m);
    return false;
  }
  void emit(const char* t) {
    if (out_) *out_ += t;
  }
  void skip_ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  std::string_view word() {
    skip_ws();
    size_t b = p_;
    while (p_ < s_.size() && ((s_[p_] >= 'A' && s_[p_] <= 'Z') || (s_[p_] >= 'a' && s_[p_] <= 'z'))) ++p_;
    return s_.substr(b, p_ - b);
  }
  bool punct(char c) {
    skip_ws();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool comma() {
    if (!punct(',')) return false;
    emit(",");
    return true;
  }
  bool expect_open() {
    if (!punct('(')) return fail("expected '('");
    emit("(");
    return true;
  }
  bool expect_close() {
    if (!punct(')')) return fail("expected ')'");
    emit(")");
    return true;
  }
  bool number(double& d, std::string_view& text) {
    skip_ws();
    size_t b = p_;
    if (p_ < s_.size() && s_[p_] == '+') ++b, ++p_;
    auto r = std::from_chars(s_.data() + p_, s_.data() + s_.size(), d);
    if (r.ec == std::errc() && !std::isfinite(d)) return fail("a coordinate is not finite");
    if (r.ec != std::errc()) return fail("expected a number");
    p_ = static_cast<size_t>(r.ptr - s_.data());
    text = s_.substr(b, p_ - b);
    return true;
  }
  bool coord(double* xy = nullptr) {
    ticker_.tick();
    double v[3];
    std::string_view t[3];
    int n = 0;
    for (; n < 3; ++n) {
      skip_ws();
      if (p_ >= s_.size() || s_[p_] == ',' || s_[p_] == ')') break;
      if (!number(v[n], t[n])) return false;
    }
    skip_ws();
    if (n < 2) return fail("a position needs at least two numbers");
    if (p_ < s_.size() && s_[p_] != ',' && s_[p_] != ')') return fail("M coordinates are not supported");
    if (n < 3) all_z = false;
    if (out_) {
      out_->append(t[0]);
      *out_ += ' ';
      out_->append(t[1]);
      if (z_out_ && n == 3) {
        *out_ += ' ';
        out_->append(t[2]);
      }
    }
    if (xy) {
      xy[0] = v[0];
      xy[1] = v[1];
    }
    return true;
  }
  bool coord_list(size_t min, bool closed) {
    size_t count = 0;
    double first[2] = {0, 0}, last[2] = {0, 0};
    do {
      if (!coord(last)) return false;
      if (count == 0) first[0] = last[0], first[1] = last[1];
      ++count;
    } while (comma());
    if (count < min)
      return fail(std::string(closed ? "a polygon ring" : "a line") + " needs at least " +
                  std::to_string(min) + " positions");
    if (closed && (first[0] != last[0] || first[1] != last[1])) return fail("a polygon ring is not closed");
    return true;
  }
  bool multipoint() {
    do {
      skip_ws();
      if (p_ < s_.size() && s_[p_] == '(') {
        ++p_;
        emit("(");
        if (!coord() || !expect_close()) return false;
      } else if (!coord()) {
        return false;
      }
    } while (comma());
    return true;
  }
  bool list_of_lists(size_t min, bool closed) {
    do {
      if (!expect_open() || !coord_list(min, closed) || !expect_close()) return false;
    } while (comma());
    return true;
  }

  std::string_view s_;
  std::string& err_;
  size_t p_ = 0;
  std::string* out_ = nullptr;
  bool z_out_ = false;
  InterruptTicker ticker_;
};

}  // namespace

const char* geom_kind_name(GeomKind k) {
  switch (k) {
    case GeomKind::Point: return "Point";
    case GeomKind::LineString: return "LineString";
    case GeomKind::Polygon: return "Polygon";
    case GeomKind::MultiPoint: return "MultiPoint";
    case GeomKind::MultiLineString: return "MultiLineString";
    case GeomKind::MultiPolygon: return "MultiPolygon";
    case GeomKind::GeometryCollection: return "GeometryCollection";
    case GeomKind::Unknown: break;
  }
  return "Geometry";
}

void append_double(std::string& out, double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

bool wkt_to_ewkt(std::string_view text, int default_srid, bool keep_z, std::string* out,
                 GeomInfo& info, std::string& err) {
  int srid = 0;
  std::string_view body = text;
  if (body.size() > 5 && (body[0] == 'S' || body[0] == 's') &&
      (body.substr(0, 5) == "SRID=" || body.substr(0, 5) == "srid=")) {
    size_t semi = body.find(';');
    if (semi == std::string_view::npos) {
      err = "SRID= prefix without ';'";
      return false;
    }
    auto r = std::from_chars(body.data() + 5, body.data() + semi, srid);
    if (r.ec != std::errc() || r.ptr != body.data() + semi || srid <= 0 || srid > 999999) {
      err = "bad SRID";
      return false;
    }
    body.remove_prefix(semi + 1);
  }
  WktParser p(body, err);
  if (!p.geometry(0, info)) return false;
  if (!p.at_end()) {
    err = "unexpected text after the geometry";
    return false;
  }
  info.z = p.all_z && !info.empty;
  info.srid = srid;
  if (out) {
    append_srid(*out, srid != 0 ? srid : default_srid);
    WktParser e(body, err);
    e.set_output(out, keep_z && info.z);
    GeomInfo again;
    e.geometry(0, again);
  }
  return true;
}

void latlon_to_ewkt(std::string_view lat, std::string_view lon, std::string& out) {
  out += "SRID=4326;POINT(";
  out.append(lon.data(), lon.size());
  out += ' ';
  out.append(lat.data(), lat.size());
  out += ')';
}

int srid_from_crs(const json& crs) {
  if (!crs.is_object()) return 0;
  auto props = crs.find("properties");
  if (props == crs.end() || !props->is_object()) return 0;
  auto code = props->find("code");
  if (code != props->end() && code->is_number_integer()) return code->get<int>();
  auto name = props->find("name");
  if (name == props->end() || !name->is_string()) return 0;
  const std::string& n = name->get_ref<const std::string&>();
  if (n.find("CRS84") != std::string::npos) return 4326;
  size_t e = n.rfind("EPSG");
  if (e == std::string::npos) return 0;
  size_t d = n.find_first_of("0123456789", e);
  if (d == std::string::npos) return 0;
  int srid = 0;
  auto r = std::from_chars(n.data() + d, n.data() + n.size(), srid);
  if (r.ec != std::errc() || r.ptr != n.data() + n.size() || srid <= 0) return 0;
  return srid;
}

}  // namespace opendata::ingest
