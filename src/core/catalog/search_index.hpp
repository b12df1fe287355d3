// An in-memory index of the public catalog for the catalog search
// (src/pg/search_cache.cpp, docs/search.md "In-memory index"): what
// opendata.search_index holds for the published public datasets, in a
// form that answers search() without reading a table.
//
// It matches the tsquery that opendata._search_query() writes (an AND of
// ORs of quoted lexemes, the last ones prefixes) through posting lists of
// a sorted lexeme dictionary, applies refine and exclude on integer codes
// of the facet values, counts the facets in one pass over the matches and
// picks the page.  It does not rank: the caller scores matches as SQL
// does (opendata._search_score(), src/pg/search_score.hpp).
//
// Comparisons are those of the statement's SQL: lexemes as bytes (as
// tsvector compares them), facet values by equality (the database's
// collation is deterministic: equal means the same bytes), slugs and
// titles by their rank in the database's collation, computed by SQL when
// the index is loaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/catalog/search_sql.hpp"

namespace opendata::catalog {

// One operand of a tsquery: a lexeme, or a prefix ('arbr':*).
struct SearchTerm {
  std::string lexeme;
  bool prefix = false;
  bool operator==(const SearchTerm& o) const { return lexeme == o.lexeme && prefix == o.prefix; }
};

// A tsquery that is an AND of ORs of terms: every group must match.
using SearchQuery = std::vector<std::vector<SearchTerm>>;

// The tsquery as PostgreSQL writes it (tsquery's output), if it is an AND
// of ORs of plain or prefix operands; nullopt for anything else (weights,
// negation, phrase operators, an OR of ANDs, bad syntax), which the caller
// answers in SQL.
std::optional<SearchQuery> parse_search_query(std::string_view text);

// A dataset as the index receives it (one row of search_index).
struct SearchDocumentInput {
  std::string slug;
  std::vector<std::string> lexemes;  // the document tsvector's lexemes
  std::int64_t slug_rank = 0;        // rank of slug, ORDER BY slug in the database's collation
  std::int64_t title_rank = 0;       // rank of lower(title), NULL titles last
  std::int64_t modified = 0;         // timestamptz, microseconds
  std::optional<std::int64_t> issued;
  std::vector<std::optional<std::string>> themes;
  std::vector<std::optional<std::string>> keywords;        // as written
  std::vector<std::optional<std::string>> keywords_lower;  // lower(), as refine compares them
  std::optional<std::int64_t> publisher;                   // organization id
  std::optional<std::string> license;                      // as written
  std::optional<std::string> license_lower;
  std::optional<std::string> territory;
  std::optional<std::int32_t> year;
};

inline bool order_uses_score(SearchOrder o) {
  return o == SearchOrder::kScoreDesc || o == SearchOrder::kScoreAsc;
}

class SearchIndex {
 public:
  using DocId = std::uint32_t;

  void add(const SearchDocumentInput& doc);
  // Sorts the dictionary; call once after the last add().
  void finish();

  std::size_t size() const { return docs_.size(); }
  const std::string& slug(DocId d) const { return docs_[d].slug; }

  // The documents matching `query` (every document for nullopt), in id
  // order.
  std::vector<DocId> match(const std::optional<SearchQuery>& query) const;

  // Those of `docs` that refine and exclude keep (the statement's WHERE:
  // search_sql.cpp hits_sql()); publishers by organization id.
  std::vector<DocId> filter(const std::vector<DocId>& docs, const SearchPlan& plan,
                            const SearchPublishers& publishers) const;

  // The counts of facet `f` over `docs`.
  SearchFacetCounts count(const std::vector<DocId>& docs, SearchFacet f) const;

  // Positions in `docs` of the page: sorted by `order`, rows from `start`.
  // `scores` (parallel to docs) is read only when the order uses it.
  std::vector<std::size_t> page(const std::vector<DocId>& docs, const std::vector<float>& scores,
                                SearchOrder order, std::int64_t start, std::int64_t rows) const;

 private:
  static constexpr std::int32_t kNull = -1;     // a NULL value or element
  static constexpr std::int32_t kAbsent = -2;   // a value no document has

  // Distinct strings of one facet, by code.
  struct Codes {
    std::vector<std::string> values;
    std::unordered_map<std::string, std::int32_t> code_of;
    std::int32_t intern(const std::optional<std::string>& v);
    std::int32_t find(const std::string& v) const;
  };

  struct Document {
    std::string slug;
    std::int64_t slug_rank;
    std::int64_t title_rank;
    std::int64_t modified;
    std::optional<std::int64_t> issued;
    std::vector<std::int32_t> themes;
    std::vector<std::int32_t> keywords;
    std::vector<std::int32_t> keywords_lower;
    std::optional<std::int64_t> publisher;
    std::int32_t license;
    std::int32_t license_lower;
    std::int32_t territory;
    std::optional<std::int32_t> year;
  };

  struct Filter;
  Filter filter_of(const SearchPlan& plan, const SearchPublishers& publishers) const;
  bool keeps(const Document& d, const Filter& f) const;
  // Postings of the lexemes `term` names, appended to `out`.
  void postings(const SearchTerm& term, std::vector<const std::vector<DocId>*>& out) const;

  std::vector<Document> docs_;
  Codes themes_, keywords_, keywords_lower_, licenses_, licenses_lower_, territories_;
  std::unordered_map<std::string, std::vector<DocId>> building_;  // until finish()
  std::vector<std::string> lexemes_;                              // sorted (bytes)
  std::vector<std::vector<DocId>> postings_;                      // parallel to lexemes_
};

}  // namespace opendata::catalog
