// COPY text output of the CSV normaliser.
#include "core/ingest/normalise.hpp"

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::copy_text;
using testing::sqlstate_of;

TEST(CopyText, Escapes) {
  std::string out;
  append_copy_text(out, "a\tb\nc\rd\\e");
  EXPECT_EQ(out, "a\\tb\\nc\\rd\\\\e");
  out.clear();
  append_copy_text(out, "\\.");
  EXPECT_EQ(out, "\\\\.");
}

TEST(Normalise, ValuesInPostgresInputSyntax) {
  std::string csv =
      "n;d;b;t;x\n"
      "1,5;31/12/2020;oui;hello;7\n"
      "-2;01/01/2021;non;  spaced  ;NC\n";
  EXPECT_EQ(copy_text(csv),
            "1.5\t2020-12-31\ttrue\thello\t7\n"
            "-2\t2021-01-01\tfalse\t  spaced  \t\\N\n");
}

TEST(Normalise, MultiLineFieldAndSpecialCharacters) {
  std::string csv = "id,txt\n1,\"line one\nline\ttwo \\ end\"\n";
  EXPECT_EQ(copy_text(csv), "1\tline one\\nline\\ttwo \\\\ end\n");
}

TEST(Normalise, ShortRowsArePaddedWithNull) {
  EXPECT_EQ(copy_text("a,b,c\n1,2,3\n4\n"), "1\t2\t3\n4\t\\N\t\\N\n");
}

TEST(Normalise, TrailingEmptyFieldsAreIgnored) {
  EXPECT_EQ(copy_text("a;b;\n1;2;\n"), "1\t2\n");
}

TEST(Normalise, LongRowsAbortWith22P04) {
  EXPECT_EQ(sqlstate_of([] { copy_text("a,b\n1,2\n3,4,5\n"); }), "22P04");
  try {
    copy_text("a,b\n1,2\n3,4,5\n");
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("row 3"), std::string::npos) << e.what();
  }
}

TEST(Normalise, LongRowsSkipped) {
  std::vector<RejectedRow> rej;
  EXPECT_EQ(copy_text("a,b\n1,2\n3,4,5\n6,7\n", R"({"on_error": "skip"})", &rej), "1\t2\n6\t7\n");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].row, 3u);
  EXPECT_EQ(rej[0].column, "");
}

TEST(Normalise, BadValueForForcedTypeAborts22P02WithRowColumnValue) {
  const std::string csv = "code;n\n75056;1\nabc;2\n";
  const std::string opts = R"({"columns": {"code": {"type": "integer"}}})";
  EXPECT_EQ(sqlstate_of([&] { copy_text(csv, opts); }), "22P02");
  try {
    copy_text(csv, opts);
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "invalid value for column \"code\" at row 3");
    EXPECT_NE(e.detail().find("\"abc\""), std::string::npos) << e.detail();
    EXPECT_NE(e.detail().find("integer"), std::string::npos) << e.detail();
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(Normalise, BadValuesSkippedAndReported) {
  std::vector<RejectedRow> rej;
  std::string out = copy_text("code;n\n1;1\nabc;2\n3;3\n",
                              R"({"columns": {"code": {"type": "integer"}}, "on_error": "skip"})", &rej);
  EXPECT_EQ(out, "1\t1\n3\t3\n");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].row, 3u);
  EXPECT_EQ(rej[0].line, 3u);
  EXPECT_EQ(rej[0].column, "code");
  EXPECT_EQ(rej[0].value, "abc");
  nlohmann::json j = to_json(rej);
  EXPECT_EQ(j[0]["column"], "code");
}

TEST(Normalise, ForcedDateKeepsTheOrderOfItsValidValues) {
  std::vector<RejectedRow> rej;
  std::string out = copy_text("d;n\n2021-03-04;1\nbientôt;2\n2021-12-31;3\n",
                              R"({"columns": {"d": {"type": "date"}}, "on_error": "skip"})", &rej);
  EXPECT_EQ(out, "2021-03-04\t1\n2021-12-31\t3\n");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].row, 3u);
  EXPECT_EQ(rej[0].value, "bientôt");
  EXPECT_NE(rej[0].reason.find("yyyy-mm-dd"), std::string::npos) << rej[0].reason;
  EXPECT_EQ(copy_text("d\n12/31/2020\nx\n",
                      R"({"columns": {"d": {"type": "date"}}, "on_error": "skip"})"),
            "2020-12-31\n");
}

