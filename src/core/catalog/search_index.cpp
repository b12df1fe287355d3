// The in-memory index of the public catalog (see search_index.hpp).
#include "core/catalog/search_index.hpp"

#include <algorithm>
#include <cctype>

namespace opendata::catalog {

// ---------------------------------------------------------------------
// The tsquery's text

namespace {

// A reader of tsquery's output: operands are single-quoted with quotes
// and backslashes doubled, then ":" and flags ('*' prefix, weights);
// operators are & | ! <-> and parentheses, separated by spaces.
class QueryReader {
 public:
  explicit QueryReader(std::string_view text) : text_(text) {}

  // query := group ('&' group)* | term ('|' term)*
  // group  := term | '(' term ('|' term)* ')'
  std::optional<SearchQuery> read() {
    SearchQuery query;
    std::optional<std::vector<SearchTerm>> first = group();
    if (!first) return std::nullopt;
    query.push_back(std::move(*first));
    skip_spaces();
    if (at('|')) {
      // A single OR, written without parentheses ('a' | 'b').
      if (query[0].size() != 1 || opened_) return std::nullopt;
      while (take('|')) {
        std::optional<SearchTerm> t = term();
        if (!t) return std::nullopt;
        query[0].push_back(std::move(*t));
      }
    } else {
      while (take('&')) {
        std::optional<std::vector<SearchTerm>> g = group();
        if (!g) return std::nullopt;
        query.push_back(std::move(*g));
      }
    }
    skip_spaces();
    if (pos_ != text_.size()) return std::nullopt;
    return query;
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool at(char c) {
    skip_spaces();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool take(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }

  std::optional<std::vector<SearchTerm>> group() {
    opened_ = false;
    if (!take('(')) {
      std::optional<SearchTerm> t = term();
      if (!t) return std::nullopt;
      return std::vector<SearchTerm>{std::move(*t)};
    }
    opened_ = true;
    std::vector<SearchTerm> alternatives;
    do {
      std::optional<SearchTerm> t = term();
      if (!t) return std::nullopt;
      alternatives.push_back(std::move(*t));
    } while (take('|'));
    if (!take(')')) return std::nullopt;
    return alternatives;
  }

  std::optional<SearchTerm> term() {
    if (!take('\'')) return std::nullopt;
    SearchTerm t;
    for (;;) {
      if (pos_ >= text_.size()) return std::nullopt;
      const char c = text_[pos_++];
      if (c == '\'' || c == '\\') {
        // A doubled quote or backslash stands for itself; a lone quote ends
        // the operand.
        if (pos_ < text_.size() && text_[pos_] == c) {
          t.lexeme += c;
          ++pos_;
          continue;
        }
        if (c == '\\') return std::nullopt;
        break;
      }
      t.lexeme += c;
    }
    if (t.lexeme.empty()) return std::nullopt;
    if (pos_ < text_.size() && text_[pos_] == ':') {
      // Only the prefix flag: weights restrict the match, which the index
      // does not track.
      if (text_.substr(pos_, 2) != ":*") return std::nullopt;
      pos_ += 2;
      t.prefix = true;
      if (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_])))
        return std::nullopt;
    }
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool opened_ = false;  // the last group was parenthesized
};

}  // namespace

std::optional<SearchQuery> parse_search_query(std::string_view text) {
  return QueryReader(text).read();
}

// ---------------------------------------------------------------------
// Building

std::int32_t SearchIndex::Codes::intern(const std::optional<std::string>& v) {
  if (!v) return kNull;
  auto [it, added] = code_of.try_emplace(*v, static_cast<std::int32_t>(values.size()));
  if (added) values.push_back(*v);
  return it->second;
}

std::int32_t SearchIndex::Codes::find(const std::string& v) const {
  auto it = code_of.find(v);
  return it == code_of.end() ? kAbsent : it->second;
}

void SearchIndex::add(const SearchDocumentInput& in) {
  const DocId id = static_cast<DocId>(docs_.size());
  Document d;
  d.slug = in.slug;
  d.slug_rank = in.slug_rank;
  d.title_rank = in.title_rank;
  d.modified = in.modified;
  d.issued = in.issued;
  for (const auto& t : in.themes) d.themes.push_back(themes_.intern(t));
  for (const auto& k : in.keywords) d.keywords.push_back(keywords_.intern(k));
  for (const auto& k : in.keywords_lower) d.keywords_lower.push_back(keywords_lower_.intern(k));
  d.publisher = in.publisher;
  d.license = licenses_.intern(in.license);
  d.license_lower = licenses_lower_.intern(in.license_lower);
  d.territory = territories_.intern(in.territory);
  d.year = in.year;
  docs_.push_back(std::move(d));
  for (const std::string& lexeme : in.lexemes) {
    std::vector<DocId>& list = building_[lexeme];
    // A tsvector's lexemes are distinct: one posting per document.
    if (list.empty() || list.back() != id) list.push_back(id);
  }
}

void SearchIndex::finish() {
  std::vector<std::pair<std::string, std::vector<DocId>>> entries(
      std::make_move_iterator(building_.begin()), std::make_move_iterator(building_.end()));
  building_.clear();
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  lexemes_.reserve(entries.size());
  postings_.reserve(entries.size());
  for (auto& [lexeme, list] : entries) {
    lexemes_.push_back(std::move(lexeme));
    postings_.push_back(std::move(list));
  }
}

// ---------------------------------------------------------------------
// Matching

void SearchIndex::postings(const SearchTerm& term,
                           std::vector<const std::vector<DocId>*>& out) const {
  auto first = std::lower_bound(lexemes_.begin(), lexemes_.end(), term.lexeme);
  if (!term.prefix) {
    if (first != lexemes_.end() && *first == term.lexeme)
      out.push_back(&postings_[static_cast<std::size_t>(first - lexemes_.begin())]);
    return;
  }
  // Lexemes starting with the prefix follow it in byte order.
  for (auto it = first; it != lexemes_.end() && it->compare(0, term.lexeme.size(), term.lexeme) == 0;
       ++it)
    out.push_back(&postings_[static_cast<std::size_t>(it - lexemes_.begin())]);
}

std::vector<SearchIndex::DocId> SearchIndex::match(const std::optional<SearchQuery>& query) const {
  std::vector<DocId> out;
  if (!query) {
    out.resize(docs_.size());
    for (std::size_t i = 0; i < docs_.size(); ++i) out[i] = static_cast<DocId>(i);
    return out;
  }
  // groups_met[d]: how many groups, in order, document d matched so far.
  std::vector<std::uint16_t> groups_met(docs_.size(), 0);
  std::uint16_t group = 0;
  for (const std::vector<SearchTerm>& alternatives : *query) {
    std::vector<const std::vector<DocId>*> lists;
    for (const SearchTerm& term : alternatives) postings(term, lists);
    for (const std::vector<DocId>* list : lists)
      for (DocId d : *list)
        if (groups_met[d] == group) groups_met[d] = static_cast<std::uint16_t>(group + 1);
    ++group;
  }
  for (std::size_t i = 0; i < docs_.size(); ++i)
    if (groups_met[i] == group) out.push_back(static_cast<DocId>(i));
  return out;
}

// ---------------------------------------------------------------------
// refine and exclude

// A facet's values as codes (kAbsent for a value no document has).
struct SearchIndex::Filter {
  struct Values {
    bool given = false;
    std::vector<std::int64_t> codes;
  };
  std::array<Values, kSearchFacetCount> refine, exclude;
};

namespace {

bool has(const std::vector<std::int64_t>& codes, std::int64_t c) {
  return std::find(codes.begin(), codes.end(), c) != codes.end();
}

// d.values @> refine: every refined code among the document's.
bool contains_all(const std::vector<std::int32_t>& values, const std::vector<std::int64_t>& codes) {
  for (std::int64_t c : codes)
    if (std::find(values.begin(), values.end(), c) == values.end()) return false;
  return true;
}

// d.values && exclude (NULL elements overlap nothing).
bool overlaps(const std::vector<std::int32_t>& values, const std::vector<std::int64_t>& codes) {
  for (std::int32_t v : values)
    if (v >= 0 && has(codes, v)) return true;
  return false;
}

// value = ALL (codes): false for NULL (the row is not kept).
bool equals_all(std::optional<std::int64_t> value, const std::vector<std::int64_t>& codes) {
  if (!value) return false;
  for (std::int64_t c : codes)
    if (c != *value) return false;
  return true;
}

std::optional<std::int64_t> coded(std::int32_t code) {
  if (code < 0) return std::nullopt;
  return code;
}

}  // namespace

SearchIndex::Filter SearchIndex::filter_of(const SearchPlan& plan,
                                           const SearchPublishers& publishers) const {
  Filter out;
  auto codes = [&](const SearchFacetValues& values, bool refine,
                   std::array<Filter::Values, kSearchFacetCount>& into) {
    for (std::size_t i = 0; i < kSearchFacetCount; ++i) {
      if (!values[i]) continue;
      into[i].given = true;
      std::vector<std::int64_t>& c = into[i].codes;
      switch (static_cast<SearchFacet>(i)) {
        case SearchFacet::kTheme:
          for (const std::string& v : *values[i]) c.push_back(themes_.find(v));
          break;
        case SearchFacet::kKeyword:
          for (const std::string& v : *values[i]) c.push_back(keywords_lower_.find(v));
          break;
        case SearchFacet::kPublisher:
          c = refine ? publishers.refine : publishers.exclude;
          break;
        case SearchFacet::kLicense:
          for (const std::string& v : *values[i]) c.push_back(licenses_lower_.find(v));
          break;
        case SearchFacet::kTerritory:
          for (const std::string& v : *values[i]) c.push_back(territories_.find(v));
          break;
        case SearchFacet::kModified:
          for (const std::string& v : *values[i]) c.push_back(std::stoll(v));
          break;
      }
    }
  };
  codes(plan.refine, true, out.refine);
  codes(plan.exclude, false, out.exclude);
  return out;
}

// The WHERE of hits_sql(), value for value.
bool SearchIndex::keeps(const Document& d, const Filter& f) const {
  using F = SearchFacet;
  auto r = [&](F facet) -> const Filter::Values& { return f.refine[static_cast<std::size_t>(facet)]; };
  auto x = [&](F facet) -> const Filter::Values& { return f.exclude[static_cast<std::size_t>(facet)]; };
  const std::optional<std::int64_t> year =
      d.year ? std::optional<std::int64_t>(*d.year) : std::nullopt;

  if (r(F::kTheme).given && !contains_all(d.themes, r(F::kTheme).codes)) return false;
  if (r(F::kKeyword).given && !contains_all(d.keywords_lower, r(F::kKeyword).codes)) return false;
  if (r(F::kPublisher).given && !equals_all(d.publisher, r(F::kPublisher).codes)) return false;
  if (r(F::kLicense).given && !equals_all(coded(d.license_lower), r(F::kLicense).codes))
    return false;
  if (r(F::kTerritory).given && !equals_all(coded(d.territory), r(F::kTerritory).codes))
    return false;
  if (r(F::kModified).given && !equals_all(year, r(F::kModified).codes)) return false;

  if (x(F::kTheme).given && overlaps(d.themes, x(F::kTheme).codes)) return false;
  if (x(F::kKeyword).given && overlaps(d.keywords_lower, x(F::kKeyword).codes)) return false;
  if (x(F::kPublisher).given && d.publisher && has(x(F::kPublisher).codes, *d.publisher))
    return false;
  if (x(F::kLicense).given && d.license_lower >= 0 && has(x(F::kLicense).codes, d.license_lower))
    return false;
  if (x(F::kTerritory).given && d.territory >= 0 && has(x(F::kTerritory).codes, d.territory))
    return false;
  // d.year <> ALL (years): a NULL year is not kept.
  if (x(F::kModified).given && (!year || has(x(F::kModified).codes, *year))) return false;
  return true;
}

std::vector<SearchIndex::DocId> SearchIndex::filter(const std::vector<DocId>& docs,
                                                    const SearchPlan& plan,
                                                    const SearchPublishers& publishers) const {
  const Filter f = filter_of(plan, publishers);
  std::vector<DocId> out;
  out.reserve(docs.size());
  for (DocId d : docs)
    if (keeps(docs_[d], f)) out.push_back(d);
  return out;
}

// ---------------------------------------------------------------------
// Facets

namespace {

// Counts by code (-1: NULL), as (value, n) rows.
class Counter {
 public:
  explicit Counter(std::size_t codes) : counts_(codes, 0) {}
  void add(std::int32_t code) {
    if (code < 0)
      ++nulls_;
    else
      ++counts_[static_cast<std::size_t>(code)];
  }
  SearchFacetCounts rows(const std::vector<std::string>& values, bool with_null) const {
    SearchFacetCounts out;
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i] > 0) out.emplace_back(values[i], counts_[i]);
    if (with_null && nulls_ > 0) out.emplace_back(std::nullopt, nulls_);
    return out;
  }

