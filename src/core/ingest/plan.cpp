#include "core/ingest/plan.hpp"

#include "core/error.hpp"
#include "core/ingest/names.hpp"
#include "core/ingest/type_infer.hpp"
#include "core/ingest/values.hpp"

namespace opendata::ingest {

namespace {

[[noreturn]] void no_column(const std::string& key, const std::string& option) {
  throw UserError(sqlstate::kInvalidParameterValue,
                  "invalid import option \"" + option + "\"",
                  "The file has no column \"" + key + "\".",
                  "Use the original header text or the generated column name shown by the "
                  "sniff report.");
}

std::vector<std::string> column_names(const SniffReport& r) {
  std::vector<std::string> v;
  for (const auto& c : r.columns) v.push_back(c.name);
  return v;
}

std::vector<std::string> column_labels(const SniffReport& r) {
  std::vector<std::string> v;
  for (const auto& c : r.columns) v.push_back(c.label);
  return v;
}

bool in_range(const ColumnProfile& c, double lo, double hi) {
  if (c.type != ColumnType::Numeric && c.type != ColumnType::Integer) return false;
  if (c.non_null_count == 0) return false;
  double a, b;
  return parse_double(c.min, a) && parse_double(c.max, b) && a >= lo && b <= hi;
}

}  // namespace

int find_column(const std::vector<std::string>& labels, const std::vector<std::string>& names,
                const std::string& key) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == key) return static_cast<int>(i);
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == key) return static_cast<int>(i);
  return -1;
}

std::vector<const ColumnOverride*> resolve_columns(const std::vector<std::string>& labels,
                                                   const CsvOptions& o,
                                                   std::vector<std::string>& names) {
  names = make_identifiers(labels);
  std::vector<const ColumnOverride*> per(labels.size(), nullptr);
  std::vector<std::string> forced(labels.size());
  for (const auto& ov : o.columns) {
    int i = find_column(labels, names, ov.key);
    if (i < 0) no_column(ov.key, "columns");
    per[static_cast<size_t>(i)] = &ov;
    if (!ov.name.empty()) {
      for (size_t j = 0; j < forced.size(); ++j)
        if (forced[j] == ov.name)
          throw UserError(sqlstate::kInvalidParameterValue, "invalid import option \"columns\"",
                          "Two columns are renamed to \"" + ov.name + "\".");
      forced[static_cast<size_t>(i)] = ov.name;
    }
  }
  names = make_identifiers(labels, forced);
  return per;
}

int forced_geometry_column(const std::vector<std::string>& labels,
                           const std::vector<std::string>& names, const CsvOptions& o) {
  using K = GeometryOption::Kind;
  const auto& g = o.geometry;
  if (g.kind != K::LatLon && g.kind != K::GeoJson && g.kind != K::Wkt) return -1;
  int i = find_column(labels, names, g.column);
  if (i < 0)
    no_column(g.column, g.kind == K::LatLon ? "geometry.latlon"
                        : g.kind == K::GeoJson ? "geometry.geojson" : "geometry.wkt");
  return i;
}

void finish_geometry(SniffReport& r, const CsvOptions& o) {
  using K = GeometryOption::Kind;
  const auto& g = o.geometry;
  const auto labels = column_labels(r);
  const auto names = column_names(r);
  int primary = -1;

  if (g.kind == K::LatLon || g.kind == K::GeoJson || g.kind == K::Wkt) {
    int i = find_column(labels, names, g.column);
    ColumnProfile& c = r.columns[static_cast<size_t>(i)];
    c.type = ColumnType::Geometry;
    c.geom_source = g.kind == K::LatLon    ? GeomSource::LatLonText
                    : g.kind == K::GeoJson ? GeomSource::GeoJsonText
                                           : GeomSource::WktText;
    if (g.kind == K::LatLon) {
      c.geom_kind = GeomKind::Point;
      c.geom_z = false;
      c.srid = 4326;
    }
    c.pg_type = pg_type_of(c);
    c.reason = "geometry source given by the \"geometry\" option; " + c.reason;
    primary = i;
  }

  int lat = -1, lon = -1;
  if (g.kind == K::Pair) {
    lat = find_column(labels, names, g.lat);
    lon = find_column(labels, names, g.lon);
    if (lat < 0) no_column(g.lat, "geometry.lat");
    if (lon < 0) no_column(g.lon, "geometry.lon");
  } else if (g.kind == K::Auto) {
    // By name first, then by range: "y" alone is too vague (Lambert-93
    // exports use x/y in metres), so only lat/lon-like names qualify.
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const ColumnProfile& c = r.columns[i];
      if (c.source_index < 0) continue;
      if (lat < 0 && is_lat_name(c.name) && in_range(c, -90, 90)) lat = static_cast<int>(i);
      else if (lon < 0 && is_lon_name(c.name) && in_range(c, -180, 180)) lon = static_cast<int>(i);
    }
    if (lat < 0 || lon < 0) lat = lon = -1;
  }
  if (lat >= 0 && lon >= 0) {
    const ColumnProfile& la = r.columns[static_cast<size_t>(lat)];
    const ColumnProfile& lo = r.columns[static_cast<size_t>(lon)];
    ColumnProfile p;
    std::vector<std::string> taken = names;
    p.name = unique_name("geom", taken);
    p.label = "geometry from " + la.label + ", " + lo.label;
    p.type = ColumnType::Geometry;
    p.geom_source = GeomSource::LatLonPair;
    p.geom_kind = GeomKind::Point;
    p.srid = 4326;
    p.lat_index = la.source_index;
    p.lon_index = lo.source_index;
    p.non_null_count = std::min(la.non_null_count, lo.non_null_count);
    p.null_count = std::max(la.null_count, lo.null_count);
    p.reason = g.kind == K::Pair
                   ? "point built from the columns given by the \"geometry\" option"
                   : "point built from latitude column " + la.name + " and longitude column " +
                         lo.name + " (names and WGS84 ranges)";
    p.pg_type = pg_type_of(p);
    r.columns.push_back(std::move(p));
    primary = static_cast<int>(r.columns.size()) - 1;
  }

  if (primary < 0 && g.kind == K::Auto) {
    // Prefer a real shape over a point; among points, a lat,lon column.
    int best = -1, best_rank = 100;
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const ColumnProfile& c = r.columns[i];
      if (c.type != ColumnType::Geometry) continue;
      int rank = c.geom_kind != GeomKind::Point ? 0 : c.geom_source == GeomSource::LatLonText ? 1 : 2;
      if (rank < best_rank) best = static_cast<int>(i), best_rank = rank;
    }
    primary = best;
  }
  if (primary >= 0) r.geometry_column = r.columns[static_cast<size_t>(primary)].name;
}

}  // namespace opendata::ingest
