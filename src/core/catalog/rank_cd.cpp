// The cover-density rank (see rank_cd.hpp for the definition).
#include "core/catalog/rank_cd.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

namespace opendata::catalog {

int compare_lexemes(std::string_view operand, std::string_view lexeme, bool prefix) {
  if (operand.empty()) {
    if (prefix) return 0;
    return lexeme.empty() ? 0 : -1;
  }
  if (lexeme.empty()) return 1;
  const std::size_t common = std::min(operand.size(), lexeme.size());
  int cmp = std::memcmp(operand.data(), lexeme.data(), common);
  if (cmp != 0) return cmp;
  if (prefix) return operand.size() > lexeme.size() ? 1 : 0;
  if (operand.size() == lexeme.size()) return 0;
  return operand.size() < lexeme.size() ? -1 : 1;
}

namespace {

using Kind = RankQueryItem::Kind;

// Checks that items[at..] holds one well-formed subtree and returns its
// size, or 0 if it does not.
std::size_t subtree_size(const RankQueryItem* items, std::size_t count, std::size_t at, int depth) {
  if (at >= count || depth > 1000) return 0;
  const RankQueryItem& item = items[at];
  if (item.kind == Kind::kOperand) return 1;
  if (item.kind == Kind::kNot) {
    const std::size_t inner = subtree_size(items, count, at + 1, depth + 1);
    return inner == 0 ? 0 : inner + 1;
  }
  const std::size_t right = subtree_size(items, count, at + 1, depth + 1);
  if (right == 0 || item.left != right + 1) return 0;
  const std::size_t left = subtree_size(items, count, at + item.left, depth + 1);
  return left == 0 ? 0 : 1 + right + left;
}

// The operands of an OR of operands at `node`, or nullopt if it has an AND.
std::optional<std::uint64_t> or_clause(const std::vector<RankQueryItem>& items,
                                       const std::vector<std::uint32_t>& operand_of,
                                       std::size_t node) {
  const RankQueryItem& item = items[node];
  if (item.kind == Kind::kOperand) return std::uint64_t{1} << operand_of[node];
  if (item.kind != Kind::kOr) return std::nullopt;
  const auto right = or_clause(items, operand_of, node + 1);
  const auto left = or_clause(items, operand_of, node + item.left);
  if (!right || !left) return std::nullopt;
  return *right | *left;
}

bool and_of_ors(const std::vector<RankQueryItem>& items,
                const std::vector<std::uint32_t>& operand_of, std::size_t node,
                std::vector<std::uint64_t>& clauses) {
  if (items[node].kind == Kind::kAnd)
    return and_of_ors(items, operand_of, node + 1, clauses) &&
           and_of_ors(items, operand_of, node + items[node].left, clauses);
  const auto clause = or_clause(items, operand_of, node);
  if (!clause) return false;
  clauses.push_back(*clause);
  return true;
}

}  // namespace

std::optional<RankQuery> RankQuery::compile(const RankQueryItem* items, std::size_t count) {
  RankQuery query;
  if (count == 0) return query;
  if (subtree_size(items, count, 0, 0) != count) return std::nullopt;
  const std::vector<RankQueryItem> list(items, items + count);
  std::vector<std::uint32_t> operand_of(count, 0);
  for (std::size_t i = 0; i < count; i++) {
    const RankQueryItem& item = list[i];
    if (item.kind == Kind::kNot || item.kind == Kind::kPhrase) return std::nullopt;
    if (item.kind != Kind::kOperand) continue;
    if (item.weight_mask != 0) return std::nullopt;
    // Equal operands are present or absent together: one bit serves them.
    std::size_t o = 0;
    while (o < query.operands_.size() &&
           !(query.operands_[o].prefix == item.prefix && query.operands_[o].lexeme == item.lexeme))
      o++;
    if (o == query.operands_.size()) {
      if (o == kMaxOperands) return std::nullopt;
      query.operands_.push_back({item.lexeme, item.prefix});
    }
    operand_of[i] = static_cast<std::uint32_t>(o);
  }
  for (std::size_t i = 0; i < count; i++)
    query.nodes_.push_back({list[i].kind, list[i].left, operand_of[i]});
  if (!and_of_ors(list, operand_of, 0, query.clauses_)) query.clauses_.clear();
  return query;
}

bool RankQuery::evaluate(std::size_t node, std::uint64_t present) const {
  const Node& n = nodes_[node];
  switch (n.kind) {
    case Kind::kOperand:
      return (present >> n.operand) & 1;
    case Kind::kAnd:
      return evaluate(node + 1, present) && evaluate(node + n.left, present);
    case Kind::kOr:
      return evaluate(node + 1, present) || evaluate(node + n.left, present);
    default:
      return false;  // not compiled
  }
}

bool RankQuery::satisfied(std::uint64_t present) const {
  if (nodes_.empty()) return false;
  if (clauses_.empty()) return evaluate(0, present);
  for (std::uint64_t clause : clauses_)
    if ((present & clause) == 0) return false;
  return true;
}

namespace {

constexpr std::array<float, 4> kDefaultWeights{0.1f, 0.2f, 0.4f, 1.0f};

// A weight below 0 (or NaN, which is not >= 0) takes the default.
double effective_weight(const RankOptions& options, std::size_t i) {
  const float w = options.weights[i];
  return static_cast<double>(w >= 0 ? w : kDefaultWeights[i]);
}

// The representation's items, ordered and merged as PostgreSQL's
// get_docrep() orders and merges them.
void build_items(RankScratch& scratch) {
  auto& items = scratch.items;
  items.clear();
  for (const MatchedLexeme& m : scratch.matched) {
    for (std::uint32_t j = 0; j < m.positions.count; j++) {
      const StoredPosition p = m.positions.data[j];
      const std::uint64_t key =
          (std::uint64_t(position_of(p)) << 34) | (std::uint64_t(weight_of(p)) << 32) | m.index;
      items.push_back({key, m.operands});
    }
  }
  // One lexeme's positions are stored in order: the items are then sorted
  // already, and a sort is needed only when several lexemes interleave.
  const auto by_key = [](const RankScratch::Item& a, const RankScratch::Item& b) {
    return a.key < b.key;
  };
  if (!std::is_sorted(items.begin(), items.end(), by_key))
    std::sort(items.begin(), items.end(), by_key);
  // The same position of the same lexeme twice is one item.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < items.size(); i++) {
    if (kept > 0 && items[kept - 1].key == items[i].key)
      items[kept - 1].operands |= items[i].operands;
    else
      items[kept++] = items[i];
  }
  items.resize(kept);
}

int item_position(const RankScratch::Item& item) { return static_cast<int>(item.key >> 34); }
int item_weight(const RankScratch::Item& item) { return static_cast<int>((item.key >> 32) & 3); }

}  // namespace

