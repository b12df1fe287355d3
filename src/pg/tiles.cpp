// opendata_api.tile(): the Mapbox vector tile of a published dataset's
// geometries in one Web Mercator tile, built by PostGIS (ST_AsMVT,
// ST_AsMVTGeom, ST_TileEnvelope) from the dataset's API view filtered in
// ODSQL, with its HTTP side: ETag and Cache-Control, 304 when the request's
// If-None-Match names the ETag (the tile is not built), 204 when empty.
//
// The statements are written by core/geo/tile_sql.hpp; the rows come from
// the ODSQL compiler (the filtered rows of records(), over the API view),
// so the tile holds exactly what the caller may read: the view is
// security_invoker, hidden fields are not in it, and a draft or restricted
// dataset is 42P01.  Everything runs through SPI as the caller.
//
// Its fixed cost is what a map pays for every tile (issue #16): one
// function call (no PL/pgSQL wrapper, no nested call with its own SET
// clauses), one lookup of the catalog row (its state is the ETag, and keys
// the fields and the compiled rows kept in the backend), kept plans.  The
// catalog row is read before the tile, in a statement of its own: read in
// the tile's statement, a row that changed could not send the tile back
// the ordinary way, since the kept statement fails first on the changed
// view (a hidden field's column gone, a restricted view's permission),
// with an error that is not the one tile() answers (sql/tiles.sql).
//
// Size.  A tile carries its features one by one up to
// opendata.tile_max_features and 500 KB.  Beyond:
// - points (a geo_point_2d field) are clustered on the grid of
//   geo_cluster() at zoom z + 4 (16 x 16 cells a tile), one feature per
//   cell at the mean position of its points, with point_count.  Without a
//   filter, the clusters publish() computed (pg/cluster_grid.hpp) are
//   served while the data has not changed; otherwise they are computed
//   from at most opendata.tile_cluster_max_points points, and a tile that
//   had more says so with _partial = true;
// - lines and polygons: the largest features (by bounding box) are kept.
// A tile so thinned says it with the attribute _thinned = true on every
// feature.  Shapes are simplified to half a pixel of the 4096 grid.
//
// Lines and polygons without a filter are read from the dataset's Web
// Mercator copy when it is current (src/sql/38_mercator_copies.sql): the
// same rows and attributes, the shapes already in EPSG:3857, so no vertex
// goes through PROJ at the request (most of a high-zoom tile's time).
#include <algorithm>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "core/geo/tile.hpp"
#include "core/geo/tile_http.hpp"
#include "core/geo/tile_sql.hpp"
#include "core/odsql/params.hpp"
#include "core/usage/headers.hpp"
#include "pg/args.hpp"
#include "pg/cluster_grid.hpp"
#include "pg/dataset_cache.hpp"
#include "pg/dataset_query.hpp"
#include "pg/kept_answers.hpp"
#include "pg/settings.hpp"
#include "pg/usage.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"

PG_FUNCTION_INFO_V1(opendata_tile);
}

