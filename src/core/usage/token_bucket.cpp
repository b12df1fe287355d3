#include "core/usage/token_bucket.hpp"

#include <algorithm>

namespace opendata::usage {
namespace {

// Microseconds to whole seconds, rounded up (Retry-After, X-RateLimit-Reset).
std::int64_t ceil_seconds(std::int64_t us) { return us <= 0 ? 0 : (us + 999999) / 1000000; }

}  // namespace

BucketDecision take_token(BucketState& state, std::int64_t now_us, std::int64_t limit,
                          std::int64_t period_us) {
  // Each call moves "full again" one interval later; a call is allowed while
  // that stays within one period from now (at most `limit` calls ahead).
  const std::int64_t interval = period_us / limit;
  const std::int64_t full_at = std::max(state.full_at_us, now_us);
  const std::int64_t after = full_at + interval;
  BucketDecision d;
  d.limit = limit;
  if (after - now_us <= period_us) {
    state.full_at_us = after;
    d.allowed = true;
    d.remaining = (period_us - (after - now_us)) / interval;
  } else {
    d.retry_after_seconds = std::max<std::int64_t>(1, ceil_seconds(after - period_us - now_us));
  }
  d.reset_seconds = ceil_seconds(state.full_at_us - now_us);
  return d;
}

}  // namespace opendata::usage
