// opendata_api.records(), opendata_api.facets() and opendata.explain_odsql():
// ODSQL on a published dataset, compiled by src/core/odsql, run through SPI
// as the calling role (so grants and row-level security apply).
#include <algorithm>
#include <list>
#include <string>

#include "core/odsql/compiler.hpp"
#include "core/export/text_escape.hpp"
#include "core/odsql/links.hpp"
#include "pg/args.hpp"
#include "pg/compiled_requests.hpp"
#include "pg/dataset_cache.hpp"
#include "pg/dataset_query.hpp"
#include "pg/keyset.hpp"
#include "pg/planned.hpp"
#include "pg/settings.hpp"
#include "pg/summary.hpp"
#include "pg/usage.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_records);
PG_FUNCTION_INFO_V1(opendata_facets);
PG_FUNCTION_INFO_V1(opendata_explain_odsql);
}

namespace opendata::pg {
namespace {

// The plan of `sql` with these parameter values (EXPLAIN VERBOSE, no
// costs: what is scanned, what a foreign server is sent), one line a node.
std::string plan_text(const std::string& sql, const std::vector<spi::TextParam>& params) {
  // Not read_only: SPI refuses EXPLAIN (a utility statement) there, though
  // it writes nothing and runs on a standby.
  uint64 n = spi::execute_text_params("EXPLAIN (VERBOSE, COSTS OFF) " + sql, params, false);
  std::string out;
  for (uint64 row = 0; row < n; row++) out += spi::value(row, 1).value_or("") + "\n";
  return out;
}

void check_page(std::int64_t rows, std::int64_t start) {
  if (rows < 0)
    throw UserError(sqlstate::kInvalidParameterValue, "rows must be zero or more, not " + std::to_string(rows));
  if (rows > g_max_page_size)
    throw UserError(sqlstate::kInvalidParameterValue,
                    "rows must be at most " + std::to_string(g_max_page_size) + ", not " +
                        std::to_string(rows),
                    "", "The limit is the setting opendata.max_page_size; exports have none.");
  if (start < 0)
    throw UserError(sqlstate::kInvalidParameterValue, "start must be zero or more, not " + std::to_string(start));
}

std::string dataset_arg(const Args& args) {
  if (!args.given("dataset")) throw UserError(sqlstate::kInvalidParameterValue, "dataset must be given");
  return args.text("dataset");
}

// Whether a page that cannot be continued by a token (no key, a grouped
// query, an order a token cannot carry) has rows after it: it is full and
// the total says there are more, or the total is only an estimate.
bool more_after(const odsql::Request& req, std::int64_t page_rows, const Count& count) {
  if (req.limit <= 0 || page_rows < req.limit) return false;
  return count.estimated || count.value > req.offset + page_rows;
}

// links.next of a page: the ready GET URL of the next page, or "" on the
// last one.  Tokens go first; a page without one still tells whether
// there is a next page, by start (issue #24: a loop that follows links
// must not stop after page 1 of a dataset without a key).
std::string next_link(const Args& call_args, const odsql::Request& req,
                      const std::string& slug, const std::string& next_after,
                      bool keyset, std::int64_t page_rows, const Count& count) {
  const bool by_start = !keyset && more_after(req, page_rows, count);
  if (next_after.empty() && !by_start) return {};
  odsql::LinkArgs args;
  args.base_url = api_base_url();
  args.dataset = slug;
  std::string lang = call_args.text("lang");
  if (call_args.given("lang") && lang != "fr") args.lang = lang;
  return next_after.empty() ? odsql::next_link_start(args, req)
                            : odsql::next_link_after(args, req, next_after);
}

std::string response(const Count& count, const std::string& results,
                     const std::string& next_after, const std::string& next) {
  std::string out = "{\"total_count\": " + std::to_string(count.value);
  if (count.estimated) out += ", \"total_count_estimated\": true";
  out += ", \"results\": ";
  out += results;
  // Base64url: no character needs escaping in JSON.
  if (!next_after.empty()) out += ", \"next_after\": \"" + next_after + "\"";
  if (!next.empty()) {
    out += ", \"links\": {\"next\": ";
    exporter::append_json_string(out, next);  // base_url is the publisher's text
    out += "}";
  }
  out += "}";
  return out;
}

// The shapes of request (their page_sql) whose last plan sorted every
// matching row before its LIMIT, most recently used first.  Their page is
// planned without the count's sub-select: the rows going into the sort are
// the count.  Planning a sub-select that does not run is about a fifth of a
// small page's time (issue #15), and whether a plan sorts depends on the
// values (a bounding box's or a range's selectivity), so it is learnt per
// shape: when a shape stops sorting, its count runs on its own once
// (count_matches) and the shape plans with the sub-select again.
constexpr std::size_t kSortedShapes = 64;
std::list<std::string> g_sorted_shapes;

bool sorted_last_time(const std::string& shape) {
  return std::find(g_sorted_shapes.begin(), g_sorted_shapes.end(), shape) != g_sorted_shapes.end();
}

void remember_sorted(const std::string& shape, bool sorted) {
  g_sorted_shapes.remove(shape);
  if (!sorted) return;
  g_sorted_shapes.push_front(shape);
  if (g_sorted_shapes.size() > kSortedShapes) g_sorted_shapes.pop_back();
}

// The page and what records() needs to tell its total.
struct PageRun {
  PlannedResult run;
  std::optional<double> estimate;  // of the matches, when over the threshold
  bool over_threshold = false;
};

// The page and its count, one statement planned once: the count's estimate
// is read from that plan, and the count runs in the same execution as the
// page, when the page does not tell the total and the estimate is within
// opendata.exact_count_threshold.  When the plan sorts every matching row
// before cutting the page, the rows going into the sort are counted
// instead, and the count does not run at all; a shape that sorted last
// time, or whose count is known (`summarized`), is planned without it.
PageRun run_page(const odsql::Compiled& compiled, const std::vector<spi::TextParam>& params,
                 bool summarized) {
  const bool page_alone = summarized || (compiled.page_scan_counts &&
                                         sorted_last_time(compiled.page_sql));
  PageRun out;
  bool sorted = false;
  out.run = run_planned(
      page_alone ? compiled.page_sql : compiled.page_count_sql, params,
      [&](const PlannedStmt* plan) {
        PlanChoice choice;
        choice.last = "false";
        if (summarized) return choice;
        const Plan* sorted_rows = compiled.page_scan_counts ? sorted_input(plan) : nullptr;
        sorted = sorted_rows != nullptr;
        if (g_exact_count_threshold > 0) {
          // The matches the plan expects: going into the sort, or counted
          // by the sub-select.
          out.estimate = page_alone ? (sorted ? std::optional<double>(sorted_rows->plan_rows)
                                              : std::nullopt)
                                    : last_column_input_rows(plan);
          out.over_threshold = out.estimate && *out.estimate > g_exact_count_threshold;
          if (!out.estimate || out.over_threshold) return choice;
        }
        choice.count_rows_of = sorted_rows;
        if (sorted_rows == nullptr && !page_alone) choice.last = "true";
        return choice;
      });
  if (!summarized) remember_sorted(compiled.page_sql, sorted);
  return out;
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

Datum opendata_records(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kRecords);
    std::string slug = pg::dataset_arg(args);
    pg::spi::connect();
    // The fields as this backend read them last, unless a change of the
    // catalog came since (pg/dataset_cache.hpp): reading them again costs
    // more than a small page.
    const auto kept = pg::published_dataset_kept(slug);
    const pg::PublishedDataset& ds = kept->dataset;
    odsql::Request req = pg::odsql_request(args, ds, 10);
    pg::check_page(req.limit, req.offset);
    pg::add_keyset(args, ds, req);
    // As compiled last time for this request (pg/compiled_requests.hpp).
    const pg::SharedCompiled shared_compiled = pg::compiled_records(*kept, req);
    const odsql::Compiled& compiled = *shared_compiled;
    pg::check_timezone(req.timezone);
    // Every record counted, without a filter: the count publish() made for
    // this version, when no write touched the data since (pg/summary.hpp).
    std::optional<std::int64_t> summarized;
    if (compiled.counts_every_record) summarized = pg::summarized_row_count(slug);
    auto params = pg::bind(compiled.params);
    params.push_back({BOOLOID, std::string("false")});
    pg::PageRun page_run = pg::run_page(compiled, params, summarized.has_value());
    const pg::PlannedResult& run = page_run.run;
    const pg::spi::Row& page = run.row;
    std::string results = pg::spi::value(page, 1).value_or("[]");
    std::int64_t page_rows = std::stoll(pg::spi::value(page, 2).value_or("0"));
    std::string next_after = pg::next_token(compiled, req.limit, page);
    // The last column: the total the page tells by itself (the compiler's
    // rule, odsql/records.cpp total_column()), or the count when it ran.
    pg::Count count;
    std::optional<std::string> total = pg::spi::value(page, pg::spi::column_count(page));
    if (total) {
      count.value = std::stoll(*total);
    } else if (summarized) {
      count.value = *summarized;
    } else if (page_run.over_threshold) {
      count.value = static_cast<std::int64_t>(*page_run.estimate);
      count.estimated = true;
    } else if (run.counted) {
      count.value = *run.counted;
    } else {  // no estimate in the plan, or a sort that did not run: on its own
      params.pop_back();
      count = pg::count_matches(compiled, params);
    }
    std::string next = pg::next_link(args, req, slug, next_after, !compiled.keyset.empty(),
                                     page_rows, count);
    std::string body = pg::response(count, results, next_after, next);
    pg::spi::finish();
    pg::count_call(usage::Endpoint::kRecords, slug, static_cast<std::uint64_t>(page_rows), body.size());
    return pg::text_datum(body);
  });
}

