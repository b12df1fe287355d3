#include "core/export/csv_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "core/interrupt.hpp"

#include "export_test_util.hpp"
#include "wkb_test_util.hpp"

namespace opendata::exporter {
namespace {

using testing::col;
using testing::run;
using testing::sqlstate_of;
using testing::Wkb;

const std::string kBom = "\xEF\xBB\xBF";

// A strict RFC 4180 reader, to prove that what we write reads back.
std::vector<std::vector<std::string>> parse_csv(const std::string& s, char delim) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  bool at_field_start = true;
  while (i < s.size()) {
    char c = s[i];
    if (at_field_start && c == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) throw std::runtime_error("unterminated quote");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          field.push_back(s[i++]);
        }
      }
      at_field_start = false;
      continue;
    }
    at_field_start = false;
    if (c == delim) {
      row.push_back(field);
      field.clear();
      at_field_start = true;
      ++i;
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      at_field_start = true;
      i += 2;
    } else if (c == '"' || c == '\r' || c == '\n') {
      throw std::runtime_error("bare quote or line break at " + std::to_string(i));
    } else {
      field.push_back(c);
      ++i;
    }
  }
  if (!row.empty() || !field.empty()) throw std::runtime_error("missing final CRLF");
  return rows;
}

TEST(ExportCsv, DefaultsBomSemicolonCrlfHeader) {
  std::string out = run(Format::Csv, {col("id", CellKind::Integer), col("name", CellKind::Text)},
                        {{Cell::integer(1), Cell::text_value("Paris")},
                         {Cell::integer(-2), Cell::text_value("Lyon")}});
  EXPECT_EQ(out, kBom + "id;name\r\n1;Paris\r\n-2;Lyon\r\n");
}

TEST(ExportCsv, EmptyResultIsBomAndHeader) {
  EXPECT_EQ(run(Format::Csv, {col("a", CellKind::Text), col("b", CellKind::Text)}, {}),
            kBom + "a;b\r\n");
  EXPECT_EQ(run(Format::Csv, {col("a", CellKind::Text)}, {}, R"({"bom":false,"header":"none"})"),
            "");
}

