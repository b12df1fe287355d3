#include "core/odsql/translator.hpp"

#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"

namespace opendata::odsql {

const char* type_name(Type t) {
  switch (t) {
    case Type::Null:
      return "null";
    case Type::Text:
      return "text";
    case Type::Int:
      return "integer";
    case Type::Float:
      return "number";
    case Type::Date:
      return "date";
    case Type::DateTime:
      return "datetime";
    case Type::Bool:
      return "boolean";
    case Type::Geo:
      return "geo";
  }
  return "?";
}

bool is_numeric(Type t) { return t == Type::Int || t == Type::Float; }
bool is_temporal(Type t) { return t == Type::Date || t == Type::DateTime; }

bool is_literal(const Node& n) {
  switch (n.kind) {
    case NodeKind::String:
    case NodeKind::Number:
    case NodeKind::Bool:
    case NodeKind::Null:
    case NodeKind::Date:
      return true;
    case NodeKind::Neg:
      return n.kids[0]->kind == NodeKind::Number;
    default:
      return false;
  }
}

void Translator::fail(const char* sqlstate, const Node& at, const std::string& msg,
                      const std::string& hint) const {
  source_error(sqlstate, src_, at.begin, msg, hint);
}

std::string Translator::local_timestamp(const Params& params, const Expr& e) {
  if (e.type == Type::Date) return "(" + e.sql + ")::timestamp";
  return "(" + e.sql + " AT TIME ZONE " + params.tz() + ")";
}

std::string Translator::as_timestamptz(const Params& params, const Expr& e) {
  if (e.type == Type::Date) return "((" + e.sql + ")::timestamp AT TIME ZONE " + params.tz() + ")";
  return e.sql;
}

Type expr_type(FieldType t) {
  switch (t) {
    case FieldType::Text:
      return Type::Text;
    case FieldType::Integer:
      return Type::Int;
    case FieldType::Double:
      return Type::Float;
    case FieldType::Date:
      return Type::Date;
    case FieldType::DateTime:
      return Type::DateTime;
    case FieldType::Boolean:
      return Type::Bool;
    case FieldType::GeoPoint:
    case FieldType::GeoShape:
      return Type::Geo;
  }
  return Type::Text;
}

Expr Translator::field(const Node& n) {
  if (aliases_ != nullptr) {
    for (int pass = 0; pass < 2; ++pass) {
      for (const Alias& a : *aliases_) {
        if (pass == 0 ? a.name == n.text : lower_ascii(a.name) == lower_ascii(n.text))
          return a.expr;
      }
    }
  }
  const FieldInfo& f = schema_.resolve(src_, n.begin, n.text);
  Expr e;
  e.sql = quote_ident(f.name);
  e.type = expr_type(f.type);
  return e;
}

// A number literal, with its sign when wrapped in unary minus.
static Expr number_literal(Translator& t, const Node& n, const std::string& text) {
  double v = 0;
  bool integer = false;
  std::int64_t iv = 0;
  if (!parse_number(text, v, integer, iv)) {
    t.fail(sqlstate::kNumericValueOutOfRange, n,
           "number \"" + excerpt(text) + "\" is out of range");
  }
  Expr e;
  e.type = integer ? Type::Int : Type::Float;
  e.sql = t.params().add(integer ? ParamType::Int8 : ParamType::Float8, text);
  return e;
}

static Expr date_expr(Translator& t, const Node& at, const std::string& text) {
  DateValue d;
  std::string err;
  if (!parse_date(text, d, err)) {
    t.fail(sqlstate::kInvalidDatetimeFormat, at, "invalid date \"" + excerpt(text) + "\": " + err);
  }
  Expr e;
  if (d.precision <= 3) {
    e.type = Type::Date;
    e.sql = t.params().add(ParamType::Date, d.date_text());
  } else if (d.has_offset) {
    e.type = Type::DateTime;
    e.sql = t.params().add(ParamType::Timestamptz, d.timestamp_text());
  } else {
    // Local wall-clock time in the request's time zone.
    e.type = Type::DateTime;
    e.sql = "(" + t.params().add(ParamType::Text, d.timestamp_text()) +
            "::timestamp AT TIME ZONE " + t.params().tz() + ")";
  }
  return e;
}

static Expr geometry_literal(Translator& t, const Node& n) {
  bool json = false;
  std::string err;
  if (!check_geometry(n.text, json, err)) {
    t.fail(sqlstate::kInvalidTextRepresentation, n,
           "invalid geometry literal \"" + excerpt(n.text) + "\": " + err);
  }
  Expr e;
  e.type = Type::Geo;
  const std::string p = t.params().add(ParamType::Text, n.text);
  e.sql =
      json ? "ST_SetSRID(ST_GeomFromGeoJSON(" + p + "), 4326)" : "ST_GeomFromText(" + p + ", 4326)";
  return e;
}

// A literal compared with a boolean: true/false (a string, any case), or
// the numbers and strings 1 and 0, as refine reads them.
Expr Translator::boolean_literal(const Node& n, const std::string& text) {
  const std::string low = lower_ascii(text);
  if (low == "true" || low == "1") return Expr{"true", Type::Bool, false, {}};
  if (low == "false" || low == "0") return Expr{"false", Type::Bool, false, {}};
  fail(sqlstate::kDatatypeMismatch, n,
       std::string("cannot compare a boolean with ") +
           (n.kind == NodeKind::String ? "string \"" + excerpt(text) + "\"" : "number " + text),
       "A boolean compares with true, false, 1 or 0.");
}

Expr Translator::literal_for(const Node& n, Type want) {
  if (n.kind == NodeKind::Number ||
      (n.kind == NodeKind::Neg && n.kids[0]->kind == NodeKind::Number)) {
    const std::string text = n.kind == NodeKind::Neg ? "-" + n.kids[0]->text : n.text;
    // `flag = 1` on a boolean field, as refine=flag:1 matches it: a column
    // of 0 and 1 is imported as boolean (docs/import.md).
    if (want == Type::Bool) return boolean_literal(n, text);
    if (want == Type::Text) {
      // `postcode = 75001` on a text field compares with the digits as written.
      return Expr{params_.add(ParamType::Text, text), Type::Text, false, {}};
    }
    return number_literal(*this, n, text);
  }
  if (n.kind == NodeKind::String) {
    if (is_numeric(want)) {
      double v = 0;
      bool integer = false;
      std::int64_t iv = 0;
      if (!parse_number(n.text, v, integer, iv)) {
        fail(sqlstate::kDatatypeMismatch, n,
             "cannot compare a number with string \"" + excerpt(n.text) + "\"");
      }
      return Expr{params_.add(integer ? ParamType::Int8 : ParamType::Float8, n.text),
                  integer ? Type::Int : Type::Float,
                  false,
                  {}};
    }
    if (is_temporal(want)) return date_expr(*this, n, n.text);
    if (want == Type::Bool) return boolean_literal(n, n.text);
    return Expr{params_.add(ParamType::Text, n.text), Type::Text, false, {}};
  }
  return value(n);
}

Expr Translator::value(const Node& n) {
  switch (n.kind) {
    case NodeKind::Field:
      return field(n);
    case NodeKind::String:
      return Expr{params_.add(ParamType::Text, n.text), Type::Text, false, {}};
    case NodeKind::Number:
      return number_literal(*this, n, n.text);
    case NodeKind::Bool:
      return Expr{n.flag ? "true" : "false", Type::Bool, false, {}};
    case NodeKind::Null:
      return Expr{"NULL", Type::Null, false, {}};
    case NodeKind::Date:
      return date_expr(*this, n, n.text);
    case NodeKind::Geom:
      return geometry_literal(*this, n);
    case NodeKind::Quantity:
      syntax_error(src_, n.begin, "unexpected unit '" + n.unit + "' after a number");
    case NodeKind::Star:
      syntax_error(src_, n.begin,
                   "'*' is only allowed in count(*), search(*, ...) and as a select item");
    case NodeKind::NamedArg:
      syntax_error(src_, n.begin, "named arguments are only allowed in now()");
    case NodeKind::Steps:
      syntax_error(src_, n.begin, "range steps are only allowed in range()");
    case NodeKind::Neg: {
      if (n.kids[0]->kind == NodeKind::Number) return literal_for(n, Type::Null);
      Expr e = value(*n.kids[0]);
      if (!is_numeric(e.type) && e.type != Type::Null) {
        fail(sqlstate::kDatatypeMismatch, n,
             std::string("unary minus requires a number, found ") + type_name(e.type));
      }
      e.sql = "(- " + e.sql + ")";
      return e;
    }
    case NodeKind::Arith:
      return arith(n);
    case NodeKind::Compare:
      return compare(n);
    case NodeKind::InList:
      return in_list(n);
    case NodeKind::InRange:
      return in_range(n);
    case NodeKind::Like:
      return like(n);
    case NodeKind::Call:
      return call(n);
    case NodeKind::IsNull: {
      Expr e = value(*n.kids[0]);
      return Expr{
          "(" + e.sql + (n.flag ? " IS NOT NULL)" : " IS NULL)"), Type::Bool, e.aggregate, {}};
    }
    case NodeKind::IsBool: {
      Expr e = value(*n.kids[0]);
      if (e.type != Type::Bool && e.type != Type::Null) {
        fail(sqlstate::kDatatypeMismatch, n,
             std::string("IS TRUE/FALSE requires a boolean, found ") + type_name(e.type));
      }
      return Expr{"(" + e.sql + (n.negated ? " IS NOT " : " IS ") + (n.flag ? "TRUE)" : "FALSE)"),
                  Type::Bool,
                  e.aggregate,
                  {}};
    }
    case NodeKind::And:
    case NodeKind::Or: {
      Expr out{"(", Type::Bool, false, {}};
      for (std::size_t i = 0; i < n.kids.size(); ++i) {
        if (i > 0) out.sql += n.kind == NodeKind::And ? " AND " : " OR ";
        Expr k = boolean(*n.kids[i]);
        out.sql += k.sql;
        out.aggregate = out.aggregate || k.aggregate;
      }
      out.sql += ")";
      return out;
    }
    case NodeKind::Not: {
      Expr k = boolean(*n.kids[0]);
      return Expr{"(NOT " + k.sql + ")", Type::Bool, k.aggregate, {}};
    }
  }
  fail(sqlstate::kInternalError, n, "unhandled ODSQL node");
}

Expr Translator::boolean(const Node& n) {
  if (n.kind == NodeKind::String) return Expr{search_all(n), Type::Bool, false, {}};
  Expr e = value(n);
  if (e.type != Type::Bool) {
    fail(sqlstate::kDatatypeMismatch, n,
         std::string("expected a boolean condition, found ") + type_name(e.type) + " expression",
         e.type == Type::Text ? "Compare the value with '=', or search text with like or search()."
                              : "");
  }
  return e;
}

std::string Translator::condition(const Node& n) { return boolean(n).sql; }

Expr Translator::arith(const Node& n) {
  Expr first = value(*n.kids[0]);
  auto check = [&](const Node& at, const Expr& e, char op) {
    if (!is_numeric(e.type) && e.type != Type::Null) {
      fail(sqlstate::kDatatypeMismatch, at,
           std::string("operator ") + op + " requires numbers, found " + type_name(e.type));
    }
  };
  check(*n.kids[0], first, n.ops[0]);
  std::string acc = first.sql;
  bool floating = first.type == Type::Float, agg = first.aggregate;
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    const char op = n.ops[i - 1];
    Expr k = value(*n.kids[i]);
    check(*n.kids[i], k, op);
    agg = agg || k.aggregate;
    if (op == '/') {
      // ODSQL division is real division; a zero divisor gives null rather
      // than aborting the whole query.
      acc = "(" + acc + ")::float8 / NULLIF(" + k.sql + ", 0)";
      floating = true;
    } else {
      acc += std::string(" ") + op + " " + k.sql;
      floating = floating || k.type == Type::Float;
    }
  }
  return Expr{"(" + acc + ")", floating ? Type::Float : Type::Int, agg, {}};
}

