// libFuzzer target for the Parquet reader that tests use to read exports
// back (core/export/parquet_format.hpp), and its Thrift compact decoder.
//
// Properties checked on every input:
//  - no crash, no out-of-bounds read, no undefined behaviour (ASan/UBSan),
//    no runaway allocation (counts are bounded by the input's size);
//  - the only exception is UserError 22P03;
//  - a file that reads has as many values per column as its num_rows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "core/export/parquet_format.hpp"
#include "core/export/wkb_reader.hpp"

using opendata::UserError;
using namespace opendata::exporter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  try {
    const parquet::Table t = parquet::read_file(file);
    for (const auto& column : t.columns)
      if (static_cast<std::int64_t>(column.size()) != t.meta.num_rows) std::abort();
  } catch (const UserError& e) {
    if (e.sqlstate() != opendata::sqlstate::kInvalidBinaryRepresentation) std::abort();
  }
  return 0;
}
