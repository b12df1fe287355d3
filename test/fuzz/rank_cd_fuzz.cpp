// libFuzzer target for the cover-density rank (core/catalog/rank_cd.hpp):
// the input picks a small document (lexemes that begin one another, up to
// 6 positions each, any weight, some at the last position 16383, some
// without positions) and an AND/OR query over those lexemes and an absent
// one, plain or prefix; rank_document() and document_matches() must agree
// to the bit with the plain reading of PostgreSQL's definition below (one
// item per query operand and position, a comparison sort, covers found by
// re-evaluating the whole tree, lexemes found by a linear scan).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/catalog/rank_cd.hpp"

using namespace opendata::catalog;

namespace {

const char* const kLexemes[] = {"a", "ab", "abc", "b", "ba", "c"};  // in tsvector order
const char* const kOperands[] = {"a", "ab", "abc", "b", "ba", "c", "zz", ""};

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  unsigned next() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

struct Lexeme {
  std::string text;
  std::vector<StoredPosition> positions;
};

struct Doc {
  std::vector<Lexeme> lexemes;
  std::size_t size() const { return lexemes.size(); }
  std::string_view lexeme(std::size_t i) const { return lexemes[i].text; }
  PositionSpan positions(std::size_t i) const {
    return {lexemes[i].positions.data(), static_cast<std::uint32_t>(lexemes[i].positions.size())};
  }
};

// A random tree in prefix order: an operator, its right operand, its left.
void build_query(Input& in, int depth, std::vector<RankQueryItem>& out) {
  const unsigned b = in.next();
  if (depth >= 3 || b % 3 == 0) {
    RankQueryItem item;
    item.lexeme = kOperands[(b >> 2) % 8];
    item.prefix = (b >> 5) & 1;
    out.push_back(item);
    return;
  }
  const std::size_t at = out.size();
  RankQueryItem op;
  op.kind = b % 3 == 1 ? RankQueryItem::Kind::kAnd : RankQueryItem::Kind::kOr;
  out.push_back(op);
  build_query(in, depth + 1, out);
  out[at].left = static_cast<std::uint32_t>(out.size() - at);
  build_query(in, depth + 1, out);
}

bool operand_matches(const RankQueryItem& op, const std::string& lexeme) {
  if (op.prefix) return lexeme.compare(0, op.lexeme.size(), op.lexeme) == 0;
  return lexeme == op.lexeme;
}

bool holds(const std::vector<RankQueryItem>& q, std::size_t i, const std::vector<bool>& present) {
  switch (q[i].kind) {
    case RankQueryItem::Kind::kAnd:
      return holds(q, i + 1, present) && holds(q, i + q[i].left, present);
    case RankQueryItem::Kind::kOr:
      return holds(q, i + 1, present) || holds(q, i + q[i].left, present);
    default:
      return present[i];
  }
}

struct Item {
  int position;
  int weight;
  std::size_t lexeme;
  std::vector<std::size_t> operands;  // query item indexes
};

float reference_rank(const std::vector<RankQueryItem>& q, const Doc& doc,
                     const RankOptions& options) {
  if (q.empty() || doc.lexemes.empty()) return 0.0f;
  std::vector<Item> items;
  for (std::size_t i = 0; i < q.size(); i++) {
    if (q[i].kind != RankQueryItem::Kind::kOperand) continue;
    for (std::size_t e = 0; e < doc.lexemes.size(); e++) {
      if (!operand_matches(q[i], doc.lexemes[e].text)) continue;
      for (StoredPosition p : doc.lexemes[e].positions)
        items.push_back({position_of(p), weight_of(p), e, {i}});
    }
  }
  if (items.empty()) return 0.0f;
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.position != b.position) return a.position < b.position;
    if (a.weight != b.weight) return a.weight < b.weight;
    return a.lexeme < b.lexeme;
  });
  std::vector<Item> doc_items;
  for (const Item& it : items) {
    if (!doc_items.empty() && doc_items.back().position == it.position &&
        doc_items.back().weight == it.weight && doc_items.back().lexeme == it.lexeme)
      doc_items.back().operands.push_back(it.operands[0]);
    else
      doc_items.push_back(it);
  }
  const int n = static_cast<int>(doc_items.size());
  double inv[4];
  const float defaults[4] = {0.1f, 0.2f, 0.4f, 1.0f};
  for (int i = 0; i < 4; i++) {
    const float w = options.weights[static_cast<std::size_t>(i)];
    inv[i] = 1.0 / static_cast<double>(w >= 0 ? w : defaults[i]);
  }
  double wdoc = 0.0, sumdist = 0.0, prev = 0.0;
  int nextent = 0;
  int from = 0;
  for (;;) {
    // Cover(): forward to the end, back to the beginning.
    std::vector<bool> present(q.size(), false);
    int q_pos = 0, p_pos = 1 << 30, end = -1, begin = -1, last = from;
    bool found = false;
    for (int i = from; i < n; i++) {
      for (std::size_t o : doc_items[static_cast<std::size_t>(i)].operands) present[o] = true;
      if (holds(q, 0, present)) {
        if (doc_items[static_cast<std::size_t>(i)].position > q_pos) {
          q_pos = doc_items[static_cast<std::size_t>(i)].position;
          end = i;
          last = i;
          found = true;
        }
        break;
      }
    }
    if (!found) break;
    std::fill(present.begin(), present.end(), false);
    int i = last;
    for (; i >= from; i--) {
      for (std::size_t o : doc_items[static_cast<std::size_t>(i)].operands) present[o] = true;
      if (holds(q, 0, present)) {
        if (doc_items[static_cast<std::size_t>(i)].position < p_pos) {
          p_pos = doc_items[static_cast<std::size_t>(i)].position;
          begin = i;
        }
        break;
      }
    }
    if (p_pos > q_pos) {
      from++;
      continue;
    }
    from = i + 1;
    double invsum = 0.0;
    for (int k = begin; k <= end; k++) invsum += inv[doc_items[static_cast<std::size_t>(k)].weight];
    const double cpos = static_cast<double>(end - begin + 1) / invsum;
    int noise = (q_pos - p_pos) - (end - begin);
    if (noise < 0) noise = (end - begin) / 2;
    wdoc += cpos / static_cast<double>(1 + noise);
    const double cur = static_cast<double>(q_pos + p_pos) / 2.0;
    if (nextent > 0 && cur > prev) sumdist += 1.0 / (cur - prev);
    prev = cur;
    nextent++;
  }
  long len = 0;
  for (const Lexeme& l : doc.lexemes)
    len += l.positions.empty() ? 1 : static_cast<long>(l.positions.size());
  const long size = static_cast<long>(doc.lexemes.size());
  const int m = options.method;
  if (m & 0x01) wdoc /= std::log(static_cast<double>(len + 1));
  if ((m & 0x02) && len > 0) wdoc /= static_cast<double>(len);
  if ((m & 0x04) && nextent > 0 && sumdist > 0) wdoc /= static_cast<double>(nextent) / sumdist;
  if (m & 0x08) wdoc /= static_cast<double>(size);
  if (m & 0x10) wdoc /= std::log(static_cast<double>(size + 1)) / std::log(2.0);
  if (m & 0x20) wdoc /= (wdoc + 1);
  return static_cast<float>(wdoc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  Doc doc;
  for (const char* text : kLexemes) {
    const unsigned b = in.next();
    if (b % 4 == 0) continue;
    Lexeme lexeme{text, {}};
    const unsigned count = (b >> 2) % 7;  // 0: no positions
    for (unsigned k = 0; k < count; k++) {
      const unsigned p = in.next();
      const int position =
          (p & 0x80) ? 16383 - static_cast<int>(p % 3) : 1 + static_cast<int>(p % 24);
      lexeme.positions.push_back(static_cast<StoredPosition>(((p >> 5) & 3) << 14 | position));
    }
    doc.lexemes.push_back(lexeme);
  }
  std::vector<RankQueryItem> query;
  build_query(in, 0, query);
  RankOptions options;
  options.method = static_cast<int>(in.next() & 0x3f);
  const auto compiled = RankQuery::compile(query.data(), query.size());
  if (!compiled) std::abort();  // AND and OR of plain or prefix operands are always ranked
  RankScratch scratch;
  const float fast = rank_document(*compiled, doc, options, scratch);
  const float reference = reference_rank(query, doc, options);
  if (std::memcmp(&fast, &reference, sizeof fast) != 0) std::abort();
  std::vector<bool> present(query.size(), false);
  for (std::size_t i = 0; i < query.size(); i++)
    if (query[i].kind == RankQueryItem::Kind::kOperand)
      for (const Lexeme& l : doc.lexemes)
        present[i] = present[i] || operand_matches(query[i], l.text);
  if (document_matches(*compiled, doc) != holds(query, 0, present)) std::abort();
  return 0;
}
