// See ground_box.hpp.
#include "core/cross/ground_box.hpp"

#include <algorithm>
#include <cmath>

namespace opendata::cross {
namespace {

constexpr double kMetresPerDegree = 110000.0;  // low: the shortest degree is 110,574 m
constexpr double kPolarLatitude = 89.9;        // beyond it, every longitude
constexpr double kPi = 3.14159265358979323846;

}  // namespace

GroundMargins ground_margins(double xmin, double xmax, double ymin, double ymax, double metres) {
  const double dy = metres / kMetresPerDegree;
  const double far = std::max(std::abs(ymin), std::abs(ymax)) + dy;
  const double dx =
      metres / (kMetresPerDegree * std::cos(std::min(far, kPolarLatitude) * kPi / 180.0));
  if (far >= kPolarLatitude || xmin - dx < -180 || xmax + dx > 180) return {kWholeLongitude, dy};
  return {dx, dy};
}

}  // namespace opendata::cross
