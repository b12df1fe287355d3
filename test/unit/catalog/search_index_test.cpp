// The in-memory index of the public catalog (src/core/catalog/search_index.hpp).
#include "core/catalog/search_index.hpp"

#include <gtest/gtest.h>

#include "ascii_case.hpp"

namespace opendata::catalog {
namespace {

using test_support::kAscii;

SearchTerm lex(const std::string& l, bool prefix = false) { return {l, prefix}; }

// A first page of ten, in French.
SearchRequest page_request() {
  SearchRequest r;
  r.rows = 10;
  r.start = 0;
  r.lang = std::string("fr");
  return r;
}

TEST(SearchQueryText, AndOfOrs) {
  EXPECT_EQ(parse_search_query("'arbr':*"), (SearchQuery{{lex("arbr", true)}}));
  EXPECT_EQ(parse_search_query("'stationn' & ( 'vel':* | 'velo':* )"),
            (SearchQuery{{lex("stationn")}, {lex("vel", true), lex("velo", true)}}));
  EXPECT_EQ(parse_search_query("( 'a' | 'b' ) & ( 'c' | 'd' ) & 'e'"),
            (SearchQuery{{lex("a"), lex("b")}, {lex("c"), lex("d")}, {lex("e")}}));
  // One word: its alternatives without parentheses.
  EXPECT_EQ(parse_search_query("'park' | 'parking':*"),
            (SearchQuery{{lex("park"), lex("parking", true)}}));
  // Quotes and backslashes doubled.
  EXPECT_EQ(parse_search_query("'l''eau' & 'a\\\\b'"),
            (SearchQuery{{lex("l'eau")}, {lex("a\\b")}}));
}

TEST(SearchQueryText, RefusesWhatItCannotMatch) {
  for (const char* text : {"", "'a':A", "'a':*B", "!'a'", "'a' <-> 'b'", "'a' & 'b' | 'c'",
                           "'a' | 'b' & 'c'", "( 'a' & 'b' )", "( 'a' | 'b' ) | 'c'", "'a", "''",
                           "'a' &", "( 'a' | 'b'", "'a\\b'", "'a' 'b'"})
    EXPECT_FALSE(parse_search_query(text).has_value()) << text;
}

SearchDocumentInput doc(const std::string& slug, std::vector<std::string> lexemes,
                        std::int64_t modified) {
  SearchDocumentInput d;
  d.slug = slug;
  d.lexemes = std::move(lexemes);
  d.modified = modified;
  d.year = static_cast<std::int32_t>(2000 + modified);
  return d;
}

// Four datasets: a0 .. a3, slugs ranked as named.
class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SearchDocumentInput a = doc("a0", {"arbr", "arbre", "lyon"}, 20);
    a.themes = {"ENVI"};
    a.keywords = {"Arbre", "eau"};
    a.keywords_lower = {"arbre", "eau"};
    a.publisher = 7;
    a.license = "ODbL-1.0";
    a.license_lower = "odbl-1.0";
    a.territory = "Lyon";
    a.title_rank = 3;
    SearchDocumentInput b = doc("a1", {"arbr", "velo"}, 21);
    b.themes = {"ENVI", "TRAN"};
    b.keywords = {"arbre"};
    b.keywords_lower = {"arbre"};
    b.publisher = 8;
    b.license = "etalab-2.0";
    b.license_lower = "etalab-2.0";
    b.title_rank = 1;
    b.issued = 5;
    SearchDocumentInput c = doc("a2", {"velo", "parking"}, 21);
    c.themes = {"TRAN", std::nullopt};
    c.territory = "Paris";
    c.title_rank = 2;
    c.issued = 9;
    SearchDocumentInput d = doc("a3", {"park"}, 19);
    d.year = std::nullopt;
    d.title_rank = 2;
    int rank = 0;
    for (SearchDocumentInput* x : {&a, &b, &c, &d}) {
      x->slug_rank = rank++;
      index.add(*x);
    }
    index.finish();
  }

  std::vector<SearchIndex::DocId> match(const char* text) const {
    return index.match(parse_search_query(text));
  }

  std::vector<SearchIndex::DocId> filtered(std::vector<std::optional<std::string>> refine,
                                           std::vector<std::optional<std::string>> exclude,
                                           SearchPublishers publishers = {}) const {
    SearchRequest r = page_request();
    r.refine = std::move(refine);
    r.exclude = std::move(exclude);
    return index.filter(index.match(std::nullopt), plan_search(r, kAscii), publishers);
  }

