// Tiles' entity tags and If-None-Match (RFC 9110, 13.1.2: weak comparison).
#include <gtest/gtest.h>

#include "core/geo/tile_http.hpp"

namespace {

using namespace opendata::geo;

TEST(TileHttp, EtagIsTheDatasetsPublishedState) {
  EXPECT_EQ(dataset_etag("arbres", "3", "1733550000123456"), "\"arbres-3-1733550000123456\"");
}

TEST(TileHttp, IfNoneMatchNamesTheTag) {
  const std::string etag = "\"arbres-3-17\"";
  EXPECT_TRUE(etag_matches("\"arbres-3-17\"", etag));
  EXPECT_TRUE(etag_matches("W/\"arbres-3-17\"", etag));        // weak comparison
  EXPECT_TRUE(etag_matches("W/\"x\", \t\"arbres-3-17\" ", etag));  // one of a list
  EXPECT_TRUE(etag_matches("\"a\",\"arbres-3-17\"", etag));
  EXPECT_TRUE(etag_matches("*", etag));
  EXPECT_TRUE(etag_matches(" * ", etag));
  EXPECT_TRUE(etag_matches("\"arbres-3-17\"", "W/\"arbres-3-17\""));
}

TEST(TileHttp, IfNoneMatchNamingAnotherTagDoesNotMatch) {
  const std::string etag = "\"arbres-3-17\"";
  EXPECT_FALSE(etag_matches("", etag));
  EXPECT_FALSE(etag_matches(",", etag));
  EXPECT_FALSE(etag_matches("\"arbres-2-17\"", etag));
  EXPECT_FALSE(etag_matches("arbres-3-17", etag));  // unquoted: not the tag
  EXPECT_FALSE(etag_matches("\"arbres-3-17", etag));
  EXPECT_FALSE(etag_matches("w/\"arbres-3-17\"", etag));  // W/ is case-sensitive
  EXPECT_FALSE(etag_matches("\"*\"", etag));
}

TEST(TileHttp, CacheHeadersAreWhatPostgrestReads) {
  EXPECT_EQ(cache_headers_json("\"a-1-2\"", true),
            "[{\"ETag\" : \"\\\"a-1-2\\\"\"}, {\"Cache-Control\" : \"public, max-age=300\"}]");
  EXPECT_EQ(cache_headers_json("\"a-1-2\"", false),
            "[{\"ETag\" : \"\\\"a-1-2\\\"\"}, {\"Cache-Control\" : \"private, max-age=300\"}]");
  EXPECT_EQ(cache_headers_json("a\\b\n", true).substr(0, 22), "[{\"ETag\" : \"a\\\\b\\u000a");
}

}  // namespace
