#include "core/ingest/csv_reader.hpp"

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(std::string_view text, CsvDialectChars d = {}, bool strict = true) {
  CsvReader r(text, d, strict);
  std::vector<std::string_view> f;
  Rows rows;
  while (r.next(f)) rows.emplace_back(f.begin(), f.end());
  return rows;
}

TEST(CsvReader, SimpleAndLineEndings) {
  EXPECT_EQ(read_all("a,b\n1,2\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(read_all("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(read_all("a,b\r1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(read_all("a,b\n1,2\r\n3,4\r5,6"), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
}

TEST(CsvReader, LineEndingCounts) {
  CsvReader r("a\r\nb\nc\r\n", {});
  std::vector<std::string_view> f;
  while (r.next(f)) {
  }
  EXPECT_EQ(r.crlf_count(), 2u);
  EXPECT_EQ(r.lf_count(), 1u);
  EXPECT_EQ(r.cr_count(), 0u);
}

TEST(CsvReader, EmptyFieldsAndTrailingDelimiter) {
  EXPECT_EQ(read_all(",,\n"), (Rows{{"", "", ""}}));
  EXPECT_EQ(read_all("a,"), (Rows{{"a", ""}}));
}

TEST(CsvReader, BlankLinesAreSkipped) {
  CsvReader r("a\n\n\nb\n", {});
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.next(f));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f[0], "b");
  EXPECT_EQ(r.record_number(), 2u);
  EXPECT_EQ(r.line_number(), 4u);
}

TEST(CsvReader, QuotedFieldsWithDelimitersNewlinesAndDoubledQuotes) {
  Rows rows = read_all("id;text\n1;\"a;b\nc \"\"d\"\"\"\n2;x\n", {';', '"', '"'});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], "a;b\nc \"d\"");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "x"}));
}

TEST(CsvReader, LineNumbersCountMultiLineFields) {
  CsvReader r("h\n\"a\nb\nc\"\nnext\n", {});
  std::vector<std::string_view> f;
  r.next(f);
  r.next(f);
  EXPECT_EQ(r.line_number(), 2u);
  r.next(f);
  EXPECT_EQ(f[0], "next");
  EXPECT_EQ(r.line_number(), 5u);
  EXPECT_EQ(r.record_number(), 3u);
}

TEST(CsvReader, BackslashEscape) {
  Rows rows = read_all("\"say \\\"hi\\\"\",\"C:\\temp\",\"a\\\\b\"\n", {',', '"', '\\'});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "say \"hi\"");
  EXPECT_EQ(rows[0][1], "C:\\temp");  // unknown escape kept
  EXPECT_EQ(rows[0][2], "a\\b");
}

TEST(CsvReader, SingleQuoteAndNoQuote) {
  EXPECT_EQ(read_all("'a,b',c\n", {',', '\'', '\''}), (Rows{{"a,b", "c"}}));
  EXPECT_EQ(read_all("\"a,b\"\n", {',', '\0', '\0'}), (Rows{{"\"a", "b\""}}));
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsData) {
  EXPECT_EQ(read_all("L'Abergement;5 \"pouces\"\n", {';', '"', '"'}),
            (Rows{{"L'Abergement", "5 \"pouces\""}}));
}

TEST(CsvReader, TextAfterClosingQuoteIsKeptAndFlagged) {
  CsvReader r("\"ab\"c,d\n", {});
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f[0], "abc");
  EXPECT_EQ(f[1], "d");
  EXPECT_TRUE(r.quote_issue());
}

TEST(CsvReader, UnterminatedQuoteIsAnErrorWhenStrict) {
  EXPECT_EQ(testing::sqlstate_of([] { read_all("a\n\"open\n"); }), "22P04");
  Rows rows = read_all("a\n\"open\n", {}, false);
  EXPECT_EQ(rows.back()[0], "open\n");
}

TEST(CsvReader, UnescapedFieldsSurviveBufferGrowth) {
  // Several escaped fields in one record: earlier views must stay valid.
  std::string line;
  for (int i = 0; i < 50; ++i) line += "\"x\"\"" + std::string(static_cast<size_t>(i), 'y') + "\",";
  line += "end\n";
  Rows rows = read_all(line);
  ASSERT_EQ(rows[0].size(), 51u);
  EXPECT_EQ(rows[0][0], "x\"");
  EXPECT_EQ(rows[0][49], "x\"" + std::string(49, 'y'));
}

}  // namespace
}  // namespace opendata::ingest
