// How many decimals of a coordinate the portal writes in GeoJSON.
//
// One setting for every GeoJSON the portal writes (issue #17): records(),
// near() and cross() through ST_AsGeoJSON, the exports through their own
// writer, whose `precision` option may ask for another.  Seven decimals of
// a degree are about 1 cm on the ground, finer than any survey the
// published data comes from; PostGIS' default of 9 only adds bytes.
#pragma once

namespace opendata {

inline constexpr int kGeoJsonDecimals = 7;

}  // namespace opendata
