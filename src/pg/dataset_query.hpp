// Running ODSQL queries on a published dataset: finding its fields, binding
// the compiled statements' parameters, counting.  Shared by records(),
// facets(), explain_odsql() and the exports.
#pragma once

#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "pg/args.hpp"
#include "pg/spi.hpp"

namespace opendata::pg {

struct PublishedDataset {
  std::string slug;
  std::string relation;  // opendata_api."<slug>", quoted
  std::vector<odsql::FieldInfo> fields;
  std::vector<std::string> labels;        // per field, from the dictionary
  std::vector<std::string> facet_fields;  // fields flagged as facets
  std::string key_field;                  // first key field, if visible (GeoJSON feature id)
  // Per field, for keyset paging (pg/keyset.hpp): the column's SQL type,
  // whether its source column is NOT NULL, and its place in the dataset's
  // key (1-based, 0 = not a key field); key_size = number of key fields.
  struct Column {
    Oid type;
    bool not_null;
    int key_position;
  };
  std::vector<Column> columns;
  int key_size = 0;
  // The relations its fields were read from besides the catalog: the API
  // view and the dataset's source (pg/dataset_cache.hpp watches them).
  Oid view = InvalidOid;
  Oid source = InvalidOid;
};

// A published dataset's catalog row as the calling role sees it: what its
// answers derive from.  Tiles' ETags and the backend's copies of the fields
// (pg/dataset_cache.hpp) are keyed on it: publish(), describe_field() and
// set_metadata() move version or modified.
struct DatasetState {
  std::string id;
  std::string version;
  std::string modified;  // microseconds since the epoch
  bool is_public = false;
  bool operator==(const DatasetState& o) const {
    return id == o.id && version == o.version && modified == o.modified && is_public == o.is_public;
  }
};

// The key of an answer kept per dataset version and calling role
// (pg/kept_answers.hpp): row-level security answers per role.
std::string version_role_key(const DatasetState& state);

// The ODSQL type of a field of the dictionary (opendata.fields.type).
odsql::FieldType field_type(const std::string& type);

// The published dataset `slug` as the calling role sees it: its API view's
// columns, typed from the field dictionary.  Row-level security applies, so a
// draft or a dataset the role may not read does not exist (42P01).
// With `state`, its catalog row's state too, from the same read.
// Needs an SPI connection.
PublishedDataset load_published_dataset(const std::string& slug, DatasetState* state = nullptr);

// The ODSQL request in the arguments shared by records(), explain_odsql()
// and the exports: fields, where, group_by, order_by, rows, start, refine,
// exclude, timezone.  `rows` defaults to `default_limit` (-1: no limit).
odsql::Request odsql_request(const Args& args, const PublishedDataset& ds,
                             std::int64_t default_limit);

// Refuses a time zone PostgreSQL does not know (22023, its own message),
// whether or not the query uses dates.  Call it after the compiler accepted
// the request: the compiler refuses malformed names with a shorter message.
void check_timezone(const std::string& name);

// The API's root as apps see it (opendata.catalog.base_url, set by
// opendata.set_catalog), from which links.next is made; "" when unset.
// Needs an SPI connection.
std::string api_base_url();

// The compiled parameters as SPI binds them; a search word's LIKE pattern
// (odsql::ParamType::LikePattern) made from its pieces here, folded as the
// rows are (pg/text_fold.hpp).
std::vector<spi::TextParam> bind(const std::vector<odsql::Param>& params);

struct Count {
  std::int64_t value = 0;
  bool estimated = false;
};

// The number of records (or groups) a compiled query matches: exact, unless
// the planner expects more than opendata.exact_count_threshold, in which case
// its estimate.
Count count_matches(const odsql::Compiled& compiled, const std::vector<spi::TextParam>& params);

}  // namespace opendata::pg
