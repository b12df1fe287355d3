#include "core/odsql/errors.hpp"

namespace opendata::odsql {

int char_position(const std::string& text, std::size_t byte_offset) {
  if (byte_offset > text.size()) byte_offset = text.size();
  int chars = 0;
  for (std::size_t i = 0; i < byte_offset; ++i) {
    // Count lead bytes only: continuation bytes are 10xxxxxx.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars + 1;
}

static std::string clause_detail(const Source& src) {
  return std::string("The error is in the \"") + src.clause + "\" parameter.";
}

void syntax_error(const Source& src, std::size_t byte_offset, const std::string& what,
                  const std::string& hint) {
  const int pos = char_position(src.text, byte_offset);
  throw UserError(sqlstate::kSyntaxError,
                  "ODSQL syntax error at character " + std::to_string(pos) + ": " + what,
                  clause_detail(src), hint, pos);
}

void source_error(const char* sqlstate, const Source& src, std::size_t byte_offset,
                  const std::string& message, const std::string& hint) {
  throw UserError(sqlstate, message, clause_detail(src), hint,
                  char_position(src.text, byte_offset));
}

void request_error(const char* sqlstate, const std::string& message, const std::string& detail,
                   const std::string& hint) {
  throw UserError(sqlstate, message, detail, hint, 0);
}

std::string excerpt(const std::string& text) {
  std::size_t chars = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == 40) return text.substr(0, i) + "...";
      ++chars;
    }
  }
  return text;
}

}  // namespace opendata::odsql
