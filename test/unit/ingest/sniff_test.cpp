// Dialect detection and type inference through sniff_csv.
#include "core/ingest/sniff.hpp"

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::col;
using testing::sniff;
using testing::sqlstate_of;

std::string type_of(const std::string& csv, const std::string& column = "v",
                    const std::string& options = "{}") {
  return col(sniff(csv, options), column).pg_type;
}

TEST(Dialect, DelimiterByConsistency) {
  EXPECT_EQ(sniff("a,b,c\n1,2,3\n4,5,6\n").dialect.delimiter, ',');
  EXPECT_EQ(sniff("a;b;c\n1,5;2;3\n4;5,5;6\n").dialect.delimiter, ';');
  EXPECT_EQ(sniff("a\tb\n1\t2\n").dialect.delimiter, '\t');
  EXPECT_EQ(sniff("a|b\n1|x, y\n").dialect.delimiter, '|');
  // Commas inside quoted fields do not fool the sniffer.
  EXPECT_EQ(sniff("name,comment\nx,\"a;b;c;d\"\ny,\"e;f;g;h\"\n").dialect.delimiter, ',');
  // Single column.
  SniffReport one = sniff("name\nalpha\nbeta\n");
  EXPECT_EQ(one.columns.size(), 1u);
}

TEST(Dialect, SemicolonFileWithCommasInText) {
  SniffReport r = sniff("nom;desc\nA;un, deux, trois\nB;quatre, cinq\nC;six\n");
  EXPECT_EQ(r.dialect.delimiter, ';');
  EXPECT_EQ(r.columns.size(), 2u);
}

TEST(Dialect, QuoteAndEscape) {
  SniffReport dq = sniff("a,b\n\"x,\"\"y\"\"\",1\n\"p\",2\n");
  EXPECT_EQ(dq.dialect.quote, '"');
  EXPECT_EQ(dq.dialect.escape, '"');
  SniffReport bs = sniff("a,b\n\"x,\\\"y\\\"\",1\n\"p, q\",2\n\"r\",3\n");
  EXPECT_EQ(bs.dialect.escape, '\\');
  SniffReport sq = sniff("a,b\n'x,y',1\n'p,q',2\n");
  EXPECT_EQ(sq.dialect.quote, '\'');
  EXPECT_EQ(sq.columns.size(), 2u);
}

TEST(Dialect, LineEndings) {
  EXPECT_EQ(sniff("a,b\r\n1,2\r\n").dialect.line_ending, "crlf");
  EXPECT_EQ(sniff("a,b\n1,2\n").dialect.line_ending, "lf");
  EXPECT_EQ(sniff("a,b\r1,2\r").dialect.line_ending, "cr");
  EXPECT_EQ(sniff("a,b\r\n1,2\n").dialect.line_ending, "mixed");
  EXPECT_EQ(sniff("a,b").dialect.line_ending, "none");
}

TEST(Dialect, Header) {
  EXPECT_TRUE(sniff("id,name\n1,x\n2,y\n").dialect.header);
  SniffReport no = sniff("1,x,2020-01-01\n2,y,2020-01-02\n3,z,2020-01-03\n");
  EXPECT_FALSE(no.dialect.header);
  EXPECT_EQ(no.row_count, 3u);
  EXPECT_EQ(no.columns[0].name, "col_1");
  EXPECT_EQ(no.columns[0].pg_type, "integer");
  // All-text files are assumed to have a header.
  EXPECT_TRUE(sniff("a,b\nc,d\n").dialect.header);
  EXPECT_FALSE(sniff("a,b\nc,d\n", R"({"header": false})").dialect.header);
}

TEST(Dialect, OptionsWin) {
  SniffReport r = sniff("a;b\n1;2\n", R"({"delimiter": ","})");
  EXPECT_EQ(r.dialect.delimiter, ',');
  EXPECT_EQ(r.columns.size(), 1u);
}

TEST(Dialect, RaggedRowsReported) {
  SniffReport r = sniff("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,\n");
  EXPECT_EQ(r.ragged_count, 2u);
  ASSERT_EQ(r.ragged_rows.size(), 2u);
  EXPECT_EQ(r.ragged_rows[0].row, 3u);
  EXPECT_EQ(r.ragged_rows[0].fields, 2u);
  EXPECT_EQ(r.ragged_rows[1].row, 4u);
  EXPECT_EQ(col(r, "c").null_count, 1u);
  EXPECT_FALSE(r.warnings.empty());
}

