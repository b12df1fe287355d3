#include "pg/usage.hpp"

#include "core/usage/api_key.hpp"
#include "core/usage/headers.hpp"
#include "core/usage/hyperloglog.hpp"
#include "pg/settings.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace opendata::pg {

opendata::usage::PickedHeaders request_headers() {
  const char* raw = GetConfigOption("request.headers", true, false);
  return raw != nullptr ? opendata::usage::pick_headers(raw).value_or(opendata::usage::PickedHeaders{})
                        : opendata::usage::PickedHeaders{};
}

RequestClient request_client() {
  const opendata::usage::PickedHeaders headers = request_headers();
  RequestClient client;
  std::string_view key = opendata::usage::presented_key(headers.authorization, headers.x_api_key);
  if (!key.empty()) client.presented_key = std::string(key);
  // The connection's own peer is PostgREST, the same for every client: the
  // address comes from the reverse proxy's headers or is unknown ("").
  client.address = opendata::usage::client_address(headers.x_forwarded_for, headers.x_real_ip, "");
  return client;
}

std::string request_client_identity() {
  RequestClient client = request_client();
  if (client.presented_key)
    if (auto parsed = opendata::usage::parse_api_key(*client.presented_key)) return "key:" + parsed->id;
  return client.address;
}

void count_now(opendata::usage::Endpoint endpoint, std::string_view dataset, std::uint64_t rows,
               std::uint64_t bytes) noexcept {
  if (!g_usage_track || !usage_shmem::usage_enabled()) return;
  try {
    std::uint64_t client = opendata::usage::hash_identity(request_client_identity());
    usage_shmem::Key key =
        usage_shmem::make_key(endpoint, dataset.data(), dataset.size(), usage_shmem::today());
    usage_shmem::add(key, rows, bytes, false, client);
  } catch (...) {
    // Out of memory while reading the headers: the call goes uncounted
    // rather than failing the request it belongs to.
  }
}

void count_call(opendata::usage::Endpoint endpoint, std::string_view dataset, std::uint64_t rows,
                std::uint64_t bytes) noexcept {
  switch (call_role(dataset)) {
    case CallRole::kNested:
      return;
    case CallRole::kOutermost:
      mark_counted();
      break;
    case CallRole::kUnbracketed:
      break;
  }
  count_now(endpoint, dataset, rows, bytes);
}

}  // namespace opendata::pg
