// PostGIS EWKB (or ISO WKB) to ISO WKB, little-endian: the geometry
// encoding GeoParquet requires.  EWKB marks Z, M and an SRID with high bits
// of the type; ISO adds 1000 (Z), 2000 (M) or 3000 (ZM) to it and has no
// SRID.  Nested geometries are rewritten the same way.  Like the GeoJSON
// writer, an SRID other than 4326 (or none) is refused with 22023: the file
// says its coordinates are WGS 84.  Malformed input is 22P03.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opendata::exporter {

struct IsoWkbInfo {
  std::uint32_t type = 0;  // ISO type code of the top geometry (1 = Point, 1003 = Polygon Z, ...)
  double bbox[4] = {0, 0, 0, 0};  // xmin, ymin, xmax, ymax of its finite positions
  bool has_bbox = false;
};

// Appends the ISO WKB of `ewkb` to `out`; returns its type and bounds.
IsoWkbInfo append_iso_wkb(std::string_view ewkb, std::string& out);

}  // namespace opendata::exporter
