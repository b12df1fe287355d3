// The box of within_distance (src/core/cross/ground_box.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "core/cross/ground_box.hpp"

namespace opendata::cross {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The length of a degree of longitude at latitude `lat` on the WGS 84
// ellipsoid, in metres.
double degree_of_longitude_m(double lat) {
  const double a = 6378137.0;
  const double e2 = 6.69437999014e-3;
  const double phi = lat * kPi / 180.0;
  return kPi / 180.0 * a * std::cos(phi) / std::sqrt(1 - e2 * std::sin(phi) * std::sin(phi));
}

TEST(GroundBox, MarginsOfAPointInIleDeFrance) {
  const GroundMargins m = ground_margins(2.35, 2.35, 48.85, 48.85, 500);
  EXPECT_DOUBLE_EQ(m.dy, 500 / 110000.0);
  EXPECT_DOUBLE_EQ(m.dx, 500 / (110000.0 * std::cos((48.85 + 500 / 110000.0) * kPi / 180.0)));
  // Never too small: 500 m east or west, and north or south, stay inside.
  EXPECT_GT(m.dx * degree_of_longitude_m(48.85 + m.dy), 500);
  EXPECT_GT(m.dy * 110574.0, 500);  // the shortest degree of latitude, at the equator
}

TEST(GroundBox, TheFarEdgeOfAShapeSetsTheLongitudeMargin) {
  // A shape from the equator to 60 degrees south: its southern edge, where
  // degrees of longitude are shortest, decides.
  const GroundMargins m = ground_margins(10, 11, -60, 0, 1000);
  EXPECT_DOUBLE_EQ(m.dx, 1000 / (110000.0 * std::cos((60 + 1000 / 110000.0) * kPi / 180.0)));
  EXPECT_GT(m.dx * degree_of_longitude_m(60 + m.dy), 1000);
}

TEST(GroundBox, EveryLongitudeNearAPole) {
  EXPECT_EQ(ground_margins(0, 0, 89.95, 89.95, 10).dx, kWholeLongitude);
  EXPECT_EQ(ground_margins(0, 0, 89.9 - 5 / 110000.0, 89.9 - 5 / 110000.0, 10).dx, kWholeLongitude);
  EXPECT_LT(ground_margins(0, 0, 89.8, 89.8, 10).dx, kWholeLongitude);
}

TEST(GroundBox, EveryLongitudeAcrossTheAntimeridian) {
  EXPECT_EQ(ground_margins(179.999, 179.999, 0, 0, 500).dx, kWholeLongitude);
  EXPECT_EQ(ground_margins(-179.999, -179.999, 0, 0, 500).dx, kWholeLongitude);
  EXPECT_LT(ground_margins(179.9, 179.9, 0, 0, 500).dx, kWholeLongitude);
}

TEST(GroundBox, ZeroMetresIsTheBoxItself) {
  const GroundMargins m = ground_margins(1, 2, 3, 4, 0);
  EXPECT_EQ(m.dx, 0);
  EXPECT_EQ(m.dy, 0);
}

}  // namespace
}  // namespace opendata::cross
