// geo_cluster(geo, precision): the group_by key that clusters records on a
// map, as slippy-map tiles do.
//
// Definition.  `precision` is a zoom level z from 0 to 29.  At zoom z the
// Web Mercator square (longitudes -180..180, latitudes about -85.05..85.05)
// is cut into 2^z x 2^z cells, numbered as map tiles (x from the
// antimeridian eastwards, y from the north edge southwards).  A record falls
// in the cell of its centroid (the point itself for a geo_point); centroids
// beyond the Mercator latitude limit, or outside -180..180, go to the
// nearest edge cell.  Records without a geometry (or with an empty one)
// form no cluster.
//
// The key groups on the cell number (y * 2^z + x), which also orders the
// clusters.  Its value, per group, is the mean of its records' centroids
// (longitude and latitude averaged), as a GeoJSON point: where a map draws
// the cluster marker.  envelope() and count(*) in the select give the rest.
//
// The value is computed per group, so the key carries aggregate = true and
// its cell number as sort_sql: compile_records() groups such a key by its
// sort_sql alone.
#include <cstdint>
#include <string>

#include "core/geo/tile.hpp"
#include "core/odsql/functions.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"

namespace opendata::odsql {

namespace {

// The grid is the tiles' (core/geo/tile.hpp).
constexpr std::int64_t kMaxZoom = geo::kMaxZoom;

}  // namespace

bool mentions_function(const Node& n, const std::string& name) {
  if (n.kind == NodeKind::Call && n.text == name) return true;
  for (const auto& k : n.kids) {
    if (mentions_function(*k, name)) return true;
  }
  return false;
}

Expr translate_geo_cluster(Translator& t, const Node& n) {
  if (t.clause() == Clause::Where || t.clause() == Clause::Refine) {
    t.fail(sqlstate::kGroupingError, n, "geo_cluster() is only allowed in group_by",
           "Group by it, e.g. group_by=geo_cluster(geo, 10) as cluster, then select=cluster, "
           "count(*).");
  }
  const Node& field = *n.kids[0];
  const Expr g = t.value(field);
  if (g.type != Type::Geo) {
    t.fail(sqlstate::kDatatypeMismatch, field,
           std::string("geo_cluster() requires a geo field, found ") + type_name(g.type));
  }
  const Node& p = *n.kids[1];
  double v = 0;
  bool integer = false;
  std::int64_t zoom = 0;
  if (p.kind != NodeKind::Number || !parse_number(p.text, v, integer, zoom) || !integer ||
      zoom < 0 || zoom > kMaxZoom) {
    t.fail(sqlstate::kInvalidParameterValue, p,
           "geo_cluster() precision must be an integer from 0 to " + std::to_string(kMaxZoom),
           "The precision is a map zoom level: 0 is one cell for the world, each level splits "
           "cells in four.");
  }
  const std::string cells =
      t.params().add(ParamType::Int8, std::to_string(std::int64_t{1} << zoom));
  const std::string c = "ST_Centroid(" + g.sql + ")";
  const geo::CellSql cell = geo::mercator_cell_sql("ST_X(" + c + ")", "ST_Y(" + c + ")", cells);
  const std::string& x = cell.x;
  const std::string& y = cell.y;
  Expr out;
  out.type = Type::Geo;
  out.aggregate = true;
  out.sort_sql = "(" + y + " * " + cells + " + " + x + ")";
  out.sql = "ST_SetSRID(ST_MakePoint(avg(ST_X(" + c + ")), avg(ST_Y(" + c + "))), 4326)";
  return out;
}

}  // namespace opendata::odsql
