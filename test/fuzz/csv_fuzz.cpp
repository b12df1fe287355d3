// libFuzzer target for the CSV path: options parsing, sniffing, and the COPY
// normaliser.  Only UserError is an acceptable exception; any other
// exception, crash or sanitizer report is a bug.  The output is checked for
// the COPY text invariants the PostgreSQL side relies on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ingest/normalise.hpp"
#include "core/ingest/sniff.hpp"
#include "core/ingest/values.hpp"

namespace {

// A handful of option sets, chosen by the first input byte, so the fuzzer
// also explores forced dialects and skip mode.
constexpr const char* kOptions[] = {
    "{}",
    R"({"on_error": "skip"})",
    R"({"delimiter": ";", "quote": "'", "on_error": "skip"})",
    R"({"header": false, "decimal": ","})",
    R"({"escape": "\\", "date_format": "mdy"})",
    R"({"encoding": "latin-1", "null_values": ["?"]})",
    R"({"geometry": false, "quote": ""})",
    R"({"date_format": "yyyymmdd", "decimal": "."})",
};

void check_copy_text(const std::string& chunk, size_t ncols) {
  if (chunk.empty() || chunk.back() != '\n') __builtin_trap();
  size_t tabs = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (c == '\\') {
      ++i;  // escaped byte: never a field or line separator
      if (i >= chunk.size()) __builtin_trap();
      continue;
    }
    if (c == '\r' || c == '\0') __builtin_trap();
    if (c == '\t') ++tabs;
    if (c == '\n') {
      if (tabs + 1 != ncols) __builtin_trap();
      tabs = 0;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view options = kOptions[data[0] % (sizeof kOptions / sizeof kOptions[0])];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    // The options parser sees arbitrary text too.
    (void)opendata::ingest::parse_options_text(input);
  } catch (const opendata::UserError&) {
  }
  try {
    using namespace opendata::ingest;
    CsvOptions o = parse_options_text(options);
    SniffReport r = sniff_csv(input, o);
    (void)to_json(r).dump();
    CsvNormaliser n(input, o, r);
    std::string chunk;
    while (n.next_chunk(chunk)) check_copy_text(chunk, r.columns.size());
    (void)to_json(n.rejected()).dump();
  } catch (const opendata::UserError&) {
  }
  return 0;
}
