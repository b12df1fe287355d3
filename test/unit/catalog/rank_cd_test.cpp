// The cover-density rank (src/core/catalog/rank_cd.hpp): cases computed by
// hand from PostgreSQL's definition.
#include "core/catalog/rank_cd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace opendata::catalog {
namespace {

constexpr int kA = 3;
constexpr int kB = 2;
constexpr int kD = 0;

StoredPosition at(int position, int weight = kD) {
  return static_cast<StoredPosition>((weight << 14) | position);
}

// A document: its lexemes in tsvector order, each with its positions.
class Doc {
 public:
  Doc(std::vector<std::pair<std::string, std::vector<StoredPosition>>> lexemes)
      : lexemes_(std::move(lexemes)) {}
  std::size_t size() const { return lexemes_.size(); }
  std::string_view lexeme(std::size_t i) const { return lexemes_[i].first; }
  PositionSpan positions(std::size_t i) const {
    const auto& p = lexemes_[i].second;
    return {p.data(), static_cast<std::uint32_t>(p.size())};
  }

 private:
  std::vector<std::pair<std::string, std::vector<StoredPosition>>> lexemes_;
};

// A query tree written out in PostgreSQL's prefix order.
using Items = std::vector<RankQueryItem>;

Items word(const char* lexeme, bool prefix = false) {
  RankQueryItem item;
  item.lexeme = lexeme;
  item.prefix = prefix;
  return {item};
}

Items op(RankQueryItem::Kind kind, const Items& left, const Items& right) {
  RankQueryItem item;
  item.kind = kind;
  item.left = static_cast<std::uint32_t>(right.size() + 1);
  Items out{item};
  out.insert(out.end(), right.begin(), right.end());
  out.insert(out.end(), left.begin(), left.end());
  return out;
}

Items both(const Items& l, const Items& r) { return op(RankQueryItem::Kind::kAnd, l, r); }
Items either(const Items& l, const Items& r) { return op(RankQueryItem::Kind::kOr, l, r); }

RankQuery compile(const Items& items) {
  auto q = RankQuery::compile(items.data(), items.size());
  EXPECT_TRUE(q.has_value());
  return *q;
}

float rank(const Items& items, const Doc& doc, int method = 0) {
  RankScratch scratch;
  RankOptions options;
  options.method = method;
  return rank_document(compile(items), doc, options, scratch);
}

// 1 / weight, as ts_rank_cd computes it from the float weight.
double inv(float w) { return 1.0 / static_cast<double>(w); }

TEST(CompareLexemes, OrdersAsPostgres) {
  EXPECT_LT(compare_lexemes("ab", "abc", false), 0);
  EXPECT_GT(compare_lexemes("abc", "ab", false), 0);
  EXPECT_EQ(compare_lexemes("ab", "ab", false), 0);
  EXPECT_EQ(compare_lexemes("ab", "abc", true), 0);
  EXPECT_GT(compare_lexemes("abc", "ab", true), 0);
  EXPECT_LT(compare_lexemes("ab", "ac", true), 0);
  EXPECT_GT(compare_lexemes("\xc3\xa9", "z", false), 0);  // bytes are unsigned
  EXPECT_EQ(compare_lexemes("", "x", true), 0);
  EXPECT_LT(compare_lexemes("", "x", false), 0);
}

TEST(FindLexemes, ExactAndPrefixRanges) {
  const Doc doc({{"arb", {}}, {"arbr", {}}, {"arbre", {}}, {"arbres", {}}, {"lyon", {}}});
  EXPECT_EQ(find_lexemes(doc, {"arbre", false}), (std::pair<std::size_t, std::size_t>{2, 1}));
  EXPECT_EQ(find_lexemes(doc, {"arbr", true}), (std::pair<std::size_t, std::size_t>{1, 3}));
  EXPECT_EQ(find_lexemes(doc, {"arbq", true}).second, 0u);
  EXPECT_EQ(find_lexemes(doc, {"ar", true}), (std::pair<std::size_t, std::size_t>{0, 4}));
  EXPECT_EQ(find_lexemes(doc, {"zz", false}).second, 0u);
}

TEST(RankQuery, CompilesAndOrOnly) {
  RankQueryItem negation;
  negation.kind = RankQueryItem::Kind::kNot;
  Items not_a{negation};
  not_a.push_back(word("a")[0]);
  EXPECT_FALSE(RankQuery::compile(not_a.data(), not_a.size()).has_value());
  const Items phrase = op(RankQueryItem::Kind::kPhrase, word("a"), word("b"));
  EXPECT_FALSE(RankQuery::compile(phrase.data(), phrase.size()).has_value());
  Items weighted = word("a");
  weighted[0].weight_mask = 1 << kA;
  EXPECT_FALSE(RankQuery::compile(weighted.data(), weighted.size()).has_value());
  Items broken = both(word("a"), word("b"));
  broken[0].left = 1;
  EXPECT_FALSE(RankQuery::compile(broken.data(), broken.size()).has_value());
  EXPECT_TRUE(RankQuery::compile(nullptr, 0)->empty());
}

TEST(RankQuery, EqualOperandsShareABit) {
  const RankQuery q = compile(both(word("a"), either(word("a"), word("a", true))));
  EXPECT_EQ(q.operands().size(), 2u);
}

TEST(RankQuery, SatisfiedByAndOfOrsAndOtherTrees) {
  const RankQuery cnf = compile(both(either(word("a"), word("b")), word("c")));
  EXPECT_FALSE(cnf.satisfied(0b001));  // operands in order of appearance: c, b, a
  EXPECT_TRUE(cnf.satisfied(0b011));
  EXPECT_TRUE(cnf.satisfied(0b101));
  EXPECT_FALSE(cnf.satisfied(0b110));
  const RankQuery tree = compile(either(both(word("a"), word("b")), word("c")));
  EXPECT_TRUE(tree.satisfied(0b001));
  EXPECT_TRUE(tree.satisfied(0b110));
  EXPECT_FALSE(tree.satisfied(0b010));
}

TEST(RankCd, OneOperandEachPositionACover) {
  // 'a':1,3 weight D: two covers of one item, 1 / (1/0.1) each.
  const Doc doc({{"a", {at(1), at(3)}}});
  const double cover = 1.0 / inv(0.1f);
  EXPECT_EQ(rank(word("a"), doc), static_cast<float>(cover + cover));
}

TEST(RankCd, AdjacentWordsAndNormalisation) {
  const Doc doc({{"a", {at(1, kA)}}, {"b", {at(2, kA)}}});
  EXPECT_EQ(rank(both(word("a"), word("b")), doc), 1.0f);
  EXPECT_EQ(rank(both(word("a"), word("b")), doc, kRankNormLogLength),
            static_cast<float>(1.0 / std::log(3.0)));
}

TEST(RankCd, NoiseBetweenTheWords) {
  // a at 1, b at 5: one cover of 2 items over 5 positions, 3 noise words.
  const Doc doc({{"a", {at(1)}}, {"b", {at(5)}}});
  const double density = 2.0 / (inv(0.1f) + inv(0.1f));
  EXPECT_EQ(rank(both(word("a"), word("b")), doc), static_cast<float>(density / 4.0));
}

TEST(RankCd, OverlappingCovers) {
  // a 1, b 2, a 3: covers (1,2) then (2,3).
  const Doc doc({{"a", {at(1), at(3)}}, {"b", {at(2, kB)}}});
  const double c = 2.0 / (inv(0.1f) + inv(0.4f));
  EXPECT_EQ(rank(both(word("a"), word("b")), doc), static_cast<float>(c + c));
}

TEST(RankCd, ClampedPositionsCountHalfTheCover) {
  // Two lexemes at the last position 16383: the cover spans no position,
  // so its noise is (items - 1) / 2 = 0.
  const Doc doc({{"a", {at(16383)}}, {"b", {at(16383)}}});
  const double density = 2.0 / (inv(0.1f) + inv(0.1f));
  EXPECT_EQ(rank(both(word("a"), word("b")), doc), static_cast<float>(density));
}

TEST(RankCd, PrefixMatchesSeveralLexemes) {
  // 'arbr':* matches arbre (2) and arbres (6); lyon at 4; query arbr & lyon.
  const Doc doc({{"arbre", {at(2)}}, {"arbres", {at(6)}}, {"lyon", {at(4)}}, {"parc", {at(1)}}});
  const double density = 2.0 / (inv(0.1f) + inv(0.1f));
  // Covers (2,4) and (4,6), one noise word each.
  const float expected = static_cast<float>(density / 2.0 + density / 2.0);
  EXPECT_EQ(rank(both(word("arbr", true), word("lyon")), doc), expected);
  // An alternative that the prefix already covers changes nothing.
  EXPECT_EQ(rank(both(either(word("arbr", true), word("arbre")), word("lyon")), doc), expected);
}

TEST(RankCd, LexemesWithoutPositionsTakeNoPart) {
  const Doc doc({{"a", {}}, {"b", {}}});
  EXPECT_EQ(rank(both(word("a"), word("b")), doc), 0.0f);
  EXPECT_TRUE(document_matches(compile(both(word("a"), word("b"))), doc));
}

TEST(RankCd, AbsentOperandsAndEmptyInputs) {
  const Doc doc({{"a", {at(1)}}});
  EXPECT_EQ(rank(both(word("a"), word("zz")), doc), 0.0f);  // no cover
  EXPECT_EQ(rank(word("zz"), doc), 0.0f);
  EXPECT_EQ(rank(word("a"), Doc({})), 0.0f);
  RankScratch scratch;
  EXPECT_EQ(rank_document(*RankQuery::compile(nullptr, 0), doc, RankOptions{}, scratch), 0.0f);
  EXPECT_FALSE(document_matches(*RankQuery::compile(nullptr, 0), doc));
}

TEST(RankCd, LengthCountsALexemeWithoutPositionsAsOne) {
  const Doc doc({{"a", {at(1, kA)}}, {"b", {}}, {"c", {at(2), at(3)}}});
  EXPECT_EQ(rank(word("a"), doc, kRankNormLogLength), static_cast<float>(1.0 / std::log(5.0)));
  EXPECT_EQ(rank(word("a"), doc, kRankNormLength), static_cast<float>(1.0 / 4.0));
  EXPECT_EQ(rank(word("a"), doc, kRankNormUniq), static_cast<float>(1.0 / 3.0));
}

TEST(RankCd, WeightsOutOfRange) {
  RankOptions options;
  EXPECT_TRUE(valid_rank_weights(options));
  options.weights[3] = -1.0f;  // the default
  EXPECT_TRUE(valid_rank_weights(options));
  options.weights[0] = 1.5f;
  EXPECT_FALSE(valid_rank_weights(options));
}

}  // namespace
}  // namespace opendata::catalog
