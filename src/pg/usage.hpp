// The one call an API function makes to be counted (issue #18).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/usage/counters.hpp"

namespace opendata::pg {

// Counts one answered call of `endpoint` on `dataset` ("" for the portal),
// with the rows and bytes it served, in shared memory: no write, so it works
// in READ ONLY transactions and on standbys.  Without shared_preload_libraries
// (or with opendata.usage_track off) it does nothing.  Never raises.
void count_call(opendata::usage::Endpoint endpoint, std::string_view dataset, std::uint64_t rows,
                std::uint64_t bytes) noexcept;

// What request.headers (set by PostgREST) says of the client: the API key
// text it presents, if any, and its address ("" when no proxy header says).
struct RequestClient {
  std::optional<std::string> presented_key;
  std::string address;
};
RequestClient request_client();

// The request's client as the counters and quotas see it, from the headers
// PostgREST passes in request.headers: "key:<id>" for an API key, else the
// address (X-Forwarded-For, X-Real-IP); "" when none says.
std::string request_client_identity();

}  // namespace opendata::pg
