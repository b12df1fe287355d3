// The one call an API function makes to be counted (issue #18).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/usage/counters.hpp"
#include "core/usage/headers.hpp"

namespace opendata::pg {

// Counts one answered call of `endpoint` on `dataset` ("" for the portal),
// with the rows and bytes it served, in shared memory: no write, so it works
// in READ ONLY transactions and on standbys.  Only a client's call counts:
// one made inside another counted call (pg/usage_calls.cpp) tells that call
// its dataset and counts nothing.  Without shared_preload_libraries (or with
// opendata.usage_track off) it does nothing.  Never raises.
void count_call(opendata::usage::Endpoint endpoint, std::string_view dataset, std::uint64_t rows,
                std::uint64_t bytes) noexcept;
// The same, whatever the call's place (for the hooks).
void count_now(opendata::usage::Endpoint endpoint, std::string_view dataset, std::uint64_t rows,
               std::uint64_t bytes) noexcept;

// The calls of counted API functions, bracketed by the function manager
// hook (pg/usage_calls.cpp).  Installed at preload.
void install_call_hooks();
enum class CallRole {
  kOutermost,    // the client's call
  kNested,       // made inside a client's call, or by the extension itself
  kUnbracketed,  // not under the hook (it was not installed): counted
};
// Where a counting call stands; a nested one notes its dataset for the
// outermost (whose errors are counted on that dataset).
CallRole call_role(std::string_view dataset) noexcept;
// The dataset an API function works on, once it has found it published:
// a failure of the call from then on is counted as an error of that
// dataset (before, of the portal, "": no name a client makes up takes a
// counter).
void note_call_dataset(std::string_view dataset) noexcept;
void mark_counted() noexcept;

// The headers opendata reads from request.headers (set by PostgREST per
// transaction, JSON with lower-cased names); all empty outside a request
// or when the setting is not JSON.
opendata::usage::PickedHeaders request_headers();

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
