// The cover-density rank of a text-search document for a query, exactly as
// PostgreSQL's ts_rank_cd() computes it (src/backend/utils/adt/tsrank.c,
// PostgreSQL 13 to 18), for the queries made of AND, OR and operands
// without a weight restriction: what opendata._search_query() builds
// (docs/search.md, "Ranking").  Queries with NOT, a phrase operator or a
// weight-restricted operand are not compiled: the caller ranks them with
// PostgreSQL's own function.
//
// The definition, as this file reproduces it:
//
//  - Every (lexeme, stored position) of the document that an operand of
//    the query matches (the lexeme itself, or any lexeme it begins for a
//    prefix operand) is one item of the document's representation, with
//    the set of operands that match its lexeme.  Lexemes without
//    positions take no part.  The items are ordered by position, then
//    weight, then lexeme (the lexemes' order in the document).
//  - A cover is a run of items found from a start item: the first item
//    at which the items so far satisfy the query ends it (its position
//    must be above 0), and walking back from there the first item at
//    which the items satisfy the query again begins it.  The next search
//    starts after its first item.
//  - A cover of n items from position p to q, whose weights have inverse
//    weights summing to S, adds (n / S) / (1 + noise), where noise is
//    (q - p) - (n - 1), or (n - 1) / 2 in integers when that is negative.
//    The sum is in double precision, in the covers' order.
//  - Normalisations (the method's bits) divide that sum; 1 divides by the
//    natural logarithm of (the document's number of positions + 1), a
//    lexeme without positions counting one.  The result is a float.
//
// This file knows nothing of PostgreSQL: the document is read through a
// small interface (DocumentLike below), the query through RankQueryItem.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace opendata::catalog {

// A stored position: weight in the top 2 bits (0 D, 1 C, 2 B, 3 A), the
// position (0 to 16383) in the low 14, as in a tsvector.
using StoredPosition = std::uint16_t;

inline int position_of(StoredPosition p) { return p & 0x3fff; }
inline int weight_of(StoredPosition p) { return p >> 14; }

// The positions of one lexeme of a document, in stored order.
struct PositionSpan {
  const StoredPosition* data = nullptr;
  std::uint32_t count = 0;  // 0: the lexeme has no positions
};

// How PostgreSQL orders lexemes (tsCompareString): bytes compared as
// unsigned, a shorter string first.  With `prefix`, `operand` compares
// equal to every lexeme it begins.
int compare_lexemes(std::string_view operand, std::string_view lexeme, bool prefix);

// One item of a tsquery, in PostgreSQL's order: prefix notation, an
// operator followed by its right operand, its left one `left` items on.
struct RankQueryItem {
  enum class Kind : std::uint8_t { kOperand, kAnd, kOr, kNot, kPhrase };
  Kind kind = Kind::kOperand;
  std::uint32_t left = 0;        // operators: distance to the left operand
  std::string_view lexeme;       // operands
  bool prefix = false;           // operands: 'word':*
  std::uint8_t weight_mask = 0;  // operands: 'word':AB restricts; 0 any weight
};

// A query compiled for ranking: its distinct operands (each a bit of a
// 64-bit set) and how a set of present operands satisfies it.  Lexemes are
// views into the caller's query, which must outlive this object.
class RankQuery {
 public:
  static constexpr std::size_t kMaxOperands = 64;

  struct Operand {
    std::string_view lexeme;
    bool prefix = false;
  };

  // nullopt when the query is outside what this file ranks (NOT, phrase,
  // a weight restriction, more than kMaxOperands distinct operands) or is
  // not a well-formed tree.  An empty list is the empty query.
  static std::optional<RankQuery> compile(const RankQueryItem* items, std::size_t count);

  bool empty() const { return nodes_.empty(); }
  const std::vector<Operand>& operands() const { return operands_; }

  // Whether the operands in `present` (bit i: operands()[i]) satisfy the
  // query.  The empty query is never satisfied.
  bool satisfied(std::uint64_t present) const;

 private:
  struct Node {
    RankQueryItem::Kind kind;
    std::uint32_t left;     // operators
    std::uint32_t operand;  // operands: index in operands_
  };
  bool evaluate(std::size_t node, std::uint64_t present) const;

  std::vector<Operand> operands_;
  std::vector<Node> nodes_;
  // When the query is an AND of ORs of operands (or one of them): the
  // operands of each OR.  Empty otherwise, and nodes_ are walked.
  std::vector<std::uint64_t> clauses_;
};

// A lexeme of the document that some operands match.
struct MatchedLexeme {
  std::uint32_t index = 0;  // in the document's order
  PositionSpan positions;
  std::uint64_t operands = 0;  // bit i: RankQuery::operands()[i]
};

// Ranking parameters: ts_rank_cd's weights {D, C, B, A} (a negative one
// takes PostgreSQL's default) and normalisation method bits.
struct RankOptions {
  std::array<float, 4> weights{0.1f, 0.2f, 0.4f, 1.0f};
  int method = 0;
};

