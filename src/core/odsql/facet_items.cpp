// Reading refine/exclude lists (facet_items.hpp).  The array spelling is
// PostgreSQL's one-dimensional array literal as array_in reads it for text
// elements; array_literal() (links.hpp) writes the form read back here.
#include "core/odsql/facet_items.hpp"

#include <cstdint>

#include "core/error.hpp"

namespace opendata::odsql {
namespace {

constexpr const char* kForms =
    "Give one item field:value, a list {\"field:value\",\"field:other\"} or a JSON array "
    "[\"field:value\"].";

[[noreturn]] void malformed(std::string_view text, std::size_t at, const std::string& why) {
  throw UserError(sqlstate::kInvalidTextRepresentation,
                  "malformed refine/exclude list \"" + std::string(text) + "\"",
                  why + " (at character " + std::to_string(at + 1) + ")", kForms);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) pos_++;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  char take() { return text_[pos_++]; }
  [[noreturn]] void fail(const std::string& why) const { malformed(text_, pos_, why); }
  void expect(char c, const char* what) {
    if (at_end() || text_[pos_] != c) fail(std::string("expected ") + what);
    pos_++;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// "..." with backslash escapes: the backslash keeps the next byte.
std::string array_quoted(Reader& r) {
  r.expect('"', "'\"'");
  std::string out;
  for (;;) {
    if (r.at_end()) r.fail("unterminated quoted item");
    char c = r.take();
    if (c == '"') return out;
    if (c == '\\') {
      if (r.at_end()) r.fail("unterminated quoted item");
      c = r.take();
    }
    out += c;
  }
}

// An unquoted item: up to ',' or '}', surrounding spaces dropped, a
// backslash keeps the next byte (escaped spaces are kept).
std::string array_unquoted(Reader& r) {
  std::string out;
  std::size_t kept = 0;  // out's length up to its last escaped or non-space byte
  while (!r.at_end() && r.peek() != ',' && r.peek() != '}') {
    char c = r.take();
    if (c == '{' || c == '"') r.fail(std::string("unexpected '") + c + "' in an unquoted item");
    if (c == '\\') {
      if (r.at_end()) r.fail("a backslash ends the list");
      out += r.take();
      kept = out.size();
    } else {
      out += c;
      if (!is_space(c)) kept = out.size();
    }
  }
  out.resize(kept);
  if (out.empty()) r.fail("empty item");
  // array_in reads an unquoted NULL as a null element: an item it is not.
  if (out.size() == 4 && (out[0] | 0x20) == 'n' && (out[1] | 0x20) == 'u' &&
      (out[2] | 0x20) == 'l' && (out[3] | 0x20) == 'l')
    r.fail("NULL is not an item");
  return out;
}

std::vector<std::string> array_items(Reader& r) {
  std::vector<std::string> items;
  r.expect('{', "'{'");
  r.skip_spaces();
  if (r.peek() == '}') {
    r.take();
    return items;
  }
  for (;;) {
    r.skip_spaces();
    items.push_back(r.peek() == '"' ? array_quoted(r) : array_unquoted(r));
    r.skip_spaces();
    if (r.at_end()) r.fail("unterminated list");
    const char c = r.take();
    if (c == '}') return items;
    if (c != ',') r.fail("expected ',' or '}'");
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::uint32_t hex4(Reader& r) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    if (r.at_end()) r.fail("truncated \\u escape");
    const char c = r.take();
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else r.fail("bad \\u escape");
  }
  return v;
}

// A \u escape, with the low half that must follow a high surrogate.
std::uint32_t json_code_point(Reader& r) {
  const std::uint32_t cp = hex4(r);
  if (cp >= 0xDC00 && cp <= 0xDFFF) r.fail("unpaired surrogate");
  if (cp < 0xD800 || cp > 0xDBFF) {
    if (cp == 0) r.fail("\\u0000 is not allowed in text");
    return cp;
  }
  r.expect('\\', "a low surrogate");
  r.expect('u', "a low surrogate");
  const std::uint32_t low = hex4(r);
  if (low < 0xDC00 || low > 0xDFFF) r.fail("unpaired surrogate");
  return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
}

std::string json_string(Reader& r) {
  r.expect('"', "a JSON string");
  std::string out;
  for (;;) {
    if (r.at_end()) r.fail("unterminated JSON string");
    const char c = r.take();
    if (c == '"') return out;
    if (static_cast<unsigned char>(c) < 0x20) r.fail("control character in a JSON string");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (r.at_end()) r.fail("unterminated JSON string");
    switch (const char e = r.take()) {
      case '"': case '\\': case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': append_utf8(out, json_code_point(r)); break;
      default: r.fail("bad escape in a JSON string");
    }
  }
}

std::vector<std::string> json_items(Reader& r) {
  std::vector<std::string> items;
  r.expect('[', "'['");
  r.skip_spaces();
  if (r.peek() == ']') {
    r.take();
    return items;
  }
  for (;;) {
    r.skip_spaces();
    if (r.peek() != '"') r.fail("every item of a JSON array is a string");
    items.push_back(json_string(r));
    r.skip_spaces();
    if (r.at_end()) r.fail("unterminated JSON array");
    const char c = r.take();
    if (c == ']') return items;
    if (c != ',') r.fail("expected ',' or ']'");
  }
}

}  // namespace

std::vector<std::string> parse_facet_items(std::string_view text) {
  Reader r(text);
  r.skip_spaces();
  if (r.at_end()) return {};
  if (r.peek() != '{' && r.peek() != '[') return {std::string(text)};
  std::vector<std::string> items = r.peek() == '{' ? array_items(r) : json_items(r);
  r.skip_spaces();
  if (!r.at_end()) r.fail("text after the end of the list");
  return items;
}

}  // namespace opendata::odsql
