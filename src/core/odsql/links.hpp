// The ready URL of a page's next page (links.next), for apps that follow
// links instead of assembling requests: the same GET request with `after`
// (records() keyset paging) or the next `start` (datasets without a key,
// orders a token cannot carry, and the other functions that page: search,
// near, cross).
//
// It is a GET URL as PostgREST reads one: every argument that was given,
// percent-encoded (RFC 3986 unreserved characters left as they are), and the
// text[] arguments as PostgreSQL array literals with every element quoted,
// since PostgREST hands a GET value to the argument's input function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

// The arguments of the request that are not in odsql::Request.
struct LinkArgs {
  std::string base_url;  // the API's root, without a final '/'
  std::string dataset;
  std::string lang;  // "" = the default
};

// A GET request's arguments, in the order they are written; an argument
// without a value (nullopt: not given, NULL) stays out of the URL.
using QueryArgs = std::vector<std::pair<std::string, std::optional<std::string>>>;

// base_url + "/rpc/" + function + "?name=value&...", every value
// percent-encoded (names are the function's own, written as they are).
// The one builder of the API's GET URLs: records(), near(), cross() and
// search().
std::string rpc_url(const std::string& base_url, const std::string& function,
                    const QueryArgs& args);

// links.next of a page of a function paged by offset (near, cross): the
// same request, `args` as the call had them, with `start` moved past this
// page; "" when no row remains after it (or rows is 0).
std::string next_start_url(const std::string& base_url, const std::string& function,
                           QueryArgs args, std::int64_t start, std::int64_t rows,
                           std::int64_t total);

// `text` percent-encoded for a query string value.
std::string percent_encode(const std::string& text);

// A text[] argument as an array literal: {"a","b \"c\""}.
std::string array_literal(const std::vector<std::string>& items);

// The next page after a keyset token.
std::string next_link_after(const LinkArgs& args, const Request& req, const std::string& token);

// The next page by offset: start = req.offset + req.limit.
std::string next_link_start(const LinkArgs& args, const Request& req);

}  // namespace opendata::odsql
