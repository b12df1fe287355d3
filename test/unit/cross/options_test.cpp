// Every option error of the crossing compiler, and the API's arguments
// (src/core/cross/options.hpp, ad_hoc.hpp).
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/cross/ad_hoc.hpp"
#include "core/cross/compiler.hpp"
#include "cross_test_util.hpp"
#include "core/error.hpp"

namespace opendata::cross {
namespace {

Request request(const std::string& predicate, const std::string& options) {
  return two_sides(predicate, options);
}

// The error compile() raises, as "SQLSTATE: message".
std::string error_of(const Request& req) {
  try {
    compile(req);
  } catch (const UserError& e) {
    return e.sqlstate() + ": " + e.what();
  }
  return "no error";
}

std::string error_of(const std::string& predicate, const std::string& options) {
  return error_of(request(predicate, options));
}

TEST(CrossOptions, TheObjectAndItsKeys) {
  EXPECT_EQ(error_of("nearest", "[1]"), "22023: options must be a JSON object");
  EXPECT_EQ(error_of("nearest", "null"), "22023: options must be a JSON object");
  EXPECT_EQ(error_of("nearest", "{not json"), "22023: options must be a JSON object");
  // Named in jsonb's order of keys: shorter first.
  EXPECT_EQ(error_of("nearest", R"({"zz": 1, "bogus": 2, "k": 1, "a": 3})"),
            "22023: unknown crossing option a, zz, bogus");
  try {
    compile(request("nearest", R"({"x": 1})"));
  } catch (const UserError& e) {
    EXPECT_EQ(e.hint(),
              "Known options: k, max_distance_m, distance_m, output, aggregates, border, fields, "
              "prefix, left_key, right_key, normalize, tie_break, metadata, left_fields, "
              "left_where, right_where.");
  }
  EXPECT_EQ(error_of("near", "{}"), "22023: unknown crossing predicate \"near\"");
}

TEST(CrossOptions, GeometriesOfSpatialPredicates) {
  Request req = request("within_distance", R"({"distance_m": 5})");
  req.left.geometry.clear();
  EXPECT_EQ(error_of(req),
            "22023: the left dataset has no geometry, which predicate \"within_distance\" needs");
  req = request("enrich", "{}");
  req.right.geometry.clear();
  EXPECT_EQ(error_of(req),
            "22023: the right dataset has no geometry, which predicate \"enrich\" needs");
}

TEST(CrossOptions, PrefixAndFields) {
  EXPECT_EQ(error_of("nearest", R"({"prefix": "Bad"})"), "22023: invalid prefix \"Bad\"");
  EXPECT_EQ(error_of("nearest", R"({"prefix": ")" + std::string(41, 'a') + "\"}"),
            "22023: invalid prefix \"" + std::string(41, 'a') + "\"");
  EXPECT_EQ(error_of("nearest", R"({"prefix": ")" + std::string(40, 'a') + "\"}"), "no error");
  EXPECT_EQ(error_of("nearest", R"({"left_fields": "id"})"),
            "22023: option \"left_fields\" must be an array of field names");
  EXPECT_EQ(error_of("nearest", R"({"left_fields": ["id", "x", "y"]})"),
            "42703: unknown field x, y in the left dataset");
  EXPECT_EQ(error_of("nearest", R"({"fields": ["pop", "id"]})"),
            "42703: unknown field id in the right dataset");
}

TEST(CrossOptions, OneLimitForK) {
  EXPECT_EQ(error_of("nearest", R"({"k": 0})"), "22023: k must be an integer from 1 to 1000, not 0");
  EXPECT_EQ(error_of("nearest", R"({"k": 1001})"),
            "22023: k must be an integer from 1 to 1000, not 1001");
  EXPECT_EQ(error_of("nearest", R"({"k": 1.5})"),
            "22023: k must be an integer from 1 to 1000, not 1.5");
  EXPECT_EQ(error_of("nearest", R"({"k": "3"})"),
            "22023: k must be an integer from 1 to 1000, not \"3\"");
  EXPECT_EQ(error_of("nearest", R"({"k": 1000})"), "no error");
  Request ad_hoc = request("nearest", R"({"k": 101})");
  ad_hoc.max_k = kMaxAdHocK;
  EXPECT_EQ(error_of(ad_hoc), "22023: k must be an integer from 1 to 100, not 101");
}

TEST(CrossOptions, Distances) {
  EXPECT_EQ(error_of("within_distance", R"({"distance_m": 0})"),
            "22023: distance_m must be a number of metres greater than 0, not 0");
  EXPECT_EQ(error_of("nearest", R"({"max_distance_m": "far"})"),
            "22023: max_distance_m must be a number of metres greater than 0, not \"far\"");
  EXPECT_EQ(error_of("nearest", R"({"distance_m": 5})"),
            "22023: nearest takes max_distance_m, not distance_m");
  EXPECT_EQ(error_of("within_distance", "{}"), "22023: within_distance needs distance_m");
}

TEST(CrossOptions, OutputAndAggregates) {
  EXPECT_EQ(error_of("contains", R"({"output": "json"})"),
            "22023: option \"output\" must be \"rows\" or \"count\", not \"json\"");
  EXPECT_EQ(error_of("contains", R"j({"aggregates": "sum(pop)"})j"),
            "22023: option \"aggregates\" must be an array such as [\"sum(field)\"]");
  EXPECT_EQ(error_of("contains", R"j({"aggregates": ["median(pop)"]})j"),
            "22023: invalid aggregate \"median(pop)\"");
  EXPECT_EQ(error_of("contains", R"j({"aggregates": ["sum(a(b))"]})j"),
            "22023: invalid aggregate \"sum(a(b))\"");
  EXPECT_EQ(error_of("contains", R"j({"aggregates": ["sum(id)"]})j"),
            "42703: unknown field \"id\" in the right dataset");
}

