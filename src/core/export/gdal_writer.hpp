// GeoPackage, FlatGeobuf, KML and zipped Shapefile exports, written by
// GDAL's C API (Debian's libgdal) into GDAL's in-memory file system
// (/vsimem/): no file touches the disk, and the file's bytes become the
// export when the last row is in (docs/export.md).
//
// These formats are not streams: a GeoPackage is an SQLite database, a
// FlatGeobuf file starts with its spatial index, a Shapefile's header holds
// its extent.  So, unlike the text writers, the output appears in buffer()
// only at finish().  Memory is bounded all the same: past `max_bytes` of
// file (checked every few thousand rows and at the end) the export stops
// with 54000 rather than grow the backend without limit.
//
// The first geometry column is each feature's geometry (WGS 84, EPSG:4326);
// other geometry columns are attributes in WKT.  Integers are Integer64,
// numbers Real, booleans Integer(Boolean), dates Date, date-times DateTime
// (GDAL keeps milliseconds), text, JSON and lists String.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/export/writer.hpp"

namespace opendata::exporter {

// The largest file a single-value export can return (1 GB, less headroom).
inline constexpr std::size_t kMaxFileBytes = std::size_t{1000} * 1000 * 1000;

// format: GeoPackage, FlatGeobuf, Kml or Shapefile.
std::unique_ptr<Writer> make_gdal_writer(Format format, std::vector<Column> columns,
                                         const ExportOptions& options,
                                         std::size_t max_bytes = kMaxFileBytes);

// The extension keeps this writer in a library of its own (opendata_gdal.so,
// see the Makefile), loaded by the first GDAL export: GDAL and the hundred
// libraries it needs take 0.2 s or more to load, which every new backend
// would pay otherwise, the many that never export such a file included.
// make_writer() reaches it through this hook, which the code that links the
// writer sets (pg/gdal_module.cpp, at the library's load); unset, GDAL's
// formats are unavailable (0A000).
using GdalWriterMaker = std::unique_ptr<Writer> (*)(Format format, std::vector<Column> columns,
                                                    const ExportOptions& options,
                                                    std::size_t max_bytes);
extern GdalWriterMaker g_gdal_writer_maker;

}  // namespace opendata::exporter
