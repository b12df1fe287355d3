// Cluster grids: the SQL publish() runs to compute them (as the dataset's
// acting role, through _query_as) and tile()'s lookup.
//
//   opendata._cluster_zoom_sql(dataset text, geometry text) RETURNS text
//   opendata._cluster_tiles_sql(dataset text, geometry text, max_zoom int) RETURNS text
#include "pg/cluster_grid.hpp"

#include "core/geo/cluster_grid.hpp"
#include "core/odsql/schema.hpp"
#include "pg/args.hpp"
#include "pg/kept_answers.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_cluster_zoom_sql);
PG_FUNCTION_INFO_V1(opendata_cluster_tiles_sql);
}

namespace opendata::pg {
namespace {

// The points of the dataset's API view that fall in the Mercator square,
// as tiles read them.
std::string view_points(const std::string& slug, const std::string& geometry) {
  const std::string g = odsql::quote_ident(geometry);
  return geo::point_coordinates_sql("opendata_api." + odsql::quote_ident(slug), g,
                                    "s." + g + " && ST_Transform(ST_TileEnvelope(0, 0, 0), 4326)");
}

// A grid counts only while it is the current version's and no write to the
// table left a mark since (as data summaries, src/sql/36_summaries.sql).
// One row when the grid has the zoom: the tile's, or NULLs for an empty one.
constexpr const char* kGridTileQuery = R"sql(
SELECT t.point_count, t.tile
  FROM opendata.datasets d
  JOIN opendata.cluster_grids g ON g.dataset_id = d.id AND g.version = d.version
  LEFT JOIN opendata.cluster_tiles t ON t.dataset_id = d.id AND t.z = $2 AND t.x = $3 AND t.y = $4
 WHERE d.slug = $1 AND d.status = 'published' AND $2 <= g.max_zoom
   AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = d.id))sql";

SPIPlanPtr g_grid_tile_plan = nullptr;

// The last zoom of the grid of a dataset's version, if it has one.  The
// table is written by publish() (a version's grid gone) and by the worker
// that builds the grid after it; their statements send the table's
// invalidation (src/sql/37_cluster_grids.sql), which makes the kept
// answers stale (pg/catalog_changes.hpp).
constexpr const char* kGridZoomQuery = R"sql(
SELECT g.max_zoom FROM opendata.cluster_grids g WHERE g.dataset_id = $1 AND g.version = $2)sql";
SPIPlanPtr g_grid_zoom_plan = nullptr;

KeptAnswers<std::optional<std::int64_t>> g_grid_zooms(64);

std::optional<std::int64_t> read_grid_max_zoom(const DatasetState& state) {
  if (spi::execute_saved(g_grid_zoom_plan, kGridZoomQuery,
                         {{INT8OID, state.id}, {INT4OID, state.version}}, true) == 0)
    return std::nullopt;
  return std::stoll(spi::value(0, 1).value_or("0"));
}

std::optional<std::int64_t> grid_max_zoom(const DatasetState& state) {
  return g_grid_zooms.get(version_role_key(state), [&] { return read_grid_max_zoom(state); });
}

}  // namespace

std::optional<GridTile> grid_tile(const DatasetState& state, const std::string& slug,
                                  std::int64_t z, std::int64_t x, std::int64_t y) {
  const std::optional<std::int64_t> max_zoom = grid_max_zoom(state);
  if (!max_zoom || z > *max_zoom) return std::nullopt;
  if (spi::execute_saved(g_grid_tile_plan, kGridTileQuery,
                         {{TEXTOID, slug},
                          {INT4OID, std::to_string(z)},
                          {INT4OID, std::to_string(x)},
                          {INT4OID, std::to_string(y)}},
                         true) == 0)
    return std::nullopt;
  spi::Row row = spi::result_row(0);
  GridTile out;
  bool isnull = true;
  Datum tile = spi::binary_value(row, 2, &isnull);
  if (isnull) return out;
  out.point_count = std::stoll(spi::value(row, 1).value_or("0"));
  out.tile = text_string(tile);
  return out;
}

}  // namespace opendata::pg

using namespace opendata;

Datum opendata_cluster_zoom_sql(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kClusterZoomSql);
    std::string points = pg::view_points(args.text("dataset"), args.text("geometry"));
    return pg::text_datum(geo::densest_zoom_sql(points, geo::kGridMaxPoints));
  });
}

Datum opendata_cluster_tiles_sql(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kClusterTilesSql);
    const std::string slug = args.text("dataset");
    std::string points = pg::view_points(slug, args.text("geometry"));
    return pg::text_datum(geo::cluster_tiles_sql(points, pg::sql_literal(slug),
                                                 static_cast<int>(args.int32_or("max_zoom", 0))));
  });
}
