// A published dataset's fields, as load_published_dataset() reads them,
// kept in the backend between calls (issue #16: the fixed cost of a tile).
// Reading the fields through the catalog and its row-level security costs
// more than building a small tile; what they are changes only with the
// dataset's published version or last modification (publish(),
// describe_field(), set_metadata() all move one of them), which one cheap
// lookup of its catalog row checks.  Entries are per role: row-level
// security answers per role.  Needs an SPI connection.
#pragma once

#include <optional>
#include <string>

#include "pg/dataset_query.hpp"

namespace opendata::pg {

struct KeptDataset {
  DatasetState state;        // the catalog row now
  PublishedDataset dataset;  // its fields
};

// load_published_dataset(slug) and the row's state, reading the catalog
// once: the state alone when the backend keeps the fields read at that
// state, the fields with their state when it keeps none for this dataset
// and role (a kept copy found stale costs both reads).  Same errors:
// 42P01 when the caller cannot read it published.
KeptDataset published_dataset_kept(const std::string& slug);

// The same in two halves, for a caller that reads the catalog row's state
// in its own statement (tile(): the state and the tile in one statement,
// one executor started instead of two):
// - kept_dataset_unchecked(): the kept copy of the dataset for the calling
//   role, not checked against the catalog (nullopt: none kept);
// - dataset_state_sql(): the statement published_dataset_kept() checks it
//   with, `slug_sql` an SQL expression of the slug: one row of four
//   columns (none when the caller cannot read the dataset published), read
//   back with state_columns(row, first column);
// When the state read is not the kept copy's, the caller goes back to
// published_dataset_kept(), which reads it again (and raises its errors).
std::optional<KeptDataset> kept_dataset_unchecked(const std::string& slug);
std::string dataset_state_sql(const std::string& slug_sql);
DatasetState state_columns(uint64 row, int first);

}  // namespace opendata::pg