std::pair<Expr, Expr> Translator::operands(const Node& a, const Node& b) {
  if (is_literal(b) && !is_literal(a)) {
    Expr ea = value(a);
    Expr eb = literal_for(b, ea.type);
    return {std::move(ea), std::move(eb)};
  }
  if (is_literal(a) && !is_literal(b)) {
    Expr eb = value(b);
    Expr ea = literal_for(a, eb.type);
    return {std::move(ea), std::move(eb)};
  }
  Expr ea = value(a);
  Expr eb = value(b);
  return {std::move(ea), std::move(eb)};
}

void Translator::check_comparable(const Node& at, const Expr& a, const Expr& b,
                                  const std::string& op) {
  const bool ok = (is_numeric(a.type) && is_numeric(b.type)) ||
                  (a.type == Type::Text && b.type == Type::Text) ||
                  (is_temporal(a.type) && is_temporal(b.type)) ||
                  (a.type == Type::Bool && b.type == Type::Bool &&
                   (op == "=" || op == "!=" || op == "IN")) ||
                  (a.type == Type::Null && b.type != Type::Geo) ||
                  (b.type == Type::Null && a.type != Type::Geo);
  if (ok) return;
  if (a.type == Type::Bool && b.type == Type::Bool) {
    fail(sqlstate::kDatatypeMismatch, at, "booleans cannot be compared with '" + op + "'",
         "Booleans compare with '=' and '!=' only.");
  }
  if (a.type == Type::Geo || b.type == Type::Geo) {
    fail(sqlstate::kDatatypeMismatch, at, "geo values cannot be compared with '" + op + "'",
         "Use intersects(), within(), disjoint(), within_distance() or in_bbox().");
  }
  fail(sqlstate::kDatatypeMismatch, at,
       std::string("cannot compare ") + type_name(a.type) + " with " + type_name(b.type) +
           " using '" + op + "'");
}

