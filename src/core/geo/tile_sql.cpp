#include "core/geo/tile_sql.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/geo/cluster_grid.hpp"
#include "core/geo/tile.hpp"
#include "core/odsql/filtered_rows.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/schema.hpp"
#include "core/sqlstate.hpp"

namespace opendata::geo {
namespace {

// Web Mercator's square, in meters a side.
constexpr double kWorldMeters = 40075016.685578488;

std::string number(double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool is_geometry(const odsql::FieldInfo& f) {
  return f.type == odsql::FieldType::GeoPoint || f.type == odsql::FieldType::GeoShape;
}

// An attribute as the tile carries it.  Dates as ISO 8601 text, as
// records() gives them, whatever DateStyle (ST_AsMVT writes other types
// with their output function); datetimes already come as ISO 8601 text
// from the compiled rows.
std::string attribute(const odsql::FieldInfo& f) {
  const std::string col = odsql::quote_ident(f.name);
  if (f.type == odsql::FieldType::Date) return "to_char(s." + col + ", 'YYYY-MM-DD') AS " + col;
  return "s." + col;
}

void add_attribute(TileSource& s, const odsql::FieldInfo& f) {
  const std::string col = odsql::quote_ident(f.name);
  if (std::find(s.attribute_names.begin(), s.attribute_names.end(), col) != s.attribute_names.end())
    return;
  s.attributes.push_back(attribute(f));
  s.attribute_names.push_back(col);
}

// The requested fields, or every field but the geometries.  Geometries
// named in the list are the features' shapes, not attributes.
void add_attributes(TileSource& s, const std::string& slug,
                    const std::vector<odsql::FieldInfo>& fields, const std::string& field_list) {
  std::vector<std::string> wanted = parse_field_list(field_list);
  if (wanted.empty()) {
    for (const odsql::FieldInfo& f : fields) {
      if (!is_geometry(f)) add_attribute(s, f);
    }
    return;
  }
  for (const std::string& name : wanted) {
    const odsql::FieldInfo* found = nullptr;
    for (const odsql::FieldInfo& f : fields) {
      if (odsql::lower_ascii(f.name) == odsql::lower_ascii(name)) found = &f;
    }
    if (found == nullptr)
      throw UserError(sqlstate::kUndefinedColumn, "unknown field \"" + name + "\" in fields", "",
                      "GET /datasets?dataset_id=eq." + slug + " lists the dataset's fields.");
    if (!is_geometry(*found)) add_attribute(s, *found);
  }
}

// z, x, y and the layer, numbered after the `first` - 1 values before them.
void number_tile_parameters(TileSource& s, std::size_t first) {
  s.z = "$" + std::to_string(first) + "::int4";
  s.x = "$" + std::to_string(first + 1) + "::int4";
  s.y = "$" + std::to_string(first + 2) + "::int4";
  s.layer = "$" + std::to_string(first + 3) + "::text";
}

// The filter of a tile's rows: the tile's envelope, widened by `margin`
// tile units in every direction.  In WGS 84 for the view's geometries: the
// envelope of a Web Mercator tile is a longitude/latitude rectangle, and
// the widening is in degrees of longitude, more than the same width in
// latitude.
std::string in_tile(const TileSource& s, std::int64_t z, int margin) {
  if (s.mercator)
    return "s." + s.geometry + " && ST_TileEnvelope(" + s.z + ", " + s.x + ", " + s.y +
           ", margin => " + number(static_cast<double>(margin) / kTileExtent) + ")";
  std::string env = "ST_Transform(ST_TileEnvelope(" + s.z + ", " + s.x + ", " + s.y + "), 4326)";
  if (margin > 0) {
    double degrees = 360.0 / std::ldexp(1.0, static_cast<int>(z)) * margin / kTileExtent;
    env = "ST_Expand(" + env + ", " + number(degrees) + ")";
  }
  return "s." + s.geometry + " && " + env;
}

std::string mvt_geom(const TileSource& s, const std::string& geom3857) {
  return "ST_AsMVTGeom(" + geom3857 + ", ST_TileEnvelope(" + s.z + ", " + s.x + ", " + s.y + "), " +
         std::to_string(kTileExtent) + ", " + std::to_string(kTileBuffer) + ", true)";
}

std::string attribute_list(const TileSource& s) {
  std::string out;
  for (const std::string& a : s.attributes) out += ", " + a;
  return out;
}

// No "WHERE t.__mvt_geom IS NOT NULL": ST_AsMVT skips the rows whose
// geometry is null by itself, and that filter, pulled up with the subquery,
// made the planner compute every feature's ST_AsMVTGeom twice (once in the
// filter, once in the row given to ST_AsMVT): half of a polygon tile's time.
std::string mvt_of_t(const TileSource& s) {
  return "ST_AsMVT(t.*, " + s.layer + ", " + std::to_string(kTileExtent) + ", '__mvt_geom')";
}

std::string as_mvt(const TileSource& s, const std::string& features) {
  return "SELECT " + mvt_of_t(s) + " FROM (" + features + ") t";
}

// Shapes are simplified to half a pixel of the tile's grid before they
// are clipped; a shape smaller than that stays (as a collapsed one), so
// that simplifying drops nothing ST_AsMVTGeom would have kept.
std::string shape_3857(const TileSource& s, std::int64_t z) {
  const double tolerance = kWorldMeters / std::ldexp(1.0, static_cast<int>(z)) / kTileExtent / 2;
  const std::string g = "s." + s.geometry;
  return "ST_Simplify(" + (s.mercator ? g : "ST_Transform(" + g + ", 3857)") + ", " +
         number(tolerance) + ", true)";
}

}  // namespace

TileSource tile_source(const std::string& slug, const std::string& relation,
                       const std::vector<odsql::FieldInfo>& fields, const std::string& where,
                       const std::string& field_list, odsql::Params& params) {
  auto geometry = std::find_if(fields.begin(), fields.end(), is_geometry);
  if (geometry == fields.end())
    throw UserError(sqlstate::kInvalidParameterValue, "dataset \"" + slug + "\" has no geometry",
                    "", "Only datasets with a geo_point_2d or geo_shape field have tiles.");
  TileSource s;
  s.geometry = odsql::quote_ident(geometry->name);
  s.points = geometry->type == odsql::FieldType::GeoPoint;
  add_attributes(s, slug, fields, field_list);
  odsql::Request req;  // the time zone stays UTC: tiles have no timezone argument
  req.relation = relation;
  req.where = where;
  req.limit = -1;
  s.rows = "(" + odsql::compile_filtered_rows(fields, req, params).sql + ")";
  number_tile_parameters(s, params.size() + 1);
  return s;
}

TileSource on_mercator_copy(const TileSource& view, const std::string& relation) {
  TileSource s;
  s.rows = relation;
  s.geometry = "__shape";
  s.mercator = true;
  s.attributes = view.attributes;
  s.attribute_names = view.attribute_names;
  number_tile_parameters(s, 1);
  return s;
}

std::string mercator_copy_name(const std::string& dataset_id, const std::string& version) {
  return "opendata." + odsql::quote_ident("mercator_copy_" + dataset_id + "_" + version);
}

// Both aggregates of one scan: a tile with `limit` rows or more is built
// all the same (at most `limit` features, then thrown away for a thinned
// one).  Counting first in a step of its own (a materialized CTE, and the
// tile in a branch taken only when there were fewer) cost every tile a
// copy of its rows and twice the executor nodes to start, which is most of
// a high-zoom tile's time (bench/tiles.sh).
std::string features_tile_sql(const TileSource& s, std::int64_t z, std::int64_t limit) {
  const std::string g = "s." + s.geometry;
  const std::string features =
      "SELECT " + mvt_geom(s, s.points ? "ST_Transform(" + g + ", 3857)" : shape_3857(s, z)) +
      " AS __mvt_geom" + attribute_list(s) + " FROM " + s.rows + " s WHERE " +
      in_tile(s, z, kTileBuffer) + " LIMIT " + std::to_string(limit);
  return "SELECT count(*), " + mvt_of_t(s) + " FROM (" + features + ") t";
}

// The cells of this tile only (a point on the tile's edge is in one cell,
// of one tile); when there were more than `max_points` points (one more is
// read to know it, and counted), every cluster has _partial = true.
std::string clusters_tile_sql(const TileSource& s, std::int64_t z, std::int64_t max_points) {
  const std::int64_t precision = std::min(z + kClusterZoomOffset, kMaxZoom);
  const std::int64_t sub = std::int64_t{1} << (precision - z);  // cells a tile side
  const std::string cells = std::to_string(std::int64_t{1} << precision) + "::int8";
  const CellSql cell = mercator_cell_sql("c.lon", "c.lat", cells);
  const std::string first_x = "(" + s.x + "::int8 * " + std::to_string(sub) + ")";
  const std::string first_y = "(" + s.y + "::int8 * " + std::to_string(sub) + ")";
  // Each subquery is a step of its own (a CTE, OFFSET 0): pulled up into
  // its parent, its expressions would be copied into every place that uses
  // them, and a point's coordinates (a deserialisation each) computed five
  // times instead of once.
  const std::string points = point_coordinates_sql(s.rows, s.geometry, in_tile(s, z, 0)) +
                             " LIMIT " + std::to_string(max_points + 1);
  const std::string in_cells =
      "SELECT c.lon, c.lat, " + cell.x + " AS cx, " + cell.y + " AS cy FROM p c OFFSET 0";
  const std::string features =
      "SELECT " +
      mvt_geom(s, "ST_Transform(ST_SetSRID(ST_MakePoint(avg(k.lon), avg(k.lat)), 4326), 3857)") +
      " AS __mvt_geom, true AS cluster, count(*) AS point_count, true AS _thinned, (SELECT "
      "nullif(count(*) > " +
      std::to_string(max_points) + ", false) FROM p) AS _partial FROM (" + in_cells +
      ") k WHERE k.cx >= " + first_x + " AND k.cx < " + first_x + " + " + std::to_string(sub) +
      " AND k.cy >= " + first_y + " AND k.cy < " + first_y + " + " + std::to_string(sub) +
      " GROUP BY k.cy, k.cx";
  return "WITH p AS MATERIALIZED (" + points + ") " + as_mvt(s, features);
}

std::string largest_shapes_tile_sql(const TileSource& s, std::int64_t z, std::int64_t keep) {
  const std::string g = "s." + s.geometry;
  const std::string features =
      "SELECT " + mvt_geom(s, shape_3857(s, z)) + " AS __mvt_geom" + attribute_list(s) +
      ", true AS _thinned FROM " + s.rows + " s WHERE " + in_tile(s, z, kTileBuffer) +
      " ORDER BY greatest(ST_XMax(" + g + ") - ST_XMin(" + g + "), ST_YMax(" + g + ") - ST_YMin(" +
      g + ")) DESC LIMIT " + std::to_string(keep);
  return as_mvt(s, features);
}

}  // namespace opendata::geo
