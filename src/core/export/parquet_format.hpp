// Parquet's file metadata (the Thrift structures of parquet.thrift that a
// flat, single-page-per-chunk file uses), its writer, and a reader of such
// files.  The reader exists for tests and fuzzing: unit tests read the
// writer's files back, and test/fuzz/parquet_fuzz.cpp feeds it arbitrary
// bytes (it must throw UserError, never crash or run away).  It reads
// PLAIN values of flat OPTIONAL or REQUIRED columns, uncompressed or gzip
// pages (v1), definition levels in RLE or bit-packed runs.
// https://github.com/apache/parquet-format
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opendata::exporter::parquet {

enum class PhysicalType : std::int32_t {
  Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7
};
enum class ConvertedType : std::int32_t {
  None = -1, Utf8 = 0, Date = 6, TimestampMicros = 10, Int64 = 18, Json = 19
};
enum class Codec : std::int32_t { Uncompressed = 0, Snappy = 1, Gzip = 2 };

struct SchemaColumn {
  std::string name;
  PhysicalType type;
  ConvertedType converted;
};

struct ColumnChunkMeta {
  std::string name;
  PhysicalType type = PhysicalType::ByteArray;
  Codec codec = Codec::Uncompressed;
  std::int64_t num_values = 0;
  std::int64_t total_uncompressed_size = 0;
  std::int64_t total_compressed_size = 0;
  std::int64_t data_page_offset = 0;
};

struct RowGroupMeta {
  std::vector<ColumnChunkMeta> columns;
  std::int64_t total_byte_size = 0;
  std::int64_t num_rows = 0;
};

struct FileMeta {
  std::vector<SchemaColumn> schema;  // the leaf columns, in order
  std::int64_t num_rows = 0;
  std::vector<RowGroupMeta> row_groups;
  std::vector<std::pair<std::string, std::string>> key_values;
  std::string created_by;
};

// Appends FileMetaData in Thrift compact form.
void write_file_meta(const FileMeta& meta, std::string& out);

// A value read back: `defined` false for NULL.
struct ReadValue {
  bool defined = false;
  std::int64_t i = 0;  // BOOLEAN (0/1), INT32, INT64
  double d = 0;        // DOUBLE
  std::string bytes;   // BYTE_ARRAY
};

struct Table {
  FileMeta meta;
  std::vector<std::vector<ReadValue>> columns;  // [column][row]
};

// Reads a whole file; UserError 22P03 when it is not one this reader knows.
Table read_file(std::string_view file);

}  // namespace opendata::exporter::parquet
