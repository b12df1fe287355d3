// libFuzzer target for the nearest crossing's in-memory index.
//
// The input is read as doubles: points (longitude, latitude), then a query
// point, k and a maximum distance.  Whatever the points (duplicates, poles,
// the antimeridian, longitudes beyond +-180, a single point, none), the
// index must return exactly the candidates its definition names, which are
// computed here point by point.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/geo/sphere_index.hpp"

using namespace opendata::geo;

namespace {

// A finite value in [lo, hi] from 8 input bytes.
double read(const std::uint8_t*& data, std::size_t& size, double lo, double hi) {
  std::uint64_t bits = 0;
  std::size_t n = std::min<std::size_t>(8, size);
  std::memcpy(&bits, data, n);
  data += n;
  size -= n;
  return lo + (hi - lo) * (static_cast<double>(bits >> 11) / 9007199254740992.0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  // Coarse coordinates make exact duplicates and ties likely.
  const bool coarse = data[0] & 1;
  const int k = 1 + data[1] % 8;
  const bool bounded = data[2] & 1;
  data += 3;
  size -= 3;
  auto coordinate = [&](double lo, double hi) {
    double v = read(data, size, lo, hi);
    return coarse ? std::round(v) : v;
  };
  const LonLat query{coordinate(-200, 200), coordinate(-90, 90)};
  const double max_m = bounded ? read(data, size, 0, 2e7) : -1;
  std::vector<LonLat> points;
  while (size >= 16 && points.size() < 2000)
    points.push_back({coordinate(-200, 200), coordinate(-90, 90)});

  SphereIndex index(points);
  std::vector<std::uint32_t> got = index.nearest_candidates(query, k, max_m);

  std::vector<double> dist;
  for (const LonLat& p : points) dist.push_back(great_circle_m(query, p));
  std::vector<double> sorted = dist;
  std::sort(sorted.begin(), sorted.end());
  double bound = -1;
  if (!points.empty()) {
    bound = sorted[std::min<std::size_t>(k, sorted.size()) - 1] * kSpheroidOverSphereMax /
            kSpheroidOverSphereMin;
    if (max_m >= 0) bound = std::min(bound, max_m / kSpheroidOverSphereMin);
  }
  // The index compares chords, the definition metres: a point within a
  // hair of the bound may round either way; every other point must be on
  // the side the definition puts it.
  std::sort(got.begin(), got.end());
  for (std::uint32_t i = 0; i < points.size(); i++) {
    const bool in = std::binary_search(got.begin(), got.end(), i);
    const bool at_bound = std::fabs(dist[i] - bound) <= 1e-6 * std::max(1.0, bound);
    if (!at_bound && in != (dist[i] <= bound)) std::abort();
  }
  if (std::adjacent_find(got.begin(), got.end()) != got.end()) std::abort();
  // Never fewer than k when there are k points and no distance limit.
  if (max_m < 0 && got.size() < std::min<std::size_t>(k, points.size())) std::abort();
  return 0;
}
