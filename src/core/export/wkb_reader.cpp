#include "core/export/wkb_reader.hpp"

#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/export/number_format.hpp"
#include "core/interrupt.hpp"

namespace opendata::exporter {

namespace {

// OGC type codes (the low bits of the WKB type word).
enum : std::uint32_t {
  kPoint = 1,
  kLineString = 2,
  kPolygon = 3,
  kMultiPoint = 4,
  kMultiLineString = 5,
  kMultiPolygon = 6,
  kCollection = 7,
  kCircularString = 8,
  kCompoundCurve = 9,
  kCurvePolygon = 10,
  kMultiCurve = 11,
  kMultiSurface = 12,
  kPolyhedralSurface = 15,
  kTin = 16,
  kTriangle = 17,
};

// EWKB flags (PostGIS liblwgeom).
constexpr std::uint32_t kEwkbZ = 0x80000000u;
constexpr std::uint32_t kEwkbM = 0x40000000u;
constexpr std::uint32_t kEwkbSrid = 0x20000000u;

// Check for a cancel request every this many positions: a single geometry
// can hold millions of them.
constexpr std::uint32_t kInterruptEvery = 1u << 16;

enum class Mode { GeoJson, Wkt };

[[noreturn]] void invalid(const char* what, std::size_t offset) {
  throw UserError(sqlstate::kInvalidBinaryRepresentation, std::string("invalid WKB geometry: ") + what,
                  "At byte offset " + std::to_string(offset) + ".");
}

bool host_is_little() {
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
#else
  const std::uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
#endif
}

std::uint32_t bswap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}
std::uint64_t bswap64(std::uint64_t v) {
  return (static_cast<std::uint64_t>(bswap32(static_cast<std::uint32_t>(v))) << 32) |
         bswap32(static_cast<std::uint32_t>(v >> 32));
}

class Parser {
 public:
  Parser(std::string_view wkb, const GeometryOptions& opts, std::string& out, BBox* bbox, Mode mode)
      : begin_(reinterpret_cast<const unsigned char*>(wkb.data())),
        p_(begin_),
        end_(begin_ + wkb.size()),
        opts_(opts),
        out_(out),
        bbox_(bbox),
        mode_(mode),
        host_little_(host_is_little()) {}

  std::int32_t run() {
    std::int32_t srid = 0;
    geometry(0, 0, &srid);
    if (p_ != end_) invalid("trailing bytes after the geometry", offset());
    return srid;
  }

 private:
  struct Header {
    std::uint32_t type;  // base OGC code
    bool z;              // input positions carry Z
    bool m;              // input positions carry M
    bool swap;           // byte order differs from the host's
  };

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

  void need(std::size_t n) {
    if (remaining() < n) invalid("truncated input", offset());
  }

  std::uint32_t u32(bool swap) {
    need(4);
    std::uint32_t v;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    return swap ? bswap32(v) : v;
  }

  // No bounds check: callers check a whole position or sequence at once.
  static double peek_f64(const unsigned char* at, bool swap) {
    std::uint64_t v;
    std::memcpy(&v, at, 8);
    if (swap) v = bswap64(v);
    double d;
    std::memcpy(&d, &v, 8);
    return d;
  }
  double f64(bool swap) {
    const double d = peek_f64(p_, swap);
    p_ += 8;
    return d;
  }

  Header header(std::int32_t* srid) {
    need(1);
    const unsigned char order = *p_++;
    if (order > 1) invalid("byte order marker must be 0 or 1", offset() - 1);
    Header h{};
    h.swap = (order == 1) != host_little_;
    std::uint32_t type = u32(h.swap);
    h.z = (type & kEwkbZ) != 0;
    h.m = (type & kEwkbM) != 0;
    const bool has_srid = (type & kEwkbSrid) != 0;
    type &= 0x0FFFFFFFu;
    // ISO WKB encodes dimensions as thousands: 1001 = Point Z, 3001 = Point ZM.
    const std::uint32_t iso = type / 1000;
    if (iso > 3) invalid("unknown geometry type", offset() - 4);
    if (iso == 1 || iso == 3) h.z = true;
    if (iso == 2 || iso == 3) h.m = true;
    h.type = type % 1000;
    if (has_srid) {
      const std::uint32_t s = u32(h.swap);
      if (srid != nullptr) std::memcpy(srid, &s, 4);
    }
    return h;
  }

