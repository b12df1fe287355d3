#include "core/export/wkb_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "wkb_test_util.hpp"

namespace opendata::exporter {
namespace {

using testing::Wkb;

std::string geojson(const std::string& wkb, int precision = 7, bool keep_z = true) {
  GeometryOptions o;
  o.precision = precision;
  o.keep_z = keep_z;
  std::string out;
  append_geojson_geometry(wkb, o, out);
  // Every output must be a JSON document on its own.
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded()) << out;
  return out;
}

std::string wkt(const std::string& wkb, bool keep_z = true) {
  GeometryOptions o;
  o.keep_z = keep_z;
  std::string out;
  append_wkt(wkb, o, out);
  return out;
}

std::string sqlstate_of(const std::string& wkb) {
  try {
    std::string out;
    wkb_to_geojson(wkb, 7, out);
  } catch (const UserError& e) {
    return e.sqlstate();
  }
  return "none";
}

// Each test runs in both byte orders.
class ExportWkbOrders : public ::testing::TestWithParam<bool> {
 protected:
  Wkb w() const { return Wkb(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Wkb, ExportWkbOrders, ::testing::Values(false, true),
                         [](const auto& info) {
                           return info.param ? "BigEndian" : "LittleEndian";
                         });

TEST_P(ExportWkbOrders, Point) {
  EXPECT_EQ(geojson(w().point(2.35, 48.85).str()),
            R"({"type":"Point","coordinates":[2.35,48.85]})");
  EXPECT_EQ(wkt(w().point(2.35, 48.85).str()), "POINT(2.35 48.85)");
}

TEST_P(ExportWkbOrders, LineString) {
  auto b = w().header(2).points({{0, 0}, {1, 1.5}, {-2, 3}});
  EXPECT_EQ(geojson(b.str()), R"({"type":"LineString","coordinates":[[0,0],[1,1.5],[-2,3]]})");
  EXPECT_EQ(wkt(b.str()), "LINESTRING(0 0,1 1.5,-2 3)");
}

TEST_P(ExportWkbOrders, PolygonWithHole) {
  auto b = w().header(3)
               .u32(2)
               .points({{0, 0}, {10, 0}, {10, 10}, {0, 0}})
               .points({{1, 1}, {2, 1}, {2, 2}, {1, 1}});
  EXPECT_EQ(
      geojson(b.str()),
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]})");
  EXPECT_EQ(wkt(b.str()), "POLYGON((0 0,10 0,10 10,0 0),(1 1,2 1,2 2,1 1))");
}

TEST_P(ExportWkbOrders, MultiPoint) {
  auto b = w().header(4).u32(2).point(1, 2).point(3, 4);
  EXPECT_EQ(geojson(b.str()), R"({"type":"MultiPoint","coordinates":[[1,2],[3,4]]})");
  EXPECT_EQ(wkt(b.str()), "MULTIPOINT((1 2),(3 4))");
}

TEST_P(ExportWkbOrders, MultiLineString) {
  auto b = w().header(5).u32(2);
  b.header(2).points({{0, 0}, {1, 1}});
  b.header(2).points({{2, 2}, {3, 3}});
  EXPECT_EQ(geojson(b.str()),
            R"({"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]})");
  EXPECT_EQ(wkt(b.str()), "MULTILINESTRING((0 0,1 1),(2 2,3 3))");
}

TEST_P(ExportWkbOrders, MultiPolygon) {
  auto b = w().header(6).u32(2);
  b.header(3).u32(1).points({{0, 0}, {1, 0}, {1, 1}, {0, 0}});
  b.header(3).u32(1).points({{5, 5}, {6, 5}, {6, 6}, {5, 5}});
  EXPECT_EQ(
      geojson(b.str()),
      R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]})");
  EXPECT_EQ(wkt(b.str()), "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))");
}

TEST_P(ExportWkbOrders, GeometryCollectionNested) {
  auto b = w().header(7).u32(3).point(1, 2);
  b.header(2).points({{0, 0}, {1, 1}});
  b.header(7).u32(1).point(9, 9);
  EXPECT_EQ(
      geojson(b.str()),
      R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},)"
      R"({"type":"LineString","coordinates":[[0,0],[1,1]]},)"
      R"({"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[9,9]}]}]})");
  EXPECT_EQ(wkt(b.str()),
            "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1),GEOMETRYCOLLECTION(POINT(9 9)))");
}

TEST_P(ExportWkbOrders, IsoZ_M_ZM) {
  // ISO WKB: +1000 Z, +2000 M, +3000 ZM.  M never reaches the output.
  auto z = w().header(1001).f64(1).f64(2).f64(3);
  EXPECT_EQ(geojson(z.str()), R"({"type":"Point","coordinates":[1,2,3]})");
  EXPECT_EQ(geojson(z.str(), 7, false), R"({"type":"Point","coordinates":[1,2]})");
  EXPECT_EQ(wkt(z.str()), "POINT Z (1 2 3)");
  EXPECT_EQ(wkt(z.str(), false), "POINT(1 2)");
  auto m = w().header(2002).u32(2).f64(1).f64(2).f64(100).f64(3).f64(4).f64(200);
  EXPECT_EQ(geojson(m.str()), R"({"type":"LineString","coordinates":[[1,2],[3,4]]})");
  auto zm = w().header(3001).f64(1).f64(2).f64(3).f64(4);
  EXPECT_EQ(geojson(zm.str()), R"({"type":"Point","coordinates":[1,2,3]})");
}

