// Tokenizer for ODSQL clauses.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/odsql/errors.hpp"

namespace opendata::odsql {

// Longest clause accepted (bytes); longer input is refused with 54000 before
// any work, which bounds the token count, the AST size and the param count.
inline constexpr std::size_t kMaxClauseLength = 20000;

enum class Tok {
  End,
  Ident,        // bare identifier or keyword (text as written)
  QuotedIdent,  // `back-quoted` identifier (text without quotes)
  String,       // '...' or "..." (text unescaped)
  Number,       // 12, 3.5, 1e3 (text as written); suffix holds an attached unit (10km)
  Date,         // date'...' (text is the inside)
  Geom,         // geom'...' (text is the inside)
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  DotDot,
  Star,
  Plus,
  Minus,
  Slash,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Colon,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;
  std::string suffix;     // Number only: letters glued to the number ("km")
  std::size_t begin = 0;  // byte offsets in the clause
  std::size_t end = 0;
};

// Splits a clause into tokens, ending with one Tok::End token.  Refuses
// invalid UTF-8 and NUL bytes (22021) and over-long input (54000).
std::vector<Token> lex(const Source& src);

// The checks lex() starts with: length (54000), UTF-8 and NUL (22021).
void check_text(const Source& src);

// How a token is spelled in messages: "'>'", "end of input", ...
std::string describe(const Token& tok);

// ASCII lower-casing: keywords and field lookups are case-insensitive.
std::string lower_ascii(const std::string& s);

}  // namespace opendata::odsql