  void check_count(std::uint32_t count, std::size_t min_bytes_each) {
    // Reject counts the remaining bytes cannot hold before looping or
    // reserving anything: a 4-byte lie must not cost 4 billion iterations.
    if (static_cast<std::uint64_t>(count) * min_bytes_each > remaining()) {
      invalid("element count exceeds the input size", offset() - 4);
    }
  }

  bool write_z(const Header& h) const { return h.z && opts_.keep_z; }

  // Reads one position (x, y[, z][, m]) and writes it.
  void position(const Header& h, double* first_xy = nullptr) {
    const double x = f64(h.swap);
    const double y = f64(h.swap);
    double z = 0;
    if (h.z) z = f64(h.swap);
    if (h.m) p_ += 8;  // GeoJSON and our WKT have no measure: dropped
    if (first_xy != nullptr) {
      first_xy[0] = x;
      first_xy[1] = y;
    }
    const bool wz = write_z(h);
    const int prec = opts_.precision;
    if (mode_ == Mode::GeoJson) {
      out_.push_back('[');
      append_coordinate(out_, x, prec);
      out_.push_back(',');
      append_coordinate(out_, y, prec);
      if (wz) {
        out_.push_back(',');
        append_coordinate(out_, z, prec);
      }
      out_.push_back(']');
    } else {
      append_coordinate(out_, x, prec);
      out_.push_back(' ');
      append_coordinate(out_, y, prec);
      if (wz) {
        out_.push_back(' ');
        append_coordinate(out_, z, prec);
      }
    }
    if (bbox_ != nullptr) add_to_bbox(x, y, z, wz);
    tick();
  }

  void add_to_bbox(double x, double y, double z, bool wz) {
    if (!std::isfinite(x) || !std::isfinite(y) || (wz && !std::isfinite(z))) return;
    BBox& b = *bbox_;
    if (!wz) b.all_z = false;
    if (b.empty) {
      b.min[0] = b.max[0] = x;
      b.min[1] = b.max[1] = y;
      b.min[2] = b.max[2] = z;
      b.empty = false;
      return;
    }
    if (x < b.min[0]) b.min[0] = x;
    if (x > b.max[0]) b.max[0] = x;
    if (y < b.min[1]) b.min[1] = y;
    if (y > b.max[1]) b.max[1] = y;
    if (z < b.min[2]) b.min[2] = z;
    if (z > b.max[2]) b.max[2] = z;
  }

  void tick() {
    if (++steps_ % kInterruptEvery == 0) check_interrupts();
  }

  std::size_t position_size(const Header& h) const { return std::size_t{8} * (2u + h.z + h.m); }

  // A point sequence: "[p,p]" in GeoJSON, "(p,p)" in WKT.
  void sequence(const Header& h) {
    const std::uint32_t n = u32(h.swap);
    check_count(n, position_size(h));
    out_.push_back(mode_ == Mode::GeoJson ? '[' : '(');
    for (std::uint32_t i = 0; i < n; ++i) {
      if (i != 0) out_.push_back(',');
      position(h);
    }
    out_.push_back(mode_ == Mode::GeoJson ? ']' : ')');
  }

  // Rings of a polygon: "[[..],[..]]" / "((..),(..))".
  void rings(const Header& h) {
    const std::uint32_t n = u32(h.swap);
    check_count(n, 4);
    out_.push_back(mode_ == Mode::GeoJson ? '[' : '(');
    for (std::uint32_t i = 0; i < n; ++i) {
      if (i != 0) out_.push_back(',');
      sequence(h);
    }
    out_.push_back(mode_ == Mode::GeoJson ? ']' : ')');
  }

  // A Point holding only NaN is how WKB spells POINT EMPTY.
  bool point_is_empty(const Header& h) const {
    return std::isnan(peek_f64(p_, h.swap)) && std::isnan(peek_f64(p_ + 8, h.swap));
  }

  // "POINT EMPTY", and "POINT Z EMPTY" after open() wrote "POINT Z ".
  // Inside a multi-geometry there is no type word before it.
  void empty_word(const Header& h, std::uint32_t parent) {
    out_.append(parent != 0 || write_z(h) ? "EMPTY" : " EMPTY");
  }

