#include "core/usage/counters.hpp"

namespace opendata::usage {
namespace {

constexpr std::string_view kEndpointNames[kEndpointCount] = {
    "records", "facets", "export_csv", "export_json", "export_jsonl", "export_geojson",
    "tiles",   "pages",  "search",     "cross",       "near",          "dcat",
    "ogc",     "export_file"};

struct ApiFunction {
  std::string_view name;
  Endpoint endpoint;
};

// Each opendata_api function a client calls for an answer of its own.
constexpr ApiFunction kApiFunctions[] = {
    {"records", Endpoint::kRecords},
    {"facets", Endpoint::kFacets},
    {"export_csv", Endpoint::kExportCsv},
    {"export_json", Endpoint::kExportJson},
    {"export_jsonl", Endpoint::kExportJsonl},
    {"export_geojson", Endpoint::kExportGeojson},
    {"export_parquet", Endpoint::kExportFile},
    {"tile", Endpoint::kTiles},
    {"tilejson", Endpoint::kTiles},
    {"portal", Endpoint::kPages},
    {"search_page", Endpoint::kPages},
    {"dataset_page", Endpoint::kPages},
    {"organization_page", Endpoint::kPages},
    {"reuses_page", Endpoint::kPages},
    {"search", Endpoint::kSearch},
    {"cross", Endpoint::kCross},
    {"near", Endpoint::kNear},
    {"catalog_dcat", Endpoint::kDcat},
    {"catalog_jsonld", Endpoint::kDcat},
    {"catalog_turtle", Endpoint::kDcat},
    {"catalog_rdfxml", Endpoint::kDcat},
    {"dataset_schema_org", Endpoint::kDcat},
    {"ogc_landing", Endpoint::kOgc},
    {"ogc_conformance", Endpoint::kOgc},
    {"ogc_api", Endpoint::kOgc},
    {"ogc_collections", Endpoint::kOgc},
    {"ogc_collection", Endpoint::kOgc},
    {"ogc_items", Endpoint::kOgc},
    {"ogc_item", Endpoint::kOgc},
};

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

std::optional<Endpoint> endpoint_of_api_function(std::string_view name) {
  for (const ApiFunction& f : kApiFunctions)
    if (f.name == name) return f.endpoint;
  return std::nullopt;
}

bool is_internal_caller(std::string_view name) { return name == "_refresh_summary"; }

Counts unflushed(const Counts& live, const Counts& flushed) {
  return {since(live.calls, flushed.calls), since(live.rows, flushed.rows),
          since(live.bytes, flushed.bytes), since(live.errors, flushed.errors)};
}

Counts operator+(const Counts& a, const Counts& b) {
  return {a.calls + b.calls, a.rows + b.rows, a.bytes + b.bytes, a.errors + b.errors};
}

}  // namespace opendata::usage
