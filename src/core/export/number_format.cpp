#include "core/export/number_format.hpp"

#include <charconv>
#include <cmath>

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

void append_coordinate(std::string& out, double v, int precision) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  // Fixed notation of a huge value would print hundreds of digits; beyond
  // 1e17 no decimal survives anyway, so the shortest form says the same.
  if (precision < 0 || std::fabs(v) >= 1e17) {
    append_double_shortest(out, v);
    return;
  }
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
  if (iequals(rest, "nan") || iequals(rest, "infinity") || iequals(rest, "inf")) return NumberText::NonFinite;
  return NumberText::Invalid;
}

}  // namespace opendata::exporter
