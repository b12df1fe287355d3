// Type-checking translation of ODSQL expressions into SQL.
//
// The translator checks and generates in one walk: every node yields its SQL
// text and its ODSQL type, so type errors are reported with the position of
// the offending node.  All user values go through Params; identifiers only
// come from the Schema.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/odsql/ast.hpp"
#include "core/odsql/params.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::odsql {

enum class Type { Null, Text, Int, Float, Date, DateTime, Bool, Geo };

const char* type_name(Type t);

// The expression type of a dataset field.
Type expr_type(FieldType t);

struct Expr {
  std::string sql;
  Type type = Type::Null;
  bool aggregate = false;  // contains an aggregate call
  // For range() keys: a companion expression that sorts the groups in their
  // natural order (the label itself is text).  Also grouped on.
  std::string sort_sql;
  // For a group_by key: the expression to group on when it is not sql
  // itself, sql then being computed from it once per group.  A default
  // member initialiser, so that an Expr{..} of the four fields above need
  // not name it (-Wmissing-field-initializers).
  std::string group_sql{};
};

enum class Clause { Select, Where, GroupBy, OrderBy, Refine };

// A label usable as a name in later clauses (select/group_by aliases).
struct Alias {
  std::string name;
  Expr expr;
};

class Translator {
 public:
  Translator(const Schema& schema, Params& params, const Source& src, Clause clause)
      : schema_(schema), params_(params), src_(src), clause_(clause) {}

  // Labels consulted before field names (order_by, grouped select).
  void set_aliases(const std::vector<Alias>* aliases) { aliases_ = aliases; }
  void allow_aggregates(bool allow) { allow_aggregates_ = allow; }

  // Any expression.
  Expr value(const Node& n);
  // A boolean condition; a bare string literal is a full-text search.
  std::string condition(const Node& n);
  Expr boolean(const Node& n);

  // Checks that an expression of a grouped/aggregated query only uses
  // fields through the group keys or inside aggregates (42803).
  void check_grouping(const Node& n, const std::vector<std::string>& key_sqls);

  const Source& source() const { return src_; }
  Clause clause() const { return clause_; }
  Params& params() { return params_; }
  const Schema& schema() const { return schema_; }

  // SQL turning a Date/DateTime expression into a local timestamp in the
  // request's time zone (what year(), date_format(), ranges work on).
  static std::string local_timestamp(const Params& params, const Expr& e);
  // SQL converting e to timestamptz (dates are midnight in the time zone).
  static std::string as_timestamptz(const Params& params, const Expr& e);

  // Shared helpers for the function translator (functions.cpp).
  [[noreturn]] void fail(const char* sqlstate, const Node& at, const std::string& msg,
                         const std::string& hint = {}) const;
  Expr literal_for(const Node& n, Type want);           // a literal coerced to want
  Expr boolean_literal(const Node& n, const std::string& text);  // true/false/1/0
  std::string normalized(const std::string& sql_text);  // lower + unaccent
  std::string text_match(const std::string& target_sql, const Node& pattern, bool star_wildcard,
                         const char* what);
  std::string search_all(const Node& pattern);

 private:
  Expr field(const Node& n);
  Expr arith(const Node& n);
  Expr compare(const Node& n);
  Expr in_list(const Node& n);
  Expr in_range(const Node& n);
  Expr like(const Node& n);
  Expr call(const Node& n);
  // Translates a comparison operand pair, coercing a literal to the other side.
  std::pair<Expr, Expr> operands(const Node& a, const Node& b);
  void check_comparable(const Node& at, const Expr& a, const Expr& b, const std::string& op);

  const Schema& schema_;
  Params& params_;
  const Source& src_;
  Clause clause_;
  const std::vector<Alias>* aliases_ = nullptr;
  bool allow_aggregates_ = false;
  bool in_aggregate_ = false;

  friend Expr translate_call(Translator& t, const Node& n);
  friend struct AggregateScope;
};

// In functions.cpp: scalar, filter, geo and aggregate functions.
Expr translate_call(Translator& t, const Node& n);

bool is_numeric(Type t);
bool is_temporal(Type t);
bool is_literal(const Node& n);
bool is_aggregate_function(const std::string& name);

}  // namespace opendata::odsql
