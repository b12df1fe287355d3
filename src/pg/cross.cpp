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
#include "pg/keyset.hpp"
#include "pg/settings.hpp"
#include "pg/sort_order.hpp"
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
  // The order of rows at the same distance (cross::tie_order_sql).
  side.key = dataset_key(ds);
  for (std::size_t i = 0; i < ds.fields.size(); i++)
    if (!has_default_order(ds.columns[i].type)) side.unordered_fields.push_back(ds.fields[i].name);
  return side;  // the API views hold WGS 84 geometries: srid 4326
}

std::string number(double v) { return cross::shortest_number(v); }

double finite_arg(const Args& args, const char* name) {
  const double v = args.float8(name);
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
odsql::ResultShape result_shape(const Args& args, const std::string& select_sql,
                                const std::vector<spi::TextParam>& params) {
  const std::string fields = args.text("fields");
  const std::string order_by = args.text("order_by");
  spi::execute_text_params("SELECT * FROM (" + select_sql + ") c LIMIT 0", params, true);
  const std::vector<std::string> columns = spi::column_names();
  std::vector<std::string> geometry_columns;
  const std::vector<std::string> types = spi::column_type_names();
  for (std::size_t i = 0; i < columns.size() && i < types.size(); i++)
    if (types[i] == "geometry") geometry_columns.push_back(columns[i]);
  return odsql::result_shape(fields, order_by, columns, geometry_columns);
}

// An argument of cross() or near() as a GET request writes it: numbers
// as JSON writes them, text as it is.
std::string request_value(const Args& args, const char* name) {
  switch (args.type(name)) {
    case FLOAT8OID: return number(args.float8(name));
    case INT4OID: return std::to_string(args.int32_or(name, 0));
    default: return args.text(name);
  }
}

// links.next of a page of cross() or near(): the same GET request with
// start moved to the next page (src/core/odsql/links.hpp), when rows remain
// after this one; "" on the last page.  Arguments that were not given stay
// out, as in records().
std::string next_page_link(const Args& args, const char* function, std::int64_t start,
                           std::int64_t rows, std::int64_t total) {
  odsql::QueryArgs request;
  const Signature& signature = args.signature();
  for (int i = 0; i < signature.count; ++i) {
    const char* name = signature.names[i];
    if (args.given(name)) {
      request.emplace_back(name, request_value(args, name));
    } else {
      request.emplace_back(name, std::nullopt);
    }
  }
  return odsql::next_start_url(api_base_url(), function, std::move(request), start, rows, total);
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

std::string required_text(const Args& args, const char* name) {
  if (!args.given(name)) throw UserError(sqlstate::kInvalidParameterValue, std::string(name) + " must be given");
  return args.text(name);
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// cross(left, right, predicate, distance_m, k, where, right_where, rows, start, fields,
//       order_by)
Datum opendata_cross(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kCross);
    const std::string left_slug = pg::required_text(args, "left");
    const std::string right_slug = pg::required_text(args, "right");
    const std::string predicate = args.text_or("predicate", "nearest");
    const std::int64_t rows = args.int32_or("rows", 10);
    const std::int64_t start = args.int32_or("start", 0);
    pg::check_rows(rows, 0);
    if (start < 0)
      throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(start));
    std::optional<double> distance_m;
    if (args.given("distance_m")) distance_m = args.float8("distance_m");
    std::optional<std::int64_t> k;
    if (args.given("k")) k = args.int32_or("k", 0);
    const std::string options = cross::ad_hoc_options(predicate, distance_m, k);

    pg::spi::connect();
    odsql::Params values;
    const cross::Side left = pg::compile_side(left_slug, args.text("where"), "where", values);
    const cross::Side right =
        pg::compile_side(right_slug, args.text("right_where"), "right_where", values);
    const cross::Statements sql =
        pg::crossing(left, right, predicate, options, cross::kMaxAdHocK);
    const std::vector<pg::spi::TextParam> params = pg::bind(values.take());

    std::string report;
    if (!sql.report_sql.empty()) {
      pg::spi::execute_text_params(sql.report_sql, params, true);
      report = pg::spi::value(0, 1).value_or("null");
    }
    const odsql::ResultShape shape = pg::result_shape(args, sql.select_sql, params);
    const std::string& select = shape.select;
    auto page_of = [&](const std::string& from) {
      return "SELECT " + select + " FROM " + from +
             (shape.order_by.empty() ? "" : " ORDER BY " + shape.order_by) + " LIMIT " +
             std::to_string(rows) + " OFFSET " + std::to_string(start);
    };
    std::string total, results;
    if (predicate == "nearest" && !distance_m) {
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
    const std::string next = pg::next_page_link(args, "cross", start, rows, std::stoll(total));
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
    const pg::Args args(fcinfo, pg::signature::kNear);
    const std::string slug = pg::required_text(args, "dataset");
    if (!args.given("lon") || !args.given("lat")) throw UserError(sqlstate::kInvalidParameterValue, "lon and lat must be given");
    const double lon = pg::finite_arg(args, "lon");
    const double lat = pg::finite_arg(args, "lat");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
      throw UserError(sqlstate::kInvalidParameterValue, "lon must be within [-180, 180] and lat within [-90, 90]");
    std::optional<std::string> distance_m;
    if (args.given("distance_m"))
      distance_m = pg::number(cross::positive_distance(args.float8("distance_m"), "distance_m"));
    const std::int64_t rows = args.int32_or("rows", 10);
    pg::check_rows(rows, 1);
    const std::int64_t start = args.int32_or("start", 0);
    if (start < 0)
      throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(start));
    // A page by distance is found by the nearest crossing, whose k has a
    // limit (src/core/cross/options.hpp).
    const bool by_distance = args.text("order_by").empty() && start + rows <= cross::kMaxK;

    pg::spi::connect();
    odsql::Params values;
    const cross::Side right = pg::compile_side(slug, args.text("where"), "where", values);
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
    const odsql::ResultShape shape = pg::result_shape(args, page_from, params);
    // Records at the same distance in the order the nearest crossing kept
    // them in (its right fields keep their names: prefix ""), so that a
    // page holds the rows a longer page has at its place.
    const std::string ties = cross::tie_order_sql(right, {}, "c");
    pg::spi::execute_text_params(
        "SELECT (" + count_sql + "), coalesce(json_agg(to_json(p.*)), '[]'::json) FROM (SELECT " +
            shape.select + " FROM (" + page_from +
            ") c WHERE c.distance_m IS NOT NULL ORDER BY " +
            (shape.order_by.empty() ? "" : shape.order_by + ", ") + "c.distance_m" +
            (ties.empty() ? "" : ", " + ties) + " LIMIT " + std::to_string(rows) + " OFFSET " +
            std::to_string(start) + ") p",
        params, true);
    const std::string total = pg::spi::value(0, 1).value_or("0");
    const std::string results = pg::spi::value(0, 2).value_or("[]");
    const std::string next = pg::next_page_link(args, "near", start, rows, std::stoll(total));
    std::string body = pg::envelope(total, "", results, next);
    pg::spi::finish();
    pg::count_call(usage::Endpoint::kNear, slug, 0, body.size());
    return pg::text_datum(body);
  });
}