// Brings a Date and a DateTime to the same SQL type.
static void align_temporal(const Params& params, Expr& a, Expr& b) {
  if (a.type == Type::Date && b.type == Type::DateTime) {
    a.sql = Translator::as_timestamptz(params, a);
    a.type = Type::DateTime;
  } else if (b.type == Type::Date && a.type == Type::DateTime) {
    b.sql = Translator::as_timestamptz(params, b);
    b.type = Type::DateTime;
  }
}

Expr Translator::compare(const Node& n) {
  const std::string& op = n.text;
  const Node& l = *n.kids[0];
  const Node& r = *n.kids[1];
  if (l.kind == NodeKind::Null || r.kind == NodeKind::Null) {
    if (op != "=" && op != "!=")
      fail(sqlstate::kDatatypeMismatch, n, "null can only be compared with '=' or '!='");
    Expr e = value(l.kind == NodeKind::Null ? r : l);
    return Expr{
        "(" + e.sql + (op == "=" ? " IS NULL)" : " IS NOT NULL)"), Type::Bool, e.aggregate, {}};
  }
  auto [a, b] = operands(l, r);
  // `postcode = 75001` is a natural way to match a text field, but ordering
  // text against a number (city > 3) compares strings, which nobody means.
  const bool ordering = op != "=" && op != "!=";
  const bool num_lit_l = l.kind == NodeKind::Number || (l.kind == NodeKind::Neg && is_literal(l));
  const bool num_lit_r = r.kind == NodeKind::Number || (r.kind == NodeKind::Neg && is_literal(r));
  if (ordering && ((num_lit_r && a.type == Type::Text) || (num_lit_l && b.type == Type::Text))) {
    fail(sqlstate::kDatatypeMismatch, n, "cannot compare text with number using '" + op + "'",
         "Quote the value to compare text, e.g. field > \"10\".");
  }
  check_comparable(n, a, b, op);
  align_temporal(params_, a, b);
  return Expr{"(" + a.sql + " " + (op == "!=" ? "<>" : op) + " " + b.sql + ")",
              Type::Bool,
              a.aggregate || b.aggregate,
              {}};
}

