// WKB / EWKB -> GeoJSON geometry object or WKT text, streamed into a string.
//
// Input: what ST_AsBinary() (ISO WKB) or ST_AsEWKB()/geometry send (EWKB)
// produce, in either byte order, 2D, Z, M or ZM, with or without an EWKB
// SRID.  Every read is bounds-checked; malformed or truncated input raises
// UserError 22P03 (invalid_binary_representation) and never reads past the
// end.  Curved types raise 0A000.  On error `out` may hold a partial
// geometry: the writers roll their buffer back to the start of the row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/geojson_precision.hpp"

namespace opendata::exporter {

// Deepest nesting accepted (GeometryCollection in GeometryCollection ...).
// PostGIS itself never nests deeply; the limit keeps hostile input from
// exhausting the stack.
inline constexpr int kMaxGeometryDepth = 32;

struct GeometryOptions {
  int precision = kGeoJsonDecimals;  // decimals; -1 = shortest round-trip
  bool keep_z = true;  // false: positions are [x, y] even for Z geometries
};

// Bounding box accumulated over every written position.
struct BBox {
  double min[3] = {0, 0, 0};
  double max[3] = {0, 0, 0};
  bool empty = true;  // no finite position seen yet
  bool all_z = true;  // every position seen had a written Z

  void reset() { *this = BBox{}; }
  void merge(const BBox& other);
  // Appends "[minx,miny(,minz),maxx,maxy(,maxz)]" (Z when all_z).
  void append_json(std::string& out, int precision) const;
};

// Appends the GeoJSON geometry object (RFC 7946 section 3.1) for `wkb`.
// Returns the EWKB SRID, 0 when the input carries none.  When `bbox` is not
// null, every position is added to it.
std::int32_t append_geojson_geometry(std::string_view wkb, const GeometryOptions& opts,
                                     std::string& out, BBox* bbox = nullptr);

// Appends the WKT text of `wkb` in PostGIS' ST_AsText form ("POINT(1 2)",
// "POINT Z (1 2 3)").  Returns the SRID as above.
std::int32_t append_wkt(std::string_view wkb, const GeometryOptions& opts, std::string& out);

// The plain form: Z kept, positions rounded to `precision` decimals.
void wkb_to_geojson(std::string_view wkb, int precision, std::string& out);

// Decodes hexadecimal (E)WKB, as geometry's text output prints it (or
// bytea's, with its leading "\x"), into `out` (replacing its content).
// Odd length or a non-hex digit -> 22P03.
void hex_to_wkb(std::string_view hex, std::string& out);

}  // namespace opendata::exporter
