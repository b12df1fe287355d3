// Hex EWKB, the binary form of a PostGIS geometry written as text.
//
// The GeoJSON import writes geometries in this form rather than as EWKT:
// PostGIS' geometry input function reads hex EWKB by decoding the bytes
// (lwgeom_from_hexwkb), where EWKT goes through its WKT grammar, and the
// coordinates are written as their exact bits instead of as decimal text
// parsed again.  The importer validates every geometry itself first (see
// geometry.hpp), as PostGIS would for EWKT.
//
// Little-endian (NDR) throughout, with PostGIS' extended type flags: SRID
// on the outermost geometry only, Z on every geometry of a Z value.
#pragma once

#include <cstdint>
#include <string>

#include "core/ingest/geometry.hpp"

namespace opendata::ingest {

class EwkbWriter {
 public:
  explicit EwkbWriter(std::string& out) : out_(out) {}

  // A geometry's header: byte order, type, and the SRID when `srid` > 0.
  void header(GeomKind kind, bool z, int srid = 0);
  // The number of points, rings or member geometries that follow.
  void count(std::size_t n);
  void number(double d);
  // The coordinates of an empty point (PostGIS writes NaN for each).
  void empty_point(bool z);

 private:
  void bytes(std::uint64_t v, int n);

  std::string& out_;
};

}  // namespace opendata::ingest
