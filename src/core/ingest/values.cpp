#include "core/ingest/values.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/ingest/geometry.hpp"

namespace opendata::ingest {

namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Reads exactly `n` digits at s[p]; advances p.
bool digits(std::string_view s, size_t& p, size_t n, int& v) {
  if (p + n > s.size()) return false;
  v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[p + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  p += n;
  return true;
}

// Reads 1 or 2 digits.
bool digits12(std::string_view s, size_t& p, int& v) {
  if (p >= s.size() || !is_digit(s[p])) return false;
  v = s[p++] - '0';
  if (p < s.size() && is_digit(s[p])) v = v * 10 + (s[p++] - '0');
  return true;
}

bool valid_ymd(int y, int m, int d) {
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  if (m == 2 && d == 29) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

void put_date(std::string& out, int y, int m, int d) {
  char buf[16];
  buf[0] = static_cast<char>('0' + y / 1000 % 10);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + m / 10);
  buf[6] = static_cast<char>('0' + m % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + d / 10);
  buf[9] = static_cast<char>('0' + d % 10);
  out.append(buf, 10);
}

// yyyy-mm-dd or yyyy/mm/dd at s[p].
bool iso_date(std::string_view s, size_t& p, int& y, int& m, int& d) {
  if (!digits(s, p, 4, y)) return false;
  if (p >= s.size() || (s[p] != '-' && s[p] != '/')) return false;
  char sep = s[p++];
  if (!digits(s, p, 2, m) || p >= s.size() || s[p] != sep) return false;
  ++p;
  return digits(s, p, 2, d) && valid_ymd(y, m, d);
}

// d/m/yyyy with one separator among / - . ; fills a (first) and b (second).
bool slash_date(std::string_view s, size_t& p, int& a, int& b, int& y) {
  if (!digits12(s, p, a)) return false;
  if (p >= s.size() || (s[p] != '/' && s[p] != '-' && s[p] != '.')) return false;
  char sep = s[p++];
  if (!digits12(s, p, b) || p >= s.size() || s[p] != sep) return false;
  ++p;
  return digits(s, p, 4, y);
}

// hh:mm[:ss[.fff]] at s[p].
bool time_part(std::string_view s, size_t& p) {
  int h = 0, mi = 0, sec = 0;
  if (!digits(s, p, 2, h) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!digits(s, p, 2, mi) || h > 24 || mi > 59) return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!digits(s, p, 2, sec) || sec > 60) return false;
    if (p < s.size() && s[p] == '.') {
      ++p;
      size_t b = p;
      while (p < s.size() && is_digit(s[p])) ++p;
      if (p == b) return false;
    }
  }
  return true;
}

// Z | +hh | +hhmm | +hh:mm at s[p]; sets has_tz.
bool offset_part(std::string_view s, size_t& p, bool& has_tz) {
  if (p == s.size()) return true;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
    has_tz = true;
    return true;
  }
  if (s[p] == ' ' && p + 1 < s.size() && (s[p + 1] == '+' || s[p + 1] == '-')) ++p;
  if (s[p] != '+' && s[p] != '-') return false;
  ++p;
  int h = 0, m = 0;
  if (!digits(s, p, 2, h) || h > 15) return false;
  if (p < s.size() && s[p] == ':') ++p;
  if (p < s.size() && !digits(s, p, 2, m)) return false;
  has_tz = true;
  return true;
}

// ISO date, optionally followed by [T ]time[offset].
bool iso_temporal(std::string_view s, bool& has_time, bool& has_tz) {
  size_t p = 0;
  int y = 0, m = 0, d = 0;
  if (!iso_date(s, p, y, m, d)) return false;
  if (p == s.size()) return true;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
  ++p;
  if (!time_part(s, p)) return false;
  has_time = true;
  if (!offset_part(s, p, has_tz)) return false;
  return p == s.size();
}

// Integer-looking: [+-]digits.  Reports int4/int8 fit and leading zeros.
bool int_like(std::string_view s, bool& i4, bool& i8, bool& leading_zero) {
  size_t p = 0;
  bool neg = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
  if (p >= s.size()) return false;
  size_t b = p;
  while (p < s.size() && is_digit(s[p])) ++p;
  if (p != s.size()) return false;
  std::string_view ds = s.substr(b);
  leading_zero = ds.size() > 1 && ds[0] == '0';
  while (ds.size() > 1 && ds[0] == '0') ds.remove_prefix(1);
  // Compare as strings of equal length: no overflow possible.
  auto fits = [&](std::string_view lim) {
    return ds.size() < lim.size() || (ds.size() == lim.size() && ds <= lim);
  };
  i4 = fits(neg ? "2147483648" : "2147483647");
  i8 = fits(neg ? "9223372036854775808" : "9223372036854775807");
  return true;
}

