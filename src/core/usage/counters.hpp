// What is counted per dataset, day and endpoint, and what a flush sends.
//
// Backends only add to the live counters (atomics in shared memory); the
// flush worker alone moves the "flushed" marks.  A flush sends live minus
// flushed, commits, then sets flushed to the live values it read: a crash
// before the commit loses nothing that the next flush will not send, and
// between the commit and the marks there is nothing that can fail.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace opendata::usage {

// The endpoints counted.  The order is the one of kEndpointNames; new ones
// go at the end (the name, not the number, is what the table keeps).
enum class Endpoint : std::uint8_t {
  kRecords,
  kFacets,
  kExportCsv,
  kExportJson,
  kExportJsonl,
  kExportGeojson,
  kTiles,
  kPages,
  kSearch,
  kCross,
  kNear,
  kDcat,
  kOgc,
  kExportFile,  // the binary formats: Parquet, XLSX, the GDAL formats
  kCount
};

inline constexpr int kEndpointCount = static_cast<int>(Endpoint::kCount);

std::string_view endpoint_name(Endpoint e);
std::optional<Endpoint> endpoint_from_name(std::string_view name);
// Exports are the "downloads" of the public statistics.
bool is_download(Endpoint e);

// The endpoint a call of the opendata_api function `name` counts as, or
// nullopt when the function is not counted itself (the catalog views'
// helpers, download() and the Explore v2.1 wrappers, whose calls count as
// the records(), facets(), export or search() call they make).
std::optional<Endpoint> endpoint_of_api_function(std::string_view name);

// The functions of schema opendata that call API functions for the
// extension itself (publish() computing a dataset's facet counts): calls
// made inside them are not clients' calls and are not counted.
bool is_internal_caller(std::string_view name);

struct Counts {
  std::uint64_t calls = 0;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;

  bool operator==(const Counts& o) const {
    return calls == o.calls && rows == o.rows && bytes == o.bytes && errors == o.errors;
  }
  bool empty() const { return calls == 0 && rows == 0 && bytes == 0 && errors == 0; }
};

// live - flushed, field by field.  Counters only grow, so live >= flushed;
// a field where it is not (shared memory re-initialised under the worker)
// sends its live value whole.
Counts unflushed(const Counts& live, const Counts& flushed);

Counts operator+(const Counts& a, const Counts& b);

}  // namespace opendata::usage
