// records()' and facets()' compiled statements, kept in the backend between calls
// (issue #15: compiling the request is about a tenth of a small page's
// time once its plan is kept, pg/value_plans.hpp).
// What compile_records() gives depends only on the dataset's fields and
// the request; the fields are the ones the backend keeps for the dataset's
// catalog state and the role (pg/dataset_cache.hpp), so the state, the role
// and the whole request are the key.  A request the compiler refuses is
// not kept: it is refused again, with the same error, each time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "pg/dataset_cache.hpp"

namespace opendata::pg {

using SharedCompiled = std::shared_ptr<const odsql::Compiled>;

// compile_records(kept.dataset.fields, req), the backend's copy (shared,
// not copied) when the same role compiled the same request on the same
// state before.
SharedCompiled compiled_records(const KeptDataset& kept, const odsql::Request& req);

// compile_facets(kept.dataset.fields, req, facet_fields), likewise.
SharedCompiled compiled_facets(const KeptDataset& kept, const odsql::Request& req,
                               const std::vector<std::string>& facet_fields);

}  // namespace opendata::pg