 private:
  std::vector<std::int64_t> counts_;
  std::int64_t nulls_ = 0;
};

// Counts of integer values (publisher ids, years).
template <typename Map>
SearchFacetCounts number_rows(const Map& counts, std::int64_t nulls) {
  SearchFacetCounts out;
  for (const auto& [value, n] : counts) out.emplace_back(std::to_string(value), n);
  if (nulls > 0) out.emplace_back(std::nullopt, nulls);
  return out;
}

}  // namespace

// The GROUP BY of facet_source(): themes and keywords per element (NULL
// elements too), publishers, licences and territories that are not NULL,
// years with NULL.
SearchFacetCounts SearchIndex::count(const std::vector<DocId>& docs, SearchFacet f) const {
  switch (f) {
    case SearchFacet::kTheme: {
      Counter c(themes_.values.size());
      for (DocId d : docs)
        for (std::int32_t t : docs_[d].themes) c.add(t);
      return c.rows(themes_.values, true);
    }
    case SearchFacet::kKeyword: {
      Counter c(keywords_.values.size());
      for (DocId d : docs)
        for (std::int32_t k : docs_[d].keywords) c.add(k);
      return c.rows(keywords_.values, true);
    }
    case SearchFacet::kPublisher: {
      std::unordered_map<std::int64_t, std::int64_t> counts;
      for (DocId d : docs)
        if (docs_[d].publisher) ++counts[*docs_[d].publisher];
      return number_rows(counts, 0);
    }
    case SearchFacet::kLicense: {
      Counter c(licenses_.values.size());
      for (DocId d : docs) c.add(docs_[d].license);
      return c.rows(licenses_.values, false);
    }
    case SearchFacet::kTerritory: {
      Counter c(territories_.values.size());
      for (DocId d : docs) c.add(docs_[d].territory);
      return c.rows(territories_.values, false);
    }
    case SearchFacet::kModified: break;
  }
  std::unordered_map<std::int32_t, std::int64_t> counts;
  std::int64_t nulls = 0;
  for (DocId d : docs) {
    if (docs_[d].year)
      ++counts[*docs_[d].year];
    else
      ++nulls;
  }
  return number_rows(counts, nulls);
}

