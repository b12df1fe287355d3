// RowSink in both forms: values, NULLs, and a value opened in place that
// turns out NULL (the converters of numbers and dates open the value
// before they know), which must leave no byte and no separator behind.
#include "core/ingest/row_sink.hpp"

#include <gtest/gtest.h>

namespace opendata::ingest {
namespace {

void write_rows(RowSink& sink) {
  sink.start_row();
  sink.value("a\tb");
  sink.open_value() += "1.5";
  sink.close_value();
  sink.null();
  sink.end_row();
  sink.start_row();
  sink.value("c");
  sink.open_value() += "partial";  // the converter found a NULL spelling
  sink.null();
  sink.open_value() += "7";
  sink.close_value();
  sink.end_row();
}

TEST(RowSink, CopyTextAfterAnOpenValueTurnedNull) {
  RowSink sink(RowForm::CopyText);
  write_rows(sink);
  EXPECT_EQ(sink.copy_text(), "a\\tb\t1.5\t\\N\nc\t\\N\t7\n");
  EXPECT_EQ(sink.rows(), 2u);
}

TEST(RowSink, CellsAfterAnOpenValueTurnedNull) {
  RowSink sink(RowForm::Cells);
  write_rows(sink);
  ASSERT_EQ(sink.columns(), 3u);
  EXPECT_STREQ(sink.cell(0, 0), "a\tb");
  EXPECT_STREQ(sink.cell(0, 1), "1.5");
  EXPECT_EQ(sink.cell(0, 2), nullptr);
  EXPECT_STREQ(sink.cell(1, 0), "c");
  EXPECT_EQ(sink.cell(1, 1), nullptr);
  EXPECT_STREQ(sink.cell(1, 2), "7");
}

}  // namespace
}  // namespace opendata::ingest
