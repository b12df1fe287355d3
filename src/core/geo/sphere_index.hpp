// An in-memory index of points given in longitude/latitude (WGS 84), for
// the nearest crossing: which points can be the k nearest to a given point
// on the ground.
//
// Distances on the ground are geodesics on the WGS 84 ellipsoid (what
// PostGIS's ST_Distance(geography, geography) measures).  The index ranks
// by great-circle distance on a sphere instead, which is cheap and exact
// to compute, and turns the ranking into a set of candidates that is sure
// to hold the k nearest on the ellipsoid: along any path, the ellipsoid's
// length element is between 0.9944 and 1.0045 times the sphere's (ratio of
// the meridian and parallel radii of curvature to the sphere's radius), so
// a geodesic distance s and the great-circle distance c between the same
// two points satisfy kSpheroidOverSphereMin * c <= s <= kSpheroidOverSphereMax * c
// (the constants below are rounded outwards).  The caller then measures
// the candidates on the ellipsoid and keeps the k nearest.
//
// Points are stored as unit vectors in a k-d tree: the chord between two
// unit vectors grows with the great-circle angle, so a Euclidean search is
// a great-circle search, at the poles and across the antimeridian alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace opendata::geo {

struct LonLat {
  double lon;  // degrees
  double lat;  // degrees
};

// PostGIS's sphere (the mean radius of WGS 84, (2a + b) / 3), in metres.
constexpr double kSphereRadiusM = 6371008.7714150598;
// Bounds of the ratio geodesic / great-circle distance (see above),
// rounded outwards: [0.99441, 1.00449] becomes [0.99, 1.01].
constexpr double kSpheroidOverSphereMin = 0.99;
constexpr double kSpheroidOverSphereMax = 1.01;

// Great-circle distance in metres on PostGIS's sphere.
double great_circle_m(LonLat a, LonLat b);

class SphereIndex {
 public:
  // Indexes the points; a point's id is its position in `points`.
  // Longitudes and latitudes must be finite (the caller checks them).
  explicit SphereIndex(const std::vector<LonLat>& points);

  // The ids of every point that may be one of the k nearest to `from` on
  // the ellipsoid, restricted to those that may lie within max_m metres
  // when max_m >= 0: the points whose great-circle distance is at most
  // kSpheroidOverSphereMax / kSpheroidOverSphereMin times the k-th
  // smallest one (and at most max_m / kSpheroidOverSphereMin).  Usually
  // exactly k; sorted by great-circle distance.  k >= 1.
  std::vector<std::uint32_t> nearest_candidates(LonLat from, int k, double max_m) const;

  std::size_t size() const { return points_.size(); }

 private:
  struct Point {
    double v[3];  // unit vector
    std::uint32_t id;
  };

  void build(std::size_t lo, std::size_t hi);
  void search_k(const double q[3], std::size_t lo, std::size_t hi, std::size_t k,
                std::vector<std::pair<double, std::uint32_t>>& heap) const;
  void search_within(const double q[3], double chord2, std::size_t lo, std::size_t hi,
                     std::vector<std::pair<double, std::uint32_t>>& out) const;

  // Implicit balanced tree: the range [lo, hi) splits at its middle m on
  // axis_[m]; ranges of at most kLeafSize points are scanned.
  static constexpr std::size_t kLeafSize = 8;
  std::vector<Point> points_;
  std::vector<std::uint8_t> axis_;
};

}  // namespace opendata::geo
