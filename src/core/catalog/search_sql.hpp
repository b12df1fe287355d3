// The statement of the catalog search, opendata_api.search()
// (src/sql/60_search.sql, docs/search.md): its arguments checked, the
// refine and exclude items parsed, and the one statement that answers
// the call written, every value a parameter.  src/pg/search.cpp runs it.
//
// The statement reads $1 (the tsquery of q, NULL for no text), $2 (lang),
// $3..$8 the refine values and $9..$14 the exclude values of each facet
// in the order of kSearchFacets (NULL: none), $15 rows and $16 start; it
// returns one json value, the answer without its links.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace opendata::catalog {

enum class SearchFacet { kTheme, kKeyword, kPublisher, kLicense, kTerritory, kModified };

inline constexpr std::size_t kSearchFacetCount = 6;

// The catalog's facets, by name, in their default order (and the order of
// opendata._search_facet_names()).
inline constexpr std::array<const char*, kSearchFacetCount> kSearchFacets = {
    "theme", "keyword", "publisher", "license", "territory", "modified"};

// Case folding of the caller's values as the database does it (lower()
// and upper() under its collation).
struct TextCase {
  std::function<std::string(const std::string&)> lower;
  std::function<std::string(const std::string&)> upper;
};

// A call of search(), its arguments as they came (nullopt: NULL).
struct SearchRequest {
  bool has_query = false;    // q gave a tsquery (opendata._search_query(q) is not NULL)
  bool public_view = false;  // the caller sees exactly the public catalog (docs/search.md)
  std::optional<std::vector<std::optional<std::string>>> facets;  // nullopt: every facet
  std::vector<std::optional<std::string>> refine;                 // "facet:value" items
  std::vector<std::optional<std::string>> exclude;
  std::optional<std::string> order_by;
  std::optional<std::int64_t> rows;
  std::optional<std::int64_t> start;
  std::optional<std::string> lang;
  std::int64_t max_rows = 100;  // opendata.max_page_size
};

// The values of refine or exclude, per facet (nullopt: the facet has
// none), folded as the statement compares them: themes upper-case,
// keywords and licences lower-case, years as written; publishers by slug,
// which the caller turns into organization ids.
using SearchFacetValues = std::array<std::optional<std::vector<std::string>>, kSearchFacetCount>;

// How search() orders its hits (order_by), and the SQL of each order.
enum class SearchOrder {
  kScoreDesc,     // h.score DESC, h.modified DESC, h.slug
  kScoreAsc,      // h.score ASC, h.modified DESC, h.slug
  kModifiedDesc,  // h.modified DESC, h.slug
  kModifiedAsc,   // h.modified ASC, h.slug
  kIssuedDesc,    // h.issued DESC NULLS LAST, h.slug
  kIssuedAsc,     // h.issued ASC NULLS LAST, h.slug
  kTitleAsc,      // lower(h.title) ASC, h.slug
  kTitleDesc,     // lower(h.title) DESC, h.slug
};

struct SearchPlan {
  std::vector<SearchFacet> facets;  // counted, in the order asked, each once
  SearchFacetValues refine;
  SearchFacetValues exclude;
  // No text, refine or exclude, and the public view: the facets come from
  // the kept counts of the public catalog and the page from the
  // (modified, slug) index, nothing reads every dataset.
  bool from_counts = false;
  SearchOrder order = SearchOrder::kModifiedDesc;
  std::string sql;
  // The statement that formats an answer the in-memory index found
  // (src/pg/search_cache.cpp): the parameters of cached_search_params().
  std::string cached_sql;
};

// The request checked and its statement written.  Throws UserError
// (22023) with search()'s messages for a bad argument.
SearchPlan plan_search(const SearchRequest& request, const TextCase& text_case);

// The statement's parameters, by position ($1 first).
enum class SearchParamType {
  kTsquery, kText, kTextArray, kBigintArray, kIntArray, kInt, kRealArray, kBigint
};
struct SearchParam {
  SearchParamType type;
  std::optional<std::string> value;  // PostgreSQL text input; nullopt: NULL
};

// The values of the publishers a plan refines and excludes, found by the
// caller: for refine one organization id per slug (-1 for an unknown slug,
// which refines to nothing), for exclude the ids of the known slugs.
struct SearchPublishers {
  std::vector<std::int64_t> refine;
  std::vector<std::int64_t> exclude;
};

// The parameters of `plan`'s statement: `query` is the tsquery as text.
std::vector<SearchParam> search_params(const SearchPlan& plan, const SearchRequest& request,
                                       const std::optional<std::string>& query,
                                       const SearchPublishers& publishers);

// One facet's counts over the hits, as the statement's GROUP BY gives
// them: (value as PostgreSQL text input, nullopt for NULL; count).
using SearchFacetCounts = std::vector<std::pair<std::optional<std::string>, std::int64_t>>;

// What the in-memory index found for a call: the page (slugs, and scores
// as float4 text input that reads back the same float), the total and
// each counted facet's counts (by kSearchFacets' order; empty if not
// counted).
struct SearchFound {
  std::vector<std::string> page_slugs;
  std::vector<std::string> page_scores;
  std::int64_t total = 0;
  std::array<SearchFacetCounts, kSearchFacetCount> facets;
};

// The parameters of `plan`'s cached_sql: those of search_params(), then
// what the index found.
std::vector<SearchParam> cached_search_params(const SearchPlan& plan, const SearchRequest& request,
                                              const std::optional<std::string>& query,
                                              const SearchPublishers& publishers,
                                              const SearchFound& found);

// links.next added to the statement's answer, as the SQL function did it
// (its last '}' replaced, so the keys before keep their order and layout).
// `url_json` is the URL already written as a JSON string.
std::string with_next_link(const std::string& answer, const std::string& url_json);

// The total_count of the statement's answer (its first key).
std::int64_t answer_total_count(const std::string& answer);

}  // namespace opendata::catalog
