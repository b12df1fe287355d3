// The SQL of each predicate (see compiler.hpp).  The left side is aliased
// a, the right side b, the right rows matched to a left row m.
#include "core/cross/compiler.hpp"

#include <algorithm>

#include "core/cross/ad_hoc.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::cross {
namespace {

using odsql::quote_ident;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string metres(double d) { return shortest_number(d); }

// A side's geometry in SRID 4326.
std::string geometry_4326(const Side& side, const char* alias) {
  const std::string column = std::string(alias) + "." + quote_ident(side.geometry);
  if (side.srid == 0) return "ST_SetSRID(" + column + ", 4326)";
  if (side.srid == 4326) return column;
  return "ST_Transform(" + column + ", 4326)";
}

// The pieces every predicate assembles.
struct Parts {
  const Request& req;
  const Options& opt;
  std::string ga, gb;                // the geometries, SRID 4326
  std::vector<std::string> left;     // a.field, the left fields kept
  std::vector<std::string> right_in;   // b.field AS prefixed, in m's SELECT
  std::vector<std::string> right_out;  // m.prefixed, in the outer SELECT

  std::string right_in_or_null() const {
    return right_in.empty() ? "NULL" : join(right_in);
  }
  // The right fields then a distance: "b.x AS right_x, ST_Distance(...)".
  std::string right_in_with(const std::string& column) const {
    return right_in.empty() ? column : join(right_in) + ", " + column;
  }
  std::string outer(std::vector<std::string> extra = {}) const {
    std::vector<std::string> cols = left;
    cols.insert(cols.end(), right_out.begin(), right_out.end());
    cols.insert(cols.end(), extra.begin(), extra.end());
    return join(cols);
  }
  std::string distance() const {
    return "ST_Distance((" + ga + ")::geography, (" + gb + ")::geography)";
  }
  std::string dwithin(double d) const {
    return "ST_DWithin((" + ga + ")::geography, (" + gb + ")::geography, " + metres(d) + ")";
  }
  // The k nearest: by distance, then in the right side's order of ties.
  std::string nearest_order() const {
    const std::string ties = tie_order_sql(req.right, opt.tie_break, "b");
    return ties.empty() ? "distance_m" : "distance_m, " + ties;
  }
};

Parts parts_of(const Request& req, const Options& opt) {
  Parts p{req, opt, {}, {}, {}, {}, {}};
  if (!req.left.geometry.empty()) p.ga = geometry_4326(req.left, "a");
  if (!req.right.geometry.empty()) p.gb = geometry_4326(req.right, "b");
  for (const std::string& f : opt.left_fields) p.left.push_back("a." + quote_ident(f));
  for (const std::string& f : opt.right_fields) {
    p.right_in.push_back("b." + quote_ident(f) + " AS " + quote_ident(opt.prefix + f));
    p.right_out.push_back("m." + quote_ident(opt.prefix + f));
  }
  return p;
}

// Two point datasets held in tables: the candidates come from an in-memory
// index of the right side (one search instead of a GiST descent per left
// row, see src/pg/nearest.cpp); each is measured on the ellipsoid here, and
// the k nearest kept.  The candidates are fetched one TID scan each: the
// subquery behind OFFSET 0 is not pulled up into a join, so it is a scan
// parameterized by the tid.  Written as b.ctid = ANY (candidates), a small
// right side was seq-scanned instead (cheaper on the planner's guess of 10
// array elements), which called _nearest_candidates once per scanned row:
// 10 s instead of 0.4 s for 18,580 stops and 459 stations.
std::string nearest_from_index(const Parts& p) {
  const Options& o = p.opt;
  const std::string k = std::to_string(o.k);
  return "SELECT " + p.outer({"m.distance_m"}) + " FROM " + p.req.left.from +
         " a LEFT JOIN LATERAL (SELECT " + p.right_in_with(p.distance() + " AS distance_m") +
         " FROM unnest(opendata._nearest_candidates(ST_X(" + p.ga + "), ST_Y(" + p.ga + "), " +
         odsql::string_literal(p.req.nearest_index_relation) + "::regclass, " +
         odsql::string_literal(p.req.right.geometry) + ", " + k + ", " +
         (o.max_distance_m ? metres(*o.max_distance_m) + "::float8" : "NULL") +
         ")) c(tid) CROSS JOIN LATERAL (SELECT * FROM " + p.req.right.from +
         " b WHERE b.ctid = c.tid OFFSET 0) b" +
         (o.max_distance_m ? " WHERE " + p.dwithin(*o.max_distance_m) : "") + " ORDER BY " +
         p.nearest_order() + " LIMIT " + k + ") m ON true";
}

// Otherwise (a view, a filtered side, shapes): two passes on the GiST
// index.  Pass 1: the k nearest by the index (planar KNN), whose farthest
// ground distance D bounds the true k nearest; pass 2: the rows in the box
// that holds every point within D, ranked by their ground distance.  Pass 2
// needs no ST_DWithin: a row of the box farther than D cannot displace one
// of the k within D, so the first k are exact.  A maximum distance is a
// filter, though.
std::string nearest_two_passes(const Parts& p) {
  const Options& o = p.opt;
  const std::string k = std::to_string(o.k);
  const std::string bound =
      o.max_distance_m ? "least(kd.d * 1.000001 + 0.001, " + metres(*o.max_distance_m) + ")"
                       : "(kd.d * 1.000001 + 0.001)";
  return "SELECT " + p.outer({"m.distance_m"}) + " FROM " + p.req.left.from +
         " a LEFT JOIN LATERAL (SELECT max(ST_Distance((" + p.ga +
         ")::geography, (k.g)::geography)) AS d FROM (SELECT " + p.gb + " AS g FROM " +
         p.req.right.from + " b WHERE " + p.gb + " IS NOT NULL ORDER BY " + p.gb + " <-> " + p.ga +
         " LIMIT " + k + ") k) kd ON true LEFT JOIN LATERAL (SELECT " +
         p.right_in_with(p.distance() + " AS distance_m") + " FROM " + p.req.right.from +
         " b WHERE " + p.gb + " && (" + expand_m_sql(p.ga, bound) + ")" +
         (o.max_distance_m ? " AND " + p.dwithin(*o.max_distance_m) : "") + " ORDER BY " +
         p.nearest_order() + " LIMIT " + k + ") m ON true";
}

// Each left row with the count (and aggregates) of the right rows matching.
std::string counts(const Parts& p, const std::string& condition) {
  const std::string count = p.opt.prefix + "count";
  std::vector<std::string> in = {"count(*) AS " + quote_ident(count)};
  std::vector<std::string> out = p.left;
  out.push_back("m." + quote_ident(count));
  for (const Aggregate& a : p.opt.aggregates) {
    const std::string name = p.opt.prefix + a.field + "_" + a.function;
    in.push_back(a.function + "(b." + quote_ident(a.field) + ") AS " + quote_ident(name));
    out.push_back("m." + quote_ident(name));
  }
  return "SELECT " + join(out) + " FROM " + p.req.left.from + " a CROSS JOIN LATERAL (SELECT " +
         join(in) + " FROM " + p.req.right.from + " b WHERE " + condition + ") m";
}

void within_distance(const Parts& p, Statements& out) {
  const double d = *p.opt.distance_m;
  const std::string condition =
      p.gb + " && (" + expand_m_sql(p.ga, metres(d)) + ") AND " + p.dwithin(d);
  if (p.opt.output == Output::kCount) {
    out.select_sql = counts(p, condition);
    return;
  }
  out.select_sql = "SELECT " + p.outer({"m.distance_m"}) + " FROM " + p.req.left.from +
                   " a JOIN LATERAL (SELECT " + p.right_in_with(p.distance() + " AS distance_m") +
                   " FROM " + p.req.right.from + " b WHERE " + condition + ") m ON true";
}

// The report of contains: the right rows in no polygon.  When the right
// rows have a unique field or a ctid, it is the right rows less the
// distinct rows the polygons match (told apart by that field, else by
// their ctid), found polygon by polygon as the crossing finds them:
// PostGIS keeps a polygon's point-in-polygon index while the same polygon
// is tested against row after row, so this pass costs about what the
// crossing costs.  OFFSET 0 keeps the planner from flattening the LATERAL
// into a join, which it drives by the right rows when they are many (one
// probe of the polygons' index per point, a different polygon at each
// test, nothing reused): 23 s instead of 3.8 s for 1,000,000 points in
// 1,300 polygons.  NOT EXISTS per right row has that shape too: 2.4 times
// the crossing (100,000 points, 130 polygons).  The distinct rows are
// counted by hashing (SELECT DISTINCT), not sorting (count(DISTINCT)).
std::string unmatched_right(const Parts& p, const std::string& condition) {
  const std::string& l = p.req.left.from;
  const std::string& r = p.req.right.from;
  const std::string& unique = p.req.right.unique_field;
  if (!unique.empty() || p.req.right.rows_have_ctid) {
    const std::string row = "b." + (unique.empty() ? std::string("ctid") : quote_ident(unique));
    return "SELECT jsonb_build_object('unmatched_right', (SELECT count(*) FROM " + r +
           ") - count(*)) FROM (SELECT DISTINCT m.right_row FROM " + l +
           " a CROSS JOIN LATERAL (SELECT " + row + " AS right_row FROM " + r + " b WHERE " + condition +
           " OFFSET 0) m) matched";
  }
  return "SELECT jsonb_build_object('unmatched_right', count(*)) FROM " + r +
         " b WHERE NOT EXISTS (SELECT FROM " + l + " a WHERE " + condition + ")";
}

void contains(const Parts& p, Statements& out) {
  const std::string condition = std::string(p.opt.border == "covers" ? "ST_Covers" : "ST_Contains") +
                                "(" + p.ga + ", " + p.gb + ")";
  if (p.opt.output == Output::kCount) {
    out.select_sql = counts(p, condition);
  } else {
    out.select_sql = "SELECT " + p.outer() + " FROM " + p.req.left.from +
                     " a JOIN LATERAL (SELECT " + p.right_in_or_null() + " FROM " +
                     p.req.right.from + " b WHERE " + condition + ") m ON true";
  }
  out.report_sql = unmatched_right(p, condition);
}

// Each left row with the first right shape holding it (by tie_break).
void enrich(const Parts& p, Statements& out) {
  const std::string condition = std::string(p.opt.border == "first" ? "ST_Covers" : "ST_Contains") +
                                "(" + p.gb + ", " + p.ga + ")";
  const std::string ties = tie_order_sql(p.req.right, p.opt.tie_break, "b");
  const std::string order = ties.empty() ? "" : " ORDER BY " + ties;
  out.select_sql = "SELECT " + p.outer() + " FROM " + p.req.left.from +
                   " a LEFT JOIN LATERAL (SELECT " + p.right_in_or_null() + " FROM " +
                   p.req.right.from + " b WHERE " + condition + order + " LIMIT 1) m ON true";
  out.report_sql =
      "SELECT jsonb_build_object('unmatched_left', count(*) FILTER (WHERE c.n = 0), "
      "'on_shared_border', count(*) FILTER (WHERE c.n > 1)) FROM " +
      p.req.left.from + " a CROSS JOIN LATERAL (SELECT count(*) AS n FROM " + p.req.right.from +
      " b WHERE " + condition + ") c";
}

// A key of an attribute crossing: its fields' text concatenated, then
// normalised (trim, case, zero padding), the same way on both sides.
std::string key_sql(const std::vector<std::string>& fields, const char* alias,
                    const Normalize& norm) {
  std::string e;
  for (const std::string& f : fields)
    e += (e.empty() ? "" : " || ") + std::string(alias) + "." + quote_ident(f) + "::text";
  e = "(" + e + ")";
  if (norm.trim) e = "btrim(" + e + ")";
  if (!norm.letter_case.empty()) e = norm.letter_case + "(" + e + ")";
  if (norm.pad > 0)
    e = "lpad(" + e + ", greatest(" + std::to_string(norm.pad) + ", length(" + e + ")), '0')";
  return e;
}

// A join on a code; the report names up to 100 unmatched keys of each side.
void attribute(const Parts& p, Statements& out) {
  const std::string ka = key_sql(p.opt.left_key, "a", p.opt.normalize);
  const std::string kb = key_sql(p.opt.right_key, "b", p.opt.normalize);
  const std::string& l = p.req.left.from;
  const std::string& r = p.req.right.from;
  out.select_sql = "SELECT " + p.outer() + " FROM " + l + " a LEFT JOIN LATERAL (SELECT " +
                   p.right_in_or_null() + " FROM " + r + " b WHERE " + kb + " = " + ka +
                   ") m ON true";
  auto keys = [](const char* set) {
    return std::string("(SELECT coalesce(jsonb_agg(k ORDER BY k COLLATE \"C\"), '[]') FROM "
                       "(SELECT k FROM ") +
           set + " ORDER BY k COLLATE \"C\" LIMIT 100) s)";
  };
  out.report_sql = "WITH lk AS (SELECT DISTINCT " + ka + " AS k FROM " + l +
                   " a), rk AS (SELECT DISTINCT " + kb + " AS k FROM " + r +
                   " b), ul AS (SELECT k FROM lk WHERE k IS NOT NULL EXCEPT SELECT k FROM rk),"
                   " ur AS (SELECT k FROM rk WHERE k IS NOT NULL EXCEPT SELECT k FROM lk)"
                   " SELECT jsonb_build_object('unmatched_left', (SELECT count(*) FROM ul),"
                   " 'unmatched_left_keys', " + keys("ul") +
                   ", 'unmatched_right', (SELECT count(*) FROM ur), 'unmatched_right_keys', " +
                   keys("ur") + ", 'left_without_key', (SELECT count(*) FROM " + l + " a WHERE " +
                   ka + " IS NULL))";
}

}  // namespace

