#include "core/odsql/parser.hpp"

#include <utility>

namespace opendata::odsql {
namespace {

// Words that can never be a bare field name: they would make the grammar
// ambiguous.  Other ODSQL keywords (count, year, ...) are only functions when
// followed by '(', so `year` alone is still a field.
bool is_reserved(const std::string& low) {
  static constexpr const char* kWords[] = {"and", "or",  "not",  "is",   "in",   "like",
                                           "as",  "asc", "desc", "null", "true", "false"};
  for (const char* w : kWords) {
    if (low == w) return true;
  }
  return false;
}

// Unit words allowed after a number separated by a space ("1 day", "5 km").
bool is_unit_word(const std::string& w) {
  static constexpr const char* kUnits[] = {
      "mi",          "yd",           "ft",     "m",      "cm",      "km",       "mm",      "ms",
      "millisecond", "milliseconds", "s",      "second", "seconds", "minute",   "minutes", "h",
      "hour",        "hours",        "d",      "day",    "days",    "w",        "week",    "weeks",
      "M",           "month",        "months", "q",      "quarter", "quarters", "y",       "year",
      "years"};
  for (const char* u : kUnits) {
    if (w == u) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(const Source& src) : src_(src), toks_(lex(src)) {}

  bool blank() const { return toks_.front().kind == Tok::End; }

  NodePtr where_clause() {
    NodePtr e = expr();
    expect_end();
    return e;
  }

  std::vector<SelectItem> select_clause() {
    std::vector<SelectItem> items;
    do {
      items.push_back(select_item());
    } while (accept(Tok::Comma));
    expect_end();
    return items;
  }

  std::vector<GroupItem> group_clause() {
    std::vector<GroupItem> items;
    do {
      GroupItem g;
      g.begin = cur().begin;
      g.expr = expr();
      g.end = g.expr->end;
      if (accept_word("as")) alias(g.alias, g.alias_pos);
      items.push_back(std::move(g));
    } while (accept(Tok::Comma));
    expect_end();
    return items;
  }

  std::vector<OrderItem> order_clause() {
    std::vector<OrderItem> items;
    do {
      OrderItem o;
      o.begin = cur().begin;
      o.expr = expr();
      o.end = o.expr->end;
      if (accept_word("desc")) {
        o.descending = true;
      } else {
        accept_word("asc");
      }
      items.push_back(std::move(o));
    } while (accept(Tok::Comma));
    expect_end();
    return items;
  }

 private:
  // Counts nesting while alive; refuses to go deeper than kMaxDepth so that
  // hostile input cannot exhaust the backend's stack.
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth) {
        source_error(sqlstate::kStatementTooComplex, p.src_, p.cur().begin,
                     "ODSQL expression is too deeply nested",
                     "At most " + std::to_string(kMaxDepth) + " nested levels are allowed.");
      }
    }
    ~DepthGuard() { --p.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(std::size_t n = 1) const {
    return toks_[pos_ + n < toks_.size() ? pos_ + n : toks_.size() - 1];
  }
  const Token& advance() {
    const Token& t = toks_[pos_];
    if (t.kind != Tok::End) ++pos_;
    return t;
  }
  bool accept(Tok k) {
    if (cur().kind != k) return false;
    advance();
    return true;
  }
  bool is_word(const Token& t, const char* w) const {
    return t.kind == Tok::Ident && lower_ascii(t.text) == w;
  }
  bool accept_word(const char* w) {
    if (!is_word(cur(), w)) return false;
    advance();
    return true;
  }
  void expect(Tok k, const char* what) {
    if (!accept(k))
      syntax_error(src_, cur().begin,
                   std::string("expected ") + what + ", found " + describe(cur()));
  }
  void expect_end() {
    if (cur().kind != Tok::End) syntax_error(src_, cur().begin, "unexpected " + describe(cur()));
  }

  [[noreturn]] void value_expected() {
    if (pos_ > 0) {
      const Token& prev = toks_[pos_ - 1];
      const bool after_operator = prev.kind != Tok::Number && prev.kind != Tok::String &&
                                  prev.kind != Tok::Date && prev.kind != Tok::Geom &&
                                  prev.kind != Tok::QuotedIdent && prev.kind != Tok::RParen &&
                                  prev.kind != Tok::RBracket &&
                                  (prev.kind != Tok::Ident || is_reserved(lower_ascii(prev.text)));
      if (after_operator) {
        syntax_error(src_, cur().begin, "expected a value after '" + excerpt(prev.text) + "'");
      }
    }
    if (cur().kind == Tok::End) syntax_error(src_, cur().begin, "expected a value");
    const bool keyword = cur().kind == Tok::Ident && is_reserved(lower_ascii(cur().text));
    syntax_error(
        src_, cur().begin, "expected a value, found " + describe(cur()),
        keyword ? "A field named like a keyword must be back-quoted: `" + cur().text + "`." : "");
  }

  NodePtr make(NodeKind k, std::size_t b, std::size_t e) { return std::make_unique<Node>(k, b, e); }

  void alias(std::string& out, std::size_t& pos) {
    const Token& t = cur();
    if (t.kind == Tok::QuotedIdent || t.kind == Tok::String ||
        (t.kind == Tok::Ident && !is_reserved(lower_ascii(t.text)))) {
      out = t.text;
      pos = t.begin;
      advance();
      if (out.empty()) syntax_error(src_, t.begin, "empty label after AS");
      return;
    }
    syntax_error(src_, t.begin, "expected a label after 'AS', found " + describe(t));
  }

  SelectItem select_item() {
    SelectItem item;
    item.begin = cur().begin;
    if (cur().kind == Tok::Star && (peek().kind == Tok::Comma || peek().kind == Tok::End)) {
      item.kind = SelectItem::AllFields;
      item.end = advance().end;
      return item;
    }
    if ((is_word(cur(), "include") || is_word(cur(), "exclude")) && peek().kind == Tok::LParen) {
      item.kind = is_word(cur(), "include") ? SelectItem::Include : SelectItem::Exclude;
      advance();
      advance();
      do {
        std::string pattern;
        const Token& t = cur();
        if (t.kind == Tok::Ident || t.kind == Tok::QuotedIdent || t.kind == Tok::String) {
          pattern = advance().text;
          if (cur().kind == Tok::Star && cur().begin == t.end) pattern += advance().text;
        } else if (t.kind == Tok::Star) {
          pattern = advance().text;
        } else {
          syntax_error(src_, t.begin, "expected a field name pattern, found " + describe(t));
        }
        item.patterns.push_back(std::move(pattern));
      } while (accept(Tok::Comma));
      item.end = cur().end;
      expect(Tok::RParen, "')'");
      return item;
    }
    item.expr = expr();
    item.end = item.expr->end;
    if (accept_word("as")) alias(item.alias, item.alias_pos);
    return item;
  }

  NodePtr expr() {
    NodePtr first = and_expr();
    if (!is_word(cur(), "or")) return first;
    NodePtr n = make(NodeKind::Or, first->begin, first->end);
    n->kids.push_back(std::move(first));
    while (accept_word("or")) n->kids.push_back(and_expr());
    n->end = n->kids.back()->end;
    return n;
  }

  NodePtr and_expr() {
    NodePtr first = not_expr();
    if (!is_word(cur(), "and")) return first;
    NodePtr n = make(NodeKind::And, first->begin, first->end);
    n->kids.push_back(std::move(first));
    while (accept_word("and")) n->kids.push_back(not_expr());
    n->end = n->kids.back()->end;
    return n;
  }

  NodePtr not_expr() {
    if (is_word(cur(), "not")) {
      DepthGuard g(*this);
      const std::size_t b = advance().begin;
      NodePtr n = make(NodeKind::Not, b, 0);
      n->kids.push_back(not_expr());
      n->end = n->kids[0]->end;
      return n;
    }
    return predicate();
  }

  static bool is_comparison(Tok k) {
    return k == Tok::Eq || k == Tok::Ne || k == Tok::Lt || k == Tok::Le || k == Tok::Gt ||
           k == Tok::Ge || k == Tok::Colon;
  }

  NodePtr predicate() {
    NodePtr left = sum();
    const Token& t = cur();
    if (is_comparison(t.kind)) {
      std::string op = t.kind == Tok::Colon ? "=" : (t.kind == Tok::Ne ? "!=" : t.text);
      advance();
      NodePtr n = make(NodeKind::Compare, left->begin, 0);
      n->text = op;
      n->kids.push_back(std::move(left));
      n->kids.push_back(sum());
      n->end = n->kids[1]->end;
      return n;
    }
    if (is_word(t, "is")) {
      advance();
      const bool negated = accept_word("not");
      NodePtr n;
      if (accept_word("null")) {
        n = make(NodeKind::IsNull, left->begin, toks_[pos_ - 1].end);
        n->flag = negated;
      } else if (is_word(cur(), "true") || is_word(cur(), "false")) {
        n = make(NodeKind::IsBool, left->begin, cur().end);
        n->flag = is_word(cur(), "true");
        n->negated = negated;
        advance();
      } else {
        syntax_error(src_, cur().begin,
                     "expected NULL, TRUE or FALSE after IS, found " + describe(cur()));
      }
      n->kids.push_back(std::move(left));
      return n;
    }
    bool negated = false;
    if (is_word(t, "not") && (is_word(peek(), "in") || is_word(peek(), "like"))) {
      advance();
      negated = true;
    }
    if (accept_word("like")) {
      NodePtr n = make(NodeKind::Like, left->begin, 0);
      n->negated = negated;
      n->kids.push_back(std::move(left));
      n->kids.push_back(sum());
      n->end = n->kids[1]->end;
      return n;
    }
    if (accept_word("in")) return in_tail(std::move(left), negated);
    return left;
  }

  NodePtr in_tail(NodePtr left, bool negated) {
    const Token& open = cur();
    if (open.kind == Tok::LParen) {
      advance();
      NodePtr n = make(NodeKind::InList, left->begin, 0);
      n->negated = negated;
      n->kids.push_back(std::move(left));
      do {
        n->kids.push_back(sum());
      } while (accept(Tok::Comma));
      n->end = cur().end;
      expect(Tok::RParen, "',' or ')' in IN list");
      return n;
    }
    if (open.kind != Tok::LBracket && open.kind != Tok::RBracket) {
      syntax_error(src_, open.begin, "expected '(', '[' or ']' after IN, found " + describe(open));
    }
    NodePtr n = make(NodeKind::InRange, left->begin, 0);
    n->negated = negated;
    n->lower_closed = open.kind == Tok::LBracket;
    advance();
    n->kids.push_back(std::move(left));
    n->kids.push_back(sum());
    if (!accept(Tok::DotDot) && !accept_word("to")) {
      syntax_error(src_, cur().begin, "expected '..' or TO in range, found " + describe(cur()));
    }
    n->kids.push_back(sum());
    const Token& close = cur();
    if (close.kind != Tok::LBracket && close.kind != Tok::RBracket) {
      syntax_error(src_, close.begin,
                   "expected ']' or '[' to close the range, found " + describe(close));
    }
    n->upper_closed = close.kind == Tok::RBracket;
    n->end = advance().end;
    return n;
  }

  NodePtr sum() { return chain(true); }

  // Builds an n-ary Arith node for a run of same-precedence operators.
  NodePtr chain(bool additive) {
    NodePtr first = additive ? chain(false) : unary();
    auto is_op = [&](Tok k) {
      return additive ? (k == Tok::Plus || k == Tok::Minus) : (k == Tok::Star || k == Tok::Slash);
    };
    if (!is_op(cur().kind)) return first;
    NodePtr n = make(NodeKind::Arith, first->begin, 0);
    n->kids.push_back(std::move(first));
    while (is_op(cur().kind)) {
      n->ops.push_back(advance().text[0]);
      n->kids.push_back(additive ? chain(false) : unary());
    }
    n->end = n->kids.back()->end;
    return n;
  }

  NodePtr unary() {
    if (cur().kind == Tok::Minus || cur().kind == Tok::Plus) {
      DepthGuard g(*this);
      const Token& op = advance();
      NodePtr operand = unary();
      if (op.kind == Tok::Plus) return operand;
      NodePtr n = make(NodeKind::Neg, op.begin, operand->end);
      n->kids.push_back(std::move(operand));
      return n;
    }
    return primary();
  }

  NodePtr primary() {
    const Token& t = cur();
    switch (t.kind) {
      case Tok::Number: {
        advance();
        if (!t.suffix.empty()) {
          NodePtr n = make(NodeKind::Quantity, t.begin, t.end);
          n->text = t.text;
          n->unit = t.suffix;
          return n;
        }
        if (cur().kind == Tok::Ident && is_unit_word(cur().text) && peek().kind != Tok::LParen) {
          NodePtr n = make(NodeKind::Quantity, t.begin, cur().end);
          n->text = t.text;
          n->unit = advance().text;
          return n;
        }
        NodePtr n = make(NodeKind::Number, t.begin, t.end);
        n->text = t.text;
        return n;
      }
      case Tok::String:
      case Tok::Date:
      case Tok::Geom:
      case Tok::QuotedIdent: {
        advance();
        const NodeKind k = t.kind == Tok::String ? NodeKind::String
                           : t.kind == Tok::Date ? NodeKind::Date
                           : t.kind == Tok::Geom ? NodeKind::Geom
                                                 : NodeKind::Field;
        NodePtr n = make(k, t.begin, t.end);
        n->text = t.text;
        return n;
      }
      case Tok::Star: {
        advance();
        return make(NodeKind::Star, t.begin, t.end);
      }
      case Tok::LParen: {
        DepthGuard g(*this);
        advance();
        NodePtr inner = expr();
        expect(Tok::RParen, "')'");
        return inner;
      }
      case Tok::Ident: {
        const std::string low = lower_ascii(t.text);
        if (low == "true" || low == "false") {
          advance();
          NodePtr n = make(NodeKind::Bool, t.begin, t.end);
          n->flag = low == "true";
          return n;
        }
        if (low == "null") {
          advance();
          return make(NodeKind::Null, t.begin, t.end);
        }
        if (is_reserved(low)) value_expected();
        if (peek().kind == Tok::LParen) return call();
        advance();
        NodePtr n = make(NodeKind::Field, t.begin, t.end);
        n->text = t.text;
        return n;
      }
      default:
        value_expected();
    }
  }

  NodePtr call() {
    DepthGuard g(*this);
    const Token& name = advance();
    advance();  // '('
    NodePtr n = make(NodeKind::Call, name.begin, 0);
    n->text = lower_ascii(name.text);
    if (cur().kind != Tok::RParen) {
      do {
        n->kids.push_back(argument(n->text, n->kids.empty() ? &n->flag : nullptr));
      } while (accept(Tok::Comma));
    }
    n->end = cur().end;
    expect(Tok::RParen, "',' or ')' in function arguments");
    return n;
  }

  NodePtr argument(const std::string& fn, bool* distinct) {
    const Token& t = cur();
    if (t.kind == Tok::LBracket || t.kind == Tok::RBracket) return steps();
    if (fn == "now" && t.kind == Tok::Ident && peek().kind == Tok::Eq) {
      NodePtr n = make(NodeKind::NamedArg, t.begin, 0);
      n->text = lower_ascii(t.text);
      advance();
      advance();
      n->kids.push_back(sum());
      n->end = n->kids[0]->end;
      return n;
    }
    if (distinct != nullptr && fn == "count" && is_word(t, "distinct") &&
        peek().kind != Tok::RParen && peek().kind != Tok::Comma) {
      advance();
      *distinct = true;
    }
    return expr();
  }

  // range() steps: '[' or ']' then bounds then ']' or '['.
  NodePtr steps() {
    const Token& open = advance();
    NodePtr n = make(NodeKind::Steps, open.begin, 0);
    n->lower_closed = open.kind == Tok::LBracket;
    do {
      n->kids.push_back(sum());
    } while (accept(Tok::Comma));
    const Token& close = cur();
    if (close.kind != Tok::LBracket && close.kind != Tok::RBracket) {
      syntax_error(src_, close.begin,
                   "expected ',', ']' or '[' in range steps, found " + describe(close));
    }
    n->upper_closed = close.kind == Tok::RBracket;
    n->end = advance().end;
    return n;
  }

  const Source& src_;
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

NodePtr parse_where(const Source& src) {
  Parser p(src);
  if (p.blank()) return nullptr;
  return p.where_clause();
}

std::vector<SelectItem> parse_select(const Source& src) {
  Parser p(src);
  if (p.blank()) return {};
  return p.select_clause();
}

std::vector<GroupItem> parse_group_by(const Source& src) {
  Parser p(src);
  if (p.blank()) return {};
  return p.group_clause();
}

std::vector<OrderItem> parse_order_by(const Source& src) {
  Parser p(src);
  if (p.blank()) return {};
  return p.order_clause();
}

std::string to_sexpr(const Node& n) {
  auto kids = [&](std::string head) {
    for (const auto& k : n.kids) head += " " + to_sexpr(*k);
    return "(" + head + ")";
  };
  switch (n.kind) {
    case NodeKind::Field:
      return n.text;
    case NodeKind::String:
      return "\"" + n.text + "\"";
    case NodeKind::Number:
      return n.text;
    case NodeKind::Quantity:
      return n.text + n.unit;
    case NodeKind::Bool:
      return n.flag ? "true" : "false";
    case NodeKind::Null:
      return "null";
    case NodeKind::Date:
      return "date'" + n.text + "'";
    case NodeKind::Geom:
      return "geom'" + n.text + "'";
    case NodeKind::Star:
      return "*";
    case NodeKind::Neg:
      return kids("neg");
    case NodeKind::Not:
      return kids("not");
    case NodeKind::And:
      return kids("and");
    case NodeKind::Or:
      return kids("or");
    case NodeKind::Arith: {
      std::string s = "(arith " + to_sexpr(*n.kids[0]);
      for (std::size_t i = 1; i < n.kids.size(); ++i)
        s += std::string(" ") + n.ops[i - 1] + " " + to_sexpr(*n.kids[i]);
      return s + ")";
    }
    case NodeKind::Compare:
      return kids("cmp " + n.text);
    case NodeKind::IsNull:
      return kids(n.flag ? "is-not-null" : "is-null");
    case NodeKind::IsBool:
      return kids(std::string(n.negated ? "is-not-" : "is-") + (n.flag ? "true" : "false"));
    case NodeKind::InList:
      return kids(n.negated ? "not-in" : "in");
    case NodeKind::InRange:
      return kids(std::string(n.negated ? "not-in-range " : "in-range ") +
                  (n.lower_closed ? "[" : "]") + (n.upper_closed ? "]" : "["));
    case NodeKind::Like:
      return kids(n.negated ? "not-like" : "like");
    case NodeKind::Call:
      return kids(n.flag ? n.text + " distinct" : n.text);
    case NodeKind::NamedArg:
      return kids(n.text + "=");
    case NodeKind::Steps:
      return kids(std::string("steps ") + (n.lower_closed ? "[" : "]") +
                  (n.upper_closed ? "]" : "["));
  }
  return "?";
}

}  // namespace opendata::odsql