// [+-]digits[.digits][e[+-]digits] or [+-].digits...
bool dot_number(std::string_view s, bool& has_dot) {
  size_t p = 0;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
  size_t b = p;
  while (p < s.size() && is_digit(s[p])) ++p;
  size_t int_digits = p - b;
  size_t frac = 0;
  if (p < s.size() && s[p] == '.') {
    has_dot = true;
    ++p;
    size_t fb = p;
    while (p < s.size() && is_digit(s[p])) ++p;
    frac = p - fb;
  }
  if (int_digits + frac == 0) return false;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    has_dot = true;
    ++p;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
    size_t eb = p;
    int exp = 0;
    while (p < s.size() && is_digit(s[p])) {
      if (exp <= 1000) exp = exp * 10 + (s[p] - '0');
      ++p;
    }
    // numeric_in rejects exponents beyond +-1000: such values are text.
    if (p == eb || exp > 1000) return false;
  }
  return p == s.size();
}

// [+-]digits,digits (no exponent, no grouping).
bool comma_number(std::string_view s, bool& thousands_like) {
  size_t p = 0;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
  size_t b = p;
  while (p < s.size() && is_digit(s[p])) ++p;
  size_t int_digits = p - b;
  if (p >= s.size() || s[p] != ',') return false;
  ++p;
  size_t fb = p;
  while (p < s.size() && is_digit(s[p])) ++p;
  size_t frac = p - fb;
  if (p != s.size() || frac == 0) return false;
  thousands_like = int_digits >= 1 && int_digits <= 3 && frac == 3;
  return true;
}

}  // namespace

std::string_view detail::trim_edges(std::string_view v) {
  auto space_at_front = [&]() -> size_t {
    if (v.empty()) return 0;
    if (v[0] == ' ' || v[0] == '\t') return 1;
    if (v.size() >= 2 && v[0] == '\xC2' && v[1] == '\xA0') return 2;  // U+00A0
    return 0;
  };
  auto space_at_back = [&]() -> size_t {
    if (v.empty()) return 0;
    char c = v.back();
    if (c == ' ' || c == '\t') return 1;
    if (v.size() >= 2 && v[v.size() - 2] == '\xC2' && c == '\xA0') return 2;
    return 0;
  };
  for (size_t n; (n = space_at_front()) != 0;) v.remove_prefix(n);
  for (size_t n; (n = space_at_back()) != 0;) v.remove_suffix(n);
  return v;
}

NullSet::NullSet() : NullSet(std::vector<std::string>{"nc", "n/a", "na", "-", "null"}) {}

NullSet::NullSet(const std::vector<std::string>& values) {
  for (const auto& s : values) {
    std::string l;
    for (char c : trim_value(s)) l.push_back(lower(c));
    if (l.size() > max_len_) max_len_ = l.size();
    if (!l.empty()) {
      const char c = l[0];
      first_[static_cast<unsigned char>(c)] = true;
      if (c >= 'a' && c <= 'z') first_[static_cast<unsigned char>(c - 'a' + 'A')] = true;
    }
    values_.push_back(std::move(l));
  }
}

bool NullSet::matches(std::string_view t) const {
  for (const auto& s : values_)
    if (iequals(t, s)) return true;
  return false;
}

bool parse_bool_word(std::string_view v, bool& value, bool& is_digit_form, char* letter) {
  is_digit_form = false;
  if (letter) *letter = 0;
  if (v.size() == 1) {
    char c = lower(v[0]);
    if (c == '0' || c == '1') {
      is_digit_form = true;
      value = c == '1';
      return true;
    }
    // t/f, y/n (yes/no), o/n (oui/non).  Inference only takes them as a
    // complete pair (ColumnInferrer): "F" alone is more often a sex or a
    // grade than false.
    if (c == 't' || c == 'f' || c == 'y' || c == 'n' || c == 'o') {
      value = c == 't' || c == 'y' || c == 'o';
      if (letter) *letter = c;
      return true;
    }
    return false;
  }
  if (v.size() > 5) return false;
  static constexpr const char* kTrue[] = {"true", "oui", "vrai", "yes"};
  static constexpr const char* kFalse[] = {"false", "non", "faux", "no"};
  for (const char* w : kTrue)
    if (iequals(v, w)) return value = true, true;
  for (const char* w : kFalse)
    if (iequals(v, w)) return value = false, true;
  return false;
}