// opendata._expand_m(), a C function (src/pg/expand_m.cpp): the box of
// ground_box.hpp, computed from one reading of the geometry's bounds.  The
// same box written out in SQL read them ten times per outer row, which cost
// a within_distance crossing of 100,000 points 130 ms.
std::string expand_m_sql(const std::string& g, const std::string& d) {
  return "opendata._expand_m(" + g + ", " + d + ")";
}

std::string tie_order_sql(const Side& side, const std::vector<std::string>& first,
                          const std::string& alias) {
  bool key_is_visible = !side.key.empty();
  for (const std::string& f : side.key) key_is_visible = key_is_visible && has(side.fields, f);
  std::vector<std::string> fields;
  for (const std::vector<std::string>* list : {&first, key_is_visible ? &side.key : &side.fields})
    for (const std::string& f : *list)
      if (!has(fields, f)) fields.push_back(f);
  std::vector<std::string> items;
  for (const std::string& f : fields)
    items.push_back(alias + "." + quote_ident(f) + (has(side.unordered_fields, f) ? "::text" : ""));
  return join(items);
}

std::string nearest_count_sql(const Side& left, const Side& right, std::int64_t k) {
  const std::string lg = "a." + quote_ident(left.geometry);
  const std::string located = lg + " IS NOT NULL AND NOT ST_IsEmpty(" + lg + ")";
  return "SELECT l.located * greatest(1, least(" + std::to_string(k) +
         ", r.n)) + l.unlocated FROM (SELECT count(*) FILTER (WHERE " + located +
         ") AS located, count(*) FILTER (WHERE NOT (" + located + ")) AS unlocated FROM " +
         left.from + " a) l, (" + located_count_sql(right) + ") r(n)";
}

std::string located_count_sql(const Side& side) {
  const std::string g = "b." + quote_ident(side.geometry);
  return "SELECT count(*) FROM " + side.from + " b WHERE " + g + " IS NOT NULL AND NOT ST_IsEmpty(" +
         g + ")";
}

Statements compile(const Request& req) {
  const Options opt = parse_options(req);
  const Parts p = parts_of(req, opt);
  Statements out;
  out.left_fields = opt.left_fields;
  const bool counted = opt.output == Output::kCount && (opt.predicate == Predicate::kWithinDistance ||
                                                        opt.predicate == Predicate::kContains);
  if (!counted) out.right_fields = opt.right_fields;
  switch (opt.predicate) {
    case Predicate::kNearest:
      out.select_sql = req.nearest_index_relation.empty() ? nearest_two_passes(p)
                                                          : nearest_from_index(p);
      break;
    case Predicate::kWithinDistance: within_distance(p, out); break;
    case Predicate::kContains: contains(p, out); break;
    case Predicate::kEnrich: enrich(p, out); break;
    case Predicate::kAttribute: attribute(p, out); break;
  }
  return out;
}

}  // namespace opendata::cross
