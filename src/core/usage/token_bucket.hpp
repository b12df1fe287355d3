// Rate limits for quotas: `limit` calls per `period`, refilled smoothly.
//
// A token bucket of `limit` tokens gaining limit/period per unit of time,
// kept as the Generic Cell Rate Algorithm keeps it: one integer, the
// "theoretical arrival time" at which the bucket would be full again.  One
// integer fits a shared-memory slot updated under a spinlock, and involves
// no rounding of fractional tokens (a limit of 2 a day refills exactly).
#pragma once

#include <cstdint>

namespace opendata::usage {

struct BucketState {
  std::int64_t full_at_us = 0;  // when the bucket is full again (0: never used)
};

// What one attempt decided, with what the X-RateLimit-* headers say.
struct BucketDecision {
  bool allowed = false;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;            // calls still allowed right now, after this one
  std::int64_t reset_seconds = 0;        // until the bucket is full again
  std::int64_t retry_after_seconds = 0;  // until the next call is allowed (0 when allowed)
};

// Takes one token from `state` at `now_us` if there is one.  limit > 0,
// period_us >= limit.  A clock that goes backwards refills nothing.
BucketDecision take_token(BucketState& state, std::int64_t now_us, std::int64_t limit,
                          std::int64_t period_us);

}  // namespace opendata::usage
