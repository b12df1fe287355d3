#include "core/geo/sphere_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using opendata::geo::great_circle_m;
using opendata::geo::kSpheroidOverSphereMax;
using opendata::geo::kSpheroidOverSphereMin;
using opendata::geo::LonLat;
using opendata::geo::SphereIndex;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Vincenty's inverse formula on WGS 84, for the tests only: an independent
// measure of the ground distance (PostGIS uses GeographicLib; the two agree
// to well under a millimetre away from antipodal points, which these tests
// avoid).
double vincenty_m(LonLat p, LonLat q) {
  const double a = 6378137.0;
  const double f = 1 / 298.257223563;
  const double b = a * (1 - f);
  const double rad = kPi / 180;
  const double L = (q.lon - p.lon) * rad;
  const double U1 = std::atan((1 - f) * std::tan(p.lat * rad));
  const double U2 = std::atan((1 - f) * std::tan(q.lat * rad));
  const double sinU1 = std::sin(U1), cosU1 = std::cos(U1);
  const double sinU2 = std::sin(U2), cosU2 = std::cos(U2);
  double lambda = L;
  double sinSigma = 0, cosSigma = 1, sigma = 0, cos2Alpha = 1, cos2SigmaM = 0;
  for (int i = 0; i < 200; i++) {
    const double sinLambda = std::sin(lambda), cosLambda = std::cos(lambda);
    sinSigma = std::sqrt(std::pow(cosU2 * sinLambda, 2) +
                         std::pow(cosU1 * sinU2 - sinU1 * cosU2 * cosLambda, 2));
    if (sinSigma == 0) return 0;
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = std::atan2(sinSigma, cosSigma);
    const double sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
    cos2Alpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cos2Alpha != 0 ? cosSigma - 2 * sinU1 * sinU2 / cos2Alpha : 0;
    const double C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
    const double previous = lambda;
    lambda = L + (1 - C) * f * sinAlpha *
                     (sigma + C * sinSigma *
                                  (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (std::fabs(lambda - previous) < 1e-13) break;
  }
  const double u2 = cos2Alpha * (a * a - b * b) / (b * b);
  const double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const double deltaSigma = B * sinSigma *
                            (cos2SigmaM + B / 4 *
                                              (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
                                               B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) *
                                                   (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  return b * A * (sigma - deltaSigma);
}

std::vector<LonLat> random_points(std::mt19937_64& rng, std::size_t n, double lon0, double lon1,
                                  double lat0, double lat1) {
  std::uniform_real_distribution<double> lon(lon0, lon1);
  std::uniform_real_distribution<double> lat(lat0, lat1);
  std::vector<LonLat> out;
  for (std::size_t i = 0; i < n; i++) out.push_back({lon(rng), lat(rng)});
  return out;
}

// The candidates by definition, computed point by point.
std::vector<std::uint32_t> brute_candidates(const std::vector<LonLat>& pts, LonLat q, int k,
                                            double max_m) {
  std::vector<std::pair<double, std::uint32_t>> all;
  for (std::uint32_t i = 0; i < pts.size(); i++) all.emplace_back(great_circle_m(q, pts[i]), i);
  std::sort(all.begin(), all.end());
  if (all.empty()) return {};
  double bound = all[std::min<std::size_t>(k, all.size()) - 1].first * kSpheroidOverSphereMax /
                 kSpheroidOverSphereMin;
  if (max_m >= 0) bound = std::min(bound, max_m / kSpheroidOverSphereMin);
  std::vector<std::uint32_t> out;
  for (const auto& c : all)
    if (c.first <= bound) out.push_back(c.second);
  return out;
}

// The k nearest on the ellipsoid, measured point by point.
std::vector<std::uint32_t> ellipsoid_nearest(const std::vector<LonLat>& pts, LonLat q, int k) {
  std::vector<std::pair<double, std::uint32_t>> all;
  for (std::uint32_t i = 0; i < pts.size(); i++) all.emplace_back(vincenty_m(q, pts[i]), i);
  std::sort(all.begin(), all.end());
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < all.size() && i < static_cast<std::size_t>(k); i++)
    out.push_back(all[i].second);
  return out;
}

void expect_same_set(std::vector<std::uint32_t> a, std::vector<std::uint32_t> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

}  // namespace

TEST(SphereIndex, RatioBoundsHoldForGeodesicsOnWgs84) {
  // The constants the candidates rest on: geodesic / great-circle stays
  // within [0.99441, 1.00449] for short and long lines, every latitude
  // and direction (antipodal pairs excluded, where Vincenty fails).
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon(-180, 180), lat(-89.9, 89.9), len(-3, 1);
  double lo = 2, hi = 0;
  for (int i = 0; i < 20000; i++) {
    LonLat p{lon(rng), lat(rng)};
    const double step = std::pow(10.0, len(rng));  // 0.001 to 10 degrees
    std::uniform_real_distribution<double> d(-step, step);
    LonLat q{p.lon + d(rng), std::clamp(p.lat + d(rng), -89.99, 89.99)};
    const double c = great_circle_m(p, q);
    if (c < 1) continue;
    const double ratio = vincenty_m(p, q) / c;
    lo = std::min(lo, ratio);
    hi = std::max(hi, ratio);
  }
  EXPECT_GE(lo, 0.99441 - 1e-6);
  EXPECT_LE(hi, 1.00449 + 1e-6);
  EXPECT_GT(lo, kSpheroidOverSphereMin);
  EXPECT_LT(hi, kSpheroidOverSphereMax);
}

TEST(SphereIndex, GreatCircleKnownDistances) {
  // A quarter of the sphere's circumference along the equator and along a meridian.
  const double quarter = opendata::geo::kSphereRadiusM * kPi / 2;
  EXPECT_NEAR(great_circle_m({0, 0}, {90, 0}), quarter, 1e-6);
  EXPECT_NEAR(great_circle_m({12, 0}, {12, 90}), quarter, 1e-6);
  EXPECT_NEAR(great_circle_m({179.9, 10}, {-179.9, 10}), great_circle_m({-0.1, 10}, {0.1, 10}),
              1e-6);
  EXPECT_EQ(great_circle_m({2.35, 48.85}, {2.35, 48.85}), 0);
}

TEST(SphereIndex, CandidatesAreTheBoundDefinedSet) {
  std::mt19937_64 rng(42);
  for (std::size_t n : {1u, 2u, 7u, 9u, 100u, 3000u}) {
    std::vector<LonLat> pts = random_points(rng, n, 1.9, 3.6, 48.1, 49.1);
    SphereIndex index(pts);
    ASSERT_EQ(index.size(), n);
    std::vector<LonLat> queries = random_points(rng, 50, 1.5, 4.0, 47.8, 49.4);
    for (LonLat q : queries) {
      for (int k : {1, 3, 20}) {
        for (double max_m : {-1.0, 500.0, 5000.0}) {
          expect_same_set(index.nearest_candidates(q, k, max_m),
                          brute_candidates(pts, q, k, max_m));
        }
      }
    }
  }
}

TEST(SphereIndex, CandidatesHoldTheNearestOnTheEllipsoid) {
  std::mt19937_64 rng(3);
  // Dense clusters make near-ties, where sphere and ellipsoid disagree.
  std::vector<LonLat> pts = random_points(rng, 4000, 2.0, 2.02, 48.5, 48.52);
  std::vector<LonLat> far = random_points(rng, 2000, -180, 180, -80, 80);
  pts.insert(pts.end(), far.begin(), far.end());
  SphereIndex index(pts);
  std::size_t extra = 0;
  // Queries inside the cluster (outside it, its straight edge makes many
  // points almost equally near, legitimately).
  for (LonLat q : random_points(rng, 300, 2.0, 2.02, 48.5, 48.52)) {
    for (int k : {1, 5}) {
      std::vector<std::uint32_t> cand = index.nearest_candidates(q, k, -1);
      ASSERT_GE(cand.size(), static_cast<std::size_t>(k));
      extra += cand.size() - k;
      for (std::uint32_t id : ellipsoid_nearest(pts, q, k))
        EXPECT_NE(std::find(cand.begin(), cand.end(), id), cand.end());
    }
  }
  // The band is narrow: on average fewer than half a candidate beyond k.
  EXPECT_LT(extra, 600u / 2);
}

// Every point at the k-th distance is a candidate, so that the crossing's
// order of ties (by key, src/core/cross) picks among all of them, whichever
// one the tree meets first.
TEST(SphereIndex, PointsTiedWithTheKthAreAllCandidates) {
  // Two stations of the apps fixture at the same distance from (2.3, 48.83),
  // one east and one west, and one nearer.
  SphereIndex index({{2.37, 48.83}, {2.5, 48.9}, {2.23, 48.83}, {2.3, 48.831}});
  expect_same_set(index.nearest_candidates({2.3, 48.83}, 2, -1), {0, 2, 3});
  expect_same_set(index.nearest_candidates({2.3, 48.83}, 1, -1), {3});
  SphereIndex ring({{0, 1}, {1, 0}, {0, -1}, {-1, 0}, {0, 3}});
  for (int k = 1; k <= 4; k++)
    expect_same_set(ring.nearest_candidates({0, 0}, k, -1), {0, 1, 2, 3});
}

TEST(SphereIndex, AntimeridianAndPoles) {
  std::vector<LonLat> pts = {{179.99, 0}, {-179.99, 0.001}, {0, 89.999}, {180, -90}, {90, 89.998}};
  SphereIndex index(pts);
  // Across the antimeridian: the point at -179.99 is 2.2 km away, not 40,000.
  std::vector<std::uint32_t> c = index.nearest_candidates({-179.995, 0.0005}, 2, -1);
  ASSERT_GE(c.size(), 2u);
  expect_same_set({c[0], c[1]}, {0, 1});
  // Near the north pole every longitude is near.
  c = index.nearest_candidates({-120, 89.9995}, 2, -1);
  ASSERT_GE(c.size(), 2u);
  expect_same_set({c[0], c[1]}, {2, 4});
  c = index.nearest_candidates({37, -89.9}, 1, -1);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0], 3u);
}

TEST(SphereIndex, EdgeCases) {
  SphereIndex empty({});
  EXPECT_TRUE(empty.nearest_candidates({0, 0}, 1, -1).empty());
  // k beyond the number of points: every point.
  SphereIndex three({{0, 0}, {1, 1}, {2, 2}});
  EXPECT_EQ(three.nearest_candidates({0, 0}, 10, -1).size(), 3u);
  // A maximum distance below every point: none.
  EXPECT_TRUE(three.nearest_candidates({0, 0.5}, 1, 100).empty());
  // Duplicates are all kept when they tie.
  SphereIndex dup({{5, 5}, {5, 5}, {5, 5}, {6, 6}});
  EXPECT_EQ(dup.nearest_candidates({5, 5}, 1, -1).size(), 3u);
  // The whole sphere when k spans it.
  SphereIndex spread({{0, 0}, {180, 0}});
  EXPECT_EQ(spread.nearest_candidates({0, 0}, 2, -1).size(), 2u);
}