namespace opendata::pg {
namespace {

constexpr std::size_t kMaxTileBytes = 500 * 1024;

// A tile's statements (core/geo/tile_sql.hpp) with their parameters: the
// filter's values, then z, x, y and the layer's name.
struct TileQuery {
  geo::TileSource sql;
  std::vector<spi::TextParam> params;
};

TileQuery tile_query(const PublishedDataset& ds, const std::string& where,
                     const std::string& fields) {
  odsql::Params filter_params;
  TileQuery q;
  q.sql = geo::tile_source(ds.slug, ds.relation, ds.fields, where, fields, filter_params);
  q.params = pg::bind(filter_params.take());
  q.params.insert(q.params.end(),
                  {{INT4OID, ""}, {INT4OID, ""}, {INT4OID, ""}, {TEXTOID, ds.slug}});
  return q;
}

void at_tile(TileQuery& q, std::int64_t z, std::int64_t x, std::int64_t y) {
  const std::size_t n = q.params.size();
  q.params[n - 4].value = std::to_string(z);
  q.params[n - 3].value = std::to_string(x);
  q.params[n - 2].value = std::to_string(y);
}

// tile_query()'s answers, kept in the backend per dataset state, role,
// filter and fields: compiling the filter and writing the rows' SQL cost
// as much as building a small tile.  Errors are not kept (they are raised
// again).
struct KeptQuery {
  std::string slug;
  Oid role;
  DatasetState state;
  std::string where, fields;
  TileQuery query;
};
constexpr std::size_t kKeptQueries = 32;
std::list<KeptQuery> g_kept_queries;  // most recently used first

TileQuery tile_query_kept(const KeptDataset& kept, const std::string& where,
                          const std::string& fields) {
  const Oid role = GetUserId();
  const std::string& slug = kept.dataset.slug;
  for (auto it = g_kept_queries.begin(); it != g_kept_queries.end(); ++it) {
    if (it->slug == slug && it->role == role && it->where == where && it->fields == fields &&
        it->state == kept.state) {
      g_kept_queries.splice(g_kept_queries.begin(), g_kept_queries, it);
      return it->query;
    }
  }
  TileQuery q = tile_query(kept.dataset, where, fields);
  if (g_kept_queries.size() >= kKeptQueries) g_kept_queries.pop_back();
  g_kept_queries.push_front({slug, role, kept.state, where, fields, q});
  return q;
}

// The dataset's Web Mercator copy (src/sql/38_mercator_copies.sql) when
// the caller may read it and no write to the table left a mark since.
// Its grant to opendata_anon is what says it is current (its owner and a
// superuser read it all the same): any change of the catalog row it was
// made from (version, last modification, status, access) revokes it.
// Only public datasets have one.  Read without the catalog table of
// copies: each table a tile's statements scan costs it.  The answer is
// kept per version and role while the copy's grants, the copies' table
// (a copy built) and the marks (a write to the table) have not changed:
// each sends an invalidation (src/sql/36_summaries.sql,
// 38_mercator_copies.sql).
constexpr const char* kMercatorCopyQuery = R"sql(
SELECT c.copy::pg_catalog.oid,
       pg_catalog.has_table_privilege('opendata_anon', c.copy, 'SELECT')
       AND pg_catalog.has_table_privilege(c.copy, 'SELECT')
       AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = $2)
  FROM (SELECT pg_catalog.to_regclass($1) AS copy) c)sql";
SPIPlanPtr g_mercator_copy_plan = nullptr;
KeptAnswers<bool> g_mercator_copies(64);

bool read_mercator_copy_current(const std::string& copy, const DatasetState& state) {
  spi::execute_saved(g_mercator_copy_plan, kMercatorCopyQuery,
                     {{TEXTOID, copy}, {INT8OID, state.id}}, true);
  spi::Row row = spi::result_row(0);
  if (std::optional<std::string> relation = spi::value(row, 1))
    watch_relation(static_cast<Oid>(std::stoul(*relation)));  // its grants
  return spi::value(row, 2).value_or("f") == "t";
}

std::optional<std::string> mercator_copy(const DatasetState& state) {
  if (!state.is_public) return std::nullopt;
  std::string copy = geo::mercator_copy_name(state.id, state.version);
  if (!g_mercator_copies.get(version_role_key(state),
                             [&] { return read_mercator_copy_current(copy, state); }))
    return std::nullopt;
  return copy;
}

// The tile's query over the Web Mercator copy `relation`: z, x, y and the
// layer of `view`, after at_tile().
TileQuery on_mercator_copy(const TileQuery& view, const std::string& relation) {
  TileQuery q;
  q.sql = geo::on_mercator_copy(view.sql, relation);
  q.params.assign(view.params.end() - 4, view.params.end());
  return q;
}

struct CountedTile {
  std::int64_t rows = 0;
  std::string tile;
};

// The features of the tile one by one, and how many rows fall in it
// (counting no further than `limit`), in one statement that reads the rows
// once (geo::features_tile_sql()).
CountedTile features_tile(const TileQuery& q, std::int64_t z, std::int64_t limit) {
  spi::execute_kept(geo::features_tile_sql(q.sql, z, limit), q.params, true);
  spi::Row row = spi::result_row(0);
  bool isnull = true;
  CountedTile out;
  out.rows = std::stoll(spi::value(0, 1).value_or("0"));
  Datum d = spi::binary_value(row, 2, &isnull);
  if (!isnull && out.rows < limit) out.tile = std::string(text_view(d));
  return out;
}

std::string run_tile(const std::string& sql, const std::vector<spi::TextParam>& params) {
  spi::execute_kept(sql, params, true);
  spi::Row row = spi::result_row(0);
  bool isnull = true;
  Datum d = spi::binary_value(row, 1, &isnull);
  if (isnull) return std::string();
  return std::string(text_view(d));
}

