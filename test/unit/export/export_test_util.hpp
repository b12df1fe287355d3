// Shared helpers for the writer tests: run a writer over rows, capture the
// SQLSTATE of a failure.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/export/writer.hpp"

namespace opendata::exporter::testing {

inline Column col(std::string name, CellKind kind, std::string label = {}) {
  return Column{std::move(name), std::move(label), kind};
}

// Writes the whole result, taking and clearing the buffer after every row
// as the PostgreSQL layer does, so the tests also prove that chunking does
// not change the output.
inline std::string run(Format format, std::vector<Column> columns,
                       const std::vector<std::vector<Cell>>& rows, std::string_view options = {}) {
  auto w = make_writer(format, std::move(columns), parse_options(format, options));
  std::string sent;
  w->begin();
  for (const auto& row : rows) {
    w->add_row(row);
    sent += w->buffer();
    w->buffer().clear();
  }
  w->finish();
  sent += w->buffer();
  return sent;
}

inline std::string sqlstate_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.sqlstate();
  }
  return "none";
}

}  // namespace opendata::exporter::testing
