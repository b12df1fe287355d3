// The refine and exclude arguments as an app sends them.
//
// A list of "field:value" items arrives in one of three spellings, and all
// three mean the same list:
//   - one bare item            mode:Metro             (a form field, a link)
//   - a PostgreSQL array       {"mode:Metro",mode:RER} (GET, and SQL callers)
//   - a JSON array of strings  ["mode:Metro"]          (a JSON body by POST)
// PostgREST hands a GET argument to the function's argument type as text,
// so a text[] argument refused the bare form (22P02) before any of our code
// ran; the argument type opendata_api.facet_items reads all three here.
// Repeating the argument in a URL is a different matter: PostgREST keeps
// the last value of a repeated argument (docs/apps.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opendata::odsql {

// The items of `text`; an empty or blank text is the empty list.  Throws
// UserError 22P02 on a malformed list (an unterminated quote, a nested
// list, a NULL or empty item, a JSON value that is not a string).
std::vector<std::string> parse_facet_items(std::string_view text);

}  // namespace opendata::odsql
