// The in-memory index of the public catalog (see search_cache.hpp).
//
// The index is built from opendata._search_public_index() under the
// snapshot of the call that finds it missing or stale, and kept for the
// backend's life with the key it was built for: the OID of
// opendata.search_index and opendata._search_version(), the sum of the
// rows the statement trigger of search_index adds, one per statement that
// changed it (60_search.sql).  Snapshots only ever see more committed
// statements, never fewer, and a rolled-back statement's row is seen by
// no one: two snapshots that see the same sum see the same contents.  A
// transaction that wrote anything never uses the index (search.cpp): its
// own uncommitted rows would count without being anyone else's.
//
// The documents' and titles' tsvectors are kept as plain varlena copies
// in a memory context of the index, and scored as SQL scores them, by
// opendata._search_score()'s scorer (search_score.hpp).
#include "pg/search_cache.hpp"

#include <memory>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/catalog/search_index.hpp"
#include "pg/guard.hpp"
#include "pg/search_score.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "common/shortest_dec.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace opendata::pg {
namespace {

using catalog::SearchIndex;

struct PublicIndex {
  Oid relation = InvalidOid;
  std::int64_t version = -1;
  MemoryContext memory = nullptr;  // the tsvectors below
  std::vector<Datum> documents;    // by document id
  std::vector<Datum> titles;
  // nullptr: this version holds what the index does not model (a NULL
  // themes array or modified), and SQL answers.
  std::unique_ptr<SearchIndex> index;
};

PublicIndex* g_public = nullptr;
bool g_loaded_now = false;  // by the current call: release_index_load_memory()

// The columns of opendata._search_public_index(), in order.
enum Column {
  kSlug = 1, kDocument, kTitle, kSlugRank, kTitleRank, kModified, kIssued, kThemes, kKeywords,
  kKeywordsLower, kPublisher, kLicense, kLicenseLower, kTerritory, kYear
};

struct Cell {
  Datum value;
  bool isnull;
};

Cell cell(const spi::Row& row, int col) {
  Cell c{};
  c.value = spi::binary_value(row, col, &c.isnull);
  return c;
}

std::string text_of(Datum d) {
  const text* t = reinterpret_cast<const text*>(call([d] { return PG_DETOAST_DATUM_PACKED(d); }));
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::optional<std::string> nullable_text(const Cell& c) {
  if (c.isnull) return std::nullopt;
  return text_of(c.value);
}

std::optional<std::int64_t> nullable_int8(const Cell& c) {
  if (c.isnull) return std::nullopt;
  return DatumGetInt64(c.value);
}

// A text[] value's elements (NULL elements as nullopt).
std::vector<std::optional<std::string>> text_elements(Datum array) {
  struct Elements {
    Datum* values;
    bool* nulls;
    int count;
  };
  const Elements e = call([array] {
    Elements out{};
    deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT, &out.values,
                      &out.nulls, &out.count);
    return out;
  });
  std::vector<std::optional<std::string>> out;
  out.reserve(static_cast<std::size_t>(e.count));
  for (int i = 0; i < e.count; ++i) {
    if (e.nulls[i])
      out.emplace_back(std::nullopt);
    else
      out.emplace_back(text_of(e.values[i]));
  }
  return out;
}

// A tsvector's lexemes, and its copy in `memory`.
Datum kept_tsvector(Datum value, MemoryContext memory, std::vector<std::string>* lexemes) {
  const Datum copy = call([value, memory] {
    MemoryContext old = MemoryContextSwitchTo(memory);
    Datum d = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
    MemoryContextSwitchTo(old);
    return d;
  });
  if (lexemes != nullptr) {
    const TSVector tsv = reinterpret_cast<TSVector>(DatumGetPointer(copy));
    const WordEntry* entries = ARRPTR(tsv);
    const char* strings = STRPTR(tsv);
    lexemes->reserve(static_cast<std::size_t>(tsv->size));
    for (int32 i = 0; i < tsv->size; ++i)
      lexemes->emplace_back(strings + entries[i].pos, entries[i].len);
  }
  return copy;
}

// One row of _search_public_index() as a document; false when the row
// holds what the index does not model.
bool read_document(const spi::Row& row, catalog::SearchDocumentInput& d) {
  const Cell themes = cell(row, kThemes);
  const Cell modified = cell(row, kModified);
  const Cell slug = cell(row, kSlug);
  if (themes.isnull || modified.isnull || slug.isnull) return false;
  d.slug = text_of(slug.value);
  d.slug_rank = DatumGetInt64(cell(row, kSlugRank).value);
  d.title_rank = DatumGetInt64(cell(row, kTitleRank).value);
  d.modified = DatumGetInt64(modified.value);
  d.issued = nullable_int8(cell(row, kIssued));
  d.themes = text_elements(themes.value);
  const Cell keywords = cell(row, kKeywords);
  if (!keywords.isnull) d.keywords = text_elements(keywords.value);
  d.keywords_lower = text_elements(cell(row, kKeywordsLower).value);
  d.publisher = nullable_int8(cell(row, kPublisher));
  d.license = nullable_text(cell(row, kLicense));
  d.license_lower = nullable_text(cell(row, kLicenseLower));
  d.territory = nullable_text(cell(row, kTerritory));
  const Cell year = cell(row, kYear);
  if (!year.isnull) d.year = DatumGetInt32(year.value);
  return true;
}

// The index of the public catalog as the call's snapshot sees it.  Its
// memory context is a child of the call's until it is complete, so that
// an error on the way frees it with the call.
std::unique_ptr<PublicIndex> load(Oid relation, std::int64_t version) {
  auto loaded = std::make_unique<PublicIndex>();
  loaded->relation = relation;
  loaded->version = version;
  loaded->memory = call([] {
    return AllocSetContextCreate(CurrentMemoryContext, "opendata search index",
                                 ALLOCSET_DEFAULT_SIZES);
  });
  static SPIPlanPtr plan = nullptr;
  const uint64 rows =
      spi::execute_saved(plan, "SELECT * FROM opendata._search_public_index()", {}, true);
  auto index = std::make_unique<SearchIndex>();
  loaded->documents.reserve(rows);
  loaded->titles.reserve(rows);
  bool modelled = true;
  for (uint64 i = 0; i < rows; ++i) {
    if (i % 1024 == 0) check_for_interrupts();
    const spi::Row row = spi::result_row(i);
    catalog::SearchDocumentInput d;
    modelled = read_document(row, d);
    if (!modelled) break;
    loaded->documents.push_back(kept_tsvector(cell(row, kDocument).value, loaded->memory, &d.lexemes));
    loaded->titles.push_back(kept_tsvector(cell(row, kTitle).value, loaded->memory, nullptr));
    index->add(d);
  }
  if (modelled) {
    index->finish();
    loaded->index = std::move(index);
  } else {
    loaded->documents.clear();
    loaded->titles.clear();
    call([&loaded] { MemoryContextReset(loaded->memory); });
  }
  call([&loaded] { MemoryContextSetParent(loaded->memory, TopMemoryContext); });
  return loaded;
}

void drop(PublicIndex* p) {
  if (p == nullptr) return;
  MemoryContext memory = p->memory;
  delete p;
  if (memory != nullptr) call([memory] { MemoryContextDelete(memory); });
}

// The index for this version, loaded if it is not the one kept.
const PublicIndex& current(std::int64_t version) {
  const Oid relation = call([] {
    return get_relname_relid("search_index", get_namespace_oid("opendata", false));
  });
  if (g_public != nullptr && g_public->relation == relation && g_public->version == version)
    return *g_public;
  // The old one goes first: two catalogs in memory at once is what a
  // rebuild must not cost.
  drop(g_public);
  g_public = nullptr;
  g_public = load(relation, version).release();
  g_loaded_now = true;
  return *g_public;
}

// A real as float4's input reads it back: the shortest exact digits,
// whatever extra_float_digits says.
std::string real_text(float v) {
  char buf[FLOAT_SHORTEST_DECIMAL_LEN];
  float_to_shortest_decimal_buf(v, buf);
  return buf;
}

}  // namespace