TEST_P(ExportWkbOrders, EwkbWithSridAndFlags) {
  // PostGIS EWKB: 0x80000000 Z, 0x40000000 M, 0x20000000 SRID follows.
  auto b = w().header(0x20000000u | 0x80000000u | 1).u32(4326).f64(2.5).f64(48.5).f64(35);
  GeometryOptions o;
  std::string out;
  EXPECT_EQ(append_geojson_geometry(b.str(), o, out), 4326);
  EXPECT_EQ(out, R"({"type":"Point","coordinates":[2.5,48.5,35]})");
  auto zm = w().header(0xE0000000u | 2).u32(2154).u32(1).f64(1).f64(2).f64(3).f64(4);
  out.clear();
  EXPECT_EQ(append_wkt(zm.str(), o, out), 2154);
  EXPECT_EQ(out, "LINESTRING Z (1 2 3)");
  // A multi-geometry whose elements carry EWKB headers too.
  auto multi = w().header(0x20000000u | 4).u32(4326).u32(1).header(1).xy(7, 8);
  EXPECT_EQ(geojson(multi.str()), R"({"type":"MultiPoint","coordinates":[[7,8]]})");
}

TEST_P(ExportWkbOrders, Empties) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(geojson(w().point(nan, nan).str()), R"({"type":"Point","coordinates":[]})");
  EXPECT_EQ(wkt(w().point(nan, nan).str()), "POINT EMPTY");
  EXPECT_EQ(wkt(w().header(1001).f64(nan).f64(nan).f64(nan).str()), "POINT Z EMPTY");
  EXPECT_EQ(geojson(w().header(2).u32(0).str()), R"({"type":"LineString","coordinates":[]})");
  EXPECT_EQ(wkt(w().header(2).u32(0).str()), "LINESTRING EMPTY");
  EXPECT_EQ(wkt(w().header(3).u32(0).str()), "POLYGON EMPTY");
  EXPECT_EQ(geojson(w().header(7).u32(0).str()),
            R"({"type":"GeometryCollection","geometries":[]})");
  EXPECT_EQ(wkt(w().header(7).u32(0).str()), "GEOMETRYCOLLECTION EMPTY");
  EXPECT_EQ(wkt(w().header(6).u32(0).str()), "MULTIPOLYGON EMPTY");
  // GeoJSON has no empty position: an empty point in a MultiPoint is left out.
  auto mp = w().header(4).u32(3).point(nan, nan).point(1, 2).point(nan, nan);
  EXPECT_EQ(geojson(mp.str()), R"({"type":"MultiPoint","coordinates":[[1,2]]})");
  EXPECT_EQ(wkt(mp.str()), "MULTIPOINT(EMPTY,(1 2),EMPTY)");
  auto ml = w().header(5).u32(2).header(2).u32(0).header(2).points({{1, 1}, {2, 2}});
  EXPECT_EQ(wkt(ml.str()), "MULTILINESTRING(EMPTY,(1 1,2 2))");
}

TEST_P(ExportWkbOrders, TriangleTinPolyhedralSurface) {
  auto tri = w().header(17).u32(1).points({{0, 0}, {1, 0}, {0, 1}, {0, 0}});
  EXPECT_EQ(geojson(tri.str()), R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]})");
  EXPECT_EQ(wkt(tri.str()), "TRIANGLE((0 0,1 0,0 1,0 0))");
  auto tin = w().header(16).u32(1);
  tin.header(17).u32(1).points({{0, 0}, {1, 0}, {0, 1}, {0, 0}});
  EXPECT_EQ(geojson(tin.str()),
            R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[0,1],[0,0]]]]})");
  auto ps = w().header(15).u32(1);
  ps.header(3).u32(1).points({{0, 0}, {1, 0}, {0, 1}, {0, 0}});
  EXPECT_EQ(wkt(ps.str()), "POLYHEDRALSURFACE(((0 0,1 0,0 1,0 0)))");
}

TEST_P(ExportWkbOrders, EveryTruncationIsRejected) {
  auto b = w().header(0x20000000u | 7).u32(4326).u32(2).point(1, 2);
  b.header(6).u32(1).header(3).u32(1).points({{0, 0}, {1, 0}, {1, 1}, {0, 0}});
  const std::string full = b.str();
  ASSERT_NO_THROW(geojson(full));
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(sqlstate_of(full.substr(0, n)), "22P03") << "prefix of " << n << " bytes";
  }
  EXPECT_EQ(sqlstate_of(full + "x"), "22P03");  // trailing bytes
}

