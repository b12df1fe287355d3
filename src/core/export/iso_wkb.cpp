#include "core/export/iso_wkb.hpp"

#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/export/wkb_reader.hpp"

namespace opendata::exporter {
namespace {

constexpr std::uint32_t kEwkbZ = 0x80000000u;
constexpr std::uint32_t kEwkbM = 0x40000000u;
constexpr std::uint32_t kEwkbSrid = 0x20000000u;

[[noreturn]] void malformed(const char* what) {
  throw UserError(sqlstate::kInvalidBinaryRepresentation, std::string("malformed WKB geometry: ") + what);
}

class Rewriter {
 public:
  Rewriter(std::string_view in, std::string& out) : in_(in), out_(out) {}

  IsoWkbInfo run() {
    IsoWkbInfo info;
    info.type = geometry(0, &info);
    if (pos_ != in_.size()) malformed("trailing bytes");
    return info;
  }

 private:
  std::uint32_t u32(bool little) {
    if (in_.size() - pos_ < 4) malformed("unexpected end");
    const auto* p = reinterpret_cast<const unsigned char*>(in_.data() + pos_);
    pos_ += 4;
    return little ? (p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24)
                  : (p[3] | p[2] << 8 | p[1] << 16 | static_cast<std::uint32_t>(p[0]) << 24);
  }
  double f64(bool little) {
    if (in_.size() - pos_ < 8) malformed("unexpected end");
    unsigned char b[8];
    std::memcpy(b, in_.data() + pos_, 8);
    pos_ += 8;
    if (!little)
      for (int k = 0; k < 4; ++k) std::swap(b[k], b[7 - k]);
    double d;
    std::memcpy(&d, b, 8);
    return d;
  }
  void put_u32(std::uint32_t v) {
    for (int k = 0; k < 4; ++k) out_.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  }
  void put_f64(double d) {
    char b[8];
    std::memcpy(b, &d, 8);  // little-endian hosts only (x86-64, arm64)
    out_.append(b, 8);
  }
  // A count, bounded by the bytes left so that a lying count cannot make
  // the loops run long: every element takes at least `min_bytes`.
  std::uint32_t count(bool little, std::size_t min_bytes) {
    const std::uint32_t n = u32(little);
    if (n > (in_.size() - pos_) / min_bytes) malformed("count larger than the input");
    return n;
  }
  void points(bool little, std::uint32_t n, int dims, IsoWkbInfo* info) {
    for (std::uint32_t k = 0; k < n; ++k) {
      for (int d = 0; d < dims; ++d) {
        const double v = f64(little);
        put_f64(v);
        if (d < 2 && info != nullptr && std::isfinite(v)) extend(info, d, v);
      }
    }
  }
  static void extend(IsoWkbInfo* info, int axis, double v) {
    if (!info->has_bbox) {
      info->bbox[0] = info->bbox[2] = std::nan("");
      info->bbox[1] = info->bbox[3] = std::nan("");
      info->has_bbox = true;
    }
    double& lo = info->bbox[axis];
    double& hi = info->bbox[axis + 2];
    if (std::isnan(lo) || v < lo) lo = v;
    if (std::isnan(hi) || v > hi) hi = v;
  }

  std::uint32_t geometry(int depth, IsoWkbInfo* info) {
    if (depth > kMaxGeometryDepth) malformed("nested too deep");
    if (pos_ >= in_.size()) malformed("unexpected end");
    const unsigned char order = static_cast<unsigned char>(in_[pos_++]);
    if (order > 1) malformed("bad byte order");
    const bool little = order == 1;
    std::uint32_t type = u32(little);
    bool z = (type & kEwkbZ) != 0;
    bool m = (type & kEwkbM) != 0;
    if (type & kEwkbSrid) {
      const std::uint32_t srid = u32(little);
      if (srid != 4326 && srid != 0)
        throw UserError(sqlstate::kInvalidParameterValue, "geometry with SRID " + std::to_string(srid) + " cannot be exported as WGS 84",
                        {}, "Transform it to SRID 4326 first (ST_Transform).");
    }
    type &= 0x0FFFFFFFu;
    // ISO codes: 1000s for Z, 2000s for M, 3000s for ZM.
    const std::uint32_t thousands = type / 1000;
    if (thousands > 3) malformed("unknown geometry type");
    z = z || thousands == 1 || thousands == 3;
    m = m || thousands == 2 || thousands == 3;
    const std::uint32_t base = type % 1000;
    const int dims = 2 + z + m;
    const std::uint32_t iso = base + (z && m ? 3000 : z ? 1000 : m ? 2000 : 0);
    out_.push_back(1);
    put_u32(iso);
    const std::size_t point_bytes = static_cast<std::size_t>(dims) * 8;
    switch (base) {
      case 1:  // Point
        points(little, 1, dims, info);
        break;
      case 2: {  // LineString
        const std::uint32_t n = count(little, point_bytes);
        put_u32(n);
        points(little, n, dims, info);
        break;
      }
      case 3:     // Polygon: rings
      case 17: {  // Triangle: a polygon's rings
        const std::uint32_t rings = count(little, 4);
        put_u32(rings);
        for (std::uint32_t r = 0; r < rings; ++r) {
          const std::uint32_t n = count(little, point_bytes);
          put_u32(n);
          points(little, n, dims, info);
        }
        break;
      }
      case 4:
      case 5:
      case 6:
      case 7:
      case 15:
      case 16: {  // Multi*, GeometryCollection, PolyhedralSurface, TIN
        const std::uint32_t n = count(little, 5);
        put_u32(n);
        for (std::uint32_t k = 0; k < n; ++k) geometry(depth + 1, info);
        break;
      }
      default:
        throw UserError(sqlstate::kFeatureNotSupported,
                        "curved geometries cannot be exported (type " + std::to_string(base) + ")", {},
                        "Convert them with ST_CurveToLine().");
    }
    return iso;
  }

  std::string_view in_;
  std::string& out_;
  std::size_t pos_ = 0;
};

}  // namespace

IsoWkbInfo append_iso_wkb(std::string_view ewkb, std::string& out) {
  const std::size_t start = out.size();
  try {
    return Rewriter(ewkb, out).run();
  } catch (...) {
    out.resize(start);
    throw;
  }
}

}  // namespace opendata::exporter