TEST(Types, Booleans) {
  EXPECT_EQ(type_of("v\noui\nnon\nOUI\n"), "boolean");
  EXPECT_EQ(type_of("v\ntrue\nF\n"), "boolean");
  EXPECT_EQ(type_of("v\nvrai\nFaux\n"), "boolean");
  EXPECT_EQ(type_of("v\n0\n1\n1\n"), "boolean");
  // 0/1 only when both appear; otherwise it is a number.
  EXPECT_EQ(type_of("v\n1\n1\n"), "integer");
  EXPECT_EQ(type_of("v\n0\n1\n2\n"), "integer");
  EXPECT_EQ(type_of("v\noui\nnon\npeut-être\n"), "text");
}

// Issue #14: a column whose only value is F was boolean, and F loaded as
// false.  One-letter values are boolean only as a complete pair.
TEST(Types, SingleLettersAreBooleanOnlyInPairs) {
  EXPECT_EQ(type_of("v\nF\nF\n"), "text");
  EXPECT_EQ(type_of("v\nT\n"), "text");
  EXPECT_EQ(type_of("v\nN\nN\n"), "text");
  EXPECT_EQ(type_of("sexe\nM\nF\nF\n", "sexe"), "text");
  EXPECT_EQ(type_of("v\nt\nf\n"), "boolean");
  EXPECT_EQ(type_of("v\nY\nN\nY\n"), "boolean");
  EXPECT_EQ(type_of("v\nO\nN\n"), "boolean");
  // Letters of two pairs are not one pair.
  EXPECT_EQ(type_of("v\nY\nN\nO\n"), "text");
  EXPECT_EQ(type_of("v\nT\nN\n"), "text");
  const SniffReport only_f = testing::sniff("v\nF\nF\n");
  const ColumnProfile& f = testing::col(only_f, "v");
  EXPECT_NE(f.reason.find("complete pair"), std::string::npos) << f.reason;
  // Loaded as written, not as false.
  EXPECT_EQ(testing::copy_text("v\nF\nF\n"), "F\nF\n");
  EXPECT_EQ(testing::copy_text("v\nY\nN\n"), "true\nfalse\n");
  // A one-letter header over numbers is still a header.
  EXPECT_EQ(testing::copy_text("nom;n\na;1\n"), "a\t1\n");
}

TEST(Types, IntegersAndRanges) {
  EXPECT_EQ(type_of("v\n1\n-20\n+3\n"), "integer");
  EXPECT_EQ(type_of("v\n1\n3000000000\n"), "bigint");
  EXPECT_EQ(type_of("v\n1\n30000000000000000000\n"), "numeric");
}

TEST(Types, LeadingZerosStayText) {
  SniffReport r = sniff("v\n01\n02\n10\n");
  EXPECT_EQ(col(r, "v").pg_type, "text");
  EXPECT_NE(col(r, "v").reason.find("leading zeros"), std::string::npos) << col(r, "v").reason;
  EXPECT_EQ(type_of("cp\n75001\n75002\n", "cp"), "text") << "postal code by name";
  EXPECT_EQ(type_of("siret\n35600000000048\n", "siret"), "text");
  EXPECT_EQ(type_of("siren\n356000000\n", "siren"), "text");
  EXPECT_EQ(type_of("v\n2A\n2B\n01\n"), "text");
}

TEST(Types, DecimalsAndTheCommaRule) {
  EXPECT_EQ(type_of("v\n1.5\n2\n-3.25e2\n"), "numeric");
  EXPECT_EQ(type_of("v;w\n1,5;a\n2;b\n"), "numeric");
  // Mixed decimal marks: text.
  EXPECT_EQ(type_of("v;w\n1,5;a\n2.5;b\n"), "text");
  // With ',' as delimiter, '1,234' values (quoted) are ambiguous: text.
  EXPECT_EQ(type_of("v,w\n\"1,234\",a\n\"2,500\",b\n"), "text");
  // ...unless the decimal option says so, or a non-group value proves it.
  EXPECT_EQ(type_of("v,w\n\"1,234\",a\n\"2,500\",b\n", "v", R"({"decimal": ","})"), "numeric");
  EXPECT_EQ(type_of("v,w\n\"1,234\",a\n\"2,5\",b\n"), "numeric");
  // With ';' (French exports) '1,234' is a decimal.
  EXPECT_EQ(type_of("v;w\n1,234;a\n"), "numeric");
  EXPECT_EQ(type_of("v;w\n1,5;a\n", "v", R"({"decimal": "."})"), "text");
}