inline constexpr int kRankNormLogLength = 0x01;
inline constexpr int kRankNormLength = 0x02;
inline constexpr int kRankNormExtDist = 0x04;
inline constexpr int kRankNormUniq = 0x08;
inline constexpr int kRankNormLogUniq = 0x10;
inline constexpr int kRankNormRDivRPlus1 = 0x20;

// Whether ts_rank_cd accepts these weights (each at most 1; PostgreSQL
// raises "weight out of range" otherwise).
bool valid_rank_weights(const RankOptions& options);

// Working memory of rank_cd, reused from one document to the next.
class RankScratch {
 public:
  struct Item {
    std::uint64_t key;  // position << 34 | weight << 32 | lexeme index
    std::uint64_t operands;
  };
  std::vector<MatchedLexeme> matched;
  std::vector<Item> items;
};

// What rank_cd needs of the document beyond its matched lexemes.
struct DocumentCounts {
  std::int64_t lexemes = 0;    // number of lexemes
  std::int64_t positions = 0;  // positions, a lexeme without any counting 1
};

// The rank of a document whose lexemes matched by the query are
// `scratch.matched` (any order).  The query must not be empty.
float rank_cd(const RankQuery& query, const DocumentCounts& counts, const RankOptions& options,
              RankScratch& scratch);

// ---------------------------------------------------------------------
// Reading a document.  A DocumentLike type has
//   std::size_t size() const;                       its number of lexemes
//   std::string_view lexeme(std::size_t i) const;   sorted by compare_lexemes
//   PositionSpan positions(std::size_t i) const;
// ---------------------------------------------------------------------

// The range of lexemes `operand` matches: [first, first + count).  The
// binary search is PostgreSQL's (find_wordentry), step for step, so that
// the two agree on any document.
template <typename Document>
std::pair<std::size_t, std::size_t> find_lexemes(const Document& doc,
                                                 const RankQuery::Operand& op) {
  std::size_t low = 0;
  std::size_t high = doc.size();
  std::size_t middle = high;
  bool found = false;
  while (low < high) {
    middle = low + (high - low) / 2;
    const int difference = compare_lexemes(op.lexeme, doc.lexeme(middle), false);
    if (difference == 0) {
      high = middle;
      found = true;
      break;
    }
    if (difference > 0)
      low = middle + 1;
    else
      high = middle;
  }
  if (!op.prefix) return {high, found ? 1 : 0};
  if (low >= high) middle = high;
  std::size_t count = 0;
  while (middle + count < doc.size() &&
         compare_lexemes(op.lexeme, doc.lexeme(middle + count), true) == 0)
    count++;
  return {middle, count};
}

// Fills scratch.matched with the document's lexemes the query's operands
// match, and returns the set of operands found (with or without positions).
template <typename Document>
std::uint64_t match_lexemes(const RankQuery& query, const Document& doc, RankScratch& scratch) {
  scratch.matched.clear();
  std::uint64_t found = 0;
  const auto& operands = query.operands();
  for (std::size_t o = 0; o < operands.size(); o++) {
    const auto [first, count] = find_lexemes(doc, operands[o]);
    if (count == 0) continue;
    const std::uint64_t bit = std::uint64_t{1} << o;
    found |= bit;
    for (std::size_t i = first; i < first + count; i++) {
      // A lexeme several operands match (two alternatives prefixes of it)
      // is one lexeme of the representation, with all of them.
      bool seen = false;
      for (MatchedLexeme& m : scratch.matched) {
        if (m.index == i) {
          m.operands |= bit;
          seen = true;
          break;
        }
      }
      if (!seen) scratch.matched.push_back({static_cast<std::uint32_t>(i), doc.positions(i), bit});
    }
  }
  return found;
}

template <typename Document>
DocumentCounts count_document(const Document& doc) {
  DocumentCounts counts;
  counts.lexemes = static_cast<std::int64_t>(doc.size());
  for (std::size_t i = 0; i < doc.size(); i++) {
    const std::uint32_t n = doc.positions(i).count;
    counts.positions += n == 0 ? 1 : n;
  }
  return counts;
}

// ts_rank_cd(weights, doc, query, method), for a compiled query.
template <typename Document>
float rank_document(const RankQuery& query, const Document& doc, const RankOptions& options,
                    RankScratch& scratch) {
  if (query.empty() || doc.size() == 0) return 0.0f;
  match_lexemes(query, doc, scratch);
  if (scratch.matched.empty()) return 0.0f;
  return rank_cd(query, count_document(doc), options, scratch);
}

// doc @@ query, for a compiled query.
template <typename Document>
bool document_matches(const RankQuery& query, const Document& doc) {
  if (query.empty()) return false;
  std::uint64_t found = 0;
  const auto& operands = query.operands();
  for (std::size_t o = 0; o < operands.size(); o++)
    if (find_lexemes(doc, operands[o]).second > 0) found |= std::uint64_t{1} << o;
  return query.satisfied(found);
}

}  // namespace opendata::catalog
