// HyperLogLog: distinct clients of a day in a fixed 1 KiB, mergeable.
//
// Flajolet et al.'s estimator with the small-range correction (linear
// counting), precision 10: 1024 one-byte registers, standard error about
// 1.04/sqrt(1024) = 3.3 %.  Registers only ever grow (max), so two sketches
// merge by taking the larger register, and merging a sketch into itself
// changes nothing: the flush can send the whole sketch every time.
//
// The client identity never enters a sketch: only its 64-bit hash, and a
// register keeps 6 bits of that hash's shape, so no identity can be read back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace opendata::usage {

inline constexpr int kHllPrecision = 10;
inline constexpr std::size_t kHllRegisters = std::size_t{1} << kHllPrecision;

// Where one hashed identity lands: a register and the rank to raise it to.
struct HllUpdate {
  std::size_t index;
  std::uint8_t rank;  // 1 + leading zeros of the remaining 54 bits, 1..55
};

// A 64-bit hash of a client identity (FNV-1a, then MurmurHash3's finalizer
// so that every output bit depends on every input bit).
std::uint64_t hash_identity(std::string_view identity);

HllUpdate hll_update_for(std::uint64_t hash);

// The estimated number of distinct identities behind `registers`
// (kHllRegisters bytes).
double hll_estimate(const std::uint8_t* registers);

// into[i] = max(into[i], from[i]) for every register.
void hll_merge(std::uint8_t* into, const std::uint8_t* from);

}  // namespace opendata::usage
