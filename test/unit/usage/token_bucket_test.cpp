#include <gtest/gtest.h>

#include "core/usage/token_bucket.hpp"

namespace {

using namespace opendata::usage;

constexpr std::int64_t kMinute = 60LL * 1000000;

TEST(TokenBucket, AllowsTheLimitThenRefuses) {
  BucketState s;
  for (int i = 0; i < 3; ++i) {
    BucketDecision d = take_token(s, 0, 3, kMinute);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 2 - i);
    EXPECT_EQ(d.limit, 3);
  }
  BucketDecision refused = take_token(s, 0, 3, kMinute);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 20);  // one token every 20 s
  EXPECT_EQ(refused.reset_seconds, 60);
}

TEST(TokenBucket, RefillsWithTimeUpToTheLimit) {
  BucketState s;
  for (int i = 0; i < 3; ++i) take_token(s, 0, 3, kMinute);
  EXPECT_FALSE(take_token(s, 19 * 1000000, 3, kMinute).allowed);
  BucketDecision d = take_token(s, 20 * 1000000, 3, kMinute);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  // A long pause fills the bucket, never beyond the limit.
  d = take_token(s, 3600LL * 1000000, 3, kMinute);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 2);
}

TEST(TokenBucket, RetryAfterIsAtLeastOneSecond) {
  BucketState s;
  take_token(s, 0, 1000, 1000000);  // 1000 per second
  for (int i = 0; i < 999; ++i) take_token(s, 0, 1000, 1000000);
  BucketDecision d = take_token(s, 0, 1000, 1000000);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);
}

TEST(TokenBucket, ClockGoingBackwardsRefillsNothing) {
  BucketState s;
  take_token(s, 100 * 1000000LL, 1, kMinute);
  EXPECT_FALSE(take_token(s, 0, 1, kMinute).allowed);
}

TEST(TokenBucket, SlowDailyRefillIsNotRoundedAway) {
  constexpr std::int64_t kDay = 86400LL * 1000000;
  BucketState s;
  take_token(s, 0, 2, kDay);
  take_token(s, 0, 2, kDay);
  EXPECT_FALSE(take_token(s, kDay / 2 - 1000000, 2, kDay).allowed);
  EXPECT_TRUE(take_token(s, kDay / 2, 2, kDay).allowed);
}

}  // namespace
