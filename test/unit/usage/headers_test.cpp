#include "core/usage/headers.hpp"

#include <gtest/gtest.h>

namespace {

using opendata::usage::pick_headers;

TEST(Headers, PicksTheFiveItReads) {
  auto h = pick_headers(R"({"host": "data.example.org", "x-forwarded-for": "198.51.100.7, 10.0.0.1",
                            "x-real-ip":"198.51.100.7","authorization": "Apikey k1.s", "x-api-key": "k2.t",
                            "if-none-match": "W/\"a-1-2\", \"b\"", "user-agent": "curl/8"})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->x_forwarded_for, "198.51.100.7, 10.0.0.1");
  EXPECT_EQ(h->x_real_ip, "198.51.100.7");
  EXPECT_EQ(h->authorization, "Apikey k1.s");
  EXPECT_EQ(h->x_api_key, "k2.t");
  EXPECT_EQ(h->if_none_match, "W/\"a-1-2\", \"b\"");
  ASSERT_TRUE(pick_headers("{}"));
  EXPECT_EQ(pick_headers(" { } ")->x_forwarded_for, "");
}

TEST(Headers, DecodesEscapes) {
  auto h = pick_headers(R"({"x-api-key": "a\"b\\c\/d\u00e9\ud83d\ude00\n"})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->x_api_key, "a\"b\\c/d\xc3\xa9\xf0\x9f\x98\x80\n");
}

TEST(Headers, AQuotedNameInsideAValueIsNotAHeader) {
  // PostgREST escapes a value's quotes: "x-forwarded-for" inside one is text.
  auto h = pick_headers(R"({"user-agent": "x\", \"x-forwarded-for\": \"203.0.113.9", "x-forwarded-for": "198.51.100.7"})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->x_forwarded_for, "198.51.100.7");
  EXPECT_EQ(pick_headers(R"({"user-agent": "x\", \"x-forwarded-for\": \"203.0.113.9"})")->x_forwarded_for, "");
}

TEST(Headers, TheLastOfARepeatedNameWins) {
  EXPECT_EQ(pick_headers(R"({"x-real-ip": "a", "x-real-ip": "b"})")->x_real_ip, "b");
}

TEST(Headers, RefusesWhatIsNotAnObjectOfStrings) {
  EXPECT_FALSE(pick_headers(""));
  EXPECT_FALSE(pick_headers("[]"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": 1})"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": "a")"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": "a"} x)"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": "a",})"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": "\ud83d"})"));
  EXPECT_FALSE(pick_headers(R"({"x-real-ip": "\q"})"));
  EXPECT_FALSE(pick_headers("{\"x-real-ip\": \"a\tb\"}"));
}

}  // namespace
