// Recursive-descent parser for the ODSQL clauses.
//
// Grammar (keywords case-insensitive):
//   expr      := and ( OR and )*
//   and       := not ( AND not )*
//   not       := NOT not | predicate
//   predicate := sum [ cmp sum | IS [NOT] (NULL|TRUE|FALSE)
//                    | [NOT] IN ( '(' list ')' | ('['|']') sum (..|TO) sum (']'|'[') )
//                    | [NOT] LIKE sum ]
//   sum       := product ( (+|-) product )*
//   product   := unary ( (*|/) unary )*
//   unary     := - unary | + unary | primary
//   primary   := number [unit] | string | date'..' | geom'..' | TRUE | FALSE | NULL
//              | name '(' args ')' | name | `name` | '(' expr ')' | *
// where cmp is one of = : != <> < <= > >=.
#pragma once

#include <vector>

#include "core/odsql/ast.hpp"
#include "core/odsql/lexer.hpp"

namespace opendata::odsql {

// Deepest nesting of parentheses, calls, NOT and unary minus.
inline constexpr int kMaxDepth = 64;

// Each returns an empty result for a blank clause.
NodePtr parse_where(const Source& src);
std::vector<SelectItem> parse_select(const Source& src);
std::vector<GroupItem> parse_group_by(const Source& src);
std::vector<OrderItem> parse_order_by(const Source& src);

// Compact s-expression of a tree, for tests and debugging:
// (and (cmp > population 10) (search "paris")).
std::string to_sexpr(const Node& n);

}  // namespace opendata::odsql
