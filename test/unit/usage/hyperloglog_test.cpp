#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/usage/hyperloglog.hpp"

namespace {

using namespace opendata::usage;

std::vector<std::uint8_t> sketch_of(int from, int to) {
  std::vector<std::uint8_t> regs(kHllRegisters, 0);
  for (int i = from; i < to; ++i) {
    HllUpdate u = hll_update_for(hash_identity("203.0.113." + std::to_string(i)));
    if (regs[u.index] < u.rank) regs[u.index] = u.rank;
  }
  return regs;
}

TEST(HyperLogLog, EmptySketchCountsZero) {
  std::vector<std::uint8_t> regs(kHllRegisters, 0);
  EXPECT_EQ(hll_estimate(regs.data()), 0.0);
}

TEST(HyperLogLog, SameIdentityCountsOnce) {
  std::vector<std::uint8_t> once = sketch_of(0, 1);
  std::vector<std::uint8_t> again = once;
  HllUpdate u = hll_update_for(hash_identity("203.0.113.0"));
  if (again[u.index] < u.rank) again[u.index] = u.rank;
  EXPECT_EQ(once, again);
  EXPECT_NEAR(hll_estimate(once.data()), 1.0, 0.01);
}

// Within four standard errors (3.3 % each) on small and large cardinalities.
TEST(HyperLogLog, EstimatesWithinItsError) {
  for (int n : {10, 100, 1000, 10000, 200000}) {
    std::vector<std::uint8_t> regs = sketch_of(0, n);
    double estimate = hll_estimate(regs.data());
    EXPECT_NEAR(estimate, n, std::max(1.0, n * 4 * 0.0325)) << n;
  }
}

TEST(HyperLogLog, MergeIsTheUnionAndIdempotent) {
  std::vector<std::uint8_t> a = sketch_of(0, 5000), b = sketch_of(2500, 7500);
  std::vector<std::uint8_t> both = sketch_of(0, 7500);
  std::vector<std::uint8_t> merged = a;
  hll_merge(merged.data(), b.data());
  EXPECT_EQ(merged, both);
  hll_merge(merged.data(), b.data());
  EXPECT_EQ(merged, both);
}

TEST(HyperLogLog, RankCoversTheWholeHash) {
  EXPECT_EQ(hll_update_for(0).rank, 64 - kHllPrecision + 1);
  EXPECT_EQ(hll_update_for(0).index, 0u);
  EXPECT_EQ(hll_update_for(~std::uint64_t{0}).rank, 1);
  EXPECT_EQ(hll_update_for(~std::uint64_t{0}).index, kHllRegisters - 1);
}

}  // namespace
