// The crossing compiler: the SQL of every predicate (src/core/cross).
#include <gtest/gtest.h>

#include <string>

#include "core/cross/compiler.hpp"
#include "cross_test_util.hpp"

namespace opendata::cross {
namespace {

Request points(const std::string& predicate, const std::string& options) {
  return two_sides(predicate, options, 2154);
}

const std::string kLeftGeom = "a.\"geom\"";
const std::string kRightGeom = "ST_Transform(b.\"shape\", 4326)";
const std::string kDistance =
    "ST_Distance((" + kLeftGeom + ")::geography, (" + kRightGeom + ")::geography)";

TEST(CrossCompiler, ExpandIsACallOfExpandM) {
  EXPECT_EQ(expand_m_sql("g", "5"), "opendata._expand_m(g, 5)");
}

TEST(CrossCompiler, NearestTwoPasses) {
  const Statements s = compile(points("nearest", R"({"k": 2, "max_distance_m": 250.5})"));
  EXPECT_EQ(s.select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"right_code\", m.\"right_pop\", m.distance_m FROM l a "
            "LEFT JOIN LATERAL (SELECT max(ST_Distance((" + kLeftGeom +
                ")::geography, (k.g)::geography)) AS d FROM (SELECT " + kRightGeom +
                " AS g FROM r b WHERE " + kRightGeom + " IS NOT NULL ORDER BY " + kRightGeom +
                " <-> " + kLeftGeom + " LIMIT 2) k) kd ON true LEFT JOIN LATERAL (SELECT "
                "b.\"code\" AS \"right_code\", b.\"pop\" AS \"right_pop\", " + kDistance +
                " AS distance_m FROM r b WHERE " + kRightGeom + " && (" +
                expand_m_sql(kLeftGeom, "least(kd.d * 1.000001 + 0.001, 250.5)") +
                ") AND ST_DWithin((" + kLeftGeom + ")::geography, (" + kRightGeom +
                ")::geography, 250.5) ORDER BY distance_m, b.\"code\", b.\"pop\" LIMIT 2) m "
                "ON true");
  EXPECT_EQ(s.report_sql, "");
  EXPECT_EQ(s.left_fields, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(s.right_fields, (std::vector<std::string>{"code", "pop"}));
}

TEST(CrossCompiler, NearestFromTheInMemoryIndex) {
  Request req = points("nearest", R"({"fields": ["code"], "prefix": "n_"})");
  req.right.srid = 0;  // unknown: taken as WGS 84
  req.nearest_index_relation = "opendata_data.it's";
  const std::string gb = "ST_SetSRID(b.\"shape\", 4326)";
  EXPECT_EQ(compile(req).select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"n_code\", m.distance_m FROM l a LEFT JOIN LATERAL "
            "(SELECT b.\"code\" AS \"n_code\", ST_Distance((" + kLeftGeom + ")::geography, (" +
                gb + ")::geography) AS distance_m FROM unnest(opendata._nearest_candidates(ST_X(" +
                kLeftGeom + "), ST_Y(" + kLeftGeom +
                "), 'opendata_data.it''s'::regclass, 'shape', 1, NULL)) c(tid) CROSS JOIN LATERAL "
                "(SELECT * FROM r b WHERE b.ctid = c.tid OFFSET 0) b ORDER BY distance_m, "
                "b.\"code\", b.\"pop\" LIMIT 1) m ON true");
}

// Right rows at the same distance come in one order, whichever path finds
// them: by tie_break, then by the right side's key, or by all its fields.
TEST(CrossCompiler, NearestOrdersTiesByTheRightKey) {
  Request req = points("nearest", R"({"k": 3})");
  req.right.key = {"code"};
  EXPECT_NE(compile(req).select_sql.find(" ORDER BY distance_m, b.\"code\" LIMIT 3) m ON true"),
            std::string::npos);
  req.nearest_index_relation = "r";
  EXPECT_NE(compile(req).select_sql.find(" ORDER BY distance_m, b.\"code\" LIMIT 3) m ON true"),
            std::string::npos);
  req.options_json = R"({"tie_break": "pop"})";
  EXPECT_NE(compile(req).select_sql.find(
                " ORDER BY distance_m, b.\"pop\", b.\"code\" LIMIT 1) m ON true"),
            std::string::npos);
}

TEST(CrossCompiler, TieOrder) {
  Side side;
  side.fields = {"id", "tags", "geom"};
  EXPECT_EQ(tie_order_sql(side, {}, "b"), "b.\"id\", b.\"tags\", b.\"geom\"");
  // A type without ordering (json) is compared by its text.
  side.unordered_fields = {"tags"};
  EXPECT_EQ(tie_order_sql(side, {}, "c"), "c.\"id\", c.\"tags\"::text, c.\"geom\"");
  // The key, after the fields given first, each field once.
  side.key = {"geom", "id"};
  EXPECT_EQ(tie_order_sql(side, {"tags", "id"}, "b"), "b.\"tags\"::text, b.\"id\", b.\"geom\"");
  // A key field that is not a field of the side: no key of it.
  side.key = {"id", "hidden"};
  EXPECT_EQ(tie_order_sql(side, {}, "b"), "b.\"id\", b.\"tags\"::text, b.\"geom\"");
  EXPECT_EQ(tie_order_sql(Side{}, {}, "b"), "");
}

TEST(CrossCompiler, WithinDistanceRowsAndCounts) {
  const std::string condition = kRightGeom + " && (" + expand_m_sql(kLeftGeom, "0.1") +
                                ") AND ST_DWithin((" + kLeftGeom + ")::geography, (" +
                                kRightGeom + ")::geography, 0.1)";
  EXPECT_EQ(compile(points("within_distance", R"({"distance_m": 0.1, "left_fields": ["id"]})"))
                .select_sql,
            "SELECT a.\"id\", m.\"right_code\", m.\"right_pop\", m.distance_m FROM l a JOIN "
            "LATERAL (SELECT b.\"code\" AS \"right_code\", b.\"pop\" AS \"right_pop\", " +
                kDistance + " AS distance_m FROM r b WHERE " + condition + ") m ON true");
  const Statements counts = compile(points(
      "within_distance",
      R"j({"distance_m": 0.1, "output": "count", "aggregates": [" SUM( pop ) ", "max(code)"]})j"));
  EXPECT_EQ(counts.select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"right_count\", m.\"right_pop_sum\", "
            "m.\"right_code_max\" FROM l a CROSS JOIN LATERAL (SELECT count(*) AS \"right_count\", "
            "sum(b.\"pop\") AS \"right_pop_sum\", max(b.\"code\") AS \"right_code_max\" FROM r b "
            "WHERE " + condition + ") m");
  EXPECT_TRUE(counts.right_fields.empty());  // counts carry no right field
}

TEST(CrossCompiler, ContainsCountsByDefaultAndReportsUnmatchedRight) {
  const Statements s = compile(points("contains", R"({"border": "interior", "prefix": ""})"));
  const std::string condition = "ST_Contains(" + kLeftGeom + ", " + kRightGeom + ")";
  EXPECT_EQ(s.select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"count\" FROM l a CROSS JOIN LATERAL (SELECT "
            "count(*) AS \"count\" FROM r b WHERE " + condition + ") m");
  EXPECT_EQ(s.report_sql,
            "SELECT jsonb_build_object('unmatched_right', count(*)) FROM r b WHERE NOT EXISTS "
            "(SELECT FROM l a WHERE " + condition + ")");
  // A right side whose rows have a ctid: the matched rows counted in the
  // polygons' pass, the same number.
  Request with_ctid = points("contains", R"({"border": "interior", "prefix": ""})");
  with_ctid.right.rows_have_ctid = true;
  EXPECT_EQ(compile(with_ctid).report_sql,
            "SELECT jsonb_build_object('unmatched_right', (SELECT count(*) FROM r) - count(*)) "
            "FROM (SELECT DISTINCT m.right_row FROM l a CROSS JOIN LATERAL (SELECT b.ctid AS "
            "right_row FROM r b WHERE " + condition + " OFFSET 0) m) matched");
  // A unique field names the rows as well, and its values hash faster.
  Request with_key = with_ctid;
  with_key.right.unique_field = "id";
  const std::string by_key =
      "SELECT jsonb_build_object('unmatched_right', (SELECT count(*) FROM r) - count(*)) "
      "FROM (SELECT DISTINCT m.right_row FROM l a CROSS JOIN LATERAL (SELECT b.\"id\" AS "
      "right_row FROM r b WHERE " + condition + " OFFSET 0) m) matched";
  EXPECT_EQ(compile(with_key).report_sql, by_key);
  with_key.right.rows_have_ctid = false;  // a partitioned table: no ctid, a unique key
  EXPECT_EQ(compile(with_key).report_sql, by_key);
  EXPECT_EQ(compile(points("contains", R"({"output": "rows", "fields": []})")).select_sql,
            "SELECT a.\"id\", a.\"name\" FROM l a JOIN LATERAL (SELECT NULL FROM r b WHERE "
            "ST_Covers(" + kLeftGeom + ", " + kRightGeom + ")) m ON true");
}

TEST(CrossCompiler, EnrichTakesTheFirstShapeByTieBreak) {
  const Statements s = compile(points("enrich", R"({"tie_break": "pop"})"));
  const std::string condition = "ST_Covers(" + kRightGeom + ", " + kLeftGeom + ")";
  EXPECT_EQ(s.select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"right_code\", m.\"right_pop\" FROM l a LEFT JOIN "
            "LATERAL (SELECT b.\"code\" AS \"right_code\", b.\"pop\" AS \"right_pop\" FROM r b "
            "WHERE " + condition + " ORDER BY b.\"pop\", b.\"code\" LIMIT 1) m ON true");
  EXPECT_EQ(s.report_sql,
            "SELECT jsonb_build_object('unmatched_left', count(*) FILTER (WHERE c.n = 0), "
            "'on_shared_border', count(*) FILTER (WHERE c.n > 1)) FROM l a CROSS JOIN LATERAL "
            "(SELECT count(*) AS n FROM r b WHERE " + condition + ") c");
  // The first kept right field by default, then the right side's key.
  Request keyed = points("enrich", R"({"fields": ["pop"]})");
  keyed.right.key = {"code"};
  EXPECT_NE(compile(keyed).select_sql.find("ORDER BY b.\"pop\", b.\"code\" LIMIT 1"),
            std::string::npos);
}

TEST(CrossCompiler, AttributeJoinsNormalisedKeys) {
  Request req = points("attribute", R"({"left_key": ["id", "name"], "right_key": "code",
      "normalize": {"trim": true, "case": "upper", "pad": 5}})");
  req.left.geometry.clear();  // an attribute crossing needs no geometry
  req.right.geometry.clear();
  const Statements s = compile(req);
  const std::string ka =
      "lpad(upper(btrim((a.\"id\"::text || a.\"name\"::text))), greatest(5, "
      "length(upper(btrim((a.\"id\"::text || a.\"name\"::text))))), '0')";
  const std::string kb =
      "lpad(upper(btrim((b.\"code\"::text))), greatest(5, length(upper(btrim((b.\"code\"::text)))"
      ")), '0')";
  EXPECT_EQ(s.select_sql,
            "SELECT a.\"id\", a.\"name\", m.\"right_code\", m.\"right_pop\" FROM l a LEFT JOIN "
            "LATERAL (SELECT b.\"code\" AS \"right_code\", b.\"pop\" AS \"right_pop\" FROM r b "
            "WHERE " + kb + " = " + ka + ") m ON true");
  EXPECT_EQ(s.report_sql.substr(0, 80),
            ("WITH lk AS (SELECT DISTINCT " + ka + " AS k FROM l a)").substr(0, 80));
  EXPECT_NE(s.report_sql.find("'left_without_key', (SELECT count(*) FROM l a WHERE " + ka +
                              " IS NULL))"),
            std::string::npos);
  EXPECT_NE(s.report_sql.find("LIMIT 100"), std::string::npos);
}

TEST(CrossCompiler, QuotesNamesAndPrefixes) {
  Request req = points("nearest", R"({"prefix": "x_"})");
  req.left.fields = {"a\"b"};
  req.left.geometry = "g\"eo";
  const std::string sql = compile(req).select_sql;
  EXPECT_EQ(sql.rfind("SELECT a.\"a\"\"b\", m.\"x_code\"", 0), 0u);
  EXPECT_NE(sql.find("a.\"g\"\"eo\""), std::string::npos);
}

}  // namespace
}  // namespace opendata::cross
