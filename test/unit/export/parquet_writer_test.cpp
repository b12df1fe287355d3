// The Parquet writer's files read back by the test reader
// (core/export/parquet_format.hpp): schema, types, NULLs, row groups,
// GeoParquet metadata, ISO WKB, dates and timestamps, chunked output, and
// the errors.  Real readers (DuckDB) read the same files in the export
// round-trip tests.
#include "core/export/parquet_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/export/iso_wkb.hpp"
#include "core/export/parquet_format.hpp"
#include "export_test_util.hpp"
#include "wkb_test_util.hpp"

namespace opendata::exporter {
namespace {

using parquet::ConvertedType;
using parquet::PhysicalType;
using testing::col;
using testing::sqlstate_of;
using testing::Wkb;

// Writes rows through the streaming contract (buffer sent and cleared after
// every row) and returns the file.
std::string write(std::vector<Column> columns, const std::vector<std::vector<Cell>>& rows,
                  std::size_t rows_per_group = kParquetRowsPerGroup) {
  auto w = make_parquet_writer(std::move(columns), ExportOptions{}, rows_per_group);
  std::string file;
  w->begin();
  for (const auto& row : rows) {
    w->add_row(row);
    file += w->buffer();
    w->buffer().clear();
  }
  w->finish();
  return file + w->buffer();
}

TEST(ExportParquet, TypedColumnsReadBack) {
  const std::string point = Wkb().point(2.35, 48.85).str();
  Cell tags[] = {Cell::text_value("a"), Cell::integer(2)};
  const std::string file = write(
      {col("id", CellKind::Integer), col("name", CellKind::Text), col("ratio", CellKind::Number),
       col("ok", CellKind::Boolean), col("day", CellKind::Date), col("at", CellKind::DateTime),
       col("meta", CellKind::Json), col("tags", CellKind::Array), col("geom", CellKind::Geometry)},
      {{Cell::integer(1), Cell::text_value("Évry"), Cell::number_text("1.5"), Cell::boolean(true),
        Cell::date("2024-01-31"), Cell::datetime("2024-01-31 10:00:00.25+01"), Cell::json("{\"a\":1}"),
        Cell::array(tags, 2), Cell::geometry(point)},
       {Cell::integer_text("-7"), Cell::null(), Cell::number(-0.5), Cell::boolean(false), Cell::null(),
        Cell::datetime("1970-01-01T00:00:01Z"), Cell::null(), Cell::null(), Cell::null()}});
  const parquet::Table t = parquet::read_file(file);
  ASSERT_EQ(t.meta.num_rows, 2);
  ASSERT_EQ(t.meta.schema.size(), 9u);
  EXPECT_EQ(t.meta.schema[0].type, PhysicalType::Int64);
  EXPECT_EQ(t.meta.schema[1].converted, ConvertedType::Utf8);
  EXPECT_EQ(t.meta.schema[2].type, PhysicalType::Double);
  EXPECT_EQ(t.meta.schema[3].type, PhysicalType::Boolean);
  EXPECT_EQ(t.meta.schema[4].converted, ConvertedType::Date);
  EXPECT_EQ(t.meta.schema[5].converted, ConvertedType::TimestampMicros);
  EXPECT_EQ(t.meta.schema[6].converted, ConvertedType::Json);
  EXPECT_EQ(t.meta.schema[8].type, PhysicalType::ByteArray);

  EXPECT_EQ(t.columns[0][0].i, 1);
  EXPECT_EQ(t.columns[0][1].i, -7);
  EXPECT_EQ(t.columns[1][0].bytes, "Évry");
  EXPECT_FALSE(t.columns[1][1].defined);
  EXPECT_EQ(t.columns[2][0].d, 1.5);
  EXPECT_EQ(t.columns[2][1].d, -0.5);
  EXPECT_EQ(t.columns[3][0].i, 1);
  EXPECT_EQ(t.columns[3][1].i, 0);
  EXPECT_EQ(t.columns[4][0].i, 19753);  // 2024-01-31
  EXPECT_FALSE(t.columns[4][1].defined);
  EXPECT_EQ(t.columns[5][0].i, 1706691600250000);  // 2024-01-31T09:00:00.25Z
  EXPECT_EQ(t.columns[5][1].i, 1000000);
  EXPECT_EQ(t.columns[6][0].bytes, "{\"a\":1}");
  EXPECT_EQ(t.columns[7][0].bytes, "[\"a\",2]");
  EXPECT_EQ(t.columns[8][0].bytes, point);  // little-endian 2D WKB is ISO WKB already
  EXPECT_FALSE(t.columns[8][1].defined);
}

TEST(ExportParquet, GeoParquetMetadata) {
  const std::string file =
      write({col("id", CellKind::Integer), col("geom", CellKind::Geometry)},
            {{Cell::integer(1), Cell::geometry(Wkb().point(2, 48).str())},
             {Cell::integer(2), Cell::geometry(Wkb().point(3, 49.5).str())},
             {Cell::integer(3), Cell::geometry(Wkb().header(2).points({{1, 47}, {2.5, 48}}).str())}});
  const parquet::Table t = parquet::read_file(file);
  ASSERT_EQ(t.meta.key_values.size(), 1u);
  EXPECT_EQ(t.meta.key_values[0].first, "geo");
  const auto geo = nlohmann::json::parse(t.meta.key_values[0].second);
  EXPECT_EQ(geo["version"], "1.1.0");
  EXPECT_EQ(geo["primary_column"], "geom");
  EXPECT_EQ(geo["columns"]["geom"]["encoding"], "WKB");
  EXPECT_EQ(geo["columns"]["geom"]["geometry_types"], nlohmann::json({"Point", "LineString"}));
  EXPECT_EQ(geo["columns"]["geom"]["bbox"], nlohmann::json({1, 47, 3, 49.5}));
  EXPECT_FALSE(geo["columns"]["geom"].contains("crs"));  // default: OGC:CRS84
}

TEST(ExportParquet, NoGeometryNoGeoMetadata) {
  const parquet::Table t = parquet::read_file(write({col("id", CellKind::Integer)}, {{Cell::integer(1)}}));
  EXPECT_TRUE(t.meta.key_values.empty());
}

TEST(ExportParquet, EmptyResultIsAValidFile) {
  const parquet::Table t = parquet::read_file(write({col("id", CellKind::Integer), col("g", CellKind::Geometry)}, {}));
  EXPECT_EQ(t.meta.num_rows, 0);
  EXPECT_TRUE(t.meta.row_groups.empty());
  EXPECT_EQ(t.meta.schema.size(), 2u);
}

TEST(ExportParquet, RowGroupsAreWrittenAsTheyFill) {
  std::vector<std::vector<Cell>> rows;
  for (int k = 0; k < 25; ++k) rows.push_back({Cell::integer(k), k % 4 == 0 ? Cell::null() : Cell::boolean(k % 3 == 0)});
  auto w = make_parquet_writer({col("n", CellKind::Integer), col("b", CellKind::Boolean)}, ExportOptions{}, 10);
  w->begin();
  std::string file = w->buffer();
  w->buffer().clear();
  for (std::size_t k = 0; k < rows.size(); ++k) {
    w->add_row(rows[k]);
    // The 10th row completes a group: its pages go out then, not at finish().
    if (k == 9) {
      EXPECT_GT(w->buffer().size(), 0u);
    }
    file += w->buffer();
    w->buffer().clear();
  }
  w->finish();
  file += w->buffer();
  const parquet::Table t = parquet::read_file(file);
  ASSERT_EQ(t.meta.row_groups.size(), 3u);
  EXPECT_EQ(t.meta.row_groups[2].num_rows, 5);
  for (int k = 0; k < 25; ++k) {
    EXPECT_EQ(t.columns[0][k].i, k);
    EXPECT_EQ(t.columns[1][k].defined, k % 4 != 0);
    if (k % 4 != 0) {
      EXPECT_EQ(t.columns[1][k].i, k % 3 == 0) << k;
    }
  }
}

TEST(ExportParquet, EwkbBecomesIsoWkb) {
  // EWKB Point Z with SRID 4326, big-endian.
  const std::string ewkb = Wkb(true).header(0xA0000001u).u32(4326).f64(1).f64(2).f64(3).str();
  std::string iso;
  const IsoWkbInfo info = append_iso_wkb(ewkb, iso);
  EXPECT_EQ(info.type, 1001u);
  EXPECT_EQ(iso, Wkb().header(1001).f64(1).f64(2).f64(3).str());
  EXPECT_EQ(info.bbox[0], 1);
  EXPECT_EQ(info.bbox[3], 2);
  // A polygon inside a collection keeps its rings.
  const std::string poly = Wkb().header(3).u32(1).points({{0, 0}, {1, 0}, {1, 1}, {0, 0}}).str();
  const std::string coll = Wkb().header(7).u32(1).raw(poly).str();
  iso.clear();
  EXPECT_EQ(append_iso_wkb(coll, iso).type, 7u);
  EXPECT_EQ(iso, coll);
}

TEST(ExportParquet, Errors) {
  auto one = [](Column c, Cell cell) { return [=] { write({c}, {{cell}}); }; };
  EXPECT_EQ(sqlstate_of(one(col("d", CellKind::Date), Cell::date("2024-13-01"))), "22007");
  EXPECT_EQ(sqlstate_of(one(col("d", CellKind::Date), Cell::date("infinity"))), "22007");
  EXPECT_EQ(sqlstate_of(one(col("t", CellKind::DateTime), Cell::datetime("10:00:00"))), "22007");
  EXPECT_EQ(sqlstate_of(one(col("g", CellKind::Geometry), Cell::geometry("\x01\x01"))), "22P03");
  const std::string lambert = Wkb().header(0x20000001u).u32(2154).xy(650000, 6860000).str();
  EXPECT_EQ(sqlstate_of(one(col("g", CellKind::Geometry), Cell::geometry(lambert))), "22023");
  const std::string curve = Wkb().header(8).points({{0, 0}, {1, 1}, {2, 0}}).str();
  EXPECT_EQ(sqlstate_of(one(col("g", CellKind::Geometry), Cell::geometry(curve))), "0A000");
  EXPECT_EQ(sqlstate_of([] { parquet::read_file("PAR1xxxxPAR1"); }), "22P03");
}

TEST(ExportParquet, FailedRowLeavesNothingBehind) {
  auto w = make_parquet_writer({col("id", CellKind::Integer), col("d", CellKind::Date)}, ExportOptions{});
  w->begin();
  w->add_row({Cell::integer(1), Cell::date("2024-01-01")});
  EXPECT_EQ(sqlstate_of([&] { w->add_row({Cell::integer(2), Cell::date("bad")}); }), "22007");
  w->add_row({Cell::integer(3), Cell::null()});
  w->finish();
  const parquet::Table t = parquet::read_file(w->buffer());
  ASSERT_EQ(t.meta.num_rows, 2);
  EXPECT_EQ(t.columns[0][1].i, 3);
  EXPECT_FALSE(t.columns[1][1].defined);
}

TEST(ExportParquet, Timestamps) {
  EXPECT_EQ(parquet_timestamp("1970-01-01"), 0);
  EXPECT_EQ(parquet_timestamp("1970-01-01 00:00:00-01:30"), 5400000000);
  EXPECT_EQ(parquet_timestamp("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(parquet_date("1969-12-31"), -1);
}

}  // namespace
}  // namespace opendata::exporter
