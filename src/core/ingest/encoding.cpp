#include "core/ingest/encoding.hpp"

#include <cstdint>
#include <cstring>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace opendata::ingest {

namespace {

// Windows-1252 differs from Latin-1 only in 0x80-0x9F.  The five undefined
// positions (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control of the
// same value, as Windows' own MultiByteToWideChar does, so no byte is lost.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

unsigned latin9_code_point(unsigned char c) {
  switch (c) {
    case 0xA4: return 0x20AC;
    case 0xA6: return 0x0160;
    case 0xA8: return 0x0161;
    case 0xB4: return 0x017D;
    case 0xB8: return 0x017E;
    case 0xBC: return 0x0152;
    case 0xBD: return 0x0153;
    case 0xBE: return 0x0178;
    default: return c;
  }
}

[[noreturn]] void throw_nul(size_t offset) {
  throw UserError(sqlstate::kBadCopyFileFormat, "file contains NUL bytes",
                  "The first NUL byte is at byte offset " + std::to_string(offset) + ".",
                  "The file looks binary; export it as CSV text.");
}

void check_binary_signature(std::string_view raw) {
  if (raw.size() >= 4 && std::memcmp(raw.data(), "PK\x03\x04", 4) == 0) {
    throw UserError(sqlstate::kBadCopyFileFormat, "file is a zip archive, not CSV text",
                    "Spreadsheets (.xlsx, .ods) are zip archives.",
                    "Save the sheet as CSV (UTF-8) and import that file.");
  }
  if (raw.size() >= 8 && std::memcmp(raw.data(), "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
    throw UserError(sqlstate::kBadCopyFileFormat, "file is a legacy Office document, not CSV text",
                    "", "Save the sheet as CSV (UTF-8) and import that file.");
  }
}

DecodedText decode_single_byte(std::string_view raw, Encoding enc) {
  DecodedText out;
  out.encoding = enc;
  out.owned_used = true;
  out.owned.reserve(raw.size() + raw.size() / 8);
  for (size_t i = 0; i < raw.size(); ++i) {
    if ((i & 0xFFFFF) == 0xFFFFF) check_interrupts();
    auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      if (c == 0) throw_nul(i);
      out.owned.push_back(static_cast<char>(c));
      continue;
    }
    unsigned cp = c;
    if (enc == Encoding::Windows1252 && c < 0xA0) cp = kCp1252High[c - 0x80];
    if (enc == Encoding::Latin9) cp = latin9_code_point(c);
    append_utf8(out.owned, cp);
  }
  return out;
}

DecodedText decode_utf16(std::string_view raw, bool little_endian) {
  DecodedText out;
  out.encoding = little_endian ? Encoding::Utf16le : Encoding::Utf16be;
  out.owned_used = true;
  out.owned.reserve(raw.size() / 2);
  auto unit = [&](size_t i) -> unsigned {
    auto a = static_cast<unsigned char>(raw[i]);
    auto b = static_cast<unsigned char>(raw[i + 1]);
    return little_endian ? (a | (b << 8)) : ((a << 8) | b);
  };
  size_t i = 0;
  // Strip any number of BOMs, as for UTF-8.
  while (i + 1 < raw.size() && unit(i) == 0xFEFF) {
    i += 2;
    out.bom_count++;
  }
  for (; i + 1 < raw.size(); i += 2) {
    if ((i & 0xFFFFE) == 0) check_interrupts();
    unsigned u = unit(i);
    if (u == 0) throw_nul(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < raw.size()) {
      unsigned lo = unit(i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        append_utf8(out.owned, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      throw UserError(sqlstate::kCharacterNotInRepertoire, "invalid UTF-16 in file",
                      "Unpaired surrogate at byte offset " + std::to_string(i) + ".");
    }
    append_utf8(out.owned, u);
  }
  return out;
}

// Byte offset -> 1-based line number, for error messages only.
size_t line_of(std::string_view s, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < s.size(); ++i)
    if (s[i] == '\n') ++line;
  return line;
}

}  // namespace

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::Auto: return "auto";
    case Encoding::Utf8: return "utf-8";
    case Encoding::Windows1252: return "windows-1252";
    case Encoding::Latin1: return "iso-8859-1";
    case Encoding::Latin9: return "iso-8859-15";
    case Encoding::Utf16le: return "utf-16le";
    case Encoding::Utf16be: return "utf-16be";
  }
  return "auto";
}

bool parse_encoding(std::string_view name, Encoding& out) {
  std::string n;
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ') continue;
    n.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
  }
  if (n == "auto") out = Encoding::Auto;
  else if (n == "utf8") out = Encoding::Utf8;
  else if (n == "windows1252" || n == "cp1252" || n == "win1252") out = Encoding::Windows1252;
  else if (n == "latin1" || n == "iso88591") out = Encoding::Latin1;
  else if (n == "latin9" || n == "iso885915") out = Encoding::Latin9;
  else if (n == "utf16le") out = Encoding::Utf16le;
  else if (n == "utf16be") out = Encoding::Utf16be;
  else return false;
  return true;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view s, size_t* bad_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time: most open data is mostly ASCII.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        if (bad_offset) *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    bool bad = (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
    if (bad) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

DecodedText decode_input(std::string_view raw, Encoding requested) {
  check_binary_signature(raw);
  bool bom16le = raw.size() >= 2 && raw[0] == '\xFF' && raw[1] == '\xFE';
  bool bom16be = raw.size() >= 2 && raw[0] == '\xFE' && raw[1] == '\xFF';
  if (requested == Encoding::Utf16le || (requested == Encoding::Auto && bom16le))
    return decode_utf16(raw, true);
  if (requested == Encoding::Utf16be || (requested == Encoding::Auto && bom16be))
    return decode_utf16(raw, false);

  // Several BOMs happen when a file goes through tools that each add one.
  int boms = 0;
  std::string_view body = raw;
  while (body.size() >= 3 && body.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    body.remove_prefix(3);
    ++boms;
  }

  if (requested == Encoding::Windows1252 || requested == Encoding::Latin1 ||
      requested == Encoding::Latin9) {
    DecodedText d = decode_single_byte(body, requested);
    d.bom_count = boms;
    return d;
  }

  // simdjson's SIMD check accepts exactly valid UTF-8, many times faster
  // than ours, which finds where the first bad byte is when there is one.
  size_t bad = 0;
  if (simdjson::validate_utf8(body.data(), body.size()) || is_valid_utf8(body, &bad)) {
    const void* nul = std::memchr(body.data(), 0, body.size());
    if (nul != nullptr) throw_nul(static_cast<size_t>(static_cast<const char*>(nul) - body.data()));
    DecodedText d;
    d.encoding = Encoding::Utf8;
    d.bom_count = boms;
    d.view = body;
    return d;
  }
  if (requested == Encoding::Utf8) {
    throw UserError(sqlstate::kCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"",
                    "Byte 0x" + [&] {
                      const char* hex = "0123456789abcdef";
                      auto c = static_cast<unsigned char>(body[bad]);
                      return std::string{hex[c >> 4], hex[c & 15]};
                    }() + " at line " + std::to_string(line_of(body, bad)) + ".",
                    "Set \"encoding\" to \"windows-1252\" or \"latin-1\", or leave it to \"auto\".");
  }
  DecodedText d = decode_single_byte(body, Encoding::Windows1252);
  d.bom_count = boms;
  return d;
}

}  // namespace opendata::ingest
