// JSON string escaping with UTF-8 validation, shared by the JSON, JSONL and
// GeoJSON writers (and by the CSV writer for its geometry/JSON text).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opendata::exporter {

// Appends `s` as a JSON string, quotes included.  Control characters become
// \n, \t, ... or \u00XX; '"' and '\\' are escaped; valid UTF-8 is copied as
// is; every ill-formed UTF-8 sequence (maximal subpart, as Unicode
// recommends) becomes U+FFFD, so the document is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// Length of the well-formed UTF-8 sequence starting at p (2..4), or 0 when
// it is ill-formed; *valid_prefix receives how many bytes form the longest
// valid prefix (at least 1), i.e. how many to replace by one U+FFFD.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end,
                                 std::size_t* valid_prefix);

}  // namespace opendata::exporter
