// The box that holds every point within a distance of a geometry on the
// ground, in WGS 84 degrees: the first cut of within_distance and of the
// nearest crossing's second pass, done by the GiST index of the inner side
// (opendata._expand_m(), src/pg/expand_m.cpp, widens a geometry's box by
// these margins).
#pragma once

namespace opendata::cross {

// How far, in degrees of longitude (dx) and of latitude (dy), to widen the
// box [xmin, xmax] x [ymin, ymax] so that it holds every point within
// `metres` of it on the WGS 84 ellipsoid.  Metres per degree are taken
// low (110 km for a degree of latitude, 110 km x cos(latitude) for one of
// longitude, at the widened box's edge nearer the pole), so the box is a
// little too large, never too small.  Near a pole, or when the box would
// cross the antimeridian, dx is kWholeLongitude: the box then spans every
// longitude.  `metres` is finite and not negative.
struct GroundMargins {
  double dx;
  double dy;
};
constexpr double kWholeLongitude = 360;
GroundMargins ground_margins(double xmin, double xmax, double ymin, double ymax, double metres);

}  // namespace opendata::cross
