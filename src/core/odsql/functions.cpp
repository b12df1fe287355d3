#include "core/odsql/functions.hpp"

#include <vector>

#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"

namespace opendata::odsql {
namespace {

constexpr FnInfo kFunctions[] = {
    // Scalar functions.
    {"length", FnKind::Scalar, 1, 1},
    {"lower", FnKind::Scalar, 1, 1},
    {"upper", FnKind::Scalar, 1, 1},
    {"now", FnKind::Scalar, 0, 32},
    {"year", FnKind::Scalar, 1, 1},
    {"quarter", FnKind::Scalar, 1, 1},
    {"month", FnKind::Scalar, 1, 1},
    {"day", FnKind::Scalar, 1, 1},
    {"dayofweek", FnKind::Scalar, 1, 1},
    {"dayofyear", FnKind::Scalar, 1, 1},
    {"hour", FnKind::Scalar, 1, 1},
    {"minute", FnKind::Scalar, 1, 1},
    {"second", FnKind::Scalar, 1, 1},
    {"millisecond", FnKind::Scalar, 1, 1},
    {"date_format", FnKind::Scalar, 2, 2},
    {"range", FnKind::Scalar, 2, 64},
    {"distance", FnKind::Scalar, 2, 3},
    {"geo_cluster", FnKind::Scalar, 2, 2},
    // Filters (boolean).
    {"within_distance", FnKind::Filter, 3, 3},
    {"geometry", FnKind::Filter, 3, 3},
    {"polygon", FnKind::Filter, 2, 2},
    {"intersects", FnKind::Filter, 2, 2},
    {"within", FnKind::Filter, 2, 2},
    {"disjoint", FnKind::Filter, 2, 2},
    {"in_bbox", FnKind::Filter, 5, 5},
    {"search", FnKind::Filter, 2, 2},
    {"startswith", FnKind::Filter, 2, 2},
    // Aggregates.
    {"count", FnKind::Aggregate, 1, 1},
    {"sum", FnKind::Aggregate, 1, 1},
    {"avg", FnKind::Aggregate, 1, 1},
    {"min", FnKind::Aggregate, 1, 1},
    {"max", FnKind::Aggregate, 1, 1},
    {"median", FnKind::Aggregate, 1, 1},
    {"percentile", FnKind::Aggregate, 2, 2},
    {"envelope", FnKind::Aggregate, 1, 1},
    {"bbox", FnKind::Aggregate, 1, 1},
};

std::vector<std::string> function_names() {
  std::vector<std::string> out;
  for (const FnInfo& f : kFunctions) out.emplace_back(f.name);
  return out;
}

}  // namespace

const FnInfo* find_function(const std::string& name) {
  for (const FnInfo& f : kFunctions) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool is_aggregate_function(const std::string& name) {
  const FnInfo* f = find_function(name);
  return f != nullptr && f->kind == FnKind::Aggregate;
}

// Marks the translator as inside an aggregate's argument for its lifetime,
// refusing aggregates where the clause forbids them and nested aggregates.
struct AggregateScope {
  Translator& t;
  AggregateScope(Translator& tr, const Node& n) : t(tr) {
    if (!t.allow_aggregates_) {
      t.fail(sqlstate::kGroupingError, n,
             "aggregate function " + n.text + "() is not allowed in the \"" + t.src_.clause +
                 "\" parameter",
             t.clause_ == Clause::OrderBy
                 ? "Ordering by an aggregate needs group_by or an aggregate select."
                 : "");
    }
    if (t.in_aggregate_)
      t.fail(sqlstate::kGroupingError, n, "aggregate function calls cannot be nested");
    t.in_aggregate_ = true;
  }
  ~AggregateScope() { t.in_aggregate_ = false; }
  AggregateScope(const AggregateScope&) = delete;
  AggregateScope& operator=(const AggregateScope&) = delete;
};

namespace {

Expr geo_arg(Translator& t, const Node& fn, const Node& arg, const char* role) {
  Expr e = t.value(arg);
  if (e.type != Type::Geo) {
    t.fail(sqlstate::kDatatypeMismatch, arg,
           fn.text + "() requires a geo " + role + ", found " + type_name(e.type));
  }
  return e;
}

// A distance in meters: 500, 500m, 2km, 1 mi, 10yd, ...
std::string distance_arg(Translator& t, const Node& fn, const Node& arg) {
  std::string number;
  std::string unit;
  if (arg.kind == NodeKind::Quantity) {
    number = arg.text, unit = arg.unit;
  } else if (arg.kind == NodeKind::Number) {
    number = arg.text;
  } else {
    t.fail(sqlstate::kDatatypeMismatch, arg,
           fn.text + "() requires a distance such as 500m or 2km");
  }
  const double factor = distance_unit_meters(unit);
  if (factor == 0.0) {
    t.fail(sqlstate::kInvalidParameterValue, arg, "unknown distance unit \"" + excerpt(unit) + "\"",
           "Use one of mi, yd, ft, m, cm, km, mm.");
  }
  double v = 0;
  bool integer = false;
  std::int64_t iv = 0;
  if (!parse_number(number, v, integer, iv)) {
    t.fail(sqlstate::kNumericValueOutOfRange, arg,
           "distance \"" + excerpt(number) + "\" is out of range");
  }
  return t.params().add(ParamType::Float8, format_double(v * factor));
}

Expr numeric_arg(Translator& t, const Node& fn, const Node& arg) {
  Expr e = t.value(arg);
  if (!is_numeric(e.type)) {
    t.fail(sqlstate::kDatatypeMismatch, arg,
           fn.text + "() requires a number, found " + type_name(e.type));
  }
  return e;
}

Expr boolean_expr(std::string sql) { return Expr{std::move(sql), Type::Bool, false, {}}; }

Expr translate_geo(Translator& t, const Node& n) {
  const std::string& name = n.text;
  const Expr g = geo_arg(t, n, *n.kids[0], "field as first argument");
  if (name == "in_bbox") {
    std::string c[4];
    for (int i = 0; i < 4; ++i) c[i] = numeric_arg(t, n, *n.kids[i + 1]).sql;
    // Arguments are lat1, lon1, lat2, lon2; the envelope wants x=lon, y=lat.
    return boolean_expr("ST_Intersects(" + g.sql + ", ST_MakeEnvelope(least(" + c[1] + ", " + c[3] +
                        "), least(" + c[0] + ", " + c[2] + "), greatest(" + c[1] + ", " + c[3] +
                        "), greatest(" + c[0] + ", " + c[2] + "), 4326))");
  }
  const Expr shape = geo_arg(t, n, *n.kids[1], "shape as second argument");
  if (name == "distance" && n.kids.size() == 2) {
    return Expr{"ST_Distance((" + g.sql + ")::geography, (" + shape.sql + ")::geography)",
                Type::Float,
                false,
                {}};
  }
  if (name == "distance" || name == "within_distance") {
    const std::string d = distance_arg(t, n, *n.kids[2]);
    return boolean_expr("ST_DWithin((" + g.sql + ")::geography, (" + shape.sql + ")::geography, " +
                        d + ")");
  }
  std::string mode = name;
  if (name == "geometry") {
    const Node& m = *n.kids[2];
    mode = m.kind == NodeKind::Field ? lower_ascii(m.text) : "";
    if (mode != "intersects" && mode != "within" && mode != "disjoint") {
      t.fail(sqlstate::kInvalidParameterValue, m,
             "geometry() mode must be INTERSECTS, WITHIN or DISJOINT");
    }
  } else if (name == "polygon") {
    mode = "within";
  }
  const char* fn = mode == "intersects" ? "ST_Intersects"
                   : mode == "within"   ? "ST_Within"
                                        : "ST_Disjoint";
  return boolean_expr(std::string(fn) + "(" + g.sql + ", " + shape.sql + ")");
}

Expr translate_text_filter(Translator& t, const Node& n) {
  const Node& target = *n.kids[0];
  const Node& pattern = *n.kids[1];
  if (n.text == "search" && target.kind == NodeKind::Star)
    return boolean_expr(t.search_all(pattern));
  Expr e = t.value(target);
  if (e.type == Type::Geo || e.type == Type::Null) {
    t.fail(sqlstate::kDatatypeMismatch, target,
           n.text + "() cannot be used on a " + type_name(e.type) + " value");
  }
  const std::string text_sql = e.type == Type::Text ? e.sql : "(" + e.sql + ")::text";
  if (n.text == "search") return boolean_expr(t.text_match(text_sql, pattern, true, "search()"));
  if (pattern.kind != NodeKind::String) {
    t.fail(sqlstate::kDatatypeMismatch, pattern, "startswith() requires a string literal");
  }
  return boolean_expr("(" + text_sql + " LIKE " +
                      t.params().add(ParamType::Text, like_escape(pattern.text, false) + "%") +
                      ")");
}

}  // namespace

static Expr translate_aggregate(Translator& t, const Node& n) {
  AggregateScope scope(t, n);
  const std::string& name = n.text;
  const Node& arg = *n.kids[0];
  if (arg.kind == NodeKind::Star) {
    if (name != "count" || n.flag)
      t.fail(sqlstate::kSyntaxError, arg, "'*' is only allowed in count(*)");
    return Expr{"count(*)", Type::Int, true, {}};
  }
  if (n.flag && name != "count")
    t.fail(sqlstate::kSyntaxError, n, "DISTINCT is only allowed in count()");
  Expr e = t.value(arg);
  if (e.aggregate) t.fail(sqlstate::kGroupingError, n, "aggregate function calls cannot be nested");
  auto need = [&](bool ok, const char* what) {
    if (!ok) {
      t.fail(sqlstate::kDatatypeMismatch, arg,
             name + "() requires " + what + ", found " + type_name(e.type));
    }
  };
  Expr out;
  out.aggregate = true;
  if (name == "count") {
    out.sql = std::string("count(") + (n.flag ? "DISTINCT " : "") + e.sql + ")";
    out.type = Type::Int;
  } else if (name == "sum") {
    need(is_numeric(e.type), "a number");
    out.sql = "sum(" + e.sql + ")";
    out.type = e.type;
  } else if (name == "avg") {
    need(is_numeric(e.type), "a number");
    out.sql = "avg(" + e.sql + ")::float8";
    out.type = Type::Float;
  } else if (name == "min" || name == "max") {
    need(is_numeric(e.type) || is_temporal(e.type) || e.type == Type::Text,
         "a number, date or text");
    out.sql = name + "(" + e.sql + ")";
    out.type = e.type;
  } else if (name == "median" || name == "percentile") {
    need(is_numeric(e.type), "a number");
    std::string fraction = "0.5";
    if (name == "percentile") {
      const Node& p = *n.kids[1];
      double v = 0;
      bool integer = false;
      std::int64_t iv = 0;
      if (p.kind != NodeKind::Number || !parse_number(p.text, v, integer, iv) || v < 0 || v > 100) {
        t.fail(sqlstate::kInvalidParameterValue, p,
               "percentile must be a number between 0 and 100");
      }
      fraction = t.params().add(ParamType::Float8, format_double(v / 100.0));
    }
    out.sql = "percentile_cont(" + fraction + ") WITHIN GROUP (ORDER BY (" + e.sql + ")::float8)";
    out.type = Type::Float;
  } else {  // envelope, bbox
    need(e.type == Type::Geo, "a geo field");
    out.sql = "ST_Extent(" + e.sql + ")::geometry";
    out.type = Type::Geo;
  }
  return out;
}

Expr translate_call(Translator& t, const Node& n) {
  const std::string& name = n.text;
  const FnInfo* info = find_function(name);
  if (info == nullptr) {
    if (name == "include" || name == "exclude") {
      t.fail(sqlstate::kSyntaxError, n,
             name + "() is only allowed as an item of the select clause");
    }
    t.fail(sqlstate::kUndefinedFunction, n, "unknown ODSQL function \"" + excerpt(name) + "\"",
           did_you_mean(name, function_names()));
  }
  const int argc = static_cast<int>(n.kids.size());
  if (argc < info->min_args || argc > info->max_args) {
    std::string expect = std::to_string(info->min_args);
    if (info->max_args != info->min_args) expect += " to " + std::to_string(info->max_args);
    t.fail(sqlstate::kUndefinedFunction, n,
           "wrong number of arguments for ODSQL function \"" + name + "\"",
           name + "() takes " + expect + (info->max_args == 1 ? " argument." : " arguments."));
  }
  if (name != "now") {
    for (const auto& k : n.kids) {
      if (k->kind == NodeKind::NamedArg)
        t.fail(sqlstate::kSyntaxError, *k, "named arguments are only allowed in now()");
    }
  }
  if (info->kind == FnKind::Aggregate) return translate_aggregate(t, n);
  if (name == "now") return translate_now(t, n);
  if (name == "date_format") return translate_date_format(t, n);
  if (name == "range") return translate_range(t, n);
  if (name == "geo_cluster") return translate_geo_cluster(t, n);
  if (name == "search" || name == "startswith") return translate_text_filter(t, n);
  if (name == "length" || name == "lower" || name == "upper") {
    Expr e = t.value(*n.kids[0]);
    if (e.type != Type::Text && e.type != Type::Null) {
      t.fail(sqlstate::kDatatypeMismatch, *n.kids[0],
             name + "() requires text, found " + type_name(e.type));
    }
    if (name == "length")
      return Expr{"char_length(" + e.sql + ")::int8", Type::Int, e.aggregate, {}};
    return Expr{name + "(" + e.sql + ")", Type::Text, e.aggregate, {}};
  }
  if (info->kind == FnKind::Filter || name == "distance") return translate_geo(t, n);
  return translate_date_part(t, n);
}

}  // namespace opendata::odsql