// facets(dataset, facet, where, refine, exclude, lang, timezone)
Datum opendata_facets(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kFacets);
    std::string slug = pg::dataset_arg(args);
    pg::spi::connect();
    const auto kept = pg::published_dataset_kept(slug);  // as records()
    const pg::PublishedDataset& ds = kept->dataset;
    std::vector<std::string> facet_fields =
        args.given("facet") ? args.text_array("facet") : ds.facet_fields;
    odsql::Request req;
    req.relation = ds.relation;
    req.where = args.text("where");
    req.refine = args.text_array("refine");
    req.exclude = args.text_array("exclude");
    req.timezone = args.text_or("timezone", "UTC");
    const pg::SharedCompiled shared_compiled = pg::compiled_facets(*kept, req, facet_fields);
    const odsql::Compiled& compiled = *shared_compiled;
    pg::check_timezone(req.timezone);
    // Without a filter, in UTC: the counts publish() made for this version,
    // when no write touched the data since (pg/summary.hpp).
    std::optional<std::string> body;
    if (req.where.empty() && req.refine.empty() && req.exclude.empty() && req.timezone == "UTC")
      body = pg::summarized_facets(slug, facet_fields);
    if (!body) {
      // Planned as records() plans its page (pg/planned.hpp): the plan of
      // these values kept when they come a second time.  The statement
      // reads no run-time value: its last parameter, which run_planned()
      // leaves out of the plan, is one more that it does not reference.
      auto params = pg::bind(compiled.params);
      params.push_back({BOOLOID, std::string("false")});
      const pg::PlannedResult run =
          pg::run_planned(compiled.results_sql, params, [](const PlannedStmt*) {
            pg::PlanChoice choice;
            choice.last = "false";
            return choice;
          });
      body = pg::spi::value(run.row, 1).value_or("{\"facets\": []}");
    }
    pg::spi::finish();
    pg::count_call(usage::Endpoint::kFacets, slug, 0, body->size());
    return pg::text_datum(*body);
  });
}

// explain_odsql: same arguments as records(); the SQL it would run, and
// with plan => true the plan PostgreSQL makes for the page with these very
// values (a custom plan, as records() gets): partitions pruned by a filter
// on the partition key are absent from it, a foreign scan shows the SQL
// sent to the remote server (docs/scaling.md).
Datum opendata_explain_odsql(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kExplainOdsql);
    std::string slug = pg::dataset_arg(args);
    bool with_plan = args.bool_or("plan", false);
    pg::spi::connect();
    pg::PublishedDataset ds = pg::load_published_dataset(slug);
    odsql::Request req = pg::odsql_request(args, ds, 10);
    pg::add_keyset(args, ds, req);
    odsql::Compiled compiled = odsql::compile_records(ds.fields, req);
    pg::check_timezone(req.timezone);
    std::string out = odsql::explain_sql(compiled);
    if (with_plan) out += "-- plan\n" + pg::plan_text(compiled.results_sql, pg::bind(compiled.params));
    pg::spi::finish();
    return pg::text_datum(out);
  });
}