TEST(CrossOptions, Borders) {
  EXPECT_EQ(error_of("contains", R"({"border": "first"})"),
            "22023: border rule of contains must be \"covers\" or \"interior\", not \"first\"");
  EXPECT_EQ(error_of("enrich", R"({"border": "covers"})"),
            "22023: border rule of enrich must be \"first\" or \"interior\", not \"covers\"");
  EXPECT_EQ(error_of("enrich", R"({"tie_break": "id"})"),
            "42703: unknown field \"id\" in the right dataset");
}

TEST(CrossOptions, TieBreak) {
  EXPECT_EQ(error_of("nearest", R"({"tie_break": ["pop", "id"]})"),
            "42703: unknown field \"id\" in the right dataset");
  EXPECT_EQ(error_of("nearest", R"({"tie_break": 3})"),
            "42703: unknown field \"3\" in the right dataset");
  EXPECT_EQ(parse_options(two_sides("nearest", R"({"tie_break": ["pop", "code"]})")).tie_break,
            (std::vector<std::string>{"pop", "code"}));
  EXPECT_EQ(parse_options(two_sides("nearest", R"({"tie_break": "pop"})")).tie_break,
            (std::vector<std::string>{"pop"}));
  EXPECT_TRUE(parse_options(two_sides("nearest", "{}")).tie_break.empty());
  // enrich: the first kept right field by default; "" names none.
  EXPECT_EQ(parse_options(two_sides("enrich", R"({"fields": ["pop"]})")).tie_break,
            (std::vector<std::string>{"pop"}));
  EXPECT_TRUE(parse_options(two_sides("enrich", R"({"tie_break": ""})")).tie_break.empty());
}

TEST(CrossOptions, AttributeKeys) {
  EXPECT_EQ(error_of("attribute", R"({"left_key": "id"})"),
            "22023: attribute crossings need left_key and right_key");
  const std::string keys = R"("left_key": "id", "right_key": "code")";
  EXPECT_EQ(error_of("attribute", "{" + keys + R"(, "normalize": {"strip": true}})"),
            "22023: option \"normalize\" takes \"trim\" (true/false), \"case\" "
            "(\"upper\"/\"lower\") and \"pad\" (a width)");
  EXPECT_EQ(error_of("attribute", "{" + keys + R"(, "normalize": []})"),
            "22023: option \"normalize\" takes \"trim\" (true/false), \"case\" "
            "(\"upper\"/\"lower\") and \"pad\" (a width)");
  EXPECT_EQ(error_of("attribute", "{" + keys + R"(, "normalize": {"case": "title"}})"),
            "22023: normalize \"case\" must be \"upper\" or \"lower\"");
  EXPECT_EQ(error_of("attribute", "{" + keys + R"(, "normalize": {"pad": 101}})"),
            "22023: normalize \"pad\" must be a width from 1 to 100");
  EXPECT_EQ(error_of("attribute", "{" + keys + R"(, "normalize": {"trim": "yes"}})"),
            "22023: normalize \"trim\" must be true or false");
  EXPECT_EQ(error_of("attribute", R"({"left_key": [], "right_key": "code"})"),
            "22023: a key is a field name or an array of field names");
  EXPECT_EQ(error_of("attribute", R"({"left_key": 5, "right_key": "code"})"),
            "22023: a key is a field name or an array of field names");
  EXPECT_EQ(error_of("attribute", R"({"left_key": "id", "right_key": ["code", "nope"]})"),
            "42703: unknown field nope in the right dataset");
}

std::string ad_hoc_error(const std::string& predicate, std::optional<double> d,
                         std::optional<std::int64_t> k) {
  try {
    return ad_hoc_options(predicate, d, k);
  } catch (const UserError& e) {
    return e.sqlstate() + ": " + e.what();
  }
}

TEST(CrossAdHoc, ArgumentsAsOptions) {
  EXPECT_EQ(ad_hoc_error("nearest", 2.3, 4),
            R"({"prefix": "right_", "max_distance_m": 2.3, "k": 4})");
  EXPECT_EQ(ad_hoc_error("within_distance", 1000, std::nullopt),
            R"({"prefix": "right_", "distance_m": 1000})");
  EXPECT_EQ(ad_hoc_error("attribute", std::nullopt, std::nullopt),
            "22023: attribute crossings are not available ad hoc");
  EXPECT_EQ(ad_hoc_error("contains", 5, std::nullopt),
            "22023: distance_m does not apply to predicate \"contains\"");
  EXPECT_EQ(ad_hoc_error("enrich", std::nullopt, 2), "22023: k applies to predicate nearest only");
  EXPECT_EQ(ad_hoc_error("nearest", -1, std::nullopt),
            "22023: distance_m must be greater than 0, not -1");
  EXPECT_EQ(ad_hoc_error("nearest", std::numeric_limits<double>::infinity(), std::nullopt),
            "22023: distance_m must be a finite number");
  EXPECT_EQ(shortest_number(0.1), "0.1");
  EXPECT_EQ(shortest_number(20100000), "20100000");
}

}  // namespace
}  // namespace opendata::cross
