// Sniffing a CSV file: dialect, header, and column types over the WHOLE file.
#pragma once

#include <string_view>

#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"

namespace opendata::ingest {

// `data` is the raw file (any supported encoding).  Reads it entirely, once
// for the dialect sample and once for the types (no copy unless it must be
// transcoded).  Calls check_interrupts() every few thousand rows.
// Throws UserError: 22P04 (unterminated quote, binary file), 22021 (bad
// encoding when "encoding" is forced), 22023 (options naming no column).
SniffReport sniff_csv(std::string_view data, const CsvOptions& options);

}  // namespace opendata::ingest
