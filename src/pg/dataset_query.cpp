#include "core/odsql/schema.hpp"
#include "pg/dataset_query.hpp"

#include "core/odsql/like_pattern.hpp"
#include "pg/args.hpp"
#include "pg/catalog_changes.hpp"
#include "pg/settings.hpp"
#include "pg/text_fold.hpp"
#include "pg/usage.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/timestamp.h"
}

namespace opendata::pg {

odsql::FieldType field_type(const std::string& type) {
  if (type == "int") return odsql::FieldType::Integer;
  if (type == "double") return odsql::FieldType::Double;
  if (type == "date") return odsql::FieldType::Date;
  if (type == "datetime") return odsql::FieldType::DateTime;
  if (type == "boolean") return odsql::FieldType::Boolean;
  if (type == "geo_point_2d") return odsql::FieldType::GeoPoint;
  if (type == "geo_shape") return odsql::FieldType::GeoShape;
  return odsql::FieldType::Text;
}

namespace {

Oid param_oid(odsql::ParamType type) {
  switch (type) {
    case odsql::ParamType::Text: return TEXTOID;
    case odsql::ParamType::Int8: return INT8OID;
    case odsql::ParamType::Float8: return FLOAT8OID;
    case odsql::ParamType::Bool: return BOOLOID;
    case odsql::ParamType::Date: return DATEOID;
    case odsql::ParamType::Timestamptz: return TIMESTAMPTZOID;
    case odsql::ParamType::Interval: return INTERVALOID;
    case odsql::ParamType::TextArray: return TEXTARRAYOID;
    case odsql::ParamType::LikePattern: return TEXTOID;
  }
  return TEXTOID;
}

// The view's columns that the field dictionary describes, in view order.
// Reading the view's own attributes (not only the dictionary) keeps queries
// right between a describe_field() and the next publish().
constexpr const char* kFieldsQuery = R"sql(
SELECT a.attname::text, f.type, f.facet, (a.attname::text = d.key_fields[1]), f.label,
       a.atttypid::int8, coalesce(s.attnotnull, false),
       pg_catalog.array_position(d.key_fields, a.attname::text), pg_catalog.cardinality(d.key_fields),
       d.id, d.version, (extract(epoch FROM d.modified) * 1000000)::int8, d.access = 'public',
       a.attrelid::int8, d.source::oid::int8
  FROM opendata.datasets d
  JOIN opendata.fields f ON f.dataset_id = d.id
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = pg_catalog.to_regclass(pg_catalog.format('opendata_api.%I', d.slug))
   AND a.attname = f.name AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attribute s  -- a view column is never NOT NULL: ask its source
    ON s.attrelid = d.source AND s.attname = a.attname AND s.attnum > 0 AND NOT s.attisdropped
 WHERE d.slug = $1 AND d.status = 'published'
 ORDER BY a.attnum)sql";

// kFieldsQuery's plan, kept across calls: every record query starts with it.
SPIPlanPtr g_fields_plan = nullptr;

}  // namespace

PublishedDataset load_published_dataset(const std::string& slug, DatasetState* state) {
  PublishedDataset ds;
  ds.slug = slug;
  uint64 n = spi::execute_saved(g_fields_plan, kFieldsQuery, {{TEXTOID, slug}}, true);
  if (n == 0)
    throw UserError(sqlstate::kUndefinedTable, "dataset \"" + slug + "\" does not exist or is not published", "",
                    "GET /datasets lists the published datasets.");
  for (uint64 row = 0; row < n; row++) {
    std::string name = *spi::value(row, 1);
    // The view's columns are the source's (publish() selects them by name),
    // so the source's NOT NULL holds for them; views never declare it.
    ds.fields.push_back({name, field_type(*spi::value(row, 2)),
                         spi::value(row, 7) == std::optional<std::string>("t")});
    ds.labels.push_back(spi::value(row, 5).value_or(name));
    if (spi::value(row, 3) == std::optional<std::string>("t")) ds.facet_fields.push_back(name);
    if (spi::value(row, 4) == std::optional<std::string>("t")) ds.key_field = name;
    ds.columns.push_back({static_cast<Oid>(std::stoul(*spi::value(row, 6))),
                          spi::value(row, 7) == std::optional<std::string>("t"),
                          std::stoi(spi::value(row, 8).value_or("0"))});
    ds.key_size = std::stoi(spi::value(row, 9).value_or("0"));
  }
  if (state != nullptr) {
    state->id = spi::value(0, 10).value_or("");
    state->version = spi::value(0, 11).value_or("");
    state->modified = spi::value(0, 12).value_or("");
    state->is_public = spi::value(0, 13) == std::optional<std::string>("t");
  }
  ds.view = static_cast<Oid>(std::stoul(*spi::value(0, 14)));
  ds.source = static_cast<Oid>(std::stoul(*spi::value(0, 15)));
  ds.relation = "opendata_api." + odsql::quote_ident(slug);
  // From here a failure of the client's call is an error of this dataset.
  note_call_dataset(slug);
  return ds;
}

