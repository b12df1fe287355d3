// A published dataset's fields, as load_published_dataset() reads them,
// kept in the backend between calls (issue #16: the fixed cost of a tile).
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

// load_published_dataset(slug), from the backend's copy when the dataset's
// id, version and modification are those it was read at.  Same errors.
PublishedDataset published_dataset_kept(const std::string& slug);

}  // namespace opendata::pg
