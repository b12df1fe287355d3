// The three spellings of a refine/exclude list (facet_items.hpp).
#include "core/odsql/facet_items.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/odsql/links.hpp"

namespace {

using opendata::UserError;
using opendata::odsql::array_literal;
using opendata::odsql::parse_facet_items;
using Items = std::vector<std::string>;

TEST(FacetItems, BareItemIsOneItem) {
  EXPECT_EQ(parse_facet_items("mode:Metro"), Items{"mode:Metro"});
  // Commas, quotes and braces inside a bare item are the value's own.
  EXPECT_EQ(parse_facet_items("nom:Gare 5, quai \"B\" {x}"), Items{"nom:Gare 5, quai \"B\" {x}"});
  EXPECT_EQ(parse_facet_items(""), Items{});
  EXPECT_EQ(parse_facet_items("  "), Items{});
}

TEST(FacetItems, ArrayLiteral) {
  EXPECT_EQ(parse_facet_items("{}"), Items{});
  EXPECT_EQ(parse_facet_items(" { } "), Items{});
  EXPECT_EQ(parse_facet_items("{mode:Metro,mode:RER}"), (Items{"mode:Metro", "mode:RER"}));
  EXPECT_EQ(parse_facet_items("{ a:b c , \"x:\\\"y\\\",z\" }"), (Items{"a:b c", "x:\"y\",z"}));
  EXPECT_EQ(parse_facet_items("{a:\\ }"), Items{"a: "});
  EXPECT_EQ(parse_facet_items("{\"NULL\"}"), Items{"NULL"});
}

TEST(FacetItems, JsonArray) {
  EXPECT_EQ(parse_facet_items("[]"), Items{});
  EXPECT_EQ(parse_facet_items("[\"mode:Metro\", \"nom:\\u00c9vry \\ud83d\\ude86\\n\"]"),
            (Items{"mode:Metro", "nom:\xc3\x89vry \xf0\x9f\x9a\x86\n"}));
}

TEST(FacetItems, WrittenListsReadBack) {
  const Items items = {"mode:RER", "nom:Gare 5, quai \"B\"", "a\\b", " x ", "{y}"};
  EXPECT_EQ(parse_facet_items(array_literal(items)), items);
}

TEST(FacetItems, MalformedListsAre22P02) {
  for (const char* bad : {"{a", "{a,}", "{,a}", "{a,,b}", "{NULL}", "{null}", "{{a}}", "{a}x",
                          "{\"a}", "{a\"b}", "{\"a\" \"b\"}", "[", "[1]", "[\"a\",]", "[\"a\"",
                          "[\"\\x\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\u0000\"]", "[\"a\"] x",
                          "[\"a\"\"b\"]", "{a\\"}) {
    try {
      parse_facet_items(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const UserError& e) {
      EXPECT_EQ(e.sqlstate(), "22P02") << bad;
      EXPECT_NE(e.hint().find("field:value"), std::string::npos);
    }
  }
}

}  // namespace
