// opendata._search_score(): the catalog search's score without
// ts_rank_cd()'s per-call work (src/pg/search_score.hpp).
#include "pg/search_score.hpp"

#include <cstring>
#include <vector>

#include "pg/call_site_object.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(opendata_search_score);
}

namespace opendata::pg {
namespace {

// The weights of the score, D to A, and its normalisation (log length).
constexpr float4 kWeights[4] = {0.1f, 0.2f, 0.4f, 1.0f};
constexpr int kMethod = catalog::kRankNormLogLength;

// A binary tsvector as src/core/catalog/rank_cd.hpp reads documents.
class TsvectorDocument {
 public:
  explicit TsvectorDocument(TSVector v) : v_(v), entries_(ARRPTR(v)), strings_(STRPTR(v)) {}
  std::size_t size() const { return static_cast<std::size_t>(v_->size); }
  std::string_view lexeme(std::size_t i) const {
    return {strings_ + entries_[i].pos, entries_[i].len};
  }
  catalog::PositionSpan positions(std::size_t i) const {
    WordEntry* e = &entries_[i];
    if (!e->haspos) return {};
    return {POSDATAPTR(v_, e), static_cast<std::uint32_t>(POSDATALEN(v_, e))};
  }

 private:
  TSVector v_;
  WordEntry* entries_;
  char* strings_;
};

// The query's items as the core reads them (kNot for anything it must not
// rank, which makes compile() decline).
std::vector<catalog::RankQueryItem> query_items(TSQuery query) {
  using Kind = catalog::RankQueryItem::Kind;
  std::vector<catalog::RankQueryItem> items(static_cast<std::size_t>(query->size));
  QueryItem* item = GETQUERY(query);
  char* operands = GETOPERAND(query);
  for (int i = 0; i < query->size; i++) {
    catalog::RankQueryItem& out = items[static_cast<std::size_t>(i)];
    if (item[i].type == QI_VAL) {
      const QueryOperand& op = item[i].qoperand;
      out.kind = Kind::kOperand;
      out.lexeme = std::string_view(operands + op.distance, op.length);
      out.prefix = op.prefix;
      out.weight_mask = op.weight;
    } else if (item[i].type == QI_OPR) {
      const QueryOperator& op = item[i].qoperator;
      out.kind = op.oper == OP_AND      ? Kind::kAnd
                 : op.oper == OP_OR     ? Kind::kOr
                 : op.oper == OP_PHRASE ? Kind::kPhrase
                                        : Kind::kNot;
      out.left = op.left;
    } else {
      out.kind = Kind::kNot;
    }
  }
  return items;
}

}  // namespace

SearchScorer::SearchScorer(TSQuery query)
    : query_bytes_(reinterpret_cast<const char*>(query), VARSIZE(query)) {
  const std::vector<catalog::RankQueryItem> items = query_items(this->query());
  compiled_ = catalog::RankQuery::compile(items.data(), items.size());
}

bool SearchScorer::scores(TSQuery query) const {
  return VARSIZE(query) == query_bytes_.size() &&
         std::memcmp(query, query_bytes_.data(), query_bytes_.size()) == 0;
}

float4 SearchScorer::score(TSVector document, TSVector title) {
  if (!compiled_) return score_by_postgres(document, title);
  catalog::RankOptions options;
  for (int i = 0; i < 4; i++) options.weights[static_cast<std::size_t>(i)] = kWeights[i];
  options.method = kMethod;
  const float4 rank =
      catalog::rank_document(*compiled_, TsvectorDocument(document), options, scratch_);
  // real * 2 and real * 1 are exact: the doubled float is the SQL's result.
  return catalog::document_matches(*compiled_, TsvectorDocument(title)) ? rank * 2.0f : rank;
}

float4 SearchScorer::score_by_postgres(TSVector document, TSVector title) const {
  TSQuery q = query();
  return call([document, title, q]() -> float4 {
    Datum weights[4];
    for (int i = 0; i < 4; i++) weights[i] = Float4GetDatum(kWeights[i]);
    ArrayType* array = construct_array(weights, 4, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
    const float4 rank = DatumGetFloat4(
        DirectFunctionCall4(ts_rankcd_wttf, PointerGetDatum(array), PointerGetDatum(document),
                            PointerGetDatum(q), Int32GetDatum(kMethod)));
    const bool in_title =
        DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(title), PointerGetDatum(q)));
    pfree(array);
    return static_cast<float4>(static_cast<float8>(rank) * (in_title ? 2.0 : 1.0));
  });
}

float4 search_score(TSVector document, TSVector title, TSQuery query) {
  SearchScorer scorer(query);
  return scorer.score(document, title);
}

namespace {

// The call site's scorer for `query`: a search calls the function once per
// match with the same query, compiled once.
SearchScorer& scorer_for(FunctionCallInfo fcinfo, TSQuery query) {
  CallSiteObject<SearchScorer>& site = CallSiteObject<SearchScorer>::of(fcinfo);
  if (site.get() == nullptr || !site.get()->scores(query)) site.reset(new SearchScorer(query));
  return *site.get();
}

}  // namespace
}  // namespace opendata::pg

// _search_score(document, title, query) (signature::kSearchScore): the
// three arguments read by position, once per match.
extern "C" Datum opendata_search_score(PG_FUNCTION_ARGS) {
  using namespace opendata::pg;
  return boundary([&]() -> Datum {
    TSVector document = call([&] { return DatumGetTSVector(PG_GETARG_DATUM(0)); });
    TSVector title = call([&] { return DatumGetTSVector(PG_GETARG_DATUM(1)); });
    TSQuery query =
        call([&] { return reinterpret_cast<TSQuery>(PG_DETOAST_DATUM(PG_GETARG_DATUM(2))); });
    const float4 score = scorer_for(fcinfo, query).score(document, title);
    return Float4GetDatum(score);
  });
}