Expr Translator::in_list(const Node& n) {
  Expr left = value(*n.kids[0]);
  std::vector<Expr> items;
  bool any_datetime = left.type == Type::DateTime;
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    const Node& k = *n.kids[i];
    Expr e = is_literal(k) ? literal_for(k, left.type) : value(k);
    check_comparable(k, left, e, "IN");
    any_datetime = any_datetime || e.type == Type::DateTime;
    items.push_back(std::move(e));
  }
  bool agg = left.aggregate;
  if (is_temporal(left.type) && any_datetime) left.sql = as_timestamptz(params_, left);
  std::string sql = "(" + left.sql + (n.negated ? " NOT IN (" : " IN (");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += is_temporal(items[i].type) && any_datetime ? as_timestamptz(params_, items[i]) : items[i].sql;
    agg = agg || items[i].aggregate;
  }
  return Expr{sql + "))", Type::Bool, agg, {}};
}

Expr Translator::in_range(const Node& n) {
  Expr left = value(*n.kids[0]);
  if (!is_numeric(left.type) && !is_temporal(left.type) && left.type != Type::Text) {
    fail(sqlstate::kDatatypeMismatch, n,
         std::string("IN ranges require a number, date or text value, found ") +
             type_name(left.type));
  }
  const Node& lo_n = *n.kids[1];
  const Node& hi_n = *n.kids[2];
  Expr lo = is_literal(lo_n) ? literal_for(lo_n, left.type) : value(lo_n);
  Expr hi = is_literal(hi_n) ? literal_for(hi_n, left.type) : value(hi_n);
  check_comparable(lo_n, left, lo, "IN");
  check_comparable(hi_n, left, hi, "IN");
  Expr l1 = left, l2 = left;
  align_temporal(params_, l1, lo);
  align_temporal(params_, l2, hi);
  const std::string sql = "(" + l1.sql + (n.lower_closed ? " >= " : " > ") + lo.sql + " AND " +
                          l2.sql + (n.upper_closed ? " <= " : " < ") + hi.sql + ")";
  return Expr{n.negated ? "(NOT " + sql + ")" : sql, Type::Bool, left.aggregate, {}};
}

