// The score of a catalog search match (docs/search.md, "Ranking"):
//
//   (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', document, query, 1)
//    * CASE WHEN title @@ query THEN 2 ELSE 1 END)::real
//
// computed by src/core/catalog/rank_cd on the binary tsvector and tsquery,
// with the same result to the last bit.  A query the core does not rank
// (NOT, phrase, weight-restricted operands) is scored by PostgreSQL's own
// ts_rank_cd() and @@.  SQL: opendata._search_score(document, title, query).
#pragma once

#include <optional>
#include <string>

#include "core/catalog/rank_cd.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "tsearch/ts_type.h"
}

namespace opendata::pg {

// One query's scorer: the query compiled once, then any number of documents.
// It keeps its own copy of the query.  Its methods may raise PgError (the
// fallback calls PostgreSQL).
class SearchScorer {
 public:
  explicit SearchScorer(TSQuery query);
  bool scores(TSQuery query) const;  // whether `query` is the one compiled
  float4 score(TSVector document, TSVector title);

 private:
  TSQuery query() const {
    return reinterpret_cast<TSQuery>(const_cast<char*>(query_bytes_.data()));
  }
  float4 score_by_postgres(TSVector document, TSVector title) const;

  std::string query_bytes_;
  std::optional<catalog::RankQuery> compiled_;  // nullopt: PostgreSQL scores
  catalog::RankScratch scratch_;
};

// The score of one document (compiles the query: use a SearchScorer for many).
float4 search_score(TSVector document, TSVector title, TSQuery query);

}  // namespace opendata::pg
