// XLSX exports (Excel, LibreOffice), written by Debian's libxlsxwriter:
// a header row with the fields' labels, then one row per record with typed
// cells: numbers as numbers, booleans as booleans, dates and date-times as
// spreadsheet dates (formatted yyyy-mm-dd and yyyy-mm-dd hh:mm:ss, in the
// request's time zone: a spreadsheet has none), text as shared strings;
// JSON, lists and geometries (GeoJSON) as text.  Dates before 1900, which
// spreadsheets cannot hold, stay ISO text.
//
// libxlsxwriter (1.1) writes to a file, not to memory: the writer works in
// a file of its own (mkstemp) in the temporary directory ($TMPDIR, else
// /tmp), in the library's constant-memory mode, which flushes every row; it
// reads the file back at finish() and removes it on every way out.  Beyond a sheet's
// 1,048,576 rows, or past `max_bytes`, the export stops with 54000; a text
// longer than a cell's 32,767 characters with 22001.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/export/writer.hpp"

namespace opendata::exporter {

std::unique_ptr<Writer> make_xlsx_writer(std::vector<Column> columns, const ExportOptions& options,
                                         std::size_t max_bytes);

}  // namespace opendata::exporter
