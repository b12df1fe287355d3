#include "core/ingest/ewkb.hpp"

#include <cstring>
#include <limits>

namespace opendata::ingest {

namespace {

constexpr std::uint32_t kZFlag = 0x80000000u;     // PostGIS' WKBZOFFSET
constexpr std::uint32_t kSridFlag = 0x20000000u;  // PostGIS' WKBSRIDFLAG

std::uint32_t wkb_type(GeomKind kind) {
  switch (kind) {
    case GeomKind::Point: return 1;
    case GeomKind::LineString: return 2;
    case GeomKind::Polygon: return 3;
    case GeomKind::MultiPoint: return 4;
    case GeomKind::MultiLineString: return 5;
    case GeomKind::MultiPolygon: return 6;
    case GeomKind::GeometryCollection: return 7;
    case GeomKind::Unknown: break;
  }
  return 0;
}

}  // namespace

// Least significant byte first, two hex digits each.
void EwkbWriter::bytes(std::uint64_t v, int n) {
  static const char kHex[] = "0123456789ABCDEF";
  char buf[16];
  for (int i = 0; i < n; ++i, v >>= 8) {
    buf[2 * i] = kHex[(v >> 4) & 0xF];
    buf[2 * i + 1] = kHex[v & 0xF];
  }
  out_.append(buf, static_cast<std::size_t>(2 * n));
}

void EwkbWriter::header(GeomKind kind, bool z, int srid) {
  out_ += "01";  // little-endian
  std::uint32_t type = wkb_type(kind);
  if (z) type |= kZFlag;
  if (srid > 0) type |= kSridFlag;
  bytes(type, 4);
  if (srid > 0) bytes(static_cast<std::uint32_t>(srid), 4);
}

void EwkbWriter::count(std::size_t n) { bytes(static_cast<std::uint32_t>(n), 4); }

void EwkbWriter::number(double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  bytes(bits, 8);
}

void EwkbWriter::empty_point(bool z) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  number(nan);
  number(nan);
  if (z) number(nan);
}

}  // namespace opendata::ingest
