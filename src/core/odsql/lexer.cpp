#include "core/odsql/lexer.hpp"

#include "core/backquote.hpp"
#include "core/interrupt.hpp"

namespace opendata::odsql {

std::string lower_ascii(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Bytes >= 0x80 are accepted in identifiers so that field names such as
// "année" can be written without back-quotes.
static bool is_ident_start(char c) {
  return is_alpha(c) || c == '_' || (static_cast<unsigned char>(c) & 0x80) != 0;
}
static bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

// Validates UTF-8 (shortest form, no surrogates) and the absence of NUL:
// PostgreSQL text cannot hold either, and we bind user strings as text.
static void check_encoding(const Source& src) {
  const std::string& s = src.text;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c == 0) {
      source_error(sqlstate::kCharacterNotInRepertoire, src, i,
                   "ODSQL text must not contain NUL characters");
    } else if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      source_error(sqlstate::kCharacterNotInRepertoire, src, i,
                   "invalid byte sequence for encoding \"UTF8\" in ODSQL text");
    }
    i += len;
  }
}

// Reads a quoted body starting after the opening quote at `open`.  A
// backslash escapes the quote character or another backslash; any other
// backslash is kept as is, so Windows paths and regex-looking text survive.
static std::size_t read_quoted(const Source& src, std::size_t open, char quote, std::string& out,
                               const char* what) {
  const std::string& s = src.text;
  std::size_t i = open + 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == quote || s[i + 1] == '\\')) {
      out += s[i + 1];
      i += 2;
      continue;
    }
    if (c == quote) return i + 1;
    out += c;
    ++i;
  }
  syntax_error(src, open, std::string("unterminated ") + what);
}

void check_text(const Source& src) {
  const std::string& s = src.text;
  if (s.size() > kMaxClauseLength) {
    request_error(sqlstate::kProgramLimitExceeded, "ODSQL clause is too long",
                  std::string("The \"") + src.clause + "\" parameter has " +
                      std::to_string(s.size()) + " bytes; the limit is " +
                      std::to_string(kMaxClauseLength) + ".");
  }
  check_encoding(src);
}

std::vector<Token> lex(const Source& src) {
  check_text(src);
  const std::string& s = src.text;
  std::vector<Token> out;
  std::size_t i = 0;
  while (true) {
    if ((out.size() & 1023) == 1023) check_interrupts();
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    Token t;
    t.begin = i;
    if (i >= s.size()) {
      t.kind = Tok::End;
      t.end = i;
      out.push_back(std::move(t));
      return out;
    }
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (is_digit(c) || (c == '.' && is_digit(next))) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      // "1..10" is a range: only take the dot when a digit follows it.
      if (j + 1 < s.size() && s[j] == '.' && is_digit(s[j + 1])) {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && is_digit(s[k])) {
          j = k;
          while (j < s.size() && is_digit(s[j])) ++j;
        }
      }
      t.kind = Tok::Number;
      t.text = s.substr(i, j - i);
      std::size_t k = j;
      while (k < s.size() && is_ident_char(s[k])) ++k;
      t.suffix = s.substr(j, k - j);
      i = k;
    } else if (is_ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && is_ident_char(s[j])) ++j;
      t.text = s.substr(i, j - i);
      const std::string low = lower_ascii(t.text);
      if ((low == "date" || low == "geom") && j < s.size() && s[j] == '\'') {
        t.kind = low == "date" ? Tok::Date : Tok::Geom;
        t.text.clear();
        j = read_quoted(src, j, '\'', t.text, low == "date" ? "date literal" : "geometry literal");
      } else {
        t.kind = Tok::Ident;
      }
      i = j;
    } else if (c == '\'' || c == '"') {
      t.kind = Tok::String;
      i = read_quoted(src, i, c, t.text, "string literal");
    } else if (c == '`') {
      const std::size_t after = read_backquoted(s, i, t.text);
      if (after == std::string::npos) syntax_error(src, i, "unterminated back-quoted field name");
      if (t.text.empty()) syntax_error(src, i, "empty back-quoted field name");
      t.kind = Tok::QuotedIdent;
      i = after;
    } else {
      std::size_t len = 1;
      switch (c) {
        case '(':
          t.kind = Tok::LParen;
          break;
        case ')':
          t.kind = Tok::RParen;
          break;
        case '[':
          t.kind = Tok::LBracket;
          break;
        case ']':
          t.kind = Tok::RBracket;
          break;
        case ',':
          t.kind = Tok::Comma;
          break;
        case '*':
          t.kind = Tok::Star;
          break;
        case '+':
          t.kind = Tok::Plus;
          break;
        case '-':
          t.kind = Tok::Minus;
          break;
        case '/':
          t.kind = Tok::Slash;
          break;
        case ':':
          t.kind = Tok::Colon;
          break;
        case '=':
          t.kind = Tok::Eq;
          break;
        case '.':
          if (next != '.') syntax_error(src, i, "unexpected character '.'");
          t.kind = Tok::DotDot;
          len = 2;
          break;
        case '!':
          if (next != '=') syntax_error(src, i, "unexpected character '!'");
          t.kind = Tok::Ne;
          len = 2;
          break;
        case '<':
          if (next == '=') {
            t.kind = Tok::Le, len = 2;
          } else if (next == '>') {
            t.kind = Tok::Ne, len = 2;
          } else {
            t.kind = Tok::Lt;
          }
          break;
        case '>':
          if (next == '=') {
            t.kind = Tok::Ge, len = 2;
          } else {
            t.kind = Tok::Gt;
          }
          break;
        default: {
          // Show the whole (possibly multi-byte) character.
          std::size_t j = i + 1;
          while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
          syntax_error(src, i, "unexpected character '" + s.substr(i, j - i) + "'");
        }
      }
      t.text = s.substr(i, len);
      i += len;
    }
    t.end = i;
    out.push_back(std::move(t));
  }
}

std::string describe(const Token& tok) {
  switch (tok.kind) {
    case Tok::End:
      return "end of input";
    case Tok::String:
      return "string \"" + excerpt(tok.text) + "\"";
    case Tok::Date:
      return "date literal";
    case Tok::Geom:
      return "geometry literal";
    case Tok::QuotedIdent:
      return backquote(excerpt(tok.text));
    case Tok::Number:
      return "'" + tok.text + tok.suffix + "'";
    default:
      return "'" + excerpt(tok.text) + "'";
  }
}

}  // namespace opendata::odsql
