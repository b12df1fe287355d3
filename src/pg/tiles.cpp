// opendata_api.tile(): the Mapbox vector tile of a published dataset's
// geometries in one Web Mercator tile, built by PostGIS (ST_AsMVT,
// ST_AsMVTGeom, ST_TileEnvelope) from the dataset's API view filtered in
// ODSQL, with its HTTP side: ETag and Cache-Control, 304 when the request's
// If-None-Match names the ETag (the tile is not built), 204 when empty.
//
// The rows come from the ODSQL compiler (the filtered rows of records(),
// over the API view), so the tile holds exactly what the caller may read:
// the view is security_invoker, hidden fields are not in it, and a draft or
// restricted dataset is 42P01.  Everything runs through SPI as the caller.
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
#include <cmath>
#include <cstdio>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "core/geo/cluster_grid.hpp"
#include "core/geo/tile.hpp"
#include "core/geo/tile_http.hpp"
#include "core/usage/headers.hpp"
#include "core/odsql/compiler.hpp"
#include "core/odsql/filtered_rows.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/schema.hpp"
#include "pg/args.hpp"
#include "pg/cluster_grid.hpp"
#include "pg/dataset_cache.hpp"
#include "pg/dataset_query.hpp"
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
constexpr int kExtent = geo::kTileExtent;
constexpr int kBuffer = geo::kTileBuffer;
// Web Mercator's square, in meters a side.
constexpr double kWorldMeters = 40075016.685578488;

