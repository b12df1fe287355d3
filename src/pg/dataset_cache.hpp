// A published dataset's fields, as load_published_dataset() reads them,
// kept in the backend between calls (issue #16: the fixed cost of a tile;
// issue #15: of a small page of records() or facets()).
// Reading the fields through the catalog and its row-level security costs
// more than building a small tile.  A kept copy is used as long as no
// change to the catalog tables, the dataset's view or source, or the roles
// has come since it was read (pg/catalog_changes.hpp): knowing that takes
// no query.  Entries are per role: row-level security answers per role.
// Needs an SPI connection.
#pragma once

#include <memory>
#include <string>

#include "pg/dataset_query.hpp"

namespace opendata::pg {

struct KeptDataset {
  DatasetState state;        // the catalog row when its fields were read
  PublishedDataset dataset;  // its fields
};

// load_published_dataset(slug) and the row's state: the backend's copy
// when it is current for this role, else read (and kept) now; shared, not
// copied, and alive as long as the caller holds it.  Same errors: 42P01
// when the caller cannot read it published.
std::shared_ptr<const KeptDataset> published_dataset_kept(const std::string& slug);

}  // namespace opendata::pg
