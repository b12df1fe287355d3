#include "core/export/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace opendata::exporter {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void append_double_shortest(std::string& out, double v) {
  char buf[32];  // the shortest form of a double needs at most 24 characters
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

namespace {

constexpr double kPow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Fixed-point rounding through one multiplication and integer printing,
// several times faster than to_chars(fixed).  The product |v| * 10^p is off
// from the exact value by at most 2^-53 relative; whenever its fraction is
// farther than twice that from one half, it rounds to the same integer as
// the exact value does, so the text equals to_chars(fixed)'s.  Otherwise
// (near a tie, or too large) it declines and the caller uses to_chars.
bool append_fixed_fast(std::string& out, double v, int precision) {
  const double a = std::fabs(v) * kPow10[precision];
  if (!(a < 1e15)) return false;
  const double whole = std::floor(a);
  const double frac = a - whole;  // exact for a < 2^52
  if (std::fabs(frac - 0.5) <= a * 0x1p-52) return false;
  const std::uint64_t r = static_cast<std::uint64_t>(whole) + (frac > 0.5 ? 1 : 0);
  if (r == 0) {
    out.push_back('0');  // never "-0"
    return true;
  }
  char digits[24] = {};  // initialised only to quiet g++ -O2's maybe-uninitialized
  const int len = static_cast<int>(std::to_chars(digits, digits + sizeof digits, r).ptr - digits);
  int n = len;
  int decimals = precision;
  while (decimals > 0 && digits[n - 1] == '0') {  // trailing zeros of the fraction
    --n;
    --decimals;
  }
  char buf[48];
  char* p = buf;
  if (v < 0) *p++ = '-';
  if (n <= decimals) {  // |v| < 1: "0.000ddd"
    *p++ = '0';
    *p++ = '.';
    for (int i = n; i < decimals; ++i) *p++ = '0';
    std::memcpy(p, digits, static_cast<std::size_t>(n));
    p += n;
  } else {
    const int int_len = n - decimals;
    std::memcpy(p, digits, static_cast<std::size_t>(int_len));
    p += int_len;
    if (decimals > 0) {
      *p++ = '.';
      std::memcpy(p, digits + int_len, static_cast<std::size_t>(decimals));
      p += decimals;
    }
  }
  out.append(buf, static_cast<std::size_t>(p - buf));
  return true;
}

}  // namespace

void append_coordinate(std::string& out, double v, int precision) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  // Fixed notation of a huge value would print hundreds of digits; beyond
  // 1e17 no decimal survives anyway, so the shortest form says the same.
  if (precision < 0 || precision > 15 || std::fabs(v) >= 1e17) {
    append_double_shortest(out, v);
    return;
  }
  if (append_fixed_fast(out, v, precision)) return;
  char buf[64];  // sign + 17 integer digits + point + 15 decimals
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision);
  char* end = r.ptr;
  if (precision > 0) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  // Rounding a tiny negative value gives "-0": say 0, as a reader expects.
  if (end - buf == 2 && buf[0] == '-' && buf[1] == '0') {
    out.push_back('0');
    return;
  }
  out.append(buf, static_cast<std::size_t>(end - buf));
}

namespace {

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

NumberText classify_number_text(std::string_view s) {
  // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i < n && is_digit(s[i])) {
    if (s[i] == '0') {
      ++i;
    } else {
      while (i < n && is_digit(s[i])) ++i;
    }
    bool ok = true;
    if (i < n && s[i] == '.') {
      ++i;
      if (i == n || !is_digit(s[i])) ok = false;
      while (i < n && is_digit(s[i])) ++i;
    }
    if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
      if (i == n || !is_digit(s[i])) ok = false;
      while (i < n && is_digit(s[i])) ++i;
    }
    if (ok && i == n) return NumberText::Valid;
    return NumberText::Invalid;
  }
  std::string_view rest = s;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) rest.remove_prefix(1);
  if (iequals(rest, "nan") || iequals(rest, "infinity") || iequals(rest, "inf"))
    return NumberText::NonFinite;
  return NumberText::Invalid;
}

}  // namespace opendata::exporter