TEST(Types, Dates) {
  EXPECT_EQ(type_of("v\n2020-12-31\n2021-01-01\n"), "date");
  SniffReport dmy = sniff("v\n31/12/2020\n01/02/2021\n");
  EXPECT_EQ(col(dmy, "v").pg_type, "date");
  EXPECT_EQ(col(dmy, "v").date_order, DateOrder::Dmy);
  EXPECT_EQ(col(dmy, "v").min, "2020-12-31");
  EXPECT_EQ(col(dmy, "v").max, "2021-02-01");
  SniffReport mdy = sniff("v\n12/31/2020\n01/02/2021\n");
  EXPECT_EQ(col(mdy, "v").date_order, DateOrder::Mdy);
  SniffReport forced = sniff("v\n01/02/2021\n", R"({"date_format": "mdy"})");
  EXPECT_EQ(col(forced, "v").date_order, DateOrder::Mdy);
  EXPECT_EQ(type_of("v\n31/02/2020\n"), "text");
}

TEST(Types, CompactDatesNeedANameOrTheOption) {
  EXPECT_EQ(type_of("v\n20201231\n20210101\n"), "integer");
  EXPECT_EQ(type_of("date_maj\n20201231\n20210101\n", "date_maj"), "date");
  EXPECT_EQ(type_of("v\n20201231\n", "v", R"({"date_format": "yyyymmdd"})"), "date");
}

TEST(Types, Timestamps) {
  EXPECT_EQ(type_of("v\n2020-12-31T10:00:00Z\n2021-01-01 08:00+01:00\n"), "timestamptz");
  EXPECT_EQ(type_of("v\n2020-12-31T10:00:00\n2021-01-01\n"), "timestamp");
  EXPECT_EQ(type_of("v\n31/12/2020 10:00\n01/01/2021\n"), "timestamp");
}

TEST(Types, SentinelsAreNull) {
  SniffReport r = sniff("v\n1\nNC\n\nN/A\n-\nnull\n3\n");
  EXPECT_EQ(col(r, "v").pg_type, "integer");
  EXPECT_EQ(col(r, "v").null_count, 4u);  // the blank line is not a record
  EXPECT_EQ(col(r, "v").non_null_count, 2u);
  SniffReport c = sniff("v\n1\ninconnu\n", R"({"null_values": ["inconnu"]})");
  EXPECT_EQ(col(c, "v").pg_type, "integer");
  EXPECT_EQ(type_of("v\n1\nNC\n", "v", R"({"null_values": ["?"]})"), "text");
}

TEST(Types, AllEmptyColumnIsText) {
  SniffReport r = sniff("a;v\n1;\n2;\n");
  EXPECT_EQ(col(r, "v").pg_type, "text");
  EXPECT_EQ(col(r, "v").null_count, 2u);
}

TEST(Types, TypeDecidedOverTheWholeFile) {
  std::string csv = "dep\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(10 + i % 80) + "\n";
  csv += "2A\n";
  SniffReport r = sniff(csv);
  EXPECT_EQ(col(r, "dep").pg_type, "text");
  EXPECT_NE(col(r, "dep").reason.find("'2A' at row 20002"), std::string::npos) << col(r, "dep").reason;
}

