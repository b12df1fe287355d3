// Builds WKB/EWKB by hand for the export tests, in either byte order.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>

namespace opendata::exporter::testing {

class Wkb {
 public:
  explicit Wkb(bool big_endian = false) : big_(big_endian) {}

  Wkb& header(std::uint32_t type) {
    s_.push_back(big_ ? '\0' : '\1');
    return u32(type);
  }
  Wkb& u32(std::uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; ++i) b[big_ ? 3 - i : i] = static_cast<unsigned char>(v >> (8 * i));
    s_.append(reinterpret_cast<const char*>(b), 4);
    return *this;
  }
  Wkb& f64(double d) {
    std::uint64_t v;
    std::memcpy(&v, &d, 8);
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[big_ ? 7 - i : i] = static_cast<unsigned char>(v >> (8 * i));
    s_.append(reinterpret_cast<const char*>(b), 8);
    return *this;
  }
  Wkb& xy(double x, double y) { return f64(x).f64(y); }
  Wkb& points(std::initializer_list<std::pair<double, double>> pts) {
    u32(static_cast<std::uint32_t>(pts.size()));
    for (auto& p : pts) xy(p.first, p.second);
    return *this;
  }
  Wkb& point(double x, double y) { return header(1).xy(x, y); }
  Wkb& raw(const std::string& bytes) {
    s_ += bytes;
    return *this;
  }
  const std::string& str() const { return s_; }
  bool big() const { return big_; }

 private:
  bool big_;
  std::string s_;
};

}  // namespace opendata::exporter::testing
