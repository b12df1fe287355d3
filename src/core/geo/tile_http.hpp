// The HTTP side of a tile answer that PostgREST passes through settings:
// the entity tag of a dataset's published state, and whether a request's
// If-None-Match names it.  Pure C++, for src/pg/tiles.cpp.
#pragma once

#include <string>
#include <string_view>

namespace opendata::geo {

// The strong entity tag of everything a published dataset serves, quoted:
// "<slug>-<version>-<modified>" (modified in microseconds since the epoch),
// so publishing again changes it.
std::string dataset_etag(std::string_view slug, std::string_view version, std::string_view modified);

// Does an If-None-Match header value name `etag`?  Weak comparison
// (RFC 9110, 13.1.2): a W/ prefix is ignored on both sides; "*" matches
// any.  Items are separated by commas, with spaces or tabs around them.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// The response.headers setting of a tile or TileJSON answer: its ETag and
// Cache-Control (public, or private to the caller for a restricted
// dataset), as a JSON array of one-member objects, the form PostgREST
// reads (and json_build_array(json_build_object(...), ...) writes).
std::string cache_headers_json(std::string_view etag, bool is_public);

}  // namespace opendata::geo