TEST(Types, Geometry) {
  SniffReport r = sniff("p;s;w\n\"48.85, 2.35\";\"{\"\"type\"\": \"\"Point\"\", \"\"coordinates\"\": [2, 48]}\";POINT(1 2)\n");
  EXPECT_EQ(col(r, "p").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(col(r, "s").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(col(r, "w").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(r.geometry_column, "p");
  SniffReport mixed = sniff("w\nPOINT(1 2)\n\"LINESTRING(0 0, 1 1)\"\n");
  EXPECT_EQ(col(mixed, "w").pg_type, "geometry(Geometry,4326)");
  EXPECT_EQ(mixed.geometry_column, "w");
  SniffReport l93 = sniff("w\n\"SRID=2154;POINT(652356 6863544)\"\n");
  EXPECT_EQ(col(l93, "w").pg_type, "geometry(Point,2154)");
  SniffReport z = sniff("w\nPOINT Z (1 2 3)\nPOINT(1 2 4)\n");
  EXPECT_EQ(col(z, "w").pg_type, "geometry(PointZ,4326)");
  EXPECT_EQ(type_of("v\n\"48.85, 2.35\"\n", "v", R"({"geometry": false})"), "text");
}

TEST(Types, LatLonPairByNameAndRange) {
  SniffReport r = sniff("nom;latitude;longitude\na;48,85;2,35\nb;43,6;1,44\n");
  EXPECT_EQ(r.dialect.delimiter, ';');
  ASSERT_EQ(r.columns.size(), 4u);
  EXPECT_EQ(r.columns[3].name, "geom");
  EXPECT_EQ(r.columns[3].pg_type, "geometry(Point,4326)");
  EXPECT_EQ(r.geometry_column, "geom");
  // Lambert-93 x/y are not lat/lon: names do not qualify, nor ranges.
  SniffReport l93 = sniff("x;y\n652356.5;6863544.5\n");
  EXPECT_EQ(l93.columns.size(), 2u);
  EXPECT_EQ(l93.geometry_column, "");
  SniffReport out_of_range = sniff("lat;lon\n148.8;2.3\n");
  EXPECT_EQ(out_of_range.columns.size(), 2u);
}

TEST(Types, Overrides) {
  SniffReport r = sniff("Code;Pop\n75056;2100000\n", R"({"columns": {"Code": {"type": "integer", "name": "insee"}, "pop": {"type": "numeric"}}})");
  EXPECT_EQ(r.columns[0].name, "insee");
  EXPECT_EQ(r.columns[0].label, "Code");
  EXPECT_EQ(r.columns[0].pg_type, "integer");
  EXPECT_TRUE(r.columns[0].forced);
  EXPECT_EQ(r.columns[1].pg_type, "numeric");
  EXPECT_EQ(sqlstate_of([] { sniff("a\n1\n", R"({"columns": {"zz": {"type": "text"}}})"); }), "22023");
  EXPECT_EQ(sqlstate_of([] { sniff("a;b\n1;2\n", R"({"columns": {"a": {"name": "x"}, "b": {"name": "x"}}})"); }),
            "22023");
  EXPECT_EQ(sqlstate_of([] { sniff("a\n1\n", R"({"geometry": {"latlon": "nope"}})"); }), "22023");
}

// A column forced to a date type takes its order from its valid values:
// one invalid value (rejected at load) must not make ISO or month-first
// dates read as dd/mm/yyyy.
TEST(Types, ForcedDateOrderComesFromTheValidValues) {
  const std::string date = R"({"columns": {"d": {"type": "date"}}})";
  EXPECT_EQ(col(sniff("d\n2021-03-04\nbientôt\n2021-12-31\n", date), "d").date_order,
            DateOrder::Iso);
  EXPECT_EQ(col(sniff("d\n??\n2021-03-04\n", date), "d").date_order, DateOrder::Iso)
      << "the invalid value comes first";
  EXPECT_EQ(col(sniff("d\n12/31/2020\nx\n01/02/2021\n", date), "d").date_order, DateOrder::Mdy);
  EXPECT_EQ(col(sniff("d\n31/12/2020\nx\n01/02/2021\n", date), "d").date_order, DateOrder::Dmy);
  EXPECT_EQ(col(sniff("d\n01/02/2021\nx\n", date), "d").date_order, DateOrder::Dmy)
      << "ambiguous slashed dates read day first";
  EXPECT_EQ(col(sniff("d\n20201231\nx\n", date), "d").date_order, DateOrder::Compact);
  EXPECT_EQ(col(sniff("d\n01/02/2021\nx\n",
                      R"({"columns": {"d": {"type": "date"}}, "date_format": "mdy"})"),
                "d")
                .date_order,
            DateOrder::Mdy);
  SniffReport ts =
      sniff("d\n2021-03-04T10:00:00Z\nsoon\n", R"({"columns": {"d": {"type": "timestamptz"}}})");
  EXPECT_EQ(col(ts, "d").date_order, DateOrder::Iso);
  // min/max come from the valid values too.
  SniffReport mm = sniff("d\n31/12/2020\nx\n01/02/2021\n", date);
  EXPECT_EQ(col(mm, "d").min, "2020-12-31");
  EXPECT_EQ(col(mm, "d").max, "2021-02-01");
}

TEST(Types, GeometryOptionForcesTheSource) {
  SniffReport r = sniff("a;b\n1;2\n", R"({"geometry": {"lat": "a", "lon": "b"}})");
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[2].geom_source, GeomSource::LatLonPair);
  EXPECT_EQ(r.geometry_column, "geom");
  SniffReport w = sniff("shape\nPOINT(1 2)\n", R"({"geometry": {"wkt": "shape"}})");
  EXPECT_EQ(w.columns[0].geom_source, GeomSource::WktText);
  EXPECT_EQ(w.geometry_column, "shape");
}

TEST(Report, Statistics) {
  SniffReport r = sniff("v\n3\n1\n2\n3\nNC\n");
  const ColumnProfile& c = col(r, "v");
  EXPECT_EQ(c.distinct_count, 3u);
  EXPECT_TRUE(c.distinct_exact);
  EXPECT_EQ(c.min, "1");
  EXPECT_EQ(c.max, "3");
  EXPECT_EQ(c.examples, (std::vector<std::string>{"3", "1", "2"}));
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["columns"][0]["pg_type"], "integer");
  EXPECT_EQ(j["row_count"], 5);
  EXPECT_EQ(j["dialect"]["header"], true);
}

TEST(Report, DistinctCountSeesEveryByte) {
  // Values of every length from 1 to 20 bytes that differ only in their
  // last byte: the hash reads a value's tail in pieces, and must miss none.
  std::string csv = "v\n";
  for (int len = 1; len <= 20; ++len)
    for (char last : {'a', 'b', 'c'}) csv += std::string(len - 1, 'x') + last + "\n";
  SniffReport r = sniff(csv, R"({"header": true})");
  EXPECT_EQ(col(r, "v").distinct_count, 60u);
  EXPECT_TRUE(col(r, "v").distinct_exact);
}

TEST(Report, TextMinMaxPastTheFirstByte) {
  SniffReport r = sniff("v\nbb\nba\nbc\nb\nc\u00e9\nca\n", R"({"header": true})");
  const ColumnProfile& c = col(r, "v");
  EXPECT_EQ(c.min, "b");
  EXPECT_EQ(c.max, "c\u00e9");  // bytes order: 0xC3 sorts after 'a'
}

TEST(Report, DistinctEstimateBeyondTheCap) {
  std::string csv = "v\n";
  for (int i = 0; i < 50000; ++i) csv += "x" + std::to_string(i) + "\n";
  SniffReport r = sniff(csv);
  const ColumnProfile& c = col(r, "v");
  EXPECT_FALSE(c.distinct_exact);
  EXPECT_NEAR(static_cast<double>(c.distinct_count), 50000.0, 2500.0);
}

}  // namespace
}  // namespace opendata::ingest