std::string Translator::normalized(const std::string& sql_text) {
  // lower(unaccent(x)), inlined by the planner: see src/sql/50_records.sql.
  return "opendata._odsql_fold(" + sql_text + ")";
}

std::string Translator::text_match(const std::string& target_sql, const Node& pattern,
                                   bool star_wildcard, const char* what) {
  if (pattern.kind != NodeKind::String) {
    fail(sqlstate::kDatatypeMismatch, pattern, std::string(what) + " requires a string literal");
  }
  // Several words: every word must appear (ODSQL tokenizes the query).
  std::vector<std::string> words;
  std::string w;
  for (char c : pattern.text + " ") {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!w.empty()) words.push_back(w), w.clear();
    } else {
      w += c;
    }
  }
  if (words.empty()) return "true";
  // Each word goes as its pieces between '*' wildcards, folded and escaped
  // into a LIKE pattern (odsql/like_pattern.hpp) by the caller binding the
  // parameter: the statement holds the patterns as values the planner sees,
  // and the target is folded once per row, whatever the number of words.
  // A statement with inlined values (a materialized view's) cannot be
  // given a pattern from outside: it computes its patterns itself, once
  // (an uncorrelated sub-select is an InitPlan), with
  // opendata._odsql_like_word(), the same folding and escaping in SQL.
  std::string patterns;
  for (const std::string& word : words) {
    std::vector<std::string> pieces(1);
    for (char c : word) {
      if (c == '*' && star_wildcard) {
        pieces.emplace_back();
      } else {
        pieces.back() += c;
      }
    }
    patterns += patterns.empty() ? "" : ", ";
    if (params_.inlined()) {
      patterns += "opendata._odsql_like_word(" +
                  params_.add(ParamType::TextArray, text_array_literal(pieces)) + ")";
    } else {
      patterns += params_.add_like_pattern(pieces);
    }
  }
  if (!params_.inlined()) {
    return "(" + normalized(target_sql) + " LIKE ALL (ARRAY[" + patterns + "]))";
  }
  // The cast makes the sub-select a scalar array, not the rows that a bare
  // ALL (SELECT ...) would compare with.
  return "(" + normalized(target_sql) + " LIKE ALL ((SELECT ARRAY[" + patterns + "])::text[]))";
}

std::string Translator::search_all(const Node& pattern) {
  std::string cols;
  for (const FieldInfo& f : schema_.fields()) {
    if (f.type != FieldType::Text) continue;
    cols += ", " + quote_ident(f.name);
  }
  if (cols.empty()) return "false";
  return text_match("concat_ws(' '" + cols + ")", pattern, true, "full-text search");
}

Expr Translator::like(const Node& n) {
  Expr left = value(*n.kids[0]);
  if (left.type != Type::Text) {
    fail(sqlstate::kDatatypeMismatch, n,
         std::string("LIKE requires a text value, found ") + type_name(left.type));
  }
  const std::string m = text_match(left.sql, *n.kids[1], true, "LIKE");
  return Expr{n.negated ? "(NOT " + m + ")" : m, Type::Bool, left.aggregate, {}};
}

Expr Translator::call(const Node& n) { return translate_call(*this, n); }

void Translator::check_grouping(const Node& n, const std::vector<std::string>& key_sqls) {
  switch (n.kind) {
    case NodeKind::String:
    case NodeKind::Number:
    case NodeKind::Bool:
    case NodeKind::Null:
    case NodeKind::Date:
    case NodeKind::Geom:
    case NodeKind::Quantity:
    case NodeKind::Star:
    case NodeKind::Steps:
      return;
    default:
      break;
  }
  // A label was checked where it was defined.
  if (n.kind == NodeKind::Field && aliases_ != nullptr) {
    for (const Alias& a : *aliases_) {
      if (lower_ascii(a.name) == lower_ascii(n.text)) return;
    }
  }
  const Expr e = value(n);
  for (const std::string& k : key_sqls) {
    if (k == e.sql) return;
  }
  // An aggregate call is fine as a whole (its argument is per record).
  if (n.kind == NodeKind::Call && is_aggregate_function(n.text)) return;
  if (n.kind == NodeKind::Field) {
    fail(sqlstate::kGroupingError, n,
         "field \"" + excerpt(n.text) +
             "\" must appear in group_by or be used in an aggregate function");
  }
  for (const auto& k : n.kids) {
    if (k->kind == NodeKind::NamedArg) continue;
    check_grouping(*k, key_sqls);
  }
}

}  // namespace opendata::odsql
