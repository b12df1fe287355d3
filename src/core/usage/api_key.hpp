// API keys as clients present them, and their comparison.
//
// A key reads "<id>.<secret>": the id (letters, digits, '_' or '-', at most
// 32) finds the row, the secret is never stored, only its SHA-256, which is
// compared in constant time so that the time an answer takes tells nothing
// about how much of a guess was right.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opendata::usage {

struct ApiKey {
  std::string id;
  std::string secret;
};

// The key of `text`, or nothing when it does not have the shape of one.
std::optional<ApiKey> parse_api_key(std::string_view text);

// The key a request carries: "Authorization: Apikey <key>" (Opendatasoft's
// form) or "X-Api-Key: <key>".  Empty when there is none.
std::string_view presented_key(std::string_view authorization, std::string_view x_api_key);

// a == b, in a time that depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

// The client a request comes from, as PostgREST passes it on: the first
// address of X-Forwarded-For (set by the reverse proxy in front), else
// X-Real-IP, else the connection's peer.  Trimmed; empty when unknown.
std::string client_address(std::string_view x_forwarded_for, std::string_view x_real_ip,
                           std::string_view peer);

}  // namespace opendata::usage
