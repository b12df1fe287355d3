#include "core/export/text_escape.hpp"

#include <array>
#include <cstdint>

namespace opendata::exporter {

namespace {

// 0: copy; 1: escape (control, '"', '\\'); 2: lead of a multi-byte sequence
// (or a stray byte) to validate.  constexpr: no static initialisation code.
constexpr std::array<std::uint8_t, 256> make_json_table() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c == '"' || c == '\\')
      t[c] = 1;
    else if (c >= 0x80)
      t[c] = 2;
    else
      t[c] = 0;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kJsonClass = make_json_table();

constexpr char kHex[] = "0123456789abcdef";

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"", 2);
      return;
    case '\\':
      out.append("\\\\", 2);
      return;
    case '\n':
      out.append("\\n", 2);
      return;
    case '\r':
      out.append("\\r", 2);
      return;
    case '\t':
      out.append("\\t", 2);
      return;
    case '\b':
      out.append("\\b", 2);
      return;
    case '\f':
      out.append("\\f", 2);
      return;
    default: {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
  }
}

bool cont(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end,
                                 std::size_t* valid_prefix) {
  const unsigned char c = p[0];
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0)
      lo = 0xA0;  // no overlong forms
    else if (c == 0xED)
      hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *valid_prefix = 1;
    return 0;
  }
  std::size_t i = 1;
  if (p + 1 < end && p[1] >= lo && p[1] <= hi) {
    i = 2;
    while (i < need && p + i < end && cont(p[i])) ++i;
  }
  *valid_prefix = i;
  return i == need ? need : 0;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char* run = p;
    // Copy the longest stretch that needs no rewriting in one append.
    while (p < end) {
      const std::uint8_t cls = kJsonClass[*p];
      if (cls == 0) {
        ++p;
      } else if (cls == 2) {
        std::size_t prefix;
        std::size_t len = utf8_sequence_length(p, end, &prefix);
        if (len == 0) break;
        p += len;
      } else {
        break;
      }
    }
    if (p != run) out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    if (kJsonClass[*p] == 1) {
      append_escape(out, *p);
      ++p;
    } else {
      std::size_t prefix;
      utf8_sequence_length(p, end, &prefix);
      out.append("\xEF\xBF\xBD", 3);  // U+FFFD REPLACEMENT CHARACTER
      p += prefix;
    }
  }
  out.push_back('"');
}

}  // namespace opendata::exporter