namespace opendata::ingest {
namespace {

TEST(Dialect, EmptyFileIs22P04) {
  EXPECT_EQ(testing::sqlstate_of([] { testing::sniff(""); }), "22P04");
  EXPECT_EQ(testing::sqlstate_of([] { testing::sniff("\n\n"); }), "22P04");
  EXPECT_EQ(testing::sqlstate_of([] { testing::sniff("\"open"); }), "22P04");
}

TEST(Types, HugeExponentsAreText) {
  EXPECT_EQ(testing::col(testing::sniff("v\n1e2000\n"), "v").pg_type, "text");
  EXPECT_EQ(testing::col(testing::sniff("v\n1e300\n"), "v").pg_type, "numeric");
}

// Issue #14: a header of hundreds of thousands of fields kept a backend
// busy for minutes.  More than 1,600 columns is refused at once (54011).
TEST(Dialect, TooManyColumnsIs54011) {
  std::string wide;
  for (int i = 0; i < 300000; ++i) wide += (i ? "," : "") + std::string("c");
  const std::string file = wide + "\n" + wide + "\n";
  try {
    testing::sniff(file);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "54011");
    EXPECT_STREQ(e.what(), "too many columns");
    EXPECT_NE(e.detail().find("1600"), std::string::npos) << e.detail();
  }
  EXPECT_EQ(testing::sqlstate_of([&] { testing::sniff(file, R"({"header": false})"); }), "54011");
  EXPECT_EQ(testing::sqlstate_of([&] { testing::sniff(file, R"({"delimiter": ","})"); }), "54011");
  // 1,600 is the limit, not 1,599.
  std::string ok;
  for (int i = 0; i < 1600; ++i) ok += (i ? ";" : "") + std::string("c") + std::to_string(i);
  EXPECT_EQ(testing::sniff(ok + "\n").columns.size(), 1600u);
  ok += ";c1600";
  EXPECT_EQ(testing::sqlstate_of([&] { testing::sniff(ok + "\n"); }), "54011");
}

TEST(Types, HeaderOnlyFile) {
  SniffReport r = testing::sniff("a;b\n");
  EXPECT_EQ(r.row_count, 0u);
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[1].pg_type, "text");
}

}  // namespace
}  // namespace opendata::ingest