TEST(ExportCsv, QuotesOnlyWhenNeeded) {
  std::vector<Column> cols{col("v", CellKind::Text)};
  auto one = [&](std::string_view v) {
    std::string out =
        run(Format::Csv, cols, {{Cell::text_value(v)}}, R"({"bom":false,"header":"none"})");
    return out.substr(0, out.size() - 2);  // drop CRLF
  };
  EXPECT_EQ(one("plain, with comma"), "plain, with comma");  // ',' is not the delimiter
  EXPECT_EQ(one("a;b"), "\"a;b\"");
  EXPECT_EQ(one("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(one("line1\nline2"), "\"line1\nline2\"");
  EXPECT_EQ(one("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(one(" leading"), "\" leading\"");
  EXPECT_EQ(one("trailing "), "\"trailing \"");
  EXPECT_EQ(one("\""), "\"\"\"\"");
  EXPECT_EQ(one(""), "\"\"");                            // the empty string, distinct from NULL
  EXPECT_EQ(one("Élodie – 東京 🌳"), "Élodie – 東京 🌳");  // UTF-8 passes through
}

TEST(ExportCsv, NullIsAnEmptyField) {
  std::string out = run(
      Format::Csv,
      {col("a", CellKind::Text), col("b", CellKind::Integer), col("c", CellKind::Text)},
      {{Cell::null(), Cell::null(), Cell::text_value("")}}, R"({"bom":false,"quote_all":true})");
  EXPECT_EQ(out, "\"a\";\"b\";\"c\"\r\n;;\"\"\r\n");
}

TEST(ExportCsv, QuoteAll) {
  std::string out =
      run(Format::Csv,
          {col("i", CellKind::Integer), col("d", CellKind::Number), col("t", CellKind::Text)},
          {{Cell::integer(7), Cell::number(1.5), Cell::text_value("x\"y")}},
          R"({"bom":false,"quote_all":true,"header":"none"})");
  EXPECT_EQ(out, "\"7\";\"1.5\";\"x\"\"y\"\r\n");
}

TEST(ExportCsv, HeaderLabelsAndOptions) {
  std::vector<Column> cols{col("code_insee", CellKind::Text, "Code INSEE"),
                           col("pop", CellKind::Integer)};
  std::vector<std::vector<Cell>> rows{{Cell::text_value("75056"), Cell::integer(2133111)}};
  EXPECT_EQ(run(Format::Csv, cols, rows,
                R"({"header":"label","bom":false,"delimiter":",","line_ending":"lf"})"),
            "Code INSEE,pop\n75056,2133111\n");
  EXPECT_EQ(run(Format::Csv, cols, rows, R"({"header":"none","bom":false,"delimiter":"\t"})"),
            "75056\t2133111\r\n");
  EXPECT_EQ(run(Format::Csv, cols, rows, R"({"header":"name","bom":false,"delimiter":"|"})"),
            "code_insee|pop\r\n75056|2133111\r\n");
}

TEST(ExportCsv, NumbersBooleansDates) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::string out = run(
      Format::Csv,
      {col("a", CellKind::Number), col("b", CellKind::Number), col("c", CellKind::Number),
       col("d", CellKind::Number), col("e", CellKind::Boolean), col("f", CellKind::Date),
       col("g", CellKind::DateTime), col("h", CellKind::Integer)},
      {{Cell::number(0.1), Cell::number(nan), Cell::number(-inf),
        Cell::number_text("12345678901234567890.5"), Cell::boolean(true), Cell::date("2024-02-29"),
        Cell::datetime("2024-02-29T12:00:00+01:00"), Cell::integer_text("9223372036854775807")}},
      R"({"bom":false,"header":"none"})");
  EXPECT_EQ(out,
            "0.1;NaN;-Infinity;12345678901234567890.5;true;2024-02-29;2024-02-29T12:00:00+01:00;"
            "9223372036854775807\r\n");
}

TEST(ExportCsv, ArraysJoinedByListSeparator) {
  Cell items[] = {Cell::text_value("a"), Cell::null(), Cell::text_value("b;c"), Cell::integer(3)};
  std::vector<Column> cols{col("tags", CellKind::Array)};
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::array(items, 4)}}, R"({"bom":false,"header":"none"})"),
            "\"a,,b;c,3\"\r\n");
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::array(items, 2)}},
                R"({"bom":false,"header":"none","list_separator":" | "})"),
            "\"a | \"\r\n");  // trailing space: quoted
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::array(items, 0)}}, R"({"bom":false,"header":"none"})"),
            "\"\"\r\n");
}

TEST(ExportCsv, GeometryAsGeoJsonOrWkt) {
  std::string wkb = Wkb().point(2.3522219, 48.856614).str();
  std::vector<Column> cols{col("geo", CellKind::Geometry)};
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::geometry(wkb)}, {Cell::null()}},
                R"({"bom":false,"header":"none"})"),
            "\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[2.3522219,48.856614]}\"\r\n\r\n");
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::geometry(wkb)}},
                R"({"bom":false,"header":"none","geometry_format":"wkt"})"),
            "POINT(2.3522219 48.856614)\r\n");
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::geometry(wkb)}},
                R"({"bom":false,"header":"none","geometry_format":"wkt","precision":2})"),
            "POINT(2.35 48.86)\r\n");
}

TEST(ExportCsv, FormulaGuardIsOptIn) {
  std::vector<Column> cols{col("t", CellKind::Text), col("n", CellKind::Integer)};
  std::vector<std::vector<Cell>> rows{{Cell::text_value("=HYPERLINK(\"x\")"), Cell::integer(-5)},
                                      {Cell::text_value("-2+3"), Cell::integer_text("-7")},
                                      {Cell::text_value("@SUM(A1)"), Cell::null()}};
  EXPECT_EQ(run(Format::Csv, cols, rows, R"({"bom":false,"header":"none"})"),
            "\"=HYPERLINK(\"\"x\"\")\";-5\r\n-2+3;-7\r\n@SUM(A1);\r\n");
  EXPECT_EQ(run(Format::Csv, cols, rows, R"({"bom":false,"header":"none","escape_formulas":true})"),
            "\"'=HYPERLINK(\"\"x\"\")\";-5\r\n'-2+3;-7\r\n'@SUM(A1);\r\n");
}

