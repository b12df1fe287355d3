// libFuzzer target for the GeoJSON path: document validation, feature
// scanning, each feature's parse (simdjson), type inference, geometry
// checks and conversion (GeoJSON to hex EWKB and to EWKT, WKT) and the COPY
// normaliser.  Only UserError is an acceptable exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ingest/geojson.hpp"
#include "core/ingest/geometry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool skip = (data[0] & 1) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace opendata::ingest;
  {
    // The value-level converters must reject, never crash.
    std::string out, err;
    GeomInfo info;
    (void)geojson_text_to_ewkt(input, 4326, true, out, info, err);
    out.clear();
    (void)wkt_to_ewkt(input, 4326, true, &out, info, err);
  }
  try {
    CsvOptions o = parse_options_text(skip ? R"({"on_error": "skip"})" : "{}", InputFormat::GeoJson);
    SniffReport r = read_geojson(input, o);
    (void)to_json(r).dump();
    GeoJsonNormaliser n(input, o, r);
    std::string chunk;
    while (n.next_chunk(chunk)) {
      if (chunk.back() != '\n') __builtin_trap();
      // COPY text must not carry NUL bytes: PostgreSQL rejects them.
      if (chunk.find('\0') != std::string::npos) __builtin_trap();
    }
  } catch (const opendata::UserError&) {
  }
  return 0;
}
