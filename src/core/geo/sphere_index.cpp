#include "core/geo/sphere_index.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace opendata::geo {

namespace {

constexpr double kPi = 3.14159265358979323846;

void unit_vector(LonLat p, double out[3]) {
  const double lon = p.lon * (kPi / 180.0);
  const double lat = p.lat * (kPi / 180.0);
  out[0] = std::cos(lat) * std::cos(lon);
  out[1] = std::cos(lat) * std::sin(lon);
  out[2] = std::sin(lat);
}

double chord2(const double a[3], const double b[3]) {
  const double dx = a[0] - b[0];
  const double dy = a[1] - b[1];
  const double dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

// Great-circle angle (radians) of a squared chord between unit vectors.
double angle_of_chord2(double c2) { return 2.0 * std::asin(std::min(1.0, std::sqrt(c2) / 2.0)); }

using Candidate = std::pair<double, std::uint32_t>;  // squared chord, id

}  // namespace

double great_circle_m(LonLat a, LonLat b) {
  double va[3];
  double vb[3];
  unit_vector(a, va);
  unit_vector(b, vb);
  return kSphereRadiusM * angle_of_chord2(chord2(va, vb));
}

SphereIndex::SphereIndex(const std::vector<LonLat>& points) : axis_(points.size(), 0) {
  points_.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); i++) {
    Point p;
    unit_vector(points[i], p.v);
    p.id = static_cast<std::uint32_t>(i);
    points_.push_back(p);
  }
  build(0, points_.size());
}

void SphereIndex::build(std::size_t lo, std::size_t hi) {
  if (hi - lo <= kLeafSize) return;
  // Split on the axis of widest spread: the cells stay compact wherever
  // the points lie on the sphere.
  double min[3] = {2, 2, 2};
  double max[3] = {-2, -2, -2};
  for (std::size_t i = lo; i < hi; i++) {
    for (int a = 0; a < 3; a++) {
      min[a] = std::min(min[a], points_[i].v[a]);
      max[a] = std::max(max[a], points_[i].v[a]);
    }
  }
  int axis = 0;
  for (int a = 1; a < 3; a++)
    if (max[a] - min[a] > max[axis] - min[axis]) axis = a;
  const std::size_t m = lo + (hi - lo) / 2;
  std::nth_element(points_.begin() + lo, points_.begin() + m, points_.begin() + hi,
                   [axis](const Point& x, const Point& y) { return x.v[axis] < y.v[axis]; });
  axis_[m] = static_cast<std::uint8_t>(axis);
  build(lo, m);
  build(m + 1, hi);
}

// The k nearest by chord, kept in a max-heap on the squared chord.
void SphereIndex::search_k(const double q[3], std::size_t lo, std::size_t hi, std::size_t k,
                           std::vector<Candidate>& heap) const {
  auto consider = [&](const Point& p) {
    const double d2 = chord2(q, p.v);
    if (heap.size() < k) {
      heap.emplace_back(d2, p.id);
      std::push_heap(heap.begin(), heap.end());
    } else if (d2 < heap.front().first) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = Candidate(d2, p.id);
      std::push_heap(heap.begin(), heap.end());
    }
  };
  if (hi - lo <= kLeafSize) {
    for (std::size_t i = lo; i < hi; i++) consider(points_[i]);
    return;
  }
  const std::size_t m = lo + (hi - lo) / 2;
  const int axis = axis_[m];
  const double diff = q[axis] - points_[m].v[axis];
  consider(points_[m]);
  // The side of the split holding q first: it usually fills the heap with
  // points near enough to rule the other side out.
  if (diff < 0) {
    search_k(q, lo, m, k, heap);
    if (heap.size() < k || diff * diff < heap.front().first) search_k(q, m + 1, hi, k, heap);
  } else {
    search_k(q, m + 1, hi, k, heap);
    if (heap.size() < k || diff * diff < heap.front().first) search_k(q, lo, m, k, heap);
  }
}

void SphereIndex::search_within(const double q[3], double bound2, std::size_t lo, std::size_t hi,
                                std::vector<Candidate>& out) const {
  if (hi - lo <= kLeafSize) {
    for (std::size_t i = lo; i < hi; i++) {
      const double d2 = chord2(q, points_[i].v);
      if (d2 <= bound2) out.emplace_back(d2, points_[i].id);
    }
    return;
  }
  const std::size_t m = lo + (hi - lo) / 2;
  const int axis = axis_[m];
  const double diff = q[axis] - points_[m].v[axis];
  const double d2 = chord2(q, points_[m].v);
  if (d2 <= bound2) out.emplace_back(d2, points_[m].id);
  if (diff <= 0 || diff * diff <= bound2) search_within(q, bound2, lo, m, out);
  if (diff >= 0 || diff * diff <= bound2) search_within(q, bound2, m + 1, hi, out);
}

std::vector<std::uint32_t> SphereIndex::nearest_candidates(LonLat from, int k, double max_m) const {
  std::vector<std::uint32_t> ids;
  if (points_.empty() || k < 1) return ids;
  double q[3];
  unit_vector(from, q);

  // The k-th smallest great-circle angle bounds the k-th smallest geodesic
  // from above (times kSpheroidOverSphereMax); every point that may come
  // before it on the ellipsoid lies within that bound divided by
  // kSpheroidOverSphereMin on the sphere.
  std::vector<Candidate> heap;
  heap.reserve(static_cast<std::size_t>(k));
  search_k(q, 0, points_.size(), static_cast<std::size_t>(k), heap);
  double angle =
      angle_of_chord2(heap.front().first) * (kSpheroidOverSphereMax / kSpheroidOverSphereMin);
  if (max_m >= 0) angle = std::min(angle, max_m / kSpheroidOverSphereMin / kSphereRadiusM);
  std::vector<Candidate> found;
  if (angle >= kPi) {
    for (const Point& p : points_) found.emplace_back(chord2(q, p.v), p.id);
  } else {
    const double chord = 2.0 * std::sin(angle / 2.0);
    // A little slack for rounding in the chords: the margins of the ratio
    // bounds are far larger.
    search_within(q, chord * chord * (1.0 + 1e-9) + 1e-300, 0, points_.size(), found);
  }
  std::sort(found.begin(), found.end());
  ids.reserve(found.size());
  for (const Candidate& c : found) ids.push_back(c.second);
  return ids;
}

}  // namespace opendata::geo
