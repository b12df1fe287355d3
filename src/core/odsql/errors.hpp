// Error helpers shared by the ODSQL lexer, parser and translator.
//
// Every problem in the user's text is a UserError carrying a SQLSTATE and a
// 1-based *character* position (PostgreSQL cursor positions count characters,
// not bytes), so errors can point into multi-byte UTF-8 input correctly.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"

namespace opendata::odsql {

// The clause being compiled: its parameter name (for DETAIL) and its text.
struct Source {
  const char* clause;
  const std::string& text;
};

// 1-based character position of a byte offset in UTF-8 text.
int char_position(const std::string& text, std::size_t byte_offset);

// "ODSQL syntax error at character N: <what>", SQLSTATE 42601.
[[noreturn]] void syntax_error(const Source& src, std::size_t byte_offset, const std::string& what,
                               const std::string& hint = {});

// Any other error pointing into the source.
[[noreturn]] void source_error(const char* sqlstate, const Source& src, std::size_t byte_offset,
                               const std::string& message, const std::string& hint = {});

// Errors that belong to the request as a whole (limit, refine item, ...).
[[noreturn]] void request_error(const char* sqlstate, const std::string& message,
                                const std::string& detail = {}, const std::string& hint = {});

// Shown in messages: a short excerpt of user text, cut at 40 characters.
std::string excerpt(const std::string& text);

}  // namespace opendata::odsql