std::string number(double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

struct TileQuery {
  std::string rows;                     // the filtered rows, "(SELECT ...)", parameters $1..$n
  std::string geometry;                 // quoted column of the geometry
  bool points = false;                  // a geo_point_2d field: clustered when too dense
  bool mercator = false;                // geometry already in EPSG:3857 (a Web Mercator copy)
  std::vector<std::string> attributes;  // select-list items: "s.col" or an expression AS col
  std::vector<std::string> attribute_names;  // their quoted column names, in the same order
  std::vector<spi::TextParam> params;   // $1..$n, then z, x, y, layer
  std::string z, x, y, layer;           // the placeholders of the last four
};

// The tile's rows and attributes; its z, x and y are set by at_tile().
TileQuery tile_query(const PublishedDataset& ds, const std::string& where, const std::string& fields) {
  const std::string& slug = ds.slug;
  const odsql::FieldInfo* geometry = nullptr;
  for (const odsql::FieldInfo& f : ds.fields) {
    if (f.type == odsql::FieldType::GeoPoint || f.type == odsql::FieldType::GeoShape) {
      geometry = &f;
      break;
    }
  }
  if (geometry == nullptr)
    throw UserError(sqlstate::kInvalidParameterValue, "dataset \"" + slug + "\" has no geometry", "",
                    "Only datasets with a geo_point_2d or geo_shape field have tiles.");
  TileQuery q;
  q.geometry = odsql::quote_ident(geometry->name);
  q.points = geometry->type == odsql::FieldType::GeoPoint;
  // Attributes: the requested fields, or every field but the geometries.
  // Dates as ISO 8601 text, as records() gives them, whatever DateStyle
  // (ST_AsMVT writes other types with their output function); datetimes
  // already come as ISO 8601 text from the compiled rows.
  auto attribute = [](const odsql::FieldInfo& f) {
    const std::string col = odsql::quote_ident(f.name);
    if (f.type == odsql::FieldType::Date) return "to_char(s." + col + ", 'YYYY-MM-DD') AS " + col;
    return "s." + col;
  };
  auto add_attribute = [&q, &attribute](const odsql::FieldInfo& f) {
    const std::string col = odsql::quote_ident(f.name);
    for (const std::string& seen : q.attribute_names) {
      if (seen == col) return;
    }
    q.attributes.push_back(attribute(f));
    q.attribute_names.push_back(col);
  };
  std::vector<std::string> wanted = geo::parse_field_list(fields);
  if (wanted.empty()) {
    for (const odsql::FieldInfo& f : ds.fields) {
      if (f.type != odsql::FieldType::GeoPoint && f.type != odsql::FieldType::GeoShape)
        add_attribute(f);
    }
  } else {
    for (const std::string& name : wanted) {
      const odsql::FieldInfo* found = nullptr;
      for (const odsql::FieldInfo& f : ds.fields) {
        if (odsql::lower_ascii(f.name) == odsql::lower_ascii(name)) found = &f;
      }
      if (found == nullptr)
        throw UserError(sqlstate::kUndefinedColumn, "unknown field \"" + name + "\" in fields", "",
                        "GET /datasets?dataset_id=eq." + slug + " lists the dataset's fields.");
      if (found->type == odsql::FieldType::GeoPoint || found->type == odsql::FieldType::GeoShape)
        continue;  // geometries are the features' shapes, not attributes
      add_attribute(*found);
    }
  }
  odsql::Request req;
  req.relation = ds.relation;
  req.where = where;
  req.limit = -1;
  odsql::Params params;
  q.rows = "(" + odsql::compile_filtered_rows(ds.fields, req, params).sql + ")";
  check_timezone(req.timezone);
  q.params = bind(params.take());
  auto add = [&q](Oid type, const std::string& value) {
    q.params.push_back({type, value});
    return "$" + std::to_string(q.params.size()) + "::" + (type == INT4OID ? "int4" : "text");
  };
  q.z = add(INT4OID, "");
  q.x = add(INT4OID, "");
  q.y = add(INT4OID, "");
  q.layer = add(TEXTOID, slug);
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

TileQuery tile_query_kept(const KeptDataset& kept, const std::string& where, const std::string& fields) {
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

// The dataset's Web Mercator copy (src/sql/38_mercator_copies.sql), named
// as _build_mercator_copy() names it after the dataset and its version,
// when the caller may read it and no write to the table left a mark since.
// Its grant to opendata_anon is what says it is current (its owner and a
// superuser read it all the same): any change of the catalog row it was
// made from (version, last modification, status, access) revokes it.
// Only public datasets have one.  Read without the catalog table of
// copies: each table a tile's statements scan costs it.
constexpr const char* kMercatorCopyQuery = R"sql(
SELECT FROM (SELECT pg_catalog.to_regclass($1) AS copy) c
 WHERE pg_catalog.has_table_privilege('opendata_anon', c.copy, 'SELECT')
   AND pg_catalog.has_table_privilege(c.copy, 'SELECT')
   AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = $2))sql";
SPIPlanPtr g_mercator_copy_plan = nullptr;

std::optional<std::string> mercator_copy(const DatasetState& state) {
  if (!state.is_public) return std::nullopt;
  std::string copy = "opendata." + odsql::quote_ident("mercator_copy_" + state.id + "_" + state.version);
  if (spi::execute_saved(g_mercator_copy_plan, kMercatorCopyQuery, {{TEXTOID, copy}, {INT8OID, state.id}},
                         true) == 0)
    return std::nullopt;
  return copy;
}

// The tile's query over the Web Mercator copy `relation`: the same
// attributes (the copy has the view's columns), no filter, the shapes in
// __shape; its parameters are z, x, y and the layer.  After at_tile().
TileQuery on_mercator_copy(const TileQuery& view, const std::string& relation) {
  TileQuery q;
  q.rows = relation;
  q.geometry = "__shape";
  q.mercator = true;
  q.attributes = view.attributes;
  q.attribute_names = view.attribute_names;
  q.params.assign(view.params.end() - 4, view.params.end());
  q.z = "$1::int4";
  q.x = "$2::int4";
  q.y = "$3::int4";
  q.layer = "$4::text";
  return q;
}

// The filter of a tile's rows: the tile's envelope, widened by `margin`
// tile units in every direction.  In WGS 84 for the view's geometries: the
// envelope of a Web Mercator tile is a longitude/latitude rectangle, and
// the widening is in degrees of longitude, more than the same width in
// latitude.
std::string in_tile(const TileQuery& q, std::int64_t z, int margin) {
  if (q.mercator)
    return "s." + q.geometry + " && ST_TileEnvelope(" + q.z + ", " + q.x + ", " + q.y +
           ", margin => " + number(static_cast<double>(margin) / kExtent) + ")";
  std::string env = "ST_Transform(ST_TileEnvelope(" + q.z + ", " + q.x + ", " + q.y + "), 4326)";
  if (margin > 0) {
    double degrees = 360.0 / std::ldexp(1.0, static_cast<int>(z)) * margin / kExtent;
    env = "ST_Expand(" + env + ", " + number(degrees) + ")";
  }
  return "s." + q.geometry + " && " + env;
}

std::string mvt_geom(const TileQuery& q, const std::string& geom3857) {
  return "ST_AsMVTGeom(" + geom3857 + ", ST_TileEnvelope(" + q.z + ", " + q.x + ", " + q.y + "), " +
         std::to_string(kExtent) + ", " + std::to_string(kBuffer) + ", true)";
}

std::string attribute_list(const TileQuery& q) {
  std::string out;
  for (const std::string& a : q.attributes) out += ", " + a;
  return out;
}

// No "WHERE t.__mvt_geom IS NOT NULL": ST_AsMVT skips the rows whose
// geometry is null by itself, and that filter, pulled up with the subquery,
// made the planner compute every feature's ST_AsMVTGeom twice (once in the
// filter, once in the row given to ST_AsMVT): half of a polygon tile's time.
std::string mvt_of_t(const TileQuery& q) {
  return "ST_AsMVT(t.*, " + q.layer + ", " + std::to_string(kExtent) + ", '__mvt_geom')";
}

std::string as_mvt(const TileQuery& q, const std::string& features) {
  return "SELECT " + mvt_of_t(q) + " FROM (" + features + ") t";
}

// Shapes are simplified to half a pixel of the tile's grid before they
// are clipped; a shape smaller than that stays (as a collapsed one), so
// that simplifying drops nothing ST_AsMVTGeom would have kept.
std::string shape_3857(const TileQuery& q, std::int64_t z) {
  const double tolerance = kWorldMeters / std::ldexp(1.0, static_cast<int>(z)) / kExtent / 2;
  const std::string g = "s." + q.geometry;
  return "ST_Simplify(" + (q.mercator ? g : "ST_Transform(" + g + ", 3857)") + ", " + number(tolerance) +
         ", true)";
}

// The features of the tile one by one, and how many rows fall in it
// (counting no further than `limit`), in one statement that reads the rows
// once: both aggregates of one scan.  A tile with `limit` rows or more is
// built all the same (at most `limit` features, then thrown away for a
// thinned one): counting first in a step of its own (a materialized CTE,
// and the tile in a branch taken only when there were fewer) cost every
// tile a copy of its rows and twice the executor nodes to start, which is
// most of a high-zoom tile's time (bench/tiles.sh).
struct CountedTile {
  std::int64_t rows = 0;
  std::string tile;
};

CountedTile features_tile(const TileQuery& q, std::int64_t z, std::int64_t limit) {
  const std::string g = "s." + q.geometry;
  const std::string features =
      "SELECT " + mvt_geom(q, q.points ? "ST_Transform(" + g + ", 3857)" : shape_3857(q, z)) +
      " AS __mvt_geom" + attribute_list(q) + " FROM " + q.rows + " s WHERE " + in_tile(q, z, kBuffer) +
      " LIMIT " + std::to_string(limit);
  const std::string sql = "SELECT count(*), " + mvt_of_t(q) + " FROM (" + features + ") t";
  spi::execute_kept(sql, q.params, true);
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

// Clusters on geo_cluster()'s grid at zoom z + 4: the cells of this tile
// only (a point on the tile's edge is in one cell, of one tile), of the
// first `max_points` points read; when there were more (one more is read
// to know it, and counted), every cluster has _partial = true.
std::string clusters_tile(const TileQuery& q, std::int64_t z, std::int64_t max_points) {
  const std::int64_t precision = std::min(z + geo::kClusterZoomOffset, geo::kMaxZoom);
  const std::int64_t sub = std::int64_t{1} << (precision - z);  // cells a tile side
  const std::string cells = std::to_string(std::int64_t{1} << precision) + "::int8";
  const geo::CellSql cell = geo::mercator_cell_sql("c.lon", "c.lat", cells);
  const std::string first_x = "(" + q.x + "::int8 * " + std::to_string(sub) + ")";
  const std::string first_y = "(" + q.y + "::int8 * " + std::to_string(sub) + ")";
  // Each subquery is a step of its own (a CTE, OFFSET 0): pulled up into
  // its parent, its expressions would be copied into every place that uses
  // them, and a point's coordinates (a deserialisation each) computed five
  // times instead of once.
  std::string points = geo::point_coordinates_sql(q.rows, q.geometry, in_tile(q, z, 0)) +
                       " LIMIT " + std::to_string(max_points + 1);
  std::string in_cells = "SELECT c.lon, c.lat, " + cell.x + " AS cx, " + cell.y +
                         " AS cy FROM p c OFFSET 0";
  std::string features =
      "SELECT " +
      mvt_geom(q, "ST_Transform(ST_SetSRID(ST_MakePoint(avg(k.lon), avg(k.lat)), 4326), 3857)") +
      " AS __mvt_geom, true AS cluster, count(*) AS point_count, true AS _thinned, (SELECT "
      "nullif(count(*) > " +
      std::to_string(max_points) + ", false) FROM p) AS _partial FROM (" + in_cells +
      ") k WHERE k.cx >= " + first_x + " AND k.cx < " + first_x + " + " + std::to_string(sub) +
      " AND k.cy >= " + first_y + " AND k.cy < " + first_y + " + " + std::to_string(sub) +
      " GROUP BY k.cy, k.cx";
  return "WITH p AS MATERIALIZED (" + points + ") " + as_mvt(q, features);
}

// Lines and polygons, the `keep` largest by bounding box, marked thinned.
std::string thinned_shapes_tile(const TileQuery& q, std::int64_t z, std::int64_t keep) {
  std::string g = "s." + q.geometry;
  std::string features = "SELECT " + mvt_geom(q, shape_3857(q, z)) + " AS __mvt_geom" +
                         attribute_list(q) + ", true AS _thinned FROM " + q.rows + " s WHERE " +
                         in_tile(q, z, kBuffer) + " ORDER BY greatest(ST_XMax(" + g + ") - ST_XMin(" +
                         g + "), ST_YMax(" + g + ") - ST_YMin(" + g + ")) DESC LIMIT " +
                         std::to_string(keep);
  return as_mvt(q, features);
}

// The shapes of a tile too heavy or too full: the largest, a quarter as
// many each time the tile is still too heavy.
std::string thinned_tile(const TileQuery& q, std::int64_t z, const CountedTile& all) {
  const bool few = all.rows <= g_tile_max_features;
  std::int64_t keep = few ? std::max<std::int64_t>(1, all.rows / 4) : g_tile_max_features;
  for (;;) {
    std::string tile = run_tile(thinned_shapes_tile(q, z, keep), q.params);
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
  if (q.points && !filtered) {
    // The clusters publish() computed: a dense tile is served without
    // reading its points.
    if (std::optional<GridTile> grid = grid_tile(slug, z, x, y)) {
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
  if (!q.points && !filtered) copy = mercator_copy(kept.state);
  CountedTile all = features_tile(copy ? on_mercator_copy(q, *copy) : q, z, max_features + 1);
  if (all.rows == 0) return std::string();
  if (std::optional<std::string> tile = plain_tile(all)) return *tile;
  if (q.points) return run_tile(clusters_tile(q, z, g_tile_cluster_max_points), q.params);
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
    if (!args.given("dataset")) throw UserError(sqlstate::kInvalidParameterValue, "dataset must be given");
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