// The shapes of a tile too heavy or too full: the largest, a quarter as
// many each time the tile is still too heavy.
std::string thinned_tile(const TileQuery& q, std::int64_t z, const CountedTile& all) {
  const bool few = all.rows <= g_tile_max_features;
  std::int64_t keep = few ? std::max<std::int64_t>(1, all.rows / 4) : g_tile_max_features;
  for (;;) {
    std::string tile = run_tile(geo::largest_shapes_tile_sql(q.sql, z, keep), q.params);
    if (tile.size() <= kMaxTileBytes || keep == 1) return tile;
    keep = std::max<std::int64_t>(1, keep / 4);
  }
}

// The features themselves when they are few and light enough, or nullopt.
std::optional<std::string> plain_tile(const CountedTile& all) {
  if (all.rows <= g_tile_max_features && all.tile.size() <= kMaxTileBytes) return all.tile;
  return std::nullopt;
}

std::string build_tile(const TileQuery& q, const KeptDataset& kept, std::int64_t z, std::int64_t x,
                       std::int64_t y, bool filtered) {
  const std::string& slug = kept.dataset.slug;
  const std::int64_t max_features = g_tile_max_features;
  const bool points = q.sql.points;
  if (points && !filtered) {
    // The clusters publish() computed: a dense tile is served without
    // reading its points.
    if (std::optional<GridTile> grid = grid_tile(kept.state, slug, z, x, y)) {
      if (grid->point_count == 0) return std::string();
      if (grid->point_count > max_features) return grid->tile;
      if (std::optional<std::string> tile = plain_tile(features_tile(q, z, max_features + 1)))
        return *tile;
      return grid->tile;
    }
  }
  // Lines and polygons: from the Web Mercator copy when it is current (a
  // tile too full is thinned from the view all the same).
  std::optional<std::string> copy;
  if (!points && !filtered) copy = mercator_copy(kept.state);
  CountedTile all = features_tile(copy ? on_mercator_copy(q, *copy) : q, z, max_features + 1);
  if (all.rows == 0) return std::string();
  if (std::optional<std::string> tile = plain_tile(all)) return *tile;
  if (points)
    return run_tile(geo::clusters_tile_sql(q.sql, z, g_tile_cluster_max_points), q.params);
  return thinned_tile(q, z, all);
}

// A setting for the rest of the transaction, as set_config(name, value,
// true): PostgREST reads response.headers and response.status from it.
void set_local(const char* name, const std::string& value) {
  call([&] {
    set_config_option(name, value.c_str(), superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
                      GUC_ACTION_LOCAL, true, 0, false);
  });
}

// A 304, a 204 and a tile are answers to a client's call like any other:
// counted as a tiles call of the dataset, with their bytes (docs/usage.md).
Datum answer(const std::string& slug, const std::string& body, const char* status) {
  if (status != nullptr) set_local("response.status", status);
  count_call(usage::Endpoint::kTiles, slug, 0, body.size());
  return text_datum(body);  // a bytea has a text's layout
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// opendata_api.tile(dataset, z, x, y, where, fields) -> the tile's bytes.
Datum opendata_tile(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kTile);
    if (!args.given("dataset"))
      throw UserError(sqlstate::kInvalidParameterValue, "dataset must be given");
    if (!args.given("z") || !args.given("x") || !args.given("y"))
      throw UserError(sqlstate::kInvalidParameterValue, "z, x and y must be given");
    std::string slug = args.text("dataset");
    std::int64_t z = args.int32_or("z", 0), x = args.int32_or("x", 0), y = args.int32_or("y", 0);
    geo::check_tile(z, x, y);
    pg::spi::connect();
    const auto shared_kept = pg::published_dataset_kept(slug);
    const pg::KeptDataset& kept = *shared_kept;
    const std::string etag = geo::dataset_etag(slug, kept.state.version, kept.state.modified);
    pg::set_local("response.headers", geo::cache_headers_json(etag, kept.state.is_public));
    if (geo::etag_matches(pg::request_headers().if_none_match, etag)) {
      pg::spi::finish();
      return pg::answer(slug, "", "304");
    }
    const std::string where = args.text("where");
    pg::TileQuery q = pg::tile_query_kept(kept, where, args.text("fields"));
    pg::at_tile(q, z, x, y);
    std::string tile = pg::build_tile(q, kept, z, x, y, !where.empty());
    pg::spi::finish();
    return pg::answer(slug, tile, tile.empty() ? "204" : nullptr);
  });
}