odsql::Request odsql_request(const Args& args, const PublishedDataset& ds,
                             std::int64_t default_limit) {
  odsql::Request req;
  req.relation = ds.relation;
  req.select = args.text("fields");
  req.where = args.text("where");
  req.group_by = args.text("group_by");
  req.order_by = args.text("order_by");
  req.limit = args.int32_or("rows", default_limit);
  req.offset = args.int32_or("start", 0);
  req.refine = args.text_array("refine");
  req.exclude = args.text_array("exclude");
  req.timezone = args.text_or("timezone", "UTC");
  return req;
}

void check_timezone(const std::string& name) {
  const char* tz = name.c_str();
  // AT TIME ZONE itself, as the compiled statements use it: same names,
  // abbreviations and POSIX specifications, same error.
  call([tz] {
    DirectFunctionCall2(timestamptz_zone, PointerGetDatum(cstring_to_text(tz)),
                        TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
  });
}

namespace {
// api_base_url()'s statement, kept.
SPIPlanPtr g_base_url_plan = nullptr;

// The value last read, for the role that read it (a role that may not read
// opendata.catalog gets its error each time), until the catalog row
// changes (pg/catalog_changes.hpp): a page with a next link needs it.
struct KeptBaseUrl {
  Oid role = InvalidOid;
  std::uint64_t stamp = kReadForThisCallOnly;
  std::string value;
};
KeptBaseUrl g_base_url;
}  // namespace

std::string version_role_key(const DatasetState& state) {
  return state.id + "/" + state.version + "/" + std::to_string(GetUserId());
}

std::string api_base_url() {
  const Oid role = GetUserId();
  if (g_base_url.role == role && still_current(g_base_url.stamp)) return g_base_url.value;
  std::string value;
  const std::uint64_t stamp = read_for_keeping([&] {
    spi::execute_saved(g_base_url_plan, "SELECT base_url FROM opendata.catalog", {}, true);
    value = spi::value(0, 1).value_or("");
  });
  g_base_url = {role, stamp, value};
  return value;
}

std::vector<spi::TextParam> bind(const std::vector<odsql::Param>& params) {
  std::vector<spi::TextParam> out;
  out.reserve(params.size());
  for (const odsql::Param& p : params) {
    if (p.type == odsql::ParamType::LikePattern) {
      out.push_back({TEXTOID, odsql::like_pattern(p.pieces, folded_text)});
    } else {
      out.push_back({param_oid(p.type), p.value});
    }
  }
  return out;
}

Count count_matches(const odsql::Compiled& compiled, const std::vector<spi::TextParam>& params) {
  Count count;
  if (g_exact_count_threshold > 0) {
    double estimate = spi::estimate_input_rows(compiled.count_sql, params);
    if (estimate > g_exact_count_threshold) {
      count.value = static_cast<std::int64_t>(estimate);
      count.estimated = true;
      return count;
    }
  }
  // Planned a second time rather than fetched from the estimate's cursor:
  // PostgreSQL runs no parallel workers for a cursor, and a count is the
  // statement that needs them.
  spi::execute_text_params(compiled.count_sql, params, true);
  count.value = std::stoll(spi::value(0, 1).value_or("0"));
  return count;
}

}  // namespace opendata::pg
