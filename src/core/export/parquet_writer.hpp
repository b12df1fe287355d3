// Apache Parquet writer with GeoParquet 1.1 metadata, for exports
// (docs/export.md).  No Parquet library is packaged by Debian, so this is a
// small one: what a portal's export needs and nothing more.
//
//   - one flat schema, every column OPTIONAL (NULLs are definition levels);
//   - typed columns from the column kinds: Integer -> INT64, Number ->
//     DOUBLE, Boolean -> BOOLEAN, Text -> BYTE_ARRAY STRING, Json and
//     Array -> BYTE_ARRAY JSON, Date -> INT32 DATE, DateTime -> INT64
//     TIMESTAMP(MICROS, UTC), Geometry -> BYTE_ARRAY ISO WKB;
//   - PLAIN values, one data page (v1) per column chunk, gzip-compressed
//     pages (codec GZIP: zlib, which every reader supports);
//   - row groups of up to `rows_per_group` rows or about 64 MB, written as
//     they fill: memory holds one row group, never the whole file;
//   - the footer's key-value metadata "geo" (GeoParquet 1.1): encoding WKB,
//     geometry types and bbox of each geometry column, the first one
//     primary, CRS omitted (OGC:CRS84, longitude first).
//
// The writer follows the streaming contract of Writer (writer.hpp): the
// caller may send and clear buffer() between calls; offsets in the footer
// count every byte written since begin().
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/export/writer.hpp"

namespace opendata::exporter {

inline constexpr std::size_t kParquetRowsPerGroup = 100000;

std::unique_ptr<Writer> make_parquet_writer(std::vector<Column> columns, const ExportOptions& options,
                                            std::size_t rows_per_group = kParquetRowsPerGroup);

// Days since 1970-01-01 of an ISO 8601 date ("2024-01-31"); 22007 otherwise.
std::int32_t parquet_date(std::string_view iso);
// Microseconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time with or
// without an offset ("2024-01-31 10:00:00.5+01", "2024-01-31T10:00:00Z");
// without one, the time is taken as UTC.  22007 otherwise.
std::int64_t parquet_timestamp(std::string_view iso);

}  // namespace opendata::exporter
