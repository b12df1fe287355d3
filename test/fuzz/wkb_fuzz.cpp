// libFuzzer target for the WKB/EWKB reader of the export writers.
//
// Properties checked on every input:
//  - no crash, no out-of-bounds read, no undefined behaviour (ASan/UBSan);
//  - the only exception is UserError (22P03 malformed, 0A000 curves);
//  - whatever is accepted yields a GeoJSON geometry that parses as JSON and
//    the same acceptance in WKT mode;
//  - as a by-product, the same bytes taken as text escape to a JSON string
//    that parses (the writers' other hand-written scanner).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/export/text_escape.hpp"
#include "core/export/wkb_reader.hpp"

using opendata::UserError;
using namespace opendata::exporter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options, the rest is the geometry.
  GeometryOptions opts;
  opts.precision = static_cast<int>(data[0] % 17) - 1;  // -1 .. 15
  opts.keep_z = (data[0] & 0x80) != 0;
  const std::string_view wkb(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string geojson;
  bool geojson_ok = false;
  try {
    BBox box;
    append_geojson_geometry(wkb, opts, geojson, &box);
    geojson_ok = true;
  } catch (const UserError& e) {
    if (e.sqlstate() != opendata::sqlstate::kInvalidBinaryRepresentation &&
        e.sqlstate() != opendata::sqlstate::kFeatureNotSupported) std::abort();
  }
  if (geojson_ok && nlohmann::json::parse(geojson, nullptr, false).is_discarded()) std::abort();

  std::string wkt;
  bool wkt_ok = false;
  try {
    append_wkt(wkb, opts, wkt);
    wkt_ok = true;
  } catch (const UserError& e) {
    if (e.sqlstate() != opendata::sqlstate::kInvalidBinaryRepresentation &&
        e.sqlstate() != opendata::sqlstate::kFeatureNotSupported) std::abort();
  }
  // Both modes share the parser: they must agree on what is valid.
  if (geojson_ok != wkt_ok) std::abort();

  std::string text;
  append_json_string(text, wkb);
  if (!nlohmann::json::parse(text, nullptr, false).is_string()) std::abort();
  return 0;
}
