// Inputs the fuzzers found, kept as tests.
#include <gtest/gtest.h>

#include "core/ingest/normalise.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/sniff.hpp"

namespace {

using namespace opendata::ingest;

// A header with one blank name and an all-null column: the column is kept
// (a table needs one), so every COPY line has exactly one field.
TEST(IngestFuzzRegressions, BlankOnlyHeaderKeepsOneColumn) {
  const std::string input = " \n-";
  CsvOptions o = parse_options_text("{}");
  SniffReport r = sniff_csv(input, o);
  ASSERT_EQ(r.columns.size(), 1u);
  CsvNormaliser n(input, o, r);
  std::string chunk, all;
  while (n.next_chunk(chunk)) all += chunk;
  EXPECT_EQ(all, "\\N\n");
}

}  // namespace