TEST(ExportCsv, TrickyValuesRoundTrip) {
  const std::vector<std::string> values = {
      "",   " ", "a;b", "\"",      "\"\"",   "x\r\ny", "\n",
      "\r", ";", "ok",  "tab\tin", "é\"\n;", " both ", std::string("nul\0byte", 8)};
  std::vector<Column> cols{col("v", CellKind::Text), col("w", CellKind::Text)};
  std::vector<std::vector<Cell>> rows;
  for (const auto& v : values) rows.push_back({Cell::text_value(v), Cell::text_value(v)});
  for (const char* opts : {R"({"bom":false})", R"({"bom":false,"quote_all":true})"}) {
    auto parsed = parse_csv(run(Format::Csv, cols, rows, opts), ';');
    ASSERT_EQ(parsed.size(), values.size() + 1);
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(parsed[i + 1][0], values[i]);
      EXPECT_EQ(parsed[i + 1][1], values[i]);
    }
  }
}

TEST(ExportCsv, BadGeometryLeavesNoHalfRow) {
  auto w = make_writer(Format::Csv, {col("n", CellKind::Text), col("g", CellKind::Geometry)},
                       parse_options(Format::Csv, R"({"bom":false,"header":"none"})"));
  w->begin();
  w->add_row({Cell::text_value("ok"), Cell::geometry(Wkb().point(1, 2).str())});
  const std::string before = w->buffer();
  const std::string truncated = Wkb().point(1, 2).str().substr(0, 12);
  EXPECT_EQ(sqlstate_of([&] {
              w->add_row({Cell::text_value("bad"), Cell::geometry(truncated)});
            }),
            "22P03");
  EXPECT_EQ(w->buffer(), before);
  EXPECT_EQ(w->row_count(), 1u);
}

TEST(ExportCsv, GeoJsonTextRefusesForeignSrid) {
  std::string lambert = Wkb().header(0x20000000u | 1).u32(2154).xy(652000, 6862000).str();
  std::vector<Column> cols{col("g", CellKind::Geometry)};
  EXPECT_EQ(sqlstate_of([&] { run(Format::Csv, cols, {{Cell::geometry(lambert)}}); }), "22023");
  // WKT carries no CRS promise: written as is.
  EXPECT_EQ(run(Format::Csv, cols, {{Cell::geometry(lambert)}},
                R"({"bom":false,"header":"none","geometry_format":"wkt"})"),
            "POINT(652000 6862000)\r\n");
}

// A cancel request arrives through the interrupt hook as an exception; the
// writer must stop between rows, leaving only complete rows in its buffer.
int g_interrupt_calls = 0;
void cancel_on_second_call() {
  if (++g_interrupt_calls == 2) throw UserError("57014", "canceling statement due to user request");
}

TEST(ExportCsv, InterruptStopsBetweenRows) {
  g_interrupt_calls = 0;
  g_interrupt_hook = &cancel_on_second_call;
  auto w = make_writer(Format::Csv, {col("n", CellKind::Integer)},
                       parse_options(Format::Csv, R"({"bom":false,"header":"none"})"));
  w->begin();
  std::string state = "none";
  for (int i = 0; i < 100000 && state == "none"; ++i) {
    state = sqlstate_of([&] { w->add_row({Cell::integer(i)}); });
  }
  g_interrupt_hook = nullptr;
  EXPECT_EQ(state, "57014");
  EXPECT_EQ(g_interrupt_calls, 2);
  const std::string& out = w->buffer();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.substr(out.size() - 2), "\r\n");  // ends on a whole record
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), static_cast<long>(w->row_count()));
}

TEST(ExportCsv, MisuseIsAnInternalError) {
  auto w = make_writer(Format::Csv, {col("a", CellKind::Text)}, ExportOptions{});
  EXPECT_EQ(sqlstate_of([&] { w->add_row({Cell::null()}); }), "XX000");  // before begin()
  w->begin();
  EXPECT_EQ(sqlstate_of([&] { w->add_row({Cell::null(), Cell::null()}); }), "XX000");
  w->finish();
  EXPECT_EQ(sqlstate_of([&] { w->finish(); }), "XX000");
}

}  // namespace
}  // namespace opendata::exporter