  SearchIndex index;
};

using Ids = std::vector<SearchIndex::DocId>;

TEST_F(SearchIndexTest, Matching) {
  EXPECT_EQ(match("'arbr'"), (Ids{0, 1}));
  EXPECT_EQ(match("'arbr' & 'velo'"), (Ids{1}));
  EXPECT_EQ(match("'lyon' | 'park'"), (Ids{0, 3}));
  // A prefix names a range of the dictionary: park, parking.
  EXPECT_EQ(match("'park':*"), (Ids{2, 3}));
  EXPECT_EQ(match("'par':* & 'velo'"), (Ids{2}));
  EXPECT_EQ(match("( 'arb':* | 'vel':* ) & ( 'velo' | 'zzz' )"), (Ids{1, 2}));
  EXPECT_EQ(match("'zzz'"), Ids{});
  EXPECT_EQ(match("'arbre' | 'arbr'"), (Ids{0, 1}));  // once each
  EXPECT_EQ(index.match(std::nullopt), (Ids{0, 1, 2, 3}));
}

TEST_F(SearchIndexTest, RefineAndExclude) {
  EXPECT_EQ(filtered({"theme:envi"}, {}), (Ids{0, 1}));
  EXPECT_EQ(filtered({"theme:ENVI", "theme:TRAN"}, {}), (Ids{1}));
  EXPECT_EQ(filtered({"theme:AGRI"}, {}), Ids{});
  EXPECT_EQ(filtered({"keyword:ARBRE"}, {}), (Ids{0, 1}));
  EXPECT_EQ(filtered({"license:odbl-1.0"}, {}), (Ids{0}));
  EXPECT_EQ(filtered({"territory:Lyon"}, {}), (Ids{0}));
  EXPECT_EQ(filtered({"modified:2021"}, {}), (Ids{1, 2}));
  EXPECT_EQ(filtered({"modified:2021", "modified:2020"}, {}), Ids{});
  EXPECT_EQ(filtered({"publisher:x"}, {}, {{8}, {}}), (Ids{1}));
  EXPECT_EQ(filtered({"publisher:x"}, {}, {{-1}, {}}), Ids{});

  EXPECT_EQ(filtered({}, {"theme:TRAN"}), (Ids{0, 3}));
  EXPECT_EQ(filtered({}, {"keyword:eau"}), (Ids{1, 2, 3}));
  // NULL publisher, licence or territory: kept by exclude.
  EXPECT_EQ(filtered({}, {"publisher:x"}, {{}, {7}}), (Ids{1, 2, 3}));
  EXPECT_EQ(filtered({}, {"publisher:x"}, {{}, {}}), (Ids{0, 1, 2, 3}));
  EXPECT_EQ(filtered({}, {"license:ETALAB-2.0"}), (Ids{0, 2, 3}));
  EXPECT_EQ(filtered({}, {"territory:Paris"}), (Ids{0, 1, 3}));
  // A NULL year is dropped by any year exclude (year <> ALL is NULL).
  EXPECT_EQ(filtered({}, {"modified:2020"}), (Ids{1, 2}));
}

std::optional<std::string> text(const char* s) { return std::string(s); }

TEST_F(SearchIndexTest, Facets) {
  const Ids all = index.match(std::nullopt);
  EXPECT_EQ(index.count(all, SearchFacet::kTheme),
            (SearchFacetCounts{{text("ENVI"), 2}, {text("TRAN"), 2}, {std::nullopt, 1}}));
  EXPECT_EQ(index.count(all, SearchFacet::kKeyword),
            (SearchFacetCounts{{text("Arbre"), 1}, {text("eau"), 1}, {text("arbre"), 1}}));
  SearchFacetCounts publishers = index.count(all, SearchFacet::kPublisher);
  std::sort(publishers.begin(), publishers.end());
  EXPECT_EQ(publishers, (SearchFacetCounts{{text("7"), 1}, {text("8"), 1}}));
  EXPECT_EQ(index.count(all, SearchFacet::kLicense),
            (SearchFacetCounts{{text("ODbL-1.0"), 1}, {text("etalab-2.0"), 1}}));
  EXPECT_EQ(index.count(all, SearchFacet::kTerritory),
            (SearchFacetCounts{{text("Lyon"), 1}, {text("Paris"), 1}}));
  SearchFacetCounts years = index.count(all, SearchFacet::kModified);
  std::sort(years.begin(), years.end());
  EXPECT_EQ(years, (SearchFacetCounts{{std::nullopt, 1}, {text("2020"), 1}, {text("2021"), 2}}));
  EXPECT_EQ(index.count({2}, SearchFacet::kLicense), SearchFacetCounts{});
}

