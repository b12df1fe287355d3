// Back-quoted field names, as ODSQL clauses and the fields= lists of
// tile() write them.  A back-quote inside a name is written twice, as SQL
// doubles a double quote inside an identifier: `a``b` is the name a`b.
// Before this rule such a name could not be written at all (a back-quote
// ended the name), so no clause that was valid before changes meaning.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opendata {

// Reads the name whose opening back-quote is at text[open] into `name`.
// Returns the index just after the closing back-quote, or npos when the
// name is not terminated.
std::size_t read_backquoted(std::string_view text, std::size_t open, std::string& name);

// `name`, with its inner back-quotes doubled: the spelling read_backquoted()
// reads back as `name`.  What SQL that writes ODSQL uses
// (opendata._odsql_field), so a field name never ends a clause early.
std::string backquote(std::string_view name);

}  // namespace opendata
