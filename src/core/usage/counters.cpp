#include "core/usage/counters.hpp"

namespace opendata::usage {
namespace {

constexpr std::string_view kEndpointNames[kEndpointCount] = {
    "records", "facets", "export_csv", "export_json", "export_jsonl", "export_geojson",
    "tiles",   "pages",  "search",     "cross",       "near",       "export_file"};

std::uint64_t since(std::uint64_t live, std::uint64_t flushed) {
  return live >= flushed ? live - flushed : live;
}

}  // namespace

std::string_view endpoint_name(Endpoint e) { return kEndpointNames[static_cast<int>(e)]; }

std::optional<Endpoint> endpoint_from_name(std::string_view name) {
  for (int i = 0; i < kEndpointCount; ++i)
    if (kEndpointNames[i] == name) return static_cast<Endpoint>(i);
  return std::nullopt;
}

bool is_download(Endpoint e) {
  return e == Endpoint::kExportCsv || e == Endpoint::kExportJson || e == Endpoint::kExportJsonl ||
         e == Endpoint::kExportGeojson || e == Endpoint::kExportFile;
}

Counts unflushed(const Counts& live, const Counts& flushed) {
  return {since(live.calls, flushed.calls), since(live.rows, flushed.rows),
          since(live.bytes, flushed.bytes), since(live.errors, flushed.errors)};
}

Counts operator+(const Counts& a, const Counts& b) {
  return {a.calls + b.calls, a.rows + b.rows, a.bytes + b.bytes, a.errors + b.errors};
}

}  // namespace opendata::usage
