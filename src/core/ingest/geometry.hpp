// Geometry values -> EWKT, as CSV and text columns are imported.
//
// PostGIS' geometry input function accepts EWKT ("SRID=4326;POINT(2.35
// 48.85)") and hex EWKB, not GeoJSON, so GeoJSON text columns are converted
// here, and WKT columns are validated and re-emitted canonically.  (Whole
// GeoJSON files are written as hex EWKB: feature_json.hpp, ewkb.hpp, with
// the same checks.)  Validation mirrors what PostGIS
// itself would reject (too few points, unclosed rings, non-finite
// coordinates) so that a bad value is reported for its row instead of
// failing the whole COPY.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace opendata::ingest {

// Geometry kinds, as PostGIS typmod names.
enum class GeomKind : char {
  Unknown = 0,
  Point,
  LineString,
  Polygon,
  MultiPoint,
  MultiLineString,
  MultiPolygon,
  GeometryCollection,
};
const char* geom_kind_name(GeomKind k);  // "Point", ..., "Geometry" for Unknown
// The kind of a GeoJSON or WKT type name, in any case; Unknown if none.
GeomKind geom_kind_from_name(std::string_view name);
const char* geom_kind_wkt_name(GeomKind k);  // "POINT", ..., "GEOMETRY" for Unknown

// Deeply nested GeometryCollections are legal but pointless; the limit
// keeps the recursion bounded for hostile input.
constexpr int kMaxGeometryDepth = 16;

struct GeomInfo {
  GeomKind kind = GeomKind::Unknown;
  bool z = false;   // every position has a third coordinate
  int srid = 0;     // EWKT prefix, 0 when absent
  bool empty = false;
};

// A GeoJSON geometry object's text -> EWKT appended to `out` (a GeoJSON
// text column).  `keep_z`: emit the third coordinate when every position
// has one (else 2D).  On failure returns false with a short reason in
// `err`.
bool geojson_text_to_ewkt(std::string_view text, int srid, bool keep_z, std::string& out,
                          GeomInfo& info, std::string& err);

// Validates WKT/EWKT and appends the canonical EWKT with `default_srid`
// when the value has no SRID= prefix.  `out` may be null to only validate.
bool wkt_to_ewkt(std::string_view text, int default_srid, bool keep_z, std::string* out,
                 GeomInfo& info, std::string& err);

// "SRID=4326;POINT(lon lat)" from the two text coordinates (note the swap:
// WKT is x y, i.e. longitude first).
void latlon_to_ewkt(std::string_view lat, std::string_view lon, std::string& out);

// Reads a legacy GeoJSON "crs" member (2008 spec): "EPSG:2154",
// "urn:ogc:def:crs:EPSG::2154", "urn:ogc:def:crs:OGC:1.3:CRS84".  Returns
// the SRID, or 0 if not understood.
int srid_from_crs(const nlohmann::json& crs);

// Shortest round-trip text of a finite double.
void append_double(std::string& out, double d);

}  // namespace opendata::ingest