  static const char* wkt_name(std::uint32_t type) {
    switch (type) {
      case kPoint:
        return "POINT";
      case kLineString:
        return "LINESTRING";
      case kPolygon:
        return "POLYGON";
      case kMultiPoint:
        return "MULTIPOINT";
      case kMultiLineString:
        return "MULTILINESTRING";
      case kMultiPolygon:
        return "MULTIPOLYGON";
      case kCollection:
        return "GEOMETRYCOLLECTION";
      case kPolyhedralSurface:
        return "POLYHEDRALSURFACE";
      case kTin:
        return "TIN";
      case kTriangle:
        return "TRIANGLE";
    }
    return "";
  }

  // GeoJSON has no surfaces or triangles: they become (Multi)Polygons, as
  // ST_AsGeoJSON writes them.
  static const char* geojson_name(std::uint32_t type) {
    switch (type) {
      case kPoint:
        return "{\"type\":\"Point\",\"coordinates\":";
      case kLineString:
        return "{\"type\":\"LineString\",\"coordinates\":";
      case kPolygon:
      case kTriangle:
        return "{\"type\":\"Polygon\",\"coordinates\":";
      case kMultiPoint:
        return "{\"type\":\"MultiPoint\",\"coordinates\":";
      case kMultiLineString:
        return "{\"type\":\"MultiLineString\",\"coordinates\":";
      case kMultiPolygon:
      case kPolyhedralSurface:
      case kTin:
        return "{\"type\":\"MultiPolygon\",\"coordinates\":";
      case kCollection:
        return "{\"type\":\"GeometryCollection\",\"geometries\":";
    }
    return "";
  }

  // The element type a multi-geometry must contain (0: any).
  static std::uint32_t element_type(std::uint32_t type) {
    switch (type) {
      case kMultiPoint:
        return kPoint;
      case kMultiLineString:
        return kLineString;
      case kMultiPolygon:
        return kPolygon;
      case kPolyhedralSurface:
        return kPolygon;
      case kTin:
        return kTriangle;
    }
    return 0;
  }

  // Parses one geometry.  `parent` is the multi type that contains it (0
  // at top level or inside a GeometryCollection): inside a multi, only the
  // coordinates are written, without a type wrapper.
  void geometry(int depth, std::uint32_t parent, std::int32_t* srid) {
    if (depth > kMaxGeometryDepth) invalid("geometry nesting is too deep", offset());
    const std::size_t start = offset();
    const Header h = header(srid);
    if (parent != 0 && h.type != element_type(parent)) {
      invalid("unexpected element type inside a multi-geometry", start);
    }
    switch (h.type) {
      case kPoint:
      case kLineString:
      case kPolygon:
      case kTriangle:
      case kMultiPoint:
      case kMultiLineString:
      case kMultiPolygon:
      case kPolyhedralSurface:
      case kTin:
      case kCollection:
        break;
      case kCircularString:
      case kCompoundCurve:
      case kCurvePolygon:
      case kMultiCurve:
      case kMultiSurface:
        throw UserError(sqlstate::kFeatureNotSupported, "curved geometries cannot be exported", {},
                        "Convert them with ST_CurveToLine().");
      default:
        invalid("unknown geometry type", start + 1);
    }

    if (h.type == kPoint) {
      need(position_size(h));
      const bool empty = point_is_empty(h);
      if (parent == 0) open(h);
      if (empty) {
        p_ += position_size(h);
        if (mode_ == Mode::GeoJson)
          out_.append("[]");
        else
          empty_word(h, parent);
      } else if (mode_ == Mode::GeoJson) {
        position(h);
      } else {
        out_.push_back('(');
        position(h);
        out_.push_back(')');
      }
      if (parent == 0) close();
      return;
    }

    if (parent == 0) open(h);
    switch (h.type) {
      case kLineString:
        if (empty_wkt(h, parent)) break;
        sequence(h);
        break;
      case kPolygon:
      case kTriangle:
        if (empty_wkt(h, parent)) break;
        rings(h);
        break;
      default: {  // multi-geometries and collections
        const std::uint32_t n = u32(h.swap);
        check_count(n, 5);  // the smallest element: byte order + type
        if (mode_ == Mode::Wkt && n == 0) {
          empty_word(h, parent);
          break;
        }
        out_.push_back(mode_ == Mode::GeoJson ? '[' : '(');
        const std::uint32_t child_parent = h.type == kCollection ? 0 : h.type;
        bool first = true;
        for (std::uint32_t i = 0; i < n; ++i) {
          tick();  // empty elements hold no position but still cost time
          const std::size_t mark = out_.size();
          if (!first) out_.push_back(',');
          // GeoJSON has no empty position: an empty point inside a
          // MultiPoint is left out (WKT can say EMPTY).
          if (mode_ == Mode::GeoJson && h.type == kMultiPoint && skip_empty_point()) {
            out_.resize(mark);
            continue;
          }
          geometry(depth + 1, child_parent, nullptr);
          first = false;
        }
        out_.push_back(mode_ == Mode::GeoJson ? ']' : ')');
      }
    }
    if (parent == 0) close();
  }