// ---------------------------------------------------------------------
// The page

std::vector<std::size_t> SearchIndex::page(const std::vector<DocId>& docs,
                                           const std::vector<float>& scores, SearchOrder order,
                                           std::int64_t start, std::int64_t rows) const {
  std::vector<std::size_t> positions(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) positions[i] = i;
  const std::size_t begin = std::min<std::size_t>(docs.size(), static_cast<std::size_t>(start));
  const std::size_t end =
      std::min<std::size_t>(docs.size(), begin + static_cast<std::size_t>(rows));
  if (begin == end) return {};

  // Each order of order_sql(), ending on the slug (unique): a total order.
  // NULLS LAST for issued in both directions, as written there.  Values
  // are compared, never negated (timestamps reach INT64_MIN: -infinity).
  auto less = [&](std::size_t a, std::size_t b) {
    const Document& x = docs_[docs[a]];
    const Document& y = docs_[docs[b]];
    auto by_slug = [&] { return x.slug_rank < y.slug_rank; };
    auto modified_desc_then_slug = [&] {
      if (x.modified != y.modified) return x.modified > y.modified;
      return by_slug();
    };
    switch (order) {
      case SearchOrder::kScoreDesc:
        if (scores[a] != scores[b]) return scores[a] > scores[b];
        return modified_desc_then_slug();
      case SearchOrder::kScoreAsc:
        if (scores[a] != scores[b]) return scores[a] < scores[b];
        return modified_desc_then_slug();
      case SearchOrder::kModifiedDesc: return modified_desc_then_slug();
      case SearchOrder::kModifiedAsc:
        if (x.modified != y.modified) return x.modified < y.modified;
        return by_slug();
      case SearchOrder::kIssuedDesc:
      case SearchOrder::kIssuedAsc:
        if (x.issued.has_value() != y.issued.has_value()) return x.issued.has_value();
        if (x.issued && *x.issued != *y.issued)
          return order == SearchOrder::kIssuedDesc ? *x.issued > *y.issued : *x.issued < *y.issued;
        return by_slug();
      case SearchOrder::kTitleAsc:
        if (x.title_rank != y.title_rank) return x.title_rank < y.title_rank;
        return by_slug();
      case SearchOrder::kTitleDesc:
        if (x.title_rank != y.title_rank) return x.title_rank > y.title_rank;
        return by_slug();
    }
    return false;
  };
  std::partial_sort(positions.begin(), positions.begin() + static_cast<std::ptrdiff_t>(end),
                    positions.end(), less);
  return std::vector<std::size_t>(positions.begin() + static_cast<std::ptrdiff_t>(begin),
                                  positions.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace opendata::catalog
