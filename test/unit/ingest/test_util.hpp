// Helpers for the ingest unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "core/ingest/normalise.hpp"
#include "core/ingest/sniff.hpp"

namespace opendata::ingest::testing {

// Reads a sample data file: $OPENDATA_DATA_DIR, then OPENDATA_SOURCE_DIR
// "/data", then /work/shared/data.  Returns "" if not found (tests skip).
inline std::string read_data_file(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("OPENDATA_DATA_DIR")) dirs.push_back(env);
#ifdef OPENDATA_SOURCE_DIR
  dirs.push_back(std::string(OPENDATA_SOURCE_DIR) + "/data");
#endif
  dirs.push_back("/work/shared/data");
  for (const auto& d : dirs) {
    std::ifstream in(d + "/" + name, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return {};
}

#define OPENDATA_REQUIRE_DATA(var, name)                                  \
  const std::string var = ::opendata::ingest::testing::read_data_file(name); \
  if (var.empty()) GTEST_SKIP() << "sample file " << name << " not found"

inline const ColumnProfile& col(const SniffReport& r, const std::string& name) {
  for (const auto& c : r.columns)
    if (c.name == name) return c;
  ADD_FAILURE() << "no column " << name;
  static const ColumnProfile* none = new ColumnProfile();  // leaked on purpose: test only
  return *none;
}

inline SniffReport sniff(const std::string& data, const std::string& options = "{}") {
  return sniff_csv(data, parse_options_text(options));
}

// Whole COPY output of a CSV.
inline std::string copy_text(const std::string& data, const std::string& options = "{}",
                             std::vector<RejectedRow>* rejected = nullptr) {
  CsvOptions o = parse_options_text(options);
  CsvNormaliser n(data, o, sniff_csv(data, o));
  std::string all, chunk;
  while (n.next_chunk(chunk)) all += chunk;
  if (rejected) *rejected = n.rejected();
  return all;
}

// Runs `f` and returns the SQLSTATE of the UserError it throws ("" if none).
template <typename F>
std::string sqlstate_of(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.sqlstate();
  }
  return "";
}

}  // namespace opendata::ingest::testing
