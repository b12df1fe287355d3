// libFuzzer target for the catalog search's statement
// (core/catalog/search_sql.hpp).
//
// The input is split on '\n': the first line is order_by, the next ones
// "r:" refine, "x:" exclude or "f:" facet items (a line without one of
// these prefixes is a refine item).  The first byte also picks whether a
// text was given and the public view.  Any request either gives a plan or
// throws UserError 22023; a plan's SQL text depends only on the request's
// shape: the same items with other values give the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog/search_sql.hpp"
#include "core/error.hpp"

using namespace opendata::catalog;

namespace {

// No folding: the invariants do not depend on it.
const TextCase kAsIs{[](const std::string& s) { return s; }, [](const std::string& s) { return s; }};

// The item with another value of the same facet.
std::optional<std::string> other_value(const std::optional<std::string>& item) {
  if (!item) return item;
  const std::size_t colon = item->find(':');
  if (colon == std::string::npos) return item;
  const bool year = item->substr(0, colon).find("modified") != std::string::npos;
  return item->substr(0, colon + 1) + (year ? "1999" : "other \"value\"");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  SearchRequest r;
  r.has_query = (data[0] & 1) != 0;
  r.public_view = (data[0] & 2) != 0;
  r.rows = 10;
  r.start = 0;
  r.lang = (data[0] & 4) != 0 ? "en" : "fr";
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (std::size_t end; (end = input.find('\n', begin)) != std::string::npos; begin = end + 1)
    lines.push_back(input.substr(begin, end - begin));
  lines.push_back(input.substr(begin));
  r.order_by = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string tag = line.substr(0, 2);
    if (tag == "x:") {
      r.exclude.push_back(line.substr(2));
    } else if (tag == "f:") {
      if (!r.facets) r.facets.emplace();
      r.facets->push_back(line.substr(2));
    } else {
      r.refine.push_back(tag == "r:" ? line.substr(2) : line);
    }
  }
  SearchPlan plan;
  try {
    plan = plan_search(r, kAsIs);
  } catch (const opendata::UserError& e) {
    if (e.sqlstate() != "22023") std::abort();
    return 0;
  }
  if (search_params(plan, r, std::nullopt, {}).size() != 16) std::abort();
  SearchRequest other = r;
  for (auto& item : other.refine) item = other_value(item);
  for (auto& item : other.exclude) item = other_value(item);
  if (plan_search(other, kAsIs).sql != plan.sql) std::abort();
  return 0;
}
