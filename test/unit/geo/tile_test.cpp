// Tile addresses, the geo_cluster grid as SQL, and the field list of tile().
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/geo/tile.hpp"

namespace {

using opendata::UserError;
using namespace opendata::geo;

std::string sqlstate_of(std::int64_t z, std::int64_t x, std::int64_t y) {
  try {
    check_tile(z, x, y);
  } catch (const UserError& e) {
    return e.sqlstate();
  }
  return "";
}

TEST(Tile, AcceptsEveryTileOfThePyramid) {
  EXPECT_EQ(sqlstate_of(0, 0, 0), "");
  EXPECT_EQ(sqlstate_of(1, 1, 1), "");
  EXPECT_EQ(sqlstate_of(29, (1 << 29) - 1, 0), "");
}

TEST(Tile, RefusesAddressesOutsideThePyramid) {
  EXPECT_EQ(sqlstate_of(-1, 0, 0), "22023");
  EXPECT_EQ(sqlstate_of(30, 0, 0), "22023");
  EXPECT_EQ(sqlstate_of(0, 1, 0), "22023");
  EXPECT_EQ(sqlstate_of(0, 0, 1), "22023");
  EXPECT_EQ(sqlstate_of(3, 8, 0), "22023");
  EXPECT_EQ(sqlstate_of(3, 0, -1), "22023");
  try {
    check_tile(2, 4, 0);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "tile x must be from 0 to 3 at zoom 2, not 4");
  }
}

TEST(Tile, CellSqlClampsToTheGrid) {
  CellSql c = mercator_cell_sql("lon", "lat", "$2");
  EXPECT_EQ(c.x, "least(greatest(floor(((lon + 180) / 360) * $2), 0), $2 - 1)::int8");
  EXPECT_NE(c.y.find("least(greatest(lat, -85.0511287798066), 85.0511287798066)"),
            std::string::npos);
}

TEST(Tile, FieldList) {
  EXPECT_TRUE(parse_field_list("").empty());
  EXPECT_TRUE(parse_field_list("  ").empty());
  EXPECT_EQ(parse_field_list("a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(parse_field_list(" a , b,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(parse_field_list("`a, b`, `c`"), (std::vector<std::string>{"a, b", "c"}));
  EXPECT_EQ(parse_field_list("`a``b`, c"), (std::vector<std::string>{"a`b", "c"}));
  for (const char* bad : {"a,", ",a", "a,,b", "`a", "`a` b", "``", "`a``"}) {
    try {
      parse_field_list(bad);
      ADD_FAILURE() << bad;
    } catch (const UserError& e) {
      EXPECT_EQ(e.sqlstate(), "22023") << bad;
    }
  }
}

}  // namespace
