#include "core/geo/tile_http.hpp"

#include <cstdio>

namespace opendata::geo {
namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view opaque(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

// A JSON string, quotes included.  The text is valid UTF-8 (a slug and
// numbers): only quotes, backslashes and control characters need escaping.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string dataset_etag(std::string_view slug, std::string_view version, std::string_view modified) {
  std::string out = "\"";
  out.append(slug).append("-").append(version).append("-").append(modified).append("\"");
  return out;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  const std::string_view wanted = opaque(etag);
  while (true) {
    const std::size_t comma = if_none_match.find(',');
    const std::string_view item = strip(if_none_match.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == wanted)) return true;
    if (comma == std::string_view::npos) return false;
    if_none_match.remove_prefix(comma + 1);
  }
}

std::string cache_headers_json(std::string_view etag, bool is_public) {
  std::string out = "[{\"ETag\" : ";
  append_json_string(out, etag);
  out += "}, {\"Cache-Control\" : \"";
  out += is_public ? "public" : "private";
  out += ", max-age=300\"}]";
  return out;
}

}  // namespace opendata::geo
