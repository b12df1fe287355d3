// opendata_api.cross() and opendata_api.near(): ad hoc crossings of
// published datasets, each side filtered in ODSQL.
//
// Each side is compiled by src/core/odsql into its filtered rows (a
// subquery over the API view, parameters $1..$n); the right side's
// parameters are renumbered after the left's so that one statement carries
// both.  The crossing itself is written by opendata._cross_select() (the
// same SQL as the derived datasets of opendata.cross()), from the two
// subqueries and the fields the caller may see.  Everything runs through
// SPI as the calling role, so grants and row-level security apply.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/export/text_escape.hpp"
#include "core/odsql/compiler.hpp"
#include "core/odsql/links.hpp"
#include "core/odsql/literals.hpp"
#include "core/odsql/result_shape.hpp"
#include "core/odsql/shift_params.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/settings.hpp"
#include "pg/usage.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_cross);
PG_FUNCTION_INFO_V1(opendata_near);
}

namespace opendata::pg {
namespace {

// One side of a crossing: its filtered rows as a subquery, and what
// _cross_select() needs to know about them.
struct Side {
  std::string from;  // "(SELECT ...)"
  std::vector<std::string> fields;
  std::string geometry;  // empty when the dataset has none
  std::vector<odsql::Param> params;
};

Side compile_side(const std::string& slug, const std::string& where, const char* where_parameter,
                  std::size_t param_offset) {
  PublishedDataset ds = load_published_dataset(slug);
  odsql::Request req;
  req.relation = ds.relation;
  req.where = where;
  req.where_parameter = where_parameter;
  req.limit = -1;
  odsql::Compiled compiled = odsql::compile_records(ds.fields, req);
  Side side;
  side.from =
      "(" + odsql::shift_params(odsql::without_params_cte(compiled.rows_sql), param_offset) + ")";
  for (const odsql::OutputColumn& c : compiled.columns) side.fields.push_back(c.name);
  for (const odsql::FieldInfo& f : ds.fields) {
    if (f.type == odsql::FieldType::GeoPoint || f.type == odsql::FieldType::GeoShape) {
      side.geometry = f.name;
      break;
    }
  }
  side.params = std::move(compiled.params);
  return side;
}

// The shortest text that reads back as v (2.3, not 2.2999999999999998):
// it goes into links and messages that people read.
std::string number(double v) {
  char buf[40];
  // At least the digits before the point: 1000, not 1e+03.
  const double magnitude = std::fabs(v) >= 1 ? std::floor(std::log10(std::fabs(v))) + 1 : 1;
  for (int precision = static_cast<int>(std::min(magnitude, 17.0)); precision <= 17; ++precision) {
    snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

double finite_arg(FunctionCallInfo fcinfo, int i, const char* name) {
  double v = PG_GETARG_FLOAT8(i);
  if (!std::isfinite(v)) throw UserError("22023", std::string(name) + " must be a finite number");
  return v;
}

struct CrossSql {
  std::string select_sql;
  std::string report_sql;  // empty when the predicate reports nothing
};

// opendata._cross_select(), as the caller.  The left side may have no
// fields (near()).
CrossSql cross_select(const Side& left, const std::string& left_geometry, const Side& right,
                      const std::string& predicate, const std::string& options) {
  static const char* const kSql =
      "SELECT select_sql, report_sql FROM opendata._cross_select($1, $2::text[], $3, 4326, "
      "$4, $5::text[], $6, 4326, $7, $8::jsonb)";
  std::vector<spi::TextParam> args = {
      {TEXTOID, left.from},
      {TEXTOID, odsql::text_array_literal(left.fields)},
      {TEXTOID, left_geometry.empty() ? std::nullopt : std::optional<std::string>(left_geometry)},
      {TEXTOID, right.from},
      {TEXTOID, odsql::text_array_literal(right.fields)},
      {TEXTOID, right.geometry.empty() ? std::nullopt : std::optional<std::string>(right.geometry)},
      {TEXTOID, predicate},
      {TEXTOID, options}};
  spi::execute_text_params(kSql, args, true);
  CrossSql out;
  out.select_sql = spi::value(0, 1).value_or("");
  out.report_sql = spi::value(0, 2).value_or("");
  return out;
}

std::string quoted(const std::string& name) {
  const char* n = name.c_str();
  return std::string(call([n] { return quote_identifier(n); }));
}

// The row count of a nearest crossing without a maximum distance, from the
// sides alone: a left row with a point gets its min(k, R) nearest rows (R:
// the right rows with a non-empty geometry), a left row without one gets
// one row of NULLs, as does every left row when R is 0.
std::string nearest_total(const Side& left, const Side& right, std::int64_t k,
                          const std::vector<spi::TextParam>& params) {
  const std::string lg = "a." + quoted(left.geometry);
  const std::string rg = "b." + quoted(right.geometry);
  spi::execute_text_params(
      "SELECT l.located * greatest(1, least(" + std::to_string(k) +
          ", r.n)) + l.unlocated FROM (SELECT count(*) FILTER (WHERE " + lg +
          " IS NOT NULL AND NOT ST_IsEmpty(" + lg + ")) AS located, count(*) FILTER (WHERE " + lg +
          " IS NULL OR ST_IsEmpty(" + lg + ")) AS unlocated FROM " + left.from +
          " a) l, (SELECT count(*) AS n FROM " + right.from + " b WHERE " + rg +
          " IS NOT NULL AND NOT ST_IsEmpty(" + rg + ")) r",
      params, true);
  return spi::value(0, 1).value_or("0");
}

void check_rows(std::int64_t rows, std::int64_t min) {
  if (rows < min)
    throw UserError(
        "22023", "rows must be " + std::to_string(min) + " or more, not " + std::to_string(rows));
  if (rows > g_max_page_size)
    throw UserError(
        "22023",
        "rows must be at most " + std::to_string(g_max_page_size) + ", not " + std::to_string(rows),
        "", "The limit is the setting opendata.max_page_size.");
}

// The columns and order a request asks of a crossing's result (fields,
// order_by), checked against the columns the crossing has.  Their names
// and types depend on the predicate and the sides, so the statement is
// asked for them (planned, not run): geometries are written as records()
// writes them (to_json would use PostGIS' cast, with `crs` and 15 decimals).
odsql::ResultShape result_shape(FunctionCallInfo fcinfo, int fields_arg, int order_arg,
                                const std::string& select_sql,
                                const std::vector<spi::TextParam>& params) {
  const std::string fields = text_arg(fcinfo, fields_arg);
  const std::string order_by = text_arg(fcinfo, order_arg);
  spi::execute_text_params("SELECT * FROM (" + select_sql + ") c LIMIT 0", params, true);
  const std::vector<std::string> columns = spi::column_names();
  std::vector<std::string> geometry_columns;
  const std::vector<std::string> types = spi::column_type_names();
  for (std::size_t i = 0; i < columns.size() && i < types.size(); i++)
    if (types[i] == "geometry") geometry_columns.push_back(columns[i]);
  return odsql::result_shape(fields, order_by, columns, geometry_columns);
}

// An argument of cross() or near(), as a GET request writes it.
enum class ArgKind { kText, kFloat8, kInt };
struct ArgName {
  const char* name;
  ArgKind kind;
};

// links.next of a page of cross() or near(): the same GET request with
// start moved to the next page, when rows remain after this one; "" on the
// last page.  Arguments that were not given stay out, as in records().
std::string next_page_link(FunctionCallInfo fcinfo, const char* function,
                           const std::vector<ArgName>& names, int start_arg, std::int64_t start,
                           std::int64_t rows, std::int64_t total) {
  if (rows <= 0 || start + rows >= total) return {};
  odsql::QueryArgs args;
  for (int i = 0; i < static_cast<int>(names.size()); ++i) {
    if (i == start_arg) {
      args.emplace_back(names[i].name, std::to_string(start + rows));
    } else if (!PG_ARGISNULL(i)) {
      switch (names[i].kind) {
        case ArgKind::kText: args.emplace_back(names[i].name, text_arg(fcinfo, i)); break;
        case ArgKind::kFloat8: args.emplace_back(names[i].name, number(PG_GETARG_FLOAT8(i))); break;
        case ArgKind::kInt: args.emplace_back(names[i].name, std::to_string(PG_GETARG_INT32(i))); break;
      }
    }
  }
  return odsql::rpc_url(api_base_url(), function, args);
}

// The envelope every paged function answers: {"total_count", "report"?,
// "results", "links": {"next"}?}, links only when there is a next page.
std::string envelope(const std::string& total, const std::string& report,
                     const std::string& results, const std::string& next) {
  std::string out = "{\"total_count\": " + total;
  if (!report.empty()) out += ", \"report\": " + report;
  out += ", \"results\": " + results;
  if (!next.empty()) {
    out += ", \"links\": {\"next\": ";
    exporter::append_json_string(out, next);  // base_url is the publisher's text
    out += "}";
  }
  return out + "}";
}

std::string required_text(FunctionCallInfo fcinfo, int i, const char* name) {
  if (PG_ARGISNULL(i)) throw UserError("22023", std::string(name) + " must be given");
  return text_arg(fcinfo, i);
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// cross(left, right, predicate, distance_m, k, where, right_where, rows, start, fields,
//       order_by)
Datum opendata_cross(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const std::string left_slug = pg::required_text(fcinfo, 0, "left");
    const std::string right_slug = pg::required_text(fcinfo, 1, "right");
    const std::string predicate =
        PG_ARGISNULL(2) ? std::string("nearest") : pg::text_arg(fcinfo, 2);
    const std::int64_t rows = pg::int_arg(fcinfo, 7, 10);
    const std::int64_t start = pg::int_arg(fcinfo, 8, 0);
    pg::check_rows(rows, 0);
    if (start < 0)
      throw UserError("22023", "start must be zero or more, not " + std::to_string(start));
    if (predicate == "attribute")
      throw UserError("22023", "attribute crossings are not available ad hoc", "",
                      "Use opendata.cross(slug, left, right, 'attribute', options) to make a "
                      "derived dataset.");

    // Options of opendata._cross_select(), from the API's arguments.
    std::string options = "{\"prefix\": \"right_\"";
    if (!PG_ARGISNULL(3)) {
      const double d = pg::finite_arg(fcinfo, 3, "distance_m");
      if (d <= 0)
        throw UserError("22023", "distance_m must be greater than 0, not " + pg::number(d));
      if (predicate == "nearest") {
        options += ", \"max_distance_m\": " + pg::number(d);
      } else if (predicate == "within_distance") {
        options += ", \"distance_m\": " + pg::number(d);
      } else {
        throw UserError("22023", "distance_m does not apply to predicate \"" + predicate + "\"");
      }
    }
    std::int64_t k_or_1 = 1;
    if (!PG_ARGISNULL(4)) {
      const std::int64_t k = PG_GETARG_INT32(4);
      k_or_1 = k;
      if (predicate != "nearest") throw UserError("22023", "k applies to predicate nearest only");
      if (k < 1 || k > 100)
        throw UserError("22023", "k must be from 1 to 100, not " + std::to_string(k));
      options += ", \"k\": " + std::to_string(k);
    }
    options += "}";

    pg::spi::connect();
    pg::Side left = pg::compile_side(left_slug, pg::text_arg(fcinfo, 5), "where", 0);
    pg::Side right = pg::compile_side(right_slug, pg::text_arg(fcinfo, 6), "right_where", left.params.size());
    pg::CrossSql sql = pg::cross_select(left, left.geometry, right, predicate, options);

    std::vector<pg::spi::TextParam> params = pg::bind(left.params);
    for (const pg::spi::TextParam& p : pg::bind(right.params)) params.push_back(p);

    std::string report;
    if (!sql.report_sql.empty()) {
      pg::spi::execute_text_params(sql.report_sql, params, true);
      report = pg::spi::value(0, 1).value_or("null");
    }
    const odsql::ResultShape shape = pg::result_shape(fcinfo, 9, 10, sql.select_sql, params);
    const std::string& select = shape.select;
    auto page_of = [&](const std::string& from) {
      return "SELECT " + select + " FROM " + from +
             (shape.order_by.empty() ? "" : " ORDER BY " + shape.order_by) + " LIMIT " +
             std::to_string(rows) + " OFFSET " + std::to_string(start);
    };
    std::string total, results;
    if (predicate == "nearest" && PG_ARGISNULL(3)) {
      // Every left row gives min(k, matches) rows, at least one: the total
      // is known from two counts of the sides, and only the page is computed.
      total = pg::nearest_total(left, right, k_or_1, params);
      pg::spi::execute_text_params("SELECT coalesce(json_agg(to_json(p.*)), '[]'::json) FROM (" +
                                       page_of("(" + sql.select_sql + ") c") + ") p",
                                   params, true);
      results = pg::spi::value(0, 1).value_or("[]");
    } else {
      // The total and the page from one execution of the crossing.
      pg::spi::execute_text_params(
          "WITH c AS MATERIALIZED (" + sql.select_sql +
              ") SELECT (SELECT count(*) FROM c), (SELECT coalesce(json_agg(to_json(p.*)), "
              "'[]'::json) FROM (" + page_of("c") + ") p)",
          params, true);
      total = pg::spi::value(0, 1).value_or("0");
      results = pg::spi::value(0, 2).value_or("[]");
    }
    static const std::vector<pg::ArgName> kArgs = {
        {"left", pg::ArgKind::kText},     {"right", pg::ArgKind::kText},
        {"predicate", pg::ArgKind::kText}, {"distance_m", pg::ArgKind::kFloat8},
        {"k", pg::ArgKind::kInt},         {"where", pg::ArgKind::kText},
        {"right_where", pg::ArgKind::kText}, {"rows", pg::ArgKind::kInt},
        {"start", pg::ArgKind::kInt},     {"fields", pg::ArgKind::kText},
        {"order_by", pg::ArgKind::kText}};
    const std::string next =
        pg::next_page_link(fcinfo, "cross", kArgs, 8, start, rows, std::stoll(total));
    std::string body = pg::envelope(total, report, results, next);
    pg::spi::finish();
    pg::count_call(usage::Endpoint::kCross, left_slug, 0, body.size());
    return pg::text_datum(body);
  });
}

// near(dataset, lon, lat, distance_m, where, rows, start, fields, order_by)
//
// The result is every match (the records within distance_m, or every
// record with a geometry), nearest first unless order_by says otherwise;
// a page is a window of it.  A page by distance is the last rows of the
// start + rows nearest, which the nearest crossing finds without measuring
// every match; a page in another order, or deeper than the crossing's k
// goes, sorts every match (within_distance, over the whole Earth when no
// distance is given).
Datum opendata_near(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const std::string slug = pg::required_text(fcinfo, 0, "dataset");
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) throw UserError("22023", "lon and lat must be given");
    const double lon = pg::finite_arg(fcinfo, 1, "lon");
    const double lat = pg::finite_arg(fcinfo, 2, "lat");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
      throw UserError("22023", "lon must be within [-180, 180] and lat within [-90, 90]");
    std::optional<std::string> distance_m;
    if (!PG_ARGISNULL(3)) {
      const double r = pg::finite_arg(fcinfo, 3, "distance_m");
      if (r <= 0) throw UserError("22023", "distance_m must be greater than 0, not " + pg::number(r));
      distance_m = pg::number(r);
    }
    const std::int64_t rows = pg::int_arg(fcinfo, 5, 10);
    pg::check_rows(rows, 1);
    const std::int64_t start = pg::int_arg(fcinfo, 6, 0);
    if (start < 0)
      throw UserError("22023", "start must be zero or more, not " + std::to_string(start));
    // The nearest crossing's k goes up to 1000 (opendata._cross_select).
    const bool by_distance = pg::text_arg(fcinfo, 8).empty() && start + rows <= 1000;

    pg::spi::connect();
    pg::Side right = pg::compile_side(slug, pg::text_arg(fcinfo, 4), "where", 0);
    const std::size_t n = right.params.size();
    pg::Side point;
    point.from = "(SELECT ST_SetSRID(ST_MakePoint($" + std::to_string(n + 1) + "::float8, $" +
                 std::to_string(n + 2) + "::float8), 4326) AS point)";
    std::string page_from;
    if (by_distance) {
      std::string options = "{\"prefix\": \"\", \"k\": " + std::to_string(start + rows);
      if (distance_m) options += ", \"max_distance_m\": " + *distance_m;
      page_from = pg::cross_select(point, "point", right, "nearest", options + "}").select_sql;
    }
    // Every match with its distance: the records within distance_m, or
    // within a distance farther than any two points of the Earth are apart
    // (20,004 km along a meridian).
    static const char* const kWholeEarth = "20100000";
    std::string matches;
    if (distance_m || !by_distance)
      matches = pg::cross_select(point, "point", right, "within_distance",
                                 "{\"prefix\": \"\", \"distance_m\": " +
                                     distance_m.value_or(kWholeEarth) + "}")
                    .select_sql;
    if (!by_distance) page_from = matches;
    // total_count: every match, not the page.  Without a distance, counted
    // without measuring any.
    std::string count_sql;
    if (distance_m) {
      count_sql = "SELECT count(*) FROM (" + matches + ") w";
    } else {
      const std::string g = "b." + pg::quoted(right.geometry);
      count_sql = "SELECT count(*) FROM " + right.from + " b WHERE " + g + " IS NOT NULL AND NOT ST_IsEmpty(" +
                  g + ")";
    }

    std::vector<pg::spi::TextParam> params = pg::bind(right.params);
    params.push_back({FLOAT8OID, pg::number(lon)});
    params.push_back({FLOAT8OID, pg::number(lat)});
    const odsql::ResultShape shape = pg::result_shape(fcinfo, 7, 8, page_from, params);
    pg::spi::execute_text_params(
        "SELECT (" + count_sql + "), coalesce(json_agg(to_json(p.*)), '[]'::json) FROM (SELECT " +
            shape.select + " FROM (" + page_from +
            ") c WHERE c.distance_m IS NOT NULL ORDER BY " +
            (shape.order_by.empty() ? "" : shape.order_by + ", ") + "c.distance_m LIMIT " +
            std::to_string(rows) + " OFFSET " + std::to_string(start) + ") p",
        params, true);
    const std::string total = pg::spi::value(0, 1).value_or("0");
    const std::string results = pg::spi::value(0, 2).value_or("[]");
    static const std::vector<pg::ArgName> kArgs = {
        {"dataset", pg::ArgKind::kText}, {"lon", pg::ArgKind::kFloat8},
        {"lat", pg::ArgKind::kFloat8},   {"distance_m", pg::ArgKind::kFloat8},
        {"where", pg::ArgKind::kText},   {"rows", pg::ArgKind::kInt},
        {"start", pg::ArgKind::kInt},    {"fields", pg::ArgKind::kText},
        {"order_by", pg::ArgKind::kText}};
    const std::string next =
        pg::next_page_link(fcinfo, "near", kArgs, 6, start, rows, std::stoll(total));
    std::string body = pg::envelope(total, "", results, next);
    pg::spi::finish();
    pg::count_call(usage::Endpoint::kNear, slug, 0, body.size());
    return pg::text_datum(body);
  });
}
