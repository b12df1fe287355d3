// A published dataset's fields, as load_published_dataset() reads them,
// kept in the backend between calls (issue #16: the fixed cost of a tile;
// issue #15: of a small page of records() or facets()).
// Reading the fields through the catalog and its row-level security costs
// more than building a small tile; what they are changes only with the
// dataset's published version or last modification (publish(),
// describe_field(), set_metadata() all move one of them), which one cheap
// lookup of its catalog row checks.  Entries are per role: row-level
// security answers per role.  Needs an SPI connection.
#pragma once

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

}  // namespace opendata::pg