void release_index_load_memory() {
  if (!g_loaded_now) return;
  g_loaded_now = false;
#ifdef __GLIBC__
  // glibc keeps freed memory for reuse; a load frees about twice the
  // index's size (docs/search.md, "In-memory index").
  malloc_trim(0);
#endif
}

std::optional<catalog::SearchFound> search_public_index(const catalog::SearchPlan& plan,
                                                        const catalog::SearchRequest& request,
                                                        const std::optional<std::string>& query,
                                                        const catalog::SearchPublishers& publishers,
                                                        std::int64_t version) {
  if (!g_search_cache) return std::nullopt;
  std::optional<catalog::SearchQuery> terms;
  if (query) {
    terms = catalog::parse_search_query(*query);
    if (!terms) return std::nullopt;
  }
  const PublicIndex& p = current(version);
  if (!p.index) return std::nullopt;
  const SearchIndex& index = *p.index;

  const std::vector<SearchIndex::DocId> hits =
      index.filter(index.match(terms), plan, publishers);
  catalog::SearchFound found;
  found.total = static_cast<std::int64_t>(hits.size());
  for (catalog::SearchFacet f : plan.facets)
    found.facets[static_cast<std::size_t>(f)] = index.count(hits, f);

  // Scores: of every hit when they order the page, else of the page's;
  // by the scorer of opendata._search_score(), the score SQL gives.
  std::optional<SearchScorer> scorer;
  if (query) {
    const TSQuery tsquery = call([&query] {
      return DatumGetTSQuery(DirectFunctionCall1(tsqueryin, CStringGetDatum(query->c_str())));
    });
    scorer.emplace(tsquery);
  }
  auto score = [&](SearchIndex::DocId d) {
    if (!scorer) return 0.0f;
    return scorer->score(reinterpret_cast<TSVector>(DatumGetPointer(p.documents[d])),
                         reinterpret_cast<TSVector>(DatumGetPointer(p.titles[d])));
  };
  std::vector<float> scores;
  if (catalog::order_uses_score(plan.order)) {
    scores.reserve(hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      if (i % 1024 == 0) check_for_interrupts();
      scores.push_back(score(hits[i]));
    }
  }
  for (std::size_t at : index.page(hits, scores, plan.order, request.start.value_or(0),
                                   request.rows.value_or(0))) {
    found.page_slugs.push_back(index.slug(hits[at]));
    found.page_scores.push_back(real_text(scores.empty() ? score(hits[at]) : scores[at]));
  }
  return found;
}

}  // namespace opendata::pg
