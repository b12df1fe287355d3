// opendata_api.cross() and opendata_api.near(): ad hoc crossings of
// published datasets, each side filtered in ODSQL.
//
// Each side is compiled by src/core/odsql into its filtered rows (a
// subquery over the API view), both into one parameter list: the right
// side's values are numbered after the left's.  The crossing itself is
// written by the crossing compiler (src/core/cross, the same SQL as the
// derived datasets of opendata.cross()).  Everything runs through SPI as
// the calling role, so grants and row-level security apply.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/cross/ad_hoc.hpp"
#include "core/cross/compiler.hpp"
#include "core/export/text_escape.hpp"
#include "core/odsql/compiler.hpp"
#include "core/odsql/filtered_rows.hpp"
#include "core/odsql/links.hpp"
#include "core/odsql/result_shape.hpp"
#include "core/odsql/schema.hpp"
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

// One side of a crossing: a published dataset's rows kept by an ODSQL
// filter, its values added to `values`.
cross::Side compile_side(const std::string& slug, const std::string& where,
                         const char* where_parameter, odsql::Params& values) {
  PublishedDataset ds = load_published_dataset(slug);
  odsql::Request req;
  req.relation = ds.relation;
  req.where = where;
  req.where_parameter = where_parameter;
  req.limit = -1;
  odsql::FilteredRows rows = odsql::compile_filtered_rows(ds.fields, req, values);
  cross::Side side;
  side.from = "(" + rows.sql + ")";
  side.fields = std::move(rows.columns);
  for (const odsql::FieldInfo& f : ds.fields) {
    if (f.type == odsql::FieldType::GeoPoint || f.type == odsql::FieldType::GeoShape) {
      side.geometry = f.name;
      break;
    }
  }
  return side;  // the API views hold WGS 84 geometries: srid 4326
}

std::string number(double v) { return cross::shortest_number(v); }

double finite_arg(FunctionCallInfo fcinfo, int i, const char* name) {
  double v = PG_GETARG_FLOAT8(i);
  if (!std::isfinite(v)) throw UserError(sqlstate::kInvalidParameterValue, std::string(name) + " must be a finite number");
  return v;
}

cross::Statements crossing(const cross::Side& left, const cross::Side& right,
                           const std::string& predicate, const std::string& options,
                           std::int64_t max_k) {
  cross::Request req;
  req.left = left;
  req.right = right;
  req.predicate = predicate;
  req.options_json = options;
  req.max_k = max_k;
  return cross::compile(req);
}

void check_rows(std::int64_t rows, std::int64_t min) {
  if (rows < min)
    throw UserError(
        sqlstate::kInvalidParameterValue, "rows must be " + std::to_string(min) + " or more, not " + std::to_string(rows));
  if (rows > g_max_page_size)
    throw UserError(
        sqlstate::kInvalidParameterValue,
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
  if (PG_ARGISNULL(i)) throw UserError(sqlstate::kInvalidParameterValue, std::string(name) + " must be given");
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
      throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(start));
    std::optional<double> distance_m;
    if (!PG_ARGISNULL(3)) distance_m = PG_GETARG_FLOAT8(3);
    std::optional<std::int64_t> k;
    if (!PG_ARGISNULL(4)) k = PG_GETARG_INT32(4);
    const std::string options = cross::ad_hoc_options(predicate, distance_m, k);

    pg::spi::connect();
    odsql::Params values;
    const cross::Side left = pg::compile_side(left_slug, pg::text_arg(fcinfo, 5), "where", values);
    const cross::Side right =
        pg::compile_side(right_slug, pg::text_arg(fcinfo, 6), "right_where", values);
    const cross::Statements sql =
        pg::crossing(left, right, predicate, options, cross::kMaxAdHocK);
    const std::vector<pg::spi::TextParam> params = pg::bind(values.take());

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
      pg::spi::execute_text_params(cross::nearest_count_sql(left, right, k.value_or(1)), params,
                                   true);
      total = pg::spi::value(0, 1).value_or("0");
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
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) throw UserError(sqlstate::kInvalidParameterValue, "lon and lat must be given");
    const double lon = pg::finite_arg(fcinfo, 1, "lon");
    const double lat = pg::finite_arg(fcinfo, 2, "lat");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
      throw UserError(sqlstate::kInvalidParameterValue, "lon must be within [-180, 180] and lat within [-90, 90]");
    std::optional<std::string> distance_m;
    if (!PG_ARGISNULL(3))
      distance_m = pg::number(cross::positive_distance(PG_GETARG_FLOAT8(3), "distance_m"));
    const std::int64_t rows = pg::int_arg(fcinfo, 5, 10);
    pg::check_rows(rows, 1);
    const std::int64_t start = pg::int_arg(fcinfo, 6, 0);
    if (start < 0)
      throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(start));
    // A page by distance is found by the nearest crossing, whose k has a
    // limit (src/core/cross/options.hpp).
    const bool by_distance = pg::text_arg(fcinfo, 8).empty() && start + rows <= cross::kMaxK;

    pg::spi::connect();
    odsql::Params values;
    const cross::Side right = pg::compile_side(slug, pg::text_arg(fcinfo, 4), "where", values);
    cross::Side point;
    point.from = "(SELECT ST_SetSRID(ST_MakePoint(" +
                 values.add(odsql::ParamType::Float8, pg::number(lon)) + ", " +
                 values.add(odsql::ParamType::Float8, pg::number(lat)) + "), 4326) AS point)";
    point.geometry = "point";
    std::string page_from;
    if (by_distance) {
      std::string options = "{\"prefix\": \"\", \"k\": " + std::to_string(start + rows);
      if (distance_m) options += ", \"max_distance_m\": " + *distance_m;
      page_from = pg::crossing(point, right, "nearest", options + "}", cross::kMaxK).select_sql;
    }
    // Every match with its distance: the records within distance_m, or
    // within a distance farther than any two points of the Earth are apart
    // (20,004 km along a meridian).
    static const char* const kWholeEarth = "20100000";
    std::string matches;
    if (distance_m || !by_distance)
      matches = pg::crossing(point, right, "within_distance",
                             "{\"prefix\": \"\", \"distance_m\": " +
                                 distance_m.value_or(kWholeEarth) + "}",
                             cross::kMaxK)
                    .select_sql;
    if (!by_distance) page_from = matches;
    // total_count: every match, not the page.  Without a distance, counted
    // without measuring any.
    std::string count_sql;
    if (distance_m) {
      count_sql = "SELECT count(*) FROM (" + matches + ") w";
    } else {
      count_sql = cross::located_count_sql(right);
    }
    const std::vector<pg::spi::TextParam> params = pg::bind(values.take());
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
