#include "pg/usage.hpp"

#include <nlohmann/json.hpp>

#include "core/usage/api_key.hpp"
#include "core/usage/hyperloglog.hpp"
#include "pg/settings.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace opendata::pg {
namespace {

// The four headers the counters and quotas read, picked out of
// request.headers while it is parsed, without building the document: a
// whole parse (a map of every header a browser sends) was nearly all that
// counting a call cost (docs/usage.md, "Cost").
class HeaderPicker : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string authorization, x_api_key, x_forwarded_for, x_real_ip;

  bool key(string_t& name) override {
    target_ = nullptr;
    if (depth_ != 1) return true;
    if (name == "authorization") target_ = &authorization;
    else if (name == "x-api-key") target_ = &x_api_key;
    else if (name == "x-forwarded-for") target_ = &x_forwarded_for;
    else if (name == "x-real-ip") target_ = &x_real_ip;
    return true;
  }
  bool string(string_t& value) override {
    if (target_ != nullptr) *target_ = std::move(value);
    target_ = nullptr;
    return true;
  }
  bool start_object(std::size_t) override { return nest(1); }
  bool end_object() override { return nest(-1); }
  bool start_array(std::size_t) override { return nest(1); }
  bool end_array() override { return nest(-1); }
  bool null() override { return other(); }
  bool boolean(bool) override { return other(); }
  bool number_integer(number_integer_t) override { return other(); }
  bool number_unsigned(number_unsigned_t) override { return other(); }
  bool number_float(number_float_t, const string_t&) override { return other(); }
  bool binary(binary_t&) override { return other(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    // Not PostgREST's JSON: no header is read from it.
    authorization.clear();
    x_api_key.clear();
    x_forwarded_for.clear();
    x_real_ip.clear();
    return false;
  }

 private:
  bool nest(int step) {
    depth_ += step;
    target_ = nullptr;  // a header's value is a string, never an object
    return true;
  }
  bool other() {
    target_ = nullptr;
    return true;
  }
  int depth_ = 0;
  std::string* target_ = nullptr;
};

}  // namespace

RequestClient request_client() {
  // PostgREST sets request.headers (JSON, names lower-cased) per transaction.
  const char* raw = GetConfigOption("request.headers", true, false);
  HeaderPicker headers;
  if (raw != nullptr && *raw != '\0') nlohmann::json::sax_parse(raw, &headers);
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
