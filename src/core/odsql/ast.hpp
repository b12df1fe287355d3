// Syntax tree of ODSQL clauses.
//
// One node type for every construct keeps the parser and translator small.
// AND/OR and arithmetic chains are n-ary (not left-deep) so that a long but
// flat expression ("a or b or c ...") does not turn into deep recursion.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace opendata::odsql {

enum class NodeKind {
  Field,     // text = name as written (back-quotes removed)
  String,    // text = value
  Number,    // text = literal as written
  Quantity,  // number with a unit: text = number, unit = unit (10km, 1 day)
  Bool,      // flag = value
  Null,
  Date,      // text = inside of date'...'
  Geom,      // text = inside of geom'...'
  Star,      // * (in count(*), search(*, ...))
  Neg,       // unary minus: kids[0]
  Not,       // kids[0]
  And,       // kids (>= 2)
  Or,        // kids (>= 2)
  Arith,     // kids (>= 2), ops[i] joins kids[i] and kids[i+1]: one of + - * /
  Compare,   // text = operator (= != < <= > >=), kids[0], kids[1]
  IsNull,    // flag = negated (IS NOT NULL), kids[0]
  IsBool,    // flag = value, negated = IS NOT, kids[0]
  InList,    // kids[0] IN (kids[1..]); negated
  InRange,   // kids[0] IN [kids[1]..kids[2]]; lower_closed, upper_closed; negated
  Like,      // kids[0] LIKE kids[1]; negated
  Call,      // text = lower-cased name, kids = args; flag = DISTINCT
  NamedArg,  // text = lower-cased name, kids[0] = value (now(days=-1))
  Steps,     // range steps: kids = bounds; lower_closed = '[' open, upper_closed = ']' close
};

struct Node {
  NodeKind kind;
  std::size_t begin = 0;  // byte span in the clause text
  std::size_t end = 0;
  std::string text;
  std::string unit;
  std::vector<char> ops;
  bool flag = false;
  bool negated = false;
  bool lower_closed = false;
  bool upper_closed = false;
  std::vector<std::unique_ptr<Node>> kids;

  Node(NodeKind k, std::size_t b, std::size_t e) : kind(k), begin(b), end(e) {}
};

using NodePtr = std::unique_ptr<Node>;

// One item of a select clause.
struct SelectItem {
  enum Kind { Expr, AllFields, Include, Exclude };
  Kind kind = Expr;
  NodePtr expr;       // Expr
  std::string alias;  // Expr, empty when none
  std::size_t alias_pos = 0;
  std::vector<std::string> patterns;  // Include/Exclude: names, maybe ending in '*'
  std::size_t begin = 0, end = 0;
};

struct GroupItem {
  NodePtr expr;
  std::string alias;
  std::size_t alias_pos = 0;
  std::size_t begin = 0, end = 0;
};

struct OrderItem {
  NodePtr expr;
  bool descending = false;
  std::size_t begin = 0, end = 0;
};

}  // namespace opendata::odsql
