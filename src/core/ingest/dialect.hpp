// CSV dialect detection: delimiter, quote, escape, header.
//
// Like DuckDB's sniffer, each candidate dialect parses a sample of the file
// with the real reader, and the one giving the most rows with the same field
// count wins (ties: more columns, then the preference order ; , tab |, which
// favours French exports).  Parsing, not character counting, is what makes it
// robust to delimiters inside quoted fields.
#pragma once

#include <string_view>

#include "core/ingest/csv_reader.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/values.hpp"

namespace opendata::ingest {

// The sample the sniffer looks at: the first ~512 KB, cut after a line end.
std::string_view dialect_sample(std::string_view text);

// Delimiter, quote and escape; options given by the user are kept as is.
CsvDialectChars detect_dialect_chars(std::string_view sample, const CsvOptions& o);

// True when the first record looks like a header: false only if every column
// that is typed (numbers, dates, booleans) over the following sample rows has
// a first-row value of that type too.  All-text files are assumed to have a
// header, as nearly all published files do.
bool detect_header(std::string_view sample, CsvDialectChars d, const NullSet& nulls);

}  // namespace opendata::ingest
