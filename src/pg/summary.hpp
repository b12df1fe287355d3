// The data summary of a published dataset (src/sql/36_summaries.sql): the
// exact unfiltered answers publish() computed for its current version,
// while no write to its table left a mark since.  Read as the caller, like
// the dataset itself.  Needs an SPI connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opendata::pg {

// The number of records of the dataset, or nullopt when it has no summary.
std::optional<std::int64_t> summarized_row_count(const std::string& slug);

// facets()' answer for these facet fields without a filter, in UTC, or
// nullopt when the summary lacks one of them (or its type changed since).
std::optional<std::string> summarized_facets(const std::string& slug,
                                             const std::vector<std::string>& fields);

}  // namespace opendata::pg