  // In WKT an empty line or polygon is "LINESTRING EMPTY", not "()".
  bool empty_wkt(const Header& h, std::uint32_t parent) {
    if (mode_ != Mode::Wkt) return false;
    need(4);
    std::uint32_t n;
    std::memcpy(&n, p_, 4);
    if (h.swap) n = bswap32(n);
    if (n != 0) return false;
    p_ += 4;
    empty_word(h, parent);
    return true;
  }

  // Peeks at the next MultiPoint element; consumes it when it is an empty point.
  bool skip_empty_point() {
    const unsigned char* save = p_;
    const Header h = header(nullptr);
    if (h.type != kPoint) invalid("unexpected element type inside a multi-geometry", save - begin_);
    need(position_size(h));
    if (point_is_empty(h)) {
      p_ += position_size(h);
      return true;
    }
    p_ = save;
    return false;
  }

  void open(const Header& h) {
    if (mode_ == Mode::GeoJson) {
      out_.append(geojson_name(h.type));
    } else {
      out_.append(wkt_name(h.type));
      // PostGIS form: "POINT(1 2)" but "POINT Z (1 2 3)".
      if (write_z(h)) out_.append(" Z ");
    }
  }

  void close() {
    if (mode_ == Mode::GeoJson) out_.push_back('}');
  }

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  const GeometryOptions& opts_;
  std::string& out_;
  BBox* bbox_;
  Mode mode_;
  bool host_little_;
  std::uint32_t steps_ = 0;
};

}  // namespace

void BBox::merge(const BBox& other) {
  if (other.empty) return;
  if (!other.all_z) all_z = false;
  if (empty) {
    const bool z = all_z;
    *this = other;
    all_z = z && other.all_z;
    return;
  }
  for (int i = 0; i < 3; ++i) {
    if (other.min[i] < min[i]) min[i] = other.min[i];
    if (other.max[i] > max[i]) max[i] = other.max[i];
  }
}

void BBox::append_json(std::string& out, int precision) const {
  const int dims = all_z ? 3 : 2;
  out.push_back('[');
  for (int i = 0; i < dims; ++i) {
    append_coordinate(out, min[i], precision);
    out.push_back(',');
  }
  for (int i = 0; i < dims; ++i) {
    if (i != 0) out.push_back(',');
    append_coordinate(out, max[i], precision);
  }
  out.push_back(']');
}

std::int32_t append_geojson_geometry(std::string_view wkb, const GeometryOptions& opts,
                                     std::string& out, BBox* bbox) {
  return Parser(wkb, opts, out, bbox, Mode::GeoJson).run();
}

std::int32_t append_wkt(std::string_view wkb, const GeometryOptions& opts, std::string& out) {
  return Parser(wkb, opts, out, nullptr, Mode::Wkt).run();
}

void wkb_to_geojson(std::string_view wkb, int precision, std::string& out) {
  GeometryOptions opts;
  opts.precision = precision;
  append_geojson_geometry(wkb, opts, out, nullptr);
}

void hex_to_wkb(std::string_view hex, std::string& out) {
  // bytea's text output starts with "\\x"; geometry's does not.
  if (hex.size() >= 2 && hex[0] == '\\' && hex[1] == 'x') hex.remove_prefix(2);
  if (hex.size() % 2 != 0) invalid("odd number of hexadecimal digits", hex.size());
  out.clear();
  out.reserve(hex.size() / 2);
  auto digit = [&](std::size_t i) -> int {
    const char c = hex[i];
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    invalid("not a hexadecimal digit", i);
  };
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>((digit(i) << 4) | digit(i + 1)));
  }
}

}  // namespace opendata::exporter
