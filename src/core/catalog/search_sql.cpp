// The catalog search's statement (see search_sql.hpp).
#include "core/catalog/search_sql.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/odsql/literals.hpp"

namespace opendata::catalog {
namespace {

// The refine values of facet i are $(3 + i) (search_sql.hpp).
constexpr int kRefineBase = 3;
// The statement of the in-memory index: the page's slugs $17 and scores
// $18, the total $19, then each facet's values and counts, two arrays per
// facet from $20 in the order of kSearchFacets.
constexpr int kCachedPageBase = 17;
constexpr int kCachedFacetBase = 20;

std::string param(int n) { return "$" + std::to_string(n); }

std::size_t index_of(SearchFacet f) { return static_cast<std::size_t>(f); }

std::optional<SearchFacet> facet_named(const std::string& name) {
  for (std::size_t i = 0; i < kSearchFacetCount; ++i)
    if (name == kSearchFacets[i]) return static_cast<SearchFacet>(i);
  return std::nullopt;
}

// How RAISE writes a NULL value in a message.
std::string shown(const std::optional<std::string>& value) { return value.value_or("<NULL>"); }

// btrim(s): spaces only, as PostgreSQL's one-argument btrim.
std::string trim_spaces(const std::string& s) {
  const std::size_t first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

std::string facet_list() {
  std::string out;
  for (const char* name : kSearchFacets) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

UserError bad_value(const std::string& message, const std::string& detail = {},
                    const std::string& hint = {}) {
  return UserError(sqlstate::kInvalidParameterValue, message, detail, hint);
}

UserError unknown_facet(const std::string& message) {
  return bad_value(message, {}, "Catalog facets: " + facet_list() + ".");
}

void check_page(const SearchRequest& r) {
  if (!r.rows || *r.rows < 0 || *r.rows > r.max_rows)
    throw bad_value("rows must be between 0 and " + std::to_string(r.max_rows) + ", not " +
                        (r.rows ? std::to_string(*r.rows) : "NULL"),
                    {}, "The limit is the setting opendata.max_page_size.");
  if (!r.start || *r.start < 0)
    throw bad_value("start must be zero or more, not " +
                    (r.start ? std::to_string(*r.start) : "NULL"));
  if (!r.lang || (*r.lang != "fr" && *r.lang != "en"))
    throw bad_value("unsupported lang \"" + shown(r.lang) + "\"", {}, "Use fr or en.");
}

// The facets to count: all of them by default, else the ones asked, in
// their order, each once.
std::vector<SearchFacet> counted_facets(const SearchRequest& r) {
  std::vector<SearchFacet> out;
  if (!r.facets) {
    for (std::size_t i = 0; i < kSearchFacetCount; ++i) out.push_back(static_cast<SearchFacet>(i));
    return out;
  }
  for (const std::optional<std::string>& name : *r.facets) {
    const std::optional<SearchFacet> f = name ? facet_named(*name) : std::nullopt;
    if (!f) throw unknown_facet("unknown facet \"" + shown(name) + "\"");
  }
  for (const std::optional<std::string>& name : *r.facets) {
    const SearchFacet f = *facet_named(*name);
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

bool is_year(const std::string& v) {
  return v.size() == 4 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
           return c >= '0' && c <= '9';
         });
}

// refine or exclude: "facet:value" items, the values folded as the
// statement compares them.
SearchFacetValues facet_values(const std::vector<std::optional<std::string>>& items,
                               const char* param_name, const TextCase& text_case) {
  SearchFacetValues out;
  const std::string param_text = param_name;
  for (const std::optional<std::string>& item : items) {
    const std::size_t colon = item ? item->find(':') : std::string::npos;
    if (colon == std::string::npos)
      throw bad_value("invalid " + param_text + " item \"" + shown(item) + "\"",
                      "Expected facet:value, for example theme:ENVI.");
    const std::string name = text_case.lower(trim_spaces(item->substr(0, colon)));
    const std::string value = trim_spaces(item->substr(colon + 1));
    const std::optional<SearchFacet> facet = facet_named(name);
    if (!facet) throw unknown_facet("unknown facet \"" + name + "\" in " + param_text);
    if (value.empty())
      throw bad_value("invalid " + param_text + " item \"" + *item + "\"",
                      "The value after \"" + name + ":\" is empty.");
    if (*facet == SearchFacet::kModified && !is_year(value))
      throw bad_value("invalid " + param_text + " item \"" + *item + "\"",
                      "modified takes a year, for example modified:2024.");
    std::optional<std::vector<std::string>>& values = out[index_of(*facet)];
    if (!values) values.emplace();
    switch (*facet) {
      case SearchFacet::kTheme: values->push_back(text_case.upper(value)); break;
      case SearchFacet::kKeyword:
      case SearchFacet::kLicense: values->push_back(text_case.lower(value)); break;
      default: values->push_back(value); break;
    }
  }
  return out;
}

bool any(const SearchFacetValues& values) {
  return std::any_of(values.begin(), values.end(), [](const auto& v) { return v.has_value(); });
}

// order_by: one key among fixed ones, and a direction.
SearchOrder order_of(const SearchRequest& r, const TextCase& text_case) {
  std::string ord;
  bool space = false;
  for (char c : trim_spaces(r.order_by.value_or(""))) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) ord += ' ';
    space = false;
    ord += c;
  }
  if (space) ord += ' ';
  ord = text_case.lower(ord);
  if (ord.empty()) return r.has_query ? SearchOrder::kScoreDesc : SearchOrder::kModifiedDesc;
  if (ord == "relevance" || ord == "relevance desc") return SearchOrder::kScoreDesc;
  if (ord == "relevance asc") return SearchOrder::kScoreAsc;
  if (ord == "modified" || ord == "modified desc") return SearchOrder::kModifiedDesc;
  if (ord == "modified asc") return SearchOrder::kModifiedAsc;
  if (ord == "issued" || ord == "issued desc") return SearchOrder::kIssuedDesc;
  if (ord == "issued asc") return SearchOrder::kIssuedAsc;
  if (ord == "title" || ord == "title asc") return SearchOrder::kTitleAsc;
  if (ord == "title desc") return SearchOrder::kTitleDesc;
  throw bad_value("invalid order_by \"" + shown(r.order_by) + "\"", {},
                  "Sort by relevance, title, modified or issued, optionally followed by asc or "
                  "desc.");
}

// The ORDER BY of an order (src/core/catalog/search_index.cpp sorts the
// in-memory hits the same way: keep the two in step).
const char* order_sql(SearchOrder order) {
  switch (order) {
    case SearchOrder::kScoreDesc: return "h.score DESC, h.modified DESC, h.slug";
    case SearchOrder::kScoreAsc: return "h.score ASC, h.modified DESC, h.slug";
    case SearchOrder::kModifiedDesc: break;
    case SearchOrder::kModifiedAsc: return "h.modified ASC, h.slug";
    case SearchOrder::kIssuedDesc: return "h.issued DESC NULLS LAST, h.slug";
    case SearchOrder::kIssuedAsc: return "h.issued ASC NULLS LAST, h.slug";
    case SearchOrder::kTitleAsc: return "lower(h.title) ASC, h.slug";
    case SearchOrder::kTitleDesc: return "lower(h.title) DESC, h.slug";
  }
  return "h.modified DESC, h.slug";
}

// Where a facet's counts come from.
enum class FacetSource {
  kHits,    // counted over the hits
  kCounts,  // the kept counts of the public catalog
  kGiven,   // counted by the in-memory index, given as two arrays
};

// The SQL type of a facet's values.
const char* facet_type(SearchFacet f) {
  return f == SearchFacet::kPublisher ? "bigint" : f == SearchFacet::kModified ? "int" : "text";
}

// One facet's count, as rows (v, n) (keywords: (k, n), per spelling):
// from the kept counts of the public catalog, the in-memory index's
// arrays or over the hits.  Arrays are unnested in the select list (a
// stream, where a lateral unnest() fills a tuplestore per hit).
std::string facet_source(SearchFacet f, FacetSource from) {
  const char* column = f == SearchFacet::kKeyword ? "k" : "v";
  if (from == FacetSource::kCounts)
    return std::string("SELECT c.value::") + facet_type(f) + " AS " + column +
           ", c.n FROM counts c WHERE c.facet = '" + kSearchFacets[index_of(f)] + "'";
  if (from == FacetSource::kGiven) {
    const int values = kCachedFacetBase + 2 * static_cast<int>(index_of(f));
    return std::string("SELECT c.") + column + ", c.n FROM unnest(" + param(values) +
           "::" + facet_type(f) + "[], " + param(values + 1) + "::bigint[]) AS c(" + column +
           ", n)";
  }
  switch (f) {
    case SearchFacet::kTheme:
      return "SELECT v, count(*) AS n FROM (SELECT unnest(h.themes) AS v FROM hits h) u GROUP BY v";
    case SearchFacet::kKeyword:
      return "SELECT k, count(*) AS n FROM (SELECT unnest(h.keywords) AS k FROM hits h) u GROUP BY k";
    case SearchFacet::kPublisher:
      return "SELECT h.organization_id AS v, count(*) AS n FROM hits h"
             " WHERE h.organization_id IS NOT NULL GROUP BY 1";
    case SearchFacet::kLicense:
      return "SELECT h.license_id AS v, count(*) AS n FROM hits h"
             " WHERE h.license_id IS NOT NULL GROUP BY 1";
    case SearchFacet::kTerritory:
      return "SELECT h.territory AS v, count(*) AS n FROM hits h"
             " WHERE h.territory IS NOT NULL GROUP BY 1";
    case SearchFacet::kModified: break;
  }
  return "SELECT h.year AS v, count(*) AS n FROM hits h GROUP BY 1";
}

// One facet of the answer: {"name", "facets": [{"name", "value", "count",
// "state"}]}, its 50 largest values.  Keywords are counted per spelling
// before lower() folds the few distinct spellings (lower() on every
// keyword of a whole catalog cost more than the count itself).
std::string facet_sql(SearchFacet f, FacetSource counted) {
  const std::string source = facet_source(f, counted);
  const std::string top50 = "(SELECT v, n FROM (" + source + ") c ORDER BY 2 DESC, 1 LIMIT 50) x";
  const std::string refined = param(kRefineBase + static_cast<int>(index_of(f)));
  std::string name = "x.v", value = "x.v", state = "x.v", order = "x.n DESC, x.v", from = top50;
  switch (f) {
    case SearchFacet::kTheme:
      name = "coalesce(CASE WHEN $2 = 'en' THEN t.label_en ELSE t.label_fr END, x.v)";
      from = top50 + " LEFT JOIN opendata.themes t ON t.code = x.v";
      break;
    case SearchFacet::kKeyword:
      name = "x.label";
      from = "(SELECT lower(k) AS v, min(k) AS label, sum(n)::bigint AS n FROM (" + source +
             ") spelled GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50) x";
      break;
    case SearchFacet::kPublisher:
      name = "o.name";
      value = "o.slug";
      order = "x.n DESC, o.slug";
      from = top50 + " JOIN opendata.organizations o ON o.id = x.v";
      break;
    case SearchFacet::kLicense:
      name = "coalesce(l.title, x.v)";
      state = "lower(x.v)";
      from = top50 + " LEFT JOIN opendata.licenses l ON l.id = x.v";
      break;
    case SearchFacet::kTerritory: break;
    case SearchFacet::kModified:
      name = value = "x.v::text";
      order = "x.v DESC";
      from = "(SELECT v, n FROM (" + source + ") c ORDER BY 1 DESC LIMIT 50) x";
      break;
  }
  return std::string("(SELECT json_build_object('name', '") + kSearchFacets[index_of(f)] +
         "', 'facets', coalesce(json_agg(json_build_object('name', " + name + ", 'value', " +
         value + ", 'count', x.n, 'state', CASE WHEN " + state + " = ANY (" + refined +
         ") THEN 'refined' ELSE 'displayed' END) ORDER BY " + order + "), '[]')) FROM " + from +
         ")";
}

// The datasets the search reads, with their score, before refine and
// exclude: opendata.datasets under its policy (joined to the matches of
// the text, if any).
std::string matches_sql(const SearchRequest& r) {
  return std::string(
             "(SELECT d.id, d.slug, d.title, d.modified, d.issued, d.themes, d.keywords, "
             "d.license_id, d.organization_id, d.spatial->>'label' AS territory, "
             "date_part('year', d.modified AT TIME ZONE 'UTC')::int AS year, ") +
         (r.has_query ? "m.score" : "0::real") + " AS score FROM " +
         (r.has_query ? "opendata._search_matches($1) m JOIN opendata.datasets d ON d.id = m.dataset_id"
                      : "opendata.datasets d") +
         ")";
}

// The matches kept by refine ($3..$8) and exclude ($9..$14).  For a text
// and the public view, opendata._search_public_matches() reads the narrow
// rows of search_index and applies the same filters itself, before it
// ranks (60_search.sql: keep the two in step); else they are applied here.
std::string hits_sql(const SearchRequest& r) {
  const std::string columns =
      "hits AS MATERIALIZED (SELECT d.id, d.slug, d.title, d.modified, d.issued, d.themes, "
      "d.keywords, d.license_id, d.organization_id, d.territory, d.year, d.score FROM ";
  if (r.has_query && r.public_view)
    return columns +
           "opendata._search_public_matches($1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
           "$14) d)";
  return columns + matches_sql(r) +
         " d"
         " WHERE ($3 IS NULL OR d.themes @> $3)"
         " AND ($4 IS NULL OR ARRAY(SELECT lower(k) FROM unnest(d.keywords) k) @> $4)"
         " AND ($5 IS NULL OR d.organization_id = ALL ($5))"
         " AND ($6 IS NULL OR lower(d.license_id) = ALL ($6))"
         " AND ($7 IS NULL OR d.territory = ALL ($7))"
         " AND ($8 IS NULL OR d.year = ALL ($8))"
         " AND ($9 IS NULL OR NOT d.themes && $9)"
         " AND ($10 IS NULL OR NOT ARRAY(SELECT lower(k) FROM unnest(d.keywords) k) && $10)"
         " AND ($11 IS NULL OR d.organization_id IS NULL OR d.organization_id <> ALL ($11))"
         " AND ($12 IS NULL OR d.license_id IS NULL OR lower(d.license_id) <> ALL ($12))"
         " AND ($13 IS NULL OR d.territory IS NULL OR d.territory <> ALL ($13))"
         " AND ($14 IS NULL OR d.year <> ALL ($14)))";
}

std::string facets_sql(const SearchPlan& plan, FacetSource from) {
  std::string facets;
  for (SearchFacet f : plan.facets) facets += (facets.empty() ? "" : ", ") + facet_sql(f, from);
  return facets.empty() ? "'[]'::json" : "json_build_array(" + facets + ")";
}

// The answer of a page (slug, score, ord), a total and the facets.
std::string answer_sql(const std::string& total, const std::string& facets) {
  return " SELECT json_build_object('total_count', " + total +
         ", 'results', (SELECT coalesce(json_agg(CASE WHEN $1 IS NULL THEN to_jsonb(v)"
         " ELSE to_jsonb(v) || jsonb_build_object('score', round(p.score::numeric, 4)) END"
         " ORDER BY p.ord), '[]') FROM page p CROSS JOIN LATERAL (SELECT * FROM "
         "opendata_api.datasets x WHERE x.dataset_id = p.slug OFFSET 0) v), 'facets', " +
         facets + ")";
}

std::string statement(const SearchRequest& r, const SearchPlan& plan, const std::string& order) {
  const bool counts = plan.from_counts;
  return "WITH " +
         (counts ? std::string("counts AS MATERIALIZED (SELECT facet, value, n FROM "
                               "opendata._search_public_counts())")
                 : hits_sql(r)) +
         // LIMIT before the numbering: a top-N sort of the hits, then the
         // page alone numbered (row_number() over all hits sorted them all).
         ", page AS (SELECT h.slug, h.score, row_number() OVER (ORDER BY " + order +
         ") AS ord FROM (SELECT * FROM " +
         // The whole public catalog's page: the datasets under their
         // policy, in the order of the index on (modified DESC, slug) for
         // the default.
         (counts ? "(SELECT d.slug, d.title, d.modified, d.issued, 0::real AS score "
                   "FROM opendata.datasets d)"
                 : "hits") +
         " h ORDER BY " + order + " LIMIT $15 OFFSET $16) h)" +
         answer_sql(counts ? "coalesce((SELECT c.n FROM counts c WHERE c.facet = 'total'), 0)"
                           : "(SELECT count(*) FROM hits)",
                    facets_sql(plan, counts ? FacetSource::kCounts : FacetSource::kHits));
}

std::optional<std::string> array_param(const std::optional<std::vector<std::string>>& values) {
  if (!values) return std::nullopt;
  return odsql::text_array_literal(*values);
}

// An array literal whose elements may be NULL: the others double-quoted,
// double quotes and backslashes escaped, so any text round-trips.
std::string nullable_array_literal(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (const std::optional<std::string>& item : items) {
    if (out.size() > 1) out += ',';
    if (!item) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::int64_t id : ids) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "}";
}

// One filter's six parameters, publishers given by id.
void add_filter(std::vector<SearchParam>& out, const SearchFacetValues& values,
                const std::vector<std::int64_t>& publisher_ids) {
  for (std::size_t i = 0; i < kSearchFacetCount; ++i) {
    switch (static_cast<SearchFacet>(i)) {
      case SearchFacet::kPublisher:
        out.push_back({SearchParamType::kBigintArray,
                       values[i] ? std::optional<std::string>(bigint_array(publisher_ids))
                                 : std::nullopt});
        break;
      case SearchFacet::kModified:
        out.push_back({SearchParamType::kIntArray, array_param(values[i])});
        break;
      default: out.push_back({SearchParamType::kTextArray, array_param(values[i])}); break;
    }
  }
}

}  // namespace

SearchPlan plan_search(const SearchRequest& request, const TextCase& text_case) {
  check_page(request);
  SearchPlan plan;
  plan.facets = counted_facets(request);
  plan.refine = facet_values(request.refine, "refine", text_case);
  plan.exclude = facet_values(request.exclude, "exclude", text_case);
  plan.order = order_of(request, text_case);
  plan.from_counts =
      request.public_view && !request.has_query && !any(plan.refine) && !any(plan.exclude);
  plan.sql = statement(request, plan, order_sql(plan.order));
  plan.cached_sql =
      "WITH page AS (SELECT u.slug, u.score, u.ord FROM unnest(" + param(kCachedPageBase) +
      "::text[], " + param(kCachedPageBase + 1) + "::real[]) WITH ORDINALITY AS u(slug, score, ord))" +
      answer_sql(param(kCachedPageBase + 2) + "::bigint", facets_sql(plan, FacetSource::kGiven));
  return plan;
}

std::vector<SearchParam> search_params(const SearchPlan& plan, const SearchRequest& request,
                                       const std::optional<std::string>& query,
                                       const SearchPublishers& publishers) {
  std::vector<SearchParam> out;
  out.push_back({SearchParamType::kTsquery, query});
  out.push_back({SearchParamType::kText, request.lang});
  add_filter(out, plan.refine, publishers.refine);
  add_filter(out, plan.exclude, publishers.exclude);
  out.push_back({SearchParamType::kInt, std::to_string(request.rows.value_or(0))});
  out.push_back({SearchParamType::kInt, std::to_string(request.start.value_or(0))});
  return out;
}

std::vector<SearchParam> cached_search_params(const SearchPlan& plan, const SearchRequest& request,
                                              const std::optional<std::string>& query,
                                              const SearchPublishers& publishers,
                                              const SearchFound& found) {
  std::vector<SearchParam> out = search_params(plan, request, query, publishers);
  out.push_back({SearchParamType::kTextArray, odsql::text_array_literal(found.page_slugs)});
  out.push_back({SearchParamType::kRealArray, odsql::text_array_literal(found.page_scores)});
  out.push_back({SearchParamType::kBigint, std::to_string(found.total)});
  for (std::size_t i = 0; i < kSearchFacetCount; ++i) {
    const SearchFacet f = static_cast<SearchFacet>(i);
    std::vector<std::optional<std::string>> values;
    std::vector<std::optional<std::string>> counts;
    for (const auto& [value, n] : found.facets[i]) {
      values.push_back(value);
      counts.push_back(std::to_string(n));
    }
    out.push_back({f == SearchFacet::kPublisher  ? SearchParamType::kBigintArray
                   : f == SearchFacet::kModified ? SearchParamType::kIntArray
                                                 : SearchParamType::kTextArray,
                   nullable_array_literal(values)});
    out.push_back({SearchParamType::kBigintArray, nullable_array_literal(counts)});
  }
  return out;
}

std::string with_next_link(const std::string& answer, const std::string& url_json) {
  if (answer.empty() || answer.back() != '}') return answer;
  return answer.substr(0, answer.size() - 1) + ", \"links\" : {\"next\" : " + url_json + "}}";
}

std::int64_t answer_total_count(const std::string& answer) {
  // json_build_object writes {"total_count" : n, ...
  static const std::string kPrefix = "{\"total_count\" : ";
  if (answer.compare(0, kPrefix.size(), kPrefix) != 0) return 0;
  std::int64_t n = 0;
  for (std::size_t i = kPrefix.size(); i < answer.size() && answer[i] >= '0' && answer[i] <= '9'; ++i)
    n = n * 10 + (answer[i] - '0');
  return n;
}

}  // namespace opendata::catalog