bool parse_double(std::string_view v, double& out) {
  // Fast path for plain decimals, the usual open data numbers: with at most
  // 15 significant digits the mantissa is exact in a double, and so is a
  // power of ten up to 1e22, so one division rounds correctly (Clinger).
  // It spares from_chars on every value of every numeric column.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t p = 0;
  const bool neg = !v.empty() && v[0] == '-';
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) ++p;
  const size_t sign = p;
  uint64_t m = 0;
  size_t digits = 0, frac = 0;
  bool point = false;
  for (; p < v.size(); ++p) {
    const char c = v[p];
    if (is_digit(c)) {
      if (m != 0 || c != '0') ++digits;  // leading zeros are not significant
      m = m * 10 + static_cast<uint64_t>(c - '0');
      if (point) ++frac;
      if (digits > 15) break;
    } else if ((c == '.' || c == ',') && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (p == v.size() && digits <= 15 && frac <= 22 && p > sign + (point ? 1 : 0)) {
    const double d = static_cast<double>(m) / kPow10[frac];
    out = neg ? -d : d;
    return true;
  }
  char buf[64];
  if (v.empty() || v.size() >= sizeof buf) return false;
  size_t n = 0;
  for (char c : v) buf[n++] = c == ',' ? '.' : c;
  const char* b = buf;
  if (buf[0] == '+') ++b;
  auto r = std::from_chars(b, buf + n, out);
  return r.ec == std::errc() && r.ptr == buf + n && std::isfinite(out);
}

bool parse_latlon(std::string_view v, std::string_view& lat, std::string_view& lon) {
  size_t comma = v.find(',');
  if (comma == std::string_view::npos || v.find(',', comma + 1) != std::string_view::npos) return false;
  lat = trim_value(v.substr(0, comma));
  lon = trim_value(v.substr(comma + 1));
  bool d1 = false, d2 = false;
  if (!dot_number(lat, d1) || !dot_number(lon, d2)) return false;
  // "48,2" is a French decimal, not a point: require a '.' or a space.
  if (!d1 && !d2 && lat.size() + lon.size() + 1 == v.size()) return false;
  for (char c : v)
    if (c == 'e' || c == 'E') return false;
  double la, lo;
  if (!parse_double(lat, la) || !parse_double(lon, lo)) return false;
  return la >= -90 && la <= 90 && lo >= -180 && lo <= 180;
}

uint32_t classify(std::string_view v, uint32_t alive, ValueFlags& f) {
  uint32_t bits = 0;
  if (v.empty()) return 0;
  const char c0 = v[0];
  const bool numeric_start = is_digit(c0) || c0 == '-' || c0 == '+' || c0 == '.' || c0 == ',';

  if (alive & kBool) {
    bool val, digit_form;
    char letter = 0;
    if (parse_bool_word(v, val, digit_form, &letter)) {
      bits |= kBool;
      if (digit_form) (val ? f.one : f.zero) = true;
      else if (letter) f.letter = letter;
      else f.word_bool = true;
    }
  }
  if (numeric_start) {
    if (alive & (kIntLike | kInt4 | kInt8 | kNumDot | kNumComma)) {
      bool i4 = false, i8 = false, lz = false;
      if (int_like(v, i4, i8, lz)) {
        bits |= kIntLike | kNumDot | kNumComma;
        if (i4) bits |= kInt4;
        if (i8) bits |= kInt8;
        f.leading_zero = lz;
      } else {
        bool has_dot = false, th = false;
        if (dot_number(v, has_dot)) {
          bits |= kNumDot;
          f.dot_decimal = true;
        } else if (comma_number(v, th)) {
          bits |= kNumComma;
          f.comma_decimal = true;
          f.thousands_like = th;
        }
      }
    }
    if (is_digit(c0)) {
      if (alive & (kDateIso | kIsoTemporal)) {
        bool has_time = false, has_tz = false;
        if (iso_temporal(v, has_time, has_tz)) {
          bits |= kIsoTemporal;
          if (!has_time) bits |= kDateIso;
          f.has_time = has_time;
          f.has_tz = has_tz;
        }
      }
      if (alive & (kDateDmy | kDateMdy | kDmyTimestamp)) {
        size_t p = 0;
        int a = 0, b = 0, y = 0;
        if (slash_date(v, p, a, b, y)) {
          if (p == v.size()) {
            // A plain date also counts as a dd/mm/yyyy date-time at midnight, so
            // a column mixing both still reads as timestamps.
            if (valid_ymd(y, b, a)) bits |= kDateDmy | kDmyTimestamp;
            if (valid_ymd(y, a, b)) bits |= kDateMdy;
          } else if (v[p] == ' ' || v[p] == 'T') {
            ++p;
            if (valid_ymd(y, b, a) && time_part(v, p) && p == v.size()) bits |= kDmyTimestamp;
          }
        }
      }
      if ((alive & kDateCompact) && v.size() == 8) {
        size_t p = 0;
        int y = 0, m = 0, d = 0;
        if (digits(v, p, 4, y) && digits(v, p, 2, m) && digits(v, p, 2, d) && y >= 1000 &&
            valid_ymd(y, m, d))
          bits |= kDateCompact;
      }
    }
    if (alive & kLatLon) {
      std::string_view la, lo;
      if (parse_latlon(v, la, lo)) bits |= kLatLon;
    }
  } else if (c0 == '{') {
    if (alive & kGeoJson) {
      std::string err;
      GeomInfo info;
      std::string sink;
      if (geojson_text_to_ewkt(v, 4326, false, sink, info, err)) {
        bits |= kGeoJson;
        f.geom_kind = static_cast<char>(info.kind);
        f.geom_z = info.z;
      }
    }
  } else if (alive & kWkt) {
    char u = lower(c0);
    if (u == 'p' || u == 'l' || u == 'm' || u == 'g' || u == 's') {
      std::string err;
      GeomInfo info;
      if (wkt_to_ewkt(v, 4326, false, nullptr, info, err)) {
        bits |= kWkt;
        f.geom_kind = static_cast<char>(info.kind);
        f.geom_z = info.z;
        f.srid = info.srid;
      }
    }
  }
  return bits & alive;
}

// ---- conversions ------------------------------------------------------------

bool convert_boolean(std::string_view v, std::string& out) {
  bool val, digit;
  if (!parse_bool_word(v, val, digit)) return false;
  out += val ? "true" : "false";
  return true;
}

bool convert_integer(std::string_view v, bool bits32, std::string& out) {
  bool i4, i8, lz;
  if (!int_like(v, i4, i8, lz) || !(bits32 ? i4 : i8)) return false;
  if (v[0] == '+') v.remove_prefix(1);
  out.append(v.data(), v.size());
  return true;
}

bool convert_numeric(std::string_view v, char decimal, std::string& out) {
  bool has_dot = false, th = false;
  bool dot_ok = decimal != ',' && dot_number(v, has_dot);
  bool comma_ok = !dot_ok && decimal != '.' && comma_number(v, th);
  if (!dot_ok && !comma_ok) {
    // An integer is fine whatever the decimal mark.
    bool i4, i8, lz;
    if (!int_like(v, i4, i8, lz)) return false;
  }
  if (v[0] == '+') v.remove_prefix(1);
  size_t start = out.size();
  out.append(v.data(), v.size());
  if (comma_ok)
    for (size_t i = start; i < out.size(); ++i)
      if (out[i] == ',') out[i] = '.';
  return true;
}

namespace {

// Year, month and day of a date written in `order`; false if it is not one.
bool parse_date(std::string_view v, DateOrder order, int& y, int& m, int& d) {
  size_t p = 0;
  switch (order) {
    case DateOrder::Iso:
      return iso_date(v, p, y, m, d) && p == v.size();
    case DateOrder::Dmy:
    case DateOrder::Mdy: {
      int a = 0, b = 0;
      if (!slash_date(v, p, a, b, y) || p != v.size()) return false;
      d = order == DateOrder::Dmy ? a : b;
      m = order == DateOrder::Dmy ? b : a;
      return valid_ymd(y, m, d);
    }
    case DateOrder::Compact:
      return v.size() == 8 && digits(v, p, 4, y) && digits(v, p, 2, m) && digits(v, p, 2, d) &&
             valid_ymd(y, m, d);
  }
  return false;
}

}  // namespace

bool convert_date(std::string_view v, DateOrder order, std::string& out) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(v, order, y, m, d)) return false;
  put_date(out, y, m, d);
  return true;
}

int32_t date_key(std::string_view v, DateOrder order) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(v, order, y, m, d)) return -1;
  return y * 10000 + m * 100 + d;
}

bool convert_timestamp(std::string_view v, DateOrder order, std::string& out) {
  bool has_time = false, has_tz = false;
  if (iso_temporal(v, has_time, has_tz)) {
    // PostgreSQL reads ISO 8601 as is, including 'T' and offsets.
    out.append(v.data(), v.size());
    return true;
  }
  if (order != DateOrder::Dmy && order != DateOrder::Mdy) return false;
  size_t p = 0;
  int a = 0, b = 0, y = 0;
  if (!slash_date(v, p, a, b, y)) return false;
  int d = order == DateOrder::Dmy ? a : b;
  int m = order == DateOrder::Dmy ? b : a;
  if (!valid_ymd(y, m, d)) return false;
  if (p == v.size()) {
    put_date(out, y, m, d);
    return true;
  }
  if (v[p] != ' ' && v[p] != 'T') return false;
  size_t t = ++p;
  if (!time_part(v, p) || p != v.size()) return false;
  put_date(out, y, m, d);
  out += ' ';
  out.append(v.data() + t, v.size() - t);
  return true;
}

}  // namespace opendata::ingest
