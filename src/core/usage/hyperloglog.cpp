#include "core/usage/hyperloglog.hpp"

#include <algorithm>
#include <cmath>

namespace opendata::usage {

std::uint64_t hash_identity(std::string_view identity) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : identity) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

HllUpdate hll_update_for(std::uint64_t hash) {
  constexpr int kRest = 64 - kHllPrecision;
  std::size_t index = static_cast<std::size_t>(hash >> kRest);
  std::uint64_t rest = hash & ((std::uint64_t{1} << kRest) - 1);
  std::uint8_t rank = 1;
  for (std::uint64_t bit = std::uint64_t{1} << (kRest - 1); bit != 0 && (rest & bit) == 0; bit >>= 1)
    ++rank;
  return {index, rank};
}

double hll_estimate(const std::uint8_t* registers) {
  const double m = static_cast<double>(kHllRegisters);
  double sum = 0;
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < kHllRegisters; ++i) {
    sum += std::ldexp(1.0, -registers[i]);
    if (registers[i] == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double raw = alpha * m * m / sum;
  // Few identities: most registers still zero, where linear counting is the
  // better estimator (the raw one is biased upwards there).
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

void hll_merge(std::uint8_t* into, const std::uint8_t* from) {
  for (std::size_t i = 0; i < kHllRegisters; ++i) into[i] = std::max(into[i], from[i]);
}

}  // namespace opendata::usage