bool valid_rank_weights(const RankOptions& options) {
  for (std::size_t i = 0; i < 4; i++)
    if (effective_weight(options, i) > 1.0) return false;
  return true;
}

float rank_cd(const RankQuery& query, const DocumentCounts& counts, const RankOptions& options,
              RankScratch& scratch) {
  double inverse_weight[4];
  for (std::size_t i = 0; i < 4; i++) inverse_weight[i] = 1.0 / effective_weight(options, i);
  build_items(scratch);
  const auto& items = scratch.items;
  if (items.empty()) return 0.0f;
  const int n = static_cast<int>(items.size());

  double sum = 0.0;
  double distance_sum = 0.0;
  double previous_centre = 0.0;
  int covers = 0;
  int start = 0;
  while (start < n) {
    // The cover's end: the first item from `start` at which the query holds.
    std::uint64_t present = 0;
    int end = -1;
    int q = 0;
    for (int i = start; i < n; i++) {
      present |= items[static_cast<std::size_t>(i)].operands;
      if (query.satisfied(present)) {
        if (item_position(items[static_cast<std::size_t>(i)]) > q) {
          q = item_position(items[static_cast<std::size_t>(i)]);
          end = i;
        }
        break;
      }
    }
    if (end < 0) break;
    // Its beginning: walking back from the end, the first item at which
    // the query holds again.
    present = 0;
    int begin = -1;
    int p = INT_MAX;
    int stop = start - 1;
    for (int i = end; i >= start; i--) {
      present |= items[static_cast<std::size_t>(i)].operands;
      if (query.satisfied(present)) {
        if (item_position(items[static_cast<std::size_t>(i)]) < p) {
          p = item_position(items[static_cast<std::size_t>(i)]);
          begin = i;
        }
        stop = i;
        break;
      }
    }
    if (p > q) {  // no cover from here: try from the next item
      start++;
      continue;
    }
    double inverse_sum = 0.0;
    for (int i = begin; i <= end; i++)
      inverse_sum += inverse_weight[item_weight(items[static_cast<std::size_t>(i)])];
    const double density = static_cast<double>(end - begin + 1) / inverse_sum;
    // Positions are clamped at 16383: a long document's cover can span
    // fewer positions than it has items.
    int noise = (q - p) - (end - begin);
    if (noise < 0) noise = (end - begin) / 2;
    sum += density / static_cast<double>(1 + noise);

    const double centre = static_cast<double>(q + p) / 2.0;
    if (covers > 0 && centre > previous_centre) distance_sum += 1.0 / (centre - previous_centre);
    previous_centre = centre;
    covers++;
    start = stop + 1;
  }

  const int method = options.method;
  if ((method & kRankNormLogLength) && counts.lexemes > 0)
    sum /= std::log(static_cast<double>(counts.positions + 1));
  if ((method & kRankNormLength) && counts.positions > 0)
    sum /= static_cast<double>(counts.positions);
  if ((method & kRankNormExtDist) && covers > 0 && distance_sum > 0)
    sum /= static_cast<double>(covers) / distance_sum;
  if ((method & kRankNormUniq) && counts.lexemes > 0) sum /= static_cast<double>(counts.lexemes);
  if ((method & kRankNormLogUniq) && counts.lexemes > 0)
    sum /= std::log(static_cast<double>(counts.lexemes + 1)) / std::log(2.0);
  if (method & kRankNormRDivRPlus1) sum /= (sum + 1);
  return static_cast<float>(sum);
}

}  // namespace opendata::catalog
