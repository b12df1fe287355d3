#include <gtest/gtest.h>

#include "core/usage/api_key.hpp"
#include "core/usage/counters.hpp"

namespace {

using namespace opendata::usage;

TEST(ApiKey, ParsesIdAndSecret) {
  auto k = parse_api_key(" ab_12-x.s3cr3t/+= ");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->id, "ab_12-x");
  EXPECT_EQ(k->secret, "s3cr3t/+=");
}

TEST(ApiKey, RefusesWhatIsNotAKey) {
  for (const char* bad : {"", "nodot", ".secret", "id.", "i d.secret", "id.sec ret",
                          "0123456789012345678901234567890123.x", "id.s\x7f"})
    EXPECT_FALSE(parse_api_key(bad)) << bad;
}

TEST(ApiKey, PresentedInEitherHeader) {
  EXPECT_EQ(presented_key("ApiKey abc.def", ""), "abc.def");
  EXPECT_EQ(presented_key("apikey  abc.def ", "other.x"), "abc.def");
  EXPECT_EQ(presented_key("Bearer token", "abc.def"), "abc.def");
  EXPECT_EQ(presented_key("", ""), "");
}

TEST(ApiKey, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("same", "samf"));
  EXPECT_FALSE(constant_time_equal("same", "sam"));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(ClientAddress, ProxyHeadersFirst) {
  EXPECT_EQ(client_address(" 198.51.100.7 , 10.0.0.1", "10.0.0.2", "127.0.0.1"), "198.51.100.7");
  EXPECT_EQ(client_address("", " 10.0.0.2 ", "127.0.0.1"), "10.0.0.2");
  EXPECT_EQ(client_address("", "", "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(client_address("", "", ""), "");
}

TEST(Counters, UnflushedIsLiveMinusFlushed) {
  Counts live{10, 100, 1000, 1}, flushed{4, 40, 400, 1};
  EXPECT_EQ(unflushed(live, flushed), (Counts{6, 60, 600, 0}));
  EXPECT_TRUE(unflushed(live, live).empty());
  EXPECT_EQ(unflushed(live, flushed) + flushed, live);
  // Live counters that restarted from zero under the marks: sent whole.
  EXPECT_EQ(unflushed(Counts{2, 0, 0, 0}, flushed), (Counts{2, 0, 0, 0}));
}

TEST(Counters, EndpointNamesRoundTrip) {
  for (int i = 0; i < kEndpointCount; ++i) {
    Endpoint e = static_cast<Endpoint>(i);
    EXPECT_EQ(endpoint_from_name(endpoint_name(e)), e);
  }
  EXPECT_FALSE(endpoint_from_name("nope"));
  EXPECT_TRUE(is_download(Endpoint::kExportCsv));
  EXPECT_FALSE(is_download(Endpoint::kRecords));
}

TEST(Counters, ApiFunctionsCountAsTheirEndpoint) {
  EXPECT_EQ(endpoint_of_api_function("records"), Endpoint::kRecords);
  EXPECT_EQ(endpoint_of_api_function("tilejson"), Endpoint::kTiles);
  EXPECT_EQ(endpoint_of_api_function("dataset_page"), Endpoint::kPages);
  EXPECT_EQ(endpoint_of_api_function("catalog_turtle"), Endpoint::kDcat);
  EXPECT_EQ(endpoint_of_api_function("ogc_items"), Endpoint::kOgc);
  // Wrappers count as the call they make; helpers are not counted.
  EXPECT_FALSE(endpoint_of_api_function("download"));
  EXPECT_FALSE(endpoint_of_api_function("ods_records"));
  EXPECT_FALSE(endpoint_of_api_function("dataset_stats"));
  EXPECT_TRUE(is_internal_caller("_refresh_summary"));
  EXPECT_FALSE(is_internal_caller("publish"));
}

}  // namespace
