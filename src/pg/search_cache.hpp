// The in-memory index of the public catalog, kept per backend for
// search() (docs/search.md, "In-memory index"): built from
// opendata.search_index's public rows by src/core/catalog/search_index,
// keyed by the catalog's version, and answering the calls of a caller who
// sees exactly the public catalog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/catalog/search_sql.hpp"

namespace opendata::pg {

// What the index found for a call of the public view (the caller checked
// that it sees exactly the public catalog and that its transaction wrote
// nothing): nullopt when the index cannot answer it (the setting
// opendata.search_cache is off, the tsquery is not one it matches, or the
// catalog holds what it does not model), and the statement answers in SQL.
// `version` is opendata._search_version() under the call's snapshot;
// `query` the tsquery's text (nullopt: no text).
std::optional<catalog::SearchFound> search_public_index(const catalog::SearchPlan& plan,
                                                        const catalog::SearchRequest& request,
                                                        const std::optional<std::string>& query,
                                                        const catalog::SearchPublishers& publishers,
                                                        std::int64_t version);

// After a call that loaded the index, once its SPI results are freed:
// hands the memory the load used on the way (its result rows, the
// index's construction) back to the system, so that a backend keeps only
// the index itself.
void release_index_load_memory();

}  // namespace opendata::pg