Ids page(const SearchIndex& index, const Ids& docs, const std::vector<float>& scores,
         SearchOrder order, std::int64_t start = 0, std::int64_t rows = 10) {
  Ids out;
  for (std::size_t p : index.page(docs, scores, order, start, rows)) out.push_back(docs[p]);
  return out;
}

TEST_F(SearchIndexTest, PageOrders) {
  const Ids all = {0, 1, 2, 3};
  const std::vector<float> scores = {0.5f, 0.1f, 0.5f, 0.1f};
  // Score, then modified DESC, then slug.
  EXPECT_EQ(page(index, all, scores, SearchOrder::kScoreDesc), (Ids{2, 0, 1, 3}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kScoreAsc), (Ids{1, 3, 2, 0}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedDesc), (Ids{1, 2, 0, 3}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedAsc), (Ids{3, 0, 1, 2}));
  // NULLS LAST both ways.
  EXPECT_EQ(page(index, all, scores, SearchOrder::kIssuedDesc), (Ids{2, 1, 0, 3}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kIssuedAsc), (Ids{1, 2, 0, 3}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kTitleAsc), (Ids{1, 2, 3, 0}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kTitleDesc), (Ids{0, 2, 3, 1}));
  // start and rows.
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedDesc, 1, 2), (Ids{2, 0}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedDesc, 3, 5), (Ids{3}));
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedDesc, 4, 5), Ids{});
  EXPECT_EQ(page(index, all, scores, SearchOrder::kModifiedDesc, 0, 0), Ids{});
  // Positions within the documents given.
  EXPECT_EQ(index.page({3, 1}, {0, 0}, SearchOrder::kModifiedDesc, 0, 10),
            (std::vector<std::size_t>{1, 0}));
}

TEST(SearchSqlCached, StatementAndParameters) {
  SearchRequest r = page_request();
  r.facets =
      std::vector<std::optional<std::string>>{std::string("keyword"), std::string("modified")};
  const SearchPlan plan = plan_search(r, kAscii);
  EXPECT_NE(plan.cached_sql.find("unnest($17::text[], $18::real[]) WITH ORDINALITY"),
            std::string::npos);
  EXPECT_NE(plan.cached_sql.find("'total_count', $19::bigint"), std::string::npos);
  EXPECT_NE(plan.cached_sql.find("unnest($22::text[], $23::bigint[]) AS c(k, n)"),
            std::string::npos);
  EXPECT_NE(plan.cached_sql.find("unnest($30::int[], $31::bigint[]) AS c(v, n)"),
            std::string::npos);
  EXPECT_EQ(plan.cached_sql.find("hits"), std::string::npos);

  SearchFound found;
  found.page_slugs = {"a\"b", "c"};
  found.page_scores = {"0.1", "2"};
  found.total = 42;
  found.facets[1] = {{std::string("Vélo"), 3}, {std::nullopt, 1}};
  const std::vector<SearchParam> params = cached_search_params(plan, r, std::nullopt, {}, found);
  ASSERT_EQ(params.size(), 31u);
  EXPECT_EQ(params[16].value, "{\"a\\\"b\",\"c\"}");
  EXPECT_EQ(params[17].type, SearchParamType::kRealArray);
  EXPECT_EQ(params[18].value, "42");
  EXPECT_EQ(params[19].value, "{}");  // themes: not counted
  EXPECT_EQ(params[21].value, "{\"Vélo\",NULL}");
  EXPECT_EQ(params[22].value, "{\"3\",\"1\"}");
  EXPECT_EQ(params[23].type, SearchParamType::kBigintArray);
  EXPECT_EQ(params[29].type, SearchParamType::kIntArray);
}

}  // namespace
}  // namespace opendata::catalog