TEST(Normalise, RowNumbersCountTheHeaderAndLinesCountNewlines) {
  std::vector<RejectedRow> rej;
  copy_text("a;b\n\"x\ny\";1\nz;oops\n", R"({"columns": {"b": {"type": "integer"}}, "on_error": "skip"})", &rej);
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].row, 3u);
  EXPECT_EQ(rej[0].line, 4u);
}

TEST(Normalise, LatLonColumnToEwktWithSwappedOrder) {
  EXPECT_EQ(copy_text("p;n\n\"48.85, 2.35\";1\n;2\n"),
            "SRID=4326;POINT(2.35 48.85)\t1\n\\N\t2\n");
}

TEST(Normalise, LatLonPairBuildsAPoint) {
  EXPECT_EQ(copy_text("nom;lat;lon\na;48,85;2,35\nb;;\n"),
            "a\t48.85\t2.35\tSRID=4326;POINT(2.35 48.85)\n"
            "b\t\\N\t\\N\t\\N\n");
}

TEST(Normalise, GeoJsonAndWktColumnsToEwkt) {
  std::string csv =
      "g|w\n"
      "{\"type\": \"LineString\", \"coordinates\": [[2, 48], [2.5, 48.5]]}|LINESTRING(0 0,1 1)\n";
  EXPECT_EQ(copy_text(csv), "SRID=4326;LINESTRING(2 48,2.5 48.5)\tSRID=4326;LINESTRING(0 0,1 1)\n");
}

TEST(Normalise, TimestampsAndDates) {
  EXPECT_EQ(copy_text("t\n2020-01-01T10:00:00+01:00\n2020-06-01 08:00Z\n"),
            "2020-01-01T10:00:00+01:00\n2020-06-01 08:00Z\n");
  EXPECT_EQ(copy_text("d\n12/31/2020\n"), "2020-12-31\n");
  EXPECT_EQ(copy_text("date_maj\n20201231\n"), "2020-12-31\n");
}

TEST(Normalise, Latin1InputIsTranscoded) {
  EXPECT_EQ(copy_text("nom;n\nH\xE9rault;1\n"), "H\xC3\xA9rault\t1\n");
}

TEST(Normalise, ChunksAreWholeLinesAndBounded) {
  std::string csv = "id;txt\n";
  for (int i = 0; i < 30000; ++i) csv += std::to_string(i) + ";some text value\n";
  CsvOptions o = parse_options_text("{}");
  CsvNormaliser n(csv, o, sniff_csv(csv, o));
  std::string chunk;
  size_t chunks = 0, lines = 0;
  while (n.next_chunk(chunk)) {
    ++chunks;
    EXPECT_EQ(chunk.back(), '\n');
    EXPECT_LT(chunk.size(), CsvNormaliser::kChunkSize + 1024);
    for (char c : chunk) lines += c == '\n';
  }
  EXPECT_GT(chunks, 5u);
  EXPECT_EQ(lines, 30000u);
  EXPECT_EQ(n.rows_written(), 30000u);
  EXPECT_FALSE(n.next_chunk(chunk));
  EXPECT_TRUE(chunk.empty());
}

TEST(Normalise, PlanCanBeEditedBetweenSniffAndImport) {
  std::string csv = "a\n1\n2\n";
  CsvOptions o = parse_options_text("{}");
  SniffReport plan = sniff_csv(csv, o);
  plan.columns[0].type = ColumnType::Text;
  CsvNormaliser n(csv, o, plan);
  std::string chunk;
  ASSERT_TRUE(n.next_chunk(chunk));
  EXPECT_EQ(chunk, "1\n2\n");
}

}  // namespace
}  // namespace opendata::ingest