TEST(ExportWkb, MalformedInput) {
  EXPECT_EQ(sqlstate_of(""), "22P03");
  EXPECT_EQ(sqlstate_of("\x02" + Wkb().point(1, 2).str().substr(1)), "22P03");  // byte order
  EXPECT_EQ(sqlstate_of(Wkb().header(99).str()), "22P03");                      // unknown type
  EXPECT_EQ(sqlstate_of(Wkb().header(4001).xy(1, 2).str()), "22P03");           // bad ISO dims
  // A count far beyond the input is refused before any loop.
  EXPECT_EQ(sqlstate_of(Wkb().header(2).u32(0xFFFFFFFFu).xy(1, 2).str()), "22P03");
  EXPECT_EQ(sqlstate_of(Wkb().header(7).u32(0xFFFFFFFFu).point(1, 2).str()), "22P03");
  // A MultiPoint may only hold points.
  EXPECT_EQ(sqlstate_of(Wkb().header(4).u32(1).header(2).points({{1, 1}}).str()), "22P03");
  EXPECT_EQ(sqlstate_of(Wkb().header(6).u32(1).point(1, 1).str()), "22P03");
}

TEST(ExportWkb, CurvesAreNotSupported) {
  auto b = Wkb().header(8).points({{0, 0}, {1, 1}, {2, 0}});
  EXPECT_EQ(sqlstate_of(b.str()), "0A000");
}

TEST(ExportWkb, NestingDepthIsLimited) {
  auto nested = [](int depth) {
    Wkb b;
    for (int i = 0; i < depth; ++i) b.header(7).u32(1);
    b.point(1, 2);
    return b.str();
  };
  EXPECT_EQ(sqlstate_of(nested(kMaxGeometryDepth)), "none");
  EXPECT_EQ(sqlstate_of(nested(kMaxGeometryDepth + 1)), "22P03");
  EXPECT_EQ(sqlstate_of(nested(100000)), "22P03");  // no stack overflow
}

TEST(ExportWkb, PrecisionRounding) {
  auto p = Wkb().point(2.35049797186, 48.85661400000001).str();
  EXPECT_EQ(geojson(p, 6), R"({"type":"Point","coordinates":[2.350498,48.856614]})");
  EXPECT_EQ(geojson(p, 7), R"({"type":"Point","coordinates":[2.350498,48.856614]})");
  EXPECT_EQ(geojson(p, 9), R"({"type":"Point","coordinates":[2.350497972,48.856614]})");
  EXPECT_EQ(geojson(p, 0), R"({"type":"Point","coordinates":[2,49]})");
  EXPECT_EQ(geojson(p, -1), R"({"type":"Point","coordinates":[2.35049797186,48.85661400000001]})");
  // Tiny negative values round to 0, never "-0".
  EXPECT_EQ(geojson(Wkb().point(-0.00000001, -1e-300).str(), 7),
            R"({"type":"Point","coordinates":[0,0]})");
  // Huge values stay valid JSON numbers.
  std::string big = geojson(Wkb().point(1e300, -1.5e200).str(), 7);
  EXPECT_EQ(big, R"({"type":"Point","coordinates":[1e+300,-1.5e+200]})");
}

TEST(ExportWkb, NonFiniteCoordinateIsNull) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(geojson(Wkb().header(2).points({{inf, 1}, {2, 3}}).str()),
            R"({"type":"LineString","coordinates":[[null,1],[2,3]]})");
}

TEST(ExportWkb, BBox) {
  GeometryOptions o;
  BBox box;
  std::string out;
  auto b = Wkb().header(2).points({{3, -1}, {-2, 4}, {1, 1}});
  append_geojson_geometry(b.str(), o, out, &box);
  ASSERT_FALSE(box.empty);
  std::string s;
  box.append_json(s, 7);
  EXPECT_EQ(s, "[-2,-1,3,4]");
  BBox z;
  out.clear();
  append_geojson_geometry(Wkb().header(1001).f64(1).f64(2).f64(3).str(), o, out, &z);
  s.clear();
  z.append_json(s, 7);
  EXPECT_EQ(s, "[1,2,3,1,2,3]");
  z.merge(box);  // mixed dimensions: 2D box
  s.clear();
  z.append_json(s, 7);
  EXPECT_EQ(s, "[-2,-1,3,4]");
}

TEST(ExportWkb, PlainFunctionAndHex) {
  std::string bytes;
  // SELECT ST_AsEWKB('SRID=4326;POINT(1 2)'::geometry) printed as hex.
  hex_to_wkb("0101000020E6100000000000000000F03F0000000000000040", bytes);
  std::string out;
  wkb_to_geojson(bytes, 7, out);
  EXPECT_EQ(out, R"({"type":"Point","coordinates":[1,2]})");
  try {
    hex_to_wkb("01F", bytes);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "22P03");
  }
  EXPECT_THROW(hex_to_wkb("zz", bytes), UserError);
  hex_to_wkb("\\x0101000000000000000000F03F0000000000000040", bytes);  // bytea text form
  out.clear();
  wkb_to_geojson(bytes, 7, out);
  EXPECT_EQ(out, R"({"type":"Point","coordinates":[1,2]})");
}

}  // namespace
}  // namespace opendata::exporter
