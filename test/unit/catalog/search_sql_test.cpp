// The catalog search's statement (src/core/catalog/search_sql.hpp).
#include "core/catalog/search_sql.hpp"

#include <gtest/gtest.h>

#include "ascii_case.hpp"

#include "core/error.hpp"

namespace opendata::catalog {
namespace {

using test_support::ascii;
using test_support::kAscii;

SearchPlan plan_search(const SearchRequest& r) { return catalog::plan_search(r, kAscii); }

SearchRequest request() {
  SearchRequest r;
  r.rows = 10;
  r.start = 0;
  r.lang = "fr";
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The error a request raises: "SQLSTATE: message | DETAIL | HINT".
std::string error_of(const SearchRequest& r) {
  try {
    plan_search(r);
  } catch (const UserError& e) {
    std::string out = e.sqlstate() + ": " + e.what();
    if (!e.detail().empty()) out += " | DETAIL: " + e.detail();
    if (!e.hint().empty()) out += " | HINT: " + e.hint();
    return out;
  }
  return "no error";
}

const char* const kFacetHint =
    " | HINT: Catalog facets: theme, keyword, publisher, license, territory, modified.";

TEST(SearchSql, PageErrors) {
  SearchRequest r = request();
  r.rows = -1;
  EXPECT_EQ(error_of(r),
            "22023: rows must be between 0 and 100, not -1 | HINT: The limit is the setting "
            "opendata.max_page_size.");
  r.rows = 101;
  EXPECT_EQ(error_of(r),
            "22023: rows must be between 0 and 100, not 101 | HINT: The limit is the setting "
            "opendata.max_page_size.");
  r.max_rows = 200;
  EXPECT_EQ(error_of(r), "no error");
  r.rows = std::nullopt;
  EXPECT_EQ(error_of(r),
            "22023: rows must be between 0 and 200, not NULL | HINT: The limit is the setting "
            "opendata.max_page_size.");
  r = request();
  r.start = -5;
  EXPECT_EQ(error_of(r), "22023: start must be zero or more, not -5");
  r.start = std::nullopt;
  EXPECT_EQ(error_of(r), "22023: start must be zero or more, not NULL");
  r = request();
  r.lang = "de";
  EXPECT_EQ(error_of(r), "22023: unsupported lang \"de\" | HINT: Use fr or en.");
  r.lang = std::nullopt;
  EXPECT_EQ(error_of(r), "22023: unsupported lang \"<NULL>\" | HINT: Use fr or en.");
  r.lang = "en";
  EXPECT_EQ(error_of(r), "no error");
}

TEST(SearchSql, FacetErrors) {
  SearchRequest r = request();
  r.facets = std::vector<std::optional<std::string>>{"theme", "colour"};
  EXPECT_EQ(error_of(r), std::string("22023: unknown facet \"colour\"") + kFacetHint);
  r.facets = std::vector<std::optional<std::string>>{std::nullopt};
  EXPECT_EQ(error_of(r), std::string("22023: unknown facet \"<NULL>\"") + kFacetHint);
  r.facets = std::vector<std::optional<std::string>>{"Theme"};  // names are exact
  EXPECT_EQ(error_of(r), std::string("22023: unknown facet \"Theme\"") + kFacetHint);
}

TEST(SearchSql, ItemErrors) {
  SearchRequest r = request();
  r.refine = {"ENVI"};
  EXPECT_EQ(error_of(r),
            "22023: invalid refine item \"ENVI\" | DETAIL: Expected facet:value, for example "
            "theme:ENVI.");
  r.refine = {" Colour :red"};
  EXPECT_EQ(error_of(r), std::string("22023: unknown facet \"colour\" in refine") + kFacetHint);
  r.refine = {};
  r.exclude = {"theme:  "};
  EXPECT_EQ(error_of(r),
            "22023: invalid exclude item \"theme:  \" | DETAIL: The value after \"theme:\" is "
            "empty.");
  r.exclude = {std::nullopt};
  EXPECT_EQ(error_of(r),
            "22023: invalid exclude item \"<NULL>\" | DETAIL: Expected facet:value, for example "
            "theme:ENVI.");
  r.exclude = {};
  for (const char* bad :
       {"modified:2024-01", "modified:24", "modified:２０２４", "modified:20245"}) {
    r.refine = {bad};
    EXPECT_EQ(error_of(r), std::string("22023: invalid refine item \"") + bad +
                               "\" | DETAIL: modified takes a year, for example modified:2024.");
  }
  // refine is checked before exclude, each in its order.
  r.refine = {"theme:ENVI", "bad"};
  r.exclude = {"worse"};
  EXPECT_EQ(error_of(r),
            "22023: invalid refine item \"bad\" | DETAIL: Expected facet:value, for example "
            "theme:ENVI.");
}

TEST(SearchSql, OrderErrors) {
  SearchRequest r = request();
  for (const char* bad :
       {"popularity", "title; DROP TABLE x", "title ascending", "\ttitle", "title desc desc"}) {
    r.order_by = bad;
    EXPECT_EQ(error_of(r), std::string("22023: invalid order_by \"") + bad +
                               "\" | HINT: Sort by relevance, title, modified or issued, "
                               "optionally followed by asc or desc.");
  }
}

// The order of the page for each key, with and without a text.
TEST(SearchSql, OrderKeys) {
  const std::vector<std::pair<std::string, std::string>> keys = {
      {"relevance", "h.score DESC, h.modified DESC, h.slug"},
      {"relevance desc", "h.score DESC, h.modified DESC, h.slug"},
      {"relevance asc", "h.score ASC, h.modified DESC, h.slug"},
      {"modified", "h.modified DESC, h.slug"},
      {"modified desc", "h.modified DESC, h.slug"},
      {"modified asc", "h.modified ASC, h.slug"},
      {"issued", "h.issued DESC NULLS LAST, h.slug"},
      {"issued desc", "h.issued DESC NULLS LAST, h.slug"},
      {"issued asc", "h.issued ASC NULLS LAST, h.slug"},
      {"title", "lower(h.title) ASC, h.slug"},
      {"title asc", "lower(h.title) ASC, h.slug"},
      {"title desc", "lower(h.title) DESC, h.slug"},
      {"  Title \t\n DESC  ", "lower(h.title) DESC, h.slug"},
  };
  for (const auto& [key, order] : keys) {
    SearchRequest r = request();
    r.order_by = key;
    const std::string sql = plan_search(r).sql;
    EXPECT_TRUE(contains(sql, "row_number() OVER (ORDER BY " + order + ") AS ord")) << key;
    EXPECT_TRUE(contains(sql, " h ORDER BY " + order + " LIMIT $15 OFFSET $16")) << key;
  }
  SearchRequest r = request();
  EXPECT_TRUE(contains(plan_search(r).sql, "ORDER BY h.modified DESC, h.slug LIMIT"));
  r.order_by = "";
  EXPECT_TRUE(contains(plan_search(r).sql, "ORDER BY h.modified DESC, h.slug LIMIT"));
  r.has_query = true;
  EXPECT_TRUE(contains(plan_search(r).sql, "ORDER BY h.score DESC, h.modified DESC, h.slug LIMIT"));
}

TEST(SearchSql, FacetsInTheOrderAskedEachOnce) {
  SearchRequest r = request();
  r.facets = std::vector<std::optional<std::string>>{"modified", "theme", "modified"};
  const SearchPlan plan = plan_search(r);
  EXPECT_EQ(plan.facets, (std::vector<SearchFacet>{SearchFacet::kModified, SearchFacet::kTheme}));
  EXPECT_LT(plan.sql.find("'name', 'modified'"), plan.sql.find("'name', 'theme'"));
  EXPECT_FALSE(contains(plan.sql, "'name', 'keyword'"));

  r.facets = std::vector<std::optional<std::string>>{};
  EXPECT_TRUE(contains(plan_search(r).sql, "'facets', '[]'::json)"));
  r.facets = std::nullopt;
  EXPECT_EQ(plan_search(r).facets.size(), kSearchFacetCount);
}

// Each facet's fragment, over the hits and from the public counts.
TEST(SearchSql, FacetFragments) {
  SearchRequest r = request();
  r.has_query = true;
  const std::string hits = plan_search(r).sql;
  r.has_query = false;
  r.public_view = true;
  const std::string counts = plan_search(r).sql;

  EXPECT_TRUE(contains(
      hits,
      "(SELECT json_build_object('name', 'theme', 'facets', coalesce(json_agg(json_build_object("
      "'name', coalesce(CASE WHEN $2 = 'en' THEN t.label_en ELSE t.label_fr END, x.v), 'value', "
      "x.v, 'count', x.n, 'state', CASE WHEN x.v = ANY ($3) THEN 'refined' ELSE 'displayed' END) "
      "ORDER BY x.n DESC, x.v), '[]')) FROM (SELECT v, n FROM (SELECT v, count(*) AS n FROM "
      "(SELECT unnest(h.themes) AS v FROM hits h) u GROUP BY v) c ORDER BY 2 DESC, 1 LIMIT 50) x "
      "LEFT JOIN opendata.themes t ON t.code = x.v)"));
  EXPECT_TRUE(contains(
      hits,
      "'name', x.label, 'value', x.v, 'count', x.n, 'state', CASE WHEN x.v = ANY ($4) THEN "
      "'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]')) FROM (SELECT lower(k) AS "
      "v, min(k) AS label, sum(n)::bigint AS n FROM (SELECT k, count(*) AS n FROM (SELECT "
      "unnest(h.keywords) AS k FROM hits h) u GROUP BY k) spelled GROUP BY 1 ORDER BY 3 DESC, 1 "
      "LIMIT 50) x)"));
  EXPECT_TRUE(contains(
      hits,
      "'name', o.name, 'value', o.slug, 'count', x.n, 'state', CASE WHEN x.v = ANY ($5) THEN "
      "'refined' ELSE 'displayed' END) ORDER BY x.n DESC, o.slug), '[]')) FROM (SELECT v, n FROM "
      "(SELECT h.organization_id AS v, count(*) AS n FROM hits h WHERE h.organization_id IS NOT "
      "NULL GROUP BY 1) c ORDER BY 2 DESC, 1 LIMIT 50) x JOIN opendata.organizations o ON o.id = "
      "x.v)"));
  EXPECT_TRUE(contains(
      hits,
      "'name', coalesce(l.title, x.v), 'value', x.v, 'count', x.n, 'state', CASE WHEN lower(x.v) "
      "= ANY ($6) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]')) FROM "
      "(SELECT v, n FROM (SELECT h.license_id AS v, count(*) AS n FROM hits h WHERE h.license_id "
      "IS NOT NULL GROUP BY 1) c ORDER BY 2 DESC, 1 LIMIT 50) x LEFT JOIN opendata.licenses l ON "
      "l.id = x.v)"));
  EXPECT_TRUE(contains(
      hits,
      "'name', x.v, 'value', x.v, 'count', x.n, 'state', CASE WHEN x.v = ANY ($7) THEN 'refined' "
      "ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]')) FROM (SELECT v, n FROM (SELECT "
      "h.territory AS v, count(*) AS n FROM hits h WHERE h.territory IS NOT NULL GROUP BY 1) c "
      "ORDER BY 2 DESC, 1 LIMIT 50) x)"));
  EXPECT_TRUE(contains(
      hits,
      "'name', x.v::text, 'value', x.v::text, 'count', x.n, 'state', CASE WHEN x.v = ANY ($8) "
      "THEN 'refined' ELSE 'displayed' END) ORDER BY x.v DESC), '[]')) FROM (SELECT v, n FROM "
      "(SELECT h.year AS v, count(*) AS n FROM hits h GROUP BY 1) c ORDER BY 1 DESC LIMIT 50) x)"));

  EXPECT_TRUE(
      contains(counts, "(SELECT c.value::text AS v, c.n FROM counts c WHERE c.facet = 'theme')"));
  EXPECT_TRUE(
      contains(counts, "(SELECT c.value::text AS k, c.n FROM counts c WHERE c.facet = 'keyword')"));
  EXPECT_TRUE(contains(
      counts, "(SELECT c.value::bigint AS v, c.n FROM counts c WHERE c.facet = 'publisher')"));
  EXPECT_TRUE(
      contains(counts, "(SELECT c.value::text AS v, c.n FROM counts c WHERE c.facet = 'license')"));
  EXPECT_TRUE(contains(
      counts, "(SELECT c.value::text AS v, c.n FROM counts c WHERE c.facet = 'territory')"));
  EXPECT_TRUE(
      contains(counts, "(SELECT c.value::int AS v, c.n FROM counts c WHERE c.facet = 'modified')"));
  EXPECT_FALSE(contains(counts, "hits"));
}

// The public fast path: the public view, no text, no refine or exclude.
TEST(SearchSql, FastPath) {
  SearchRequest r = request();
  r.public_view = true;
  SearchPlan plan = plan_search(r);
  EXPECT_TRUE(plan.from_counts);
  EXPECT_TRUE(contains(plan.sql,
                       "WITH counts AS MATERIALIZED (SELECT facet, value, n FROM "
                       "opendata._search_public_counts())"));
  EXPECT_TRUE(contains(plan.sql,
                       "FROM (SELECT * FROM (SELECT d.slug, d.title, d.modified, "
                       "d.issued, 0::real AS score FROM opendata.datasets d) h ORDER BY"));
  EXPECT_TRUE(contains(plan.sql,
                       "'total_count', coalesce((SELECT c.n FROM counts c WHERE "
                       "c.facet = 'total'), 0)"));

  for (int variant = 0; variant < 4; ++variant) {
    SearchRequest other = request();
    other.public_view = variant != 0;
    if (variant == 1) other.has_query = true;
    if (variant == 2) other.refine = {"theme:ENVI"};
    if (variant == 3) other.exclude = {"publisher:nobody"};
    plan = plan_search(other);
    EXPECT_FALSE(plan.from_counts) << variant;
    EXPECT_TRUE(contains(plan.sql, "WITH hits AS MATERIALIZED (")) << variant;
    EXPECT_TRUE(contains(plan.sql, "'total_count', (SELECT count(*) FROM hits)")) << variant;
  }
}

TEST(SearchSql, Matches) {
  SearchRequest r = request();
  r.has_query = true;
  r.public_view = true;
  // The public view's match function filters before it ranks: no filter
  // left for the statement.
  const std::string public_sql = plan_search(r).sql;
  EXPECT_TRUE(contains(public_sql,
                       "FROM opendata._search_public_matches($1, $3, $4, $5, $6, $7, $8, $9, $10, "
                       "$11, $12, $13, $14) d), page AS"));
  EXPECT_FALSE(contains(public_sql, "$3 IS NULL"));
  r.public_view = false;
  EXPECT_TRUE(contains(plan_search(r).sql,
                       "m.score AS score FROM opendata._search_matches($1) m JOIN "
                       "opendata.datasets d ON d.id = m.dataset_id) d WHERE"));
  r.has_query = false;
  EXPECT_TRUE(contains(plan_search(r).sql, "0::real AS score FROM opendata.datasets d) d WHERE"));
}

TEST(SearchSql, ItemsAndParameters) {
  SearchRequest r = request();
  r.rows = 20;
  r.start = 40;
  r.lang = "en";
  r.refine = {" Theme : envi ", "keyword:Vélo",   "publisher:ville-a", "publisher:nobody",
              "license:ODbL",   "territory:Lyon", "modified:2024",     "theme:tran"};
  r.exclude = {"keyword:a\"b\\c", "publisher:ville-b"};
  const SearchPlan plan = plan_search(r);
  EXPECT_EQ(plan.refine[0], (std::vector<std::string>{"ENVI", "TRAN"}));
  EXPECT_EQ(plan.refine[1], (std::vector<std::string>{"vélo"}));  // ASCII folding here
  EXPECT_EQ(plan.refine[2], (std::vector<std::string>{"ville-a", "nobody"}));
  EXPECT_EQ(plan.refine[3], (std::vector<std::string>{"odbl"}));
  EXPECT_EQ(plan.refine[4], (std::vector<std::string>{"Lyon"}));
  EXPECT_EQ(plan.refine[5], (std::vector<std::string>{"2024"}));
  EXPECT_FALSE(plan.exclude[0]);

  const std::vector<SearchParam> params =
      search_params(plan, r, std::string("'velo':*"), SearchPublishers{{7, -1}, {}});
  ASSERT_EQ(params.size(), 16u);
  auto value = [&](std::size_t n) { return params[n - 1].value.value_or("NULL"); };
  EXPECT_EQ(params[0].type, SearchParamType::kTsquery);
  EXPECT_EQ(value(1), "'velo':*");
  EXPECT_EQ(value(2), "en");
  EXPECT_EQ(value(3), "{\"ENVI\",\"TRAN\"}");
  EXPECT_EQ(value(4), "{\"vélo\"}");
  EXPECT_EQ(params[4].type, SearchParamType::kBigintArray);
  EXPECT_EQ(value(5), "{7,-1}");
  EXPECT_EQ(value(6), "{\"odbl\"}");
  EXPECT_EQ(value(7), "{\"Lyon\"}");
  EXPECT_EQ(params[7].type, SearchParamType::kIntArray);
  EXPECT_EQ(value(8), "{\"2024\"}");
  EXPECT_EQ(value(9), "NULL");
  EXPECT_EQ(value(10), "{\"a\\\"b\\\\c\"}");
  EXPECT_EQ(value(11), "{}");  // a known-to-nobody slug still excludes: an empty list
  EXPECT_EQ(value(14), "NULL");
  EXPECT_EQ(params[14].type, SearchParamType::kInt);
  EXPECT_EQ(value(15), "20");
  EXPECT_EQ(value(16), "40");
}

// The database's folding, when given, is the one used (for names and values).
TEST(SearchSql, DatabaseFolding) {
  SearchRequest r = request();
  TextCase tagged{[](const std::string& s) { return s == "Vélo" ? "?" + s : ascii(s, false); },
                  [](const std::string& s) { return "<" + s + ">"; }};
  r.refine = {"THEME:envi"};  // the name folded too
  const SearchPlan plan = catalog::plan_search(r, tagged);
  EXPECT_EQ(plan.refine[0], (std::vector<std::string>{"<envi>"}));
  r.refine = {"THEME:envi", "keyword:Vélo"};
  EXPECT_EQ(catalog::plan_search(r, tagged).refine[1], (std::vector<std::string>{"?Vélo"}));
}

TEST(SearchSql, Answer) {
  const std::string answer = "{\"total_count\" : 42, \"results\" : [], \"facets\" : []}";
  EXPECT_EQ(answer_total_count(answer), 42);
  EXPECT_EQ(answer_total_count("{\"total_count\" : 0, \"results\" : []}"), 0);
  EXPECT_EQ(with_next_link(answer, "\"https://x/rpc/search?start=10\""),
            "{\"total_count\" : 42, \"results\" : [], \"facets\" : [], \"links\" : {\"next\" : "
            "\"https://x/rpc/search?start=10\"}}");
}

}  // namespace
}  // namespace opendata::catalog
