// The sides of a derived dataset: which option filters a side, and the
// relation text the crossing compiler gets (src/core/cross/side.hpp).
#include "core/cross/side.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace opendata::cross {
namespace {

TEST(CrossSide, FilterOfAnOption) {
  EXPECT_EQ(side_filter(R"({"left_where": "pop > 10", "k": 2})", "left_where"), "pop > 10");
  EXPECT_EQ(side_filter(R"({"left_where": ""})", "left_where"), "");
  // Absent, or options that are not an object: no filter.
  EXPECT_EQ(side_filter(R"({"left_where": "pop > 10"})", "right_where"), std::nullopt);
  EXPECT_EQ(side_filter("{}", "left_where"), std::nullopt);
  EXPECT_EQ(side_filter("null", "left_where"), std::nullopt);
  EXPECT_EQ(side_filter("[\"left_where\"]", "left_where"), std::nullopt);
  EXPECT_EQ(side_filter("\"left_where\"", "left_where"), std::nullopt);
}

TEST(CrossSide, FilterThatIsNotAString) {
  for (const char* value : {"1", "null", "true", "[\"pop > 10\"]", "{\"where\": \"pop > 10\"}"}) {
    try {
      side_filter(std::string(R"({"right_where": )") + value + "}", "right_where");
      ADD_FAILURE() << value << ": no error";
    } catch (const UserError& e) {
      EXPECT_EQ(e.sqlstate(), sqlstate::kInvalidParameterValue) << value;
      EXPECT_STREQ(e.what(), "option \"right_where\" must be an ODSQL where clause (a string)");
    }
  }
}

TEST(CrossSide, RelationText) {
  EXPECT_EQ(filtered_relation("public.gares", ""), "public.gares");
  EXPECT_EQ(filtered_relation("public.\"Gares\"", "(\"pop\" > '10'::bigint)"),
            "(SELECT * FROM public.\"Gares\" WHERE (\"pop\" > '10'::bigint))");
}

}  // namespace
}  // namespace opendata::cross
