// opendata_api.search(): the catalog search (src/sql/60_search.sql,
// docs/search.md).
//
// The statement is written by src/core/catalog/search_sql; this layer
// reads the arguments, asks SQL what only the database knows (the tsquery
// of q, whether the caller sees exactly the public catalog, the
// publishers' ids), runs the statement through SPI as the caller, so
// row-level security applies, and adds links.next.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog/search_sql.hpp"
#include "core/export/text_escape.hpp"
#include "core/odsql/links.hpp"
#include "core/odsql/literals.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"
#include "pg/search_cache.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"
#include "pg/usage.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(opendata_search);
}

namespace opendata::pg {
namespace {

using catalog::SearchParamType;

// lower() and upper() as SQL applies them to a text value: under the
// database's collation.
catalog::TextCase database_case() {
  auto fold = [](char* (*fn)(const char*, size_t, Oid)) {
    return [fn](const std::string& s) {
      const char* data = s.c_str();
      const size_t len = s.size();
      return std::string(call([=] { return fn(data, len, DEFAULT_COLLATION_OID); }));
    };
  };
  return {fold(str_tolower), fold(str_toupper)};
}

std::optional<std::int64_t> int_arg(const Args& args, const char* name) {
  if (!args.given(name)) return std::nullopt;
  return args.int32_or(name, 0);
}

std::optional<std::string> text_arg(const Args& args, const char* name) {
  if (!args.given(name)) return std::nullopt;
  return args.text(name);
}

// An argument as its type writes it (refine::text in SQL), nullopt when
// NULL.
std::optional<std::string> output_text(const Args& args, const char* name) {
  if (!args.given(name)) return std::nullopt;
  const Datum value = args.datum(name);
  const Oid type = args.type(name);
  return std::string(call([=] {
    Oid output;
    bool varlena;
    getTypeOutputInfo(type, &output, &varlena);
    return OidOutputFunctionCall(output, value);
  }));
}

catalog::SearchRequest read_request(const Args& args) {
  catalog::SearchRequest r;
  if (args.given("facet")) r.facets = args.text_array_with_nulls("facet");
  r.refine = args.text_array_with_nulls("refine");
  r.exclude = args.text_array_with_nulls("exclude");
  r.order_by = text_arg(args, "order_by");
  r.rows = int_arg(args, "rows");
  r.start = int_arg(args, "start");
  r.lang = text_arg(args, "lang");
  r.max_rows = g_max_page_size;
  return r;
}

// The tsquery of q (opendata._search_query(), NULL for no text), and
// whether the caller sees exactly the public catalog: row-level security
// applies to it and it may manage no dataset beyond the public ones.  Then
// search_index's narrow rows and the public counts give the same answer as
// opendata.datasets under its policy.  Also the catalog's version, which
// names the in-memory index that can answer (search_cache.hpp).
void read_caller(const Args& args, catalog::SearchRequest& r, std::optional<std::string>& query,
                 std::int64_t& version) {
  static SPIPlanPtr plan = nullptr;
  spi::execute_saved(plan,
                     "SELECT opendata._search_query($1)::text,"
                     " pg_catalog.row_security_active('opendata.datasets')"
                     " AND NOT opendata._search_sees_beyond_public(current_user),"
                     " opendata._search_version()",
                     {{TEXTOID, text_arg(args, "q")}}, true);
  query = spi::value(0, 1);
  r.has_query = query.has_value();
  r.public_view = spi::value(0, 2).value_or("f") == "t";
  version = std::stoll(spi::value(0, 3).value_or("0"));
}

// Whether the in-memory index may answer: the public view, past what the
// kept counts answer, in a transaction that wrote nothing (its own
// uncommitted changes are in no index; SQL sees them).
bool index_may_answer(const catalog::SearchRequest& r, const catalog::SearchPlan& plan) {
  return r.public_view && !plan.from_counts &&
         !TransactionIdIsValid(call([] { return GetTopTransactionIdIfAny(); }));
}

std::vector<std::int64_t> ids(uint64 n) {
  std::vector<std::int64_t> out;
  for (uint64 i = 0; i < n; ++i) out.push_back(std::stoll(spi::value(i, 1).value_or("-1")));
  return out;
}

// Publishers by id: an unknown slug refines to nothing (-1 matches no
// organization) and excludes nothing.
catalog::SearchPublishers publisher_ids(const catalog::SearchPlan& plan) {
  const std::size_t publisher = static_cast<std::size_t>(catalog::SearchFacet::kPublisher);
  catalog::SearchPublishers out;
  if (const auto& slugs = plan.refine[publisher]) {
    static SPIPlanPtr refine_plan = nullptr;
    out.refine = ids(spi::execute_saved(
        refine_plan,
        "SELECT coalesce((SELECT o.id FROM opendata.organizations o WHERE o.slug = u.x), -1)"
        " FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY u.i",
        {{TEXTARRAYOID, odsql::text_array_literal(*slugs)}}, true));
  }
  if (const auto& slugs = plan.exclude[publisher]) {
    static SPIPlanPtr exclude_plan = nullptr;
    out.exclude = ids(spi::execute_saved(
        exclude_plan, "SELECT o.id FROM opendata.organizations o WHERE o.slug = ANY ($1::text[])",
        {{TEXTARRAYOID, odsql::text_array_literal(*slugs)}}, true));
  }
  return out;
}

Oid param_oid(SearchParamType type) {
  switch (type) {
    case SearchParamType::kTsquery: return TSQUERYOID;
    case SearchParamType::kText: return TEXTOID;
    case SearchParamType::kTextArray: return TEXTARRAYOID;
    case SearchParamType::kBigintArray: return INT8ARRAYOID;
    case SearchParamType::kIntArray: return INT4ARRAYOID;
    case SearchParamType::kRealArray: return FLOAT4ARRAYOID;
    case SearchParamType::kBigint: return INT8OID;
    case SearchParamType::kInt: break;
  }
  return INT4OID;
}

// links.next of the page: the same GET request with start moved past it
// (src/core/odsql/links.hpp), "" on the last page.
std::string next_page_link(const Args& args, const catalog::SearchRequest& r,
                           std::int64_t total) {
  // start and rows are int: their sum is too, as SQL computed it.
  if (*r.rows > 0 && *r.start + *r.rows > PG_INT32_MAX)
    throw UserError(sqlstate::kNumericValueOutOfRange, "integer out of range");
  const std::string lang = r.lang.value_or("fr");
  const odsql::QueryArgs request = {
      {"q", text_arg(args, "q")},
      {"refine", output_text(args, "refine")},
      {"exclude", output_text(args, "exclude")},
      {"facet", output_text(args, "facet")},
      {"order_by", r.order_by},
      {"rows", std::to_string(*r.rows)},
      {"start", std::to_string(*r.start)},
      {"lang", lang == "fr" ? std::nullopt : std::optional<std::string>(lang)}};
  return odsql::next_start_url(api_base_url(), "search", request, *r.start, *r.rows, total);
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

// search(q, refine, exclude, facet, order_by, rows, start, lang) RETURNS json
Datum opendata_search(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kSearch);
    catalog::SearchRequest request = pg::read_request(args);
    std::optional<std::string> query;
    std::int64_t version = 0;
    pg::spi::connect();
    pg::read_caller(args, request, query, version);
    const catalog::SearchPlan plan = catalog::plan_search(request, pg::database_case());
    const catalog::SearchPublishers publishers = pg::publisher_ids(plan);

    // The in-memory index finds the hits, the statement writes the answer;
    // else the statement does both.
    std::optional<catalog::SearchFound> found;
    if (pg::index_may_answer(request, plan))
      found = pg::search_public_index(plan, request, query, publishers, version);
    std::vector<pg::spi::TextParam> params;
    for (const catalog::SearchParam& p :
         found ? catalog::cached_search_params(plan, request, query, publishers, *found)
               : catalog::search_params(plan, request, query, publishers))
      params.push_back({pg::param_oid(p.type), p.value});
    if (found)
      // One statement per set of facets: kept planned.
      pg::spi::execute_kept(plan.cached_sql, params, true);
    else
      pg::spi::execute_text_params(plan.sql, params, true);
    std::string answer = pg::spi::value(0, 1).value_or("null");

    const std::string next = pg::next_page_link(args, request, catalog::answer_total_count(answer));
    if (!next.empty()) {
      std::string url_json;
      exporter::append_json_string(url_json, next);
      answer = catalog::with_next_link(answer, url_json);
    }
    pg::spi::finish();
    pg::release_index_load_memory();
    pg::count_call(usage::Endpoint::kSearch, "", 0, answer.size());
    return pg::text_datum(answer);
  });
}
