// Date functions: year() and friends, date_format(), now() and range().
#include <cstring>
#include <vector>

#include "core/odsql/functions.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"

namespace opendata::odsql {
namespace {

Expr temporal_arg(Translator& t, const Node& fn, const Node& arg) {
  Expr e = t.value(arg);
  if (!is_temporal(e.type)) {
    t.fail(sqlstate::kDatatypeMismatch, arg,
           fn.text + "() requires a date or datetime, found " + type_name(e.type));
  }
  return e;
}

// An integer literal, possibly negative; false when the node is not one.
bool integer_literal(const Node& n, std::int64_t& out, std::string& text) {
  const bool neg = n.kind == NodeKind::Neg;
  const Node& num = neg ? *n.kids[0] : n;
  if (num.kind != NodeKind::Number) return false;
  double v = 0;
  bool integer = false;
  std::int64_t iv = 0;
  if (!parse_number(num.text, v, integer, iv) || !integer) return false;
  out = neg ? -iv : iv;
  text = std::to_string(out);
  return true;
}

}  // namespace

bool is_date_part(const std::string& name) {
  static constexpr const char* kParts[] = {"year",      "quarter",  "month",  "day",
                                           "hour",      "minute",   "second", "millisecond",
                                           "dayofweek", "dayofyear"};
  for (const char* p : kParts) {
    if (name == p) return true;
  }
  return false;
}

Expr translate_date_part(Translator& t, const Node& n) {
  const Expr e = temporal_arg(t, n, *n.kids[0]);
  const std::string l = Translator::local_timestamp(t.params(), e);
  const std::string& name = n.text;
  std::string sql;
  if (name == "second") {
    sql = "floor(extract(second FROM " + l + "))::int8";
  } else if (name == "millisecond") {
    sql = "(floor(extract(milliseconds FROM " + l + "))::int8 % 1000)";
  } else {
    // date_part(), not extract(): a whole number either way, but extract()
    // builds a numeric for every row, which costs a grouping by year over
    // a million rows a fifth of its time (issue #15).
    const char* part = name == "dayofweek" ? "isodow" : name == "dayofyear" ? "doy" : name.c_str();
    // As a group_by key, grouped on the float (issue #15): PostgreSQL takes
    // an expression's distinct values for its field's (a million for a
    // year), and when the page is ordered by the grouped expression itself
    // it sorts every record to group them under the LIMIT, spilling to
    // disk, where hashing them into a few groups and sorting the groups is
    // far cheaper.  The cast then runs once per group.
    const std::string grouped = std::string("date_part('") + part + "', " + l + ")";
    return Expr{grouped + "::int8", Type::Int, e.aggregate, {}, grouped};
  }
  return Expr{sql, Type::Int, e.aggregate, {}};
}

bool date_pattern_to_char(const std::string& p, std::string& out, std::string& error) {
  out.clear();
  std::string literal;  // pending literal text, emitted double-quoted
  auto flush = [&]() {
    if (literal.empty()) return;
    out += '"';
    for (char c : literal) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    literal.clear();
  };
  std::size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {  // '' is a quote
        literal += '\'';
        i += 2;
        continue;
      }
      std::size_t j = i + 1;
      while (true) {
        if (j >= p.size()) {
          error = "unterminated quoted text in date format";
          return false;
        }
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            literal += '\'';
            j += 2;
            continue;
          }
          break;
        }
        literal += p[j++];
      }
      i = j + 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      literal += c;
      ++i;
      continue;
    }
    std::size_t k = i;
    while (k < p.size() && p[k] == c) ++k;
    const std::size_t len = k - i;
    const char* code = nullptr;
    switch (c) {
      case 'y':
      case 'Y':
        code = len == 2 ? "YY" : "YYYY";
        break;
      case 'x':
        code = len == 2 ? "IY" : "IYYY";
        break;
      case 'w':
        code = len == 1 ? "FMIW" : "IW";
        break;
      case 'e':
        code = len == 1 ? "ID" : nullptr;
        break;
      case 'E':
        code = len >= 4 ? "FMday" : "FMdy";
        break;
      case 'D':
        code = len >= 3 ? "DDD" : "FMDDD";
        break;
      case 'M':
        code = len == 1 ? "FMMM" : len == 2 ? "MM" : len == 3 ? "FMmon" : "FMmonth";
        break;
      case 'd':
        code = len == 1 ? "FMDD" : len == 2 ? "DD" : nullptr;
        break;
      case 'H':
        code = len == 1 ? "FMHH24" : len == 2 ? "HH24" : nullptr;
        break;
      case 'm':
        code = len == 1 ? "FMMI" : len == 2 ? "MI" : nullptr;
        break;
      case 's':
        code = len == 1 ? "FMSS" : len == 2 ? "SS" : nullptr;
        break;
      default:
        break;
    }
    if (code == nullptr) {
      error = "unsupported date format symbol '" + p.substr(i, len) + "'";
      return false;
    }
    flush();
    out += code;
    i = k;
  }
  flush();
  return true;
}

Expr translate_date_format(Translator& t, const Node& n) {
  const Expr e = temporal_arg(t, n, *n.kids[0]);
  const Node& f = *n.kids[1];
  if (f.kind != NodeKind::String) {
    t.fail(sqlstate::kDatatypeMismatch, f,
           "date_format() requires a format string such as 'yyyy-MM-dd'");
  }
  std::string fmt, err;
  if (!date_pattern_to_char(f.text, fmt, err)) t.fail(sqlstate::kInvalidParameterValue, f, err);
  return Expr{"to_char(" + Translator::local_timestamp(t.params(), e) + ", " +
                  t.params().add(ParamType::Text, fmt) + ")",
              Type::Text,
              e.aggregate,
              {}};
}

// now() with python-dateutil relativedelta semantics: singular names set a
// component (day clamped to the month's length), plural names add to it,
// then a weekday moves to the next/previous such day.
Expr translate_now(Translator& t, const Node& n) {
  struct Arg {
    const char* name;
    std::int64_t min, max;
    bool set = false;
    std::string sql;
  };
  constexpr std::int64_t kAny = 1000000000;
  Arg args[] = {{"year", 1, 9999, false, {}},
                {"month", 1, 12, false, {}},
                {"day", 1, 31, false, {}},
                {"hour", 0, 23, false, {}},
                {"minute", 0, 59, false, {}},
                {"second", 0, 59, false, {}},
                {"microsecond", 0, 999999, false, {}},
                {"years", -9999, 9999, false, {}},
                {"months", -kAny, kAny, false, {}},
                {"days", -kAny, kAny, false, {}},
                {"hours", -kAny, kAny, false, {}},
                {"minutes", -kAny, kAny, false, {}},
                {"seconds", -kAny, kAny, false, {}},
                {"microseconds", -kAny * 1000, kAny * 1000, false, {}}};
  static constexpr const char* kWeekdays[] = {"mondays", "tuesdays",  "wednesdays", "thursdays",
                                              "fridays", "saturdays", "sundays"};
  std::string wd_sql, wd_n;
  std::int64_t wd_count = 0;
  for (const auto& k : n.kids) {
    if (k->kind != NodeKind::NamedArg) {
      t.fail(sqlstate::kSyntaxError, *k, "now() only takes named arguments such as days=-1");
    }
    std::int64_t v = 0;
    std::string text;
    if (!integer_literal(*k->kids[0], v, text)) {
      t.fail(sqlstate::kInvalidParameterValue, *k->kids[0], "now() arguments must be integers");
    }
    bool known = false;
    for (Arg& a : args) {
      if (k->text != a.name) continue;
      known = true;
      if (v < a.min || v > a.max) {
        t.fail(sqlstate::kInvalidParameterValue, *k,
               "now() argument " + k->text + " is out of range",
               "Allowed values: " + std::to_string(a.min) + " to " + std::to_string(a.max) + ".");
      }
      a.set = true;
      a.sql = t.params().add(ParamType::Int8, text);
    }
    if (k->text == "weekday") {
      known = true;
      if (v < 0 || v > 6)
        t.fail(sqlstate::kInvalidParameterValue, *k,
               "now() argument weekday must be 0 (Monday) to 6 (Sunday)");
      wd_sql = t.params().add(ParamType::Int8, text);
      wd_count = 1;
    }
    for (int d = 0; d < 7; ++d) {
      if (k->text != kWeekdays[d]) continue;
      known = true;
      if (v < -520 || v > 520)
        t.fail(sqlstate::kInvalidParameterValue, *k,
               "now() argument " + k->text + " is out of range");
      wd_sql = t.params().add(ParamType::Int8, std::to_string(d));
      wd_count = v == 0 ? 1 : v;
    }
    if (!known) {
      t.fail(sqlstate::kInvalidParameterValue, *k,
             "unknown now() argument \"" + excerpt(k->text) + "\"");
    }
  }
  const std::string local = "(now() AT TIME ZONE " + t.params().tz() + ")";
  std::string ts = local;
  auto part = [&](int i, const char* field) {
    return args[i].set ? "(" + args[i].sql + ")::int"
                       : std::string("extract(") + field + " FROM " + local + ")::int";
  };
  bool absolute = false;
  for (int i = 0; i < 7; ++i) absolute = absolute || args[i].set;
  if (absolute) {
    // One statement per part: parameter numbering must not depend on the
    // compiler's order of evaluation.
    const std::string y = part(0, "year");
    const std::string m = part(1, "month");
    const std::string d = part(2, "day");
    const std::string hh = part(3, "hour");
    const std::string mi = part(4, "minute");
    const std::string secs =
        (args[5].set ? "(" + args[5].sql + ")::float8"
                     : "floor(extract(second FROM " + local + "))") +
        " + " +
        (args[6].set ? "(" + args[6].sql + ")::float8"
                     : "(extract(microseconds FROM " + local + ")::int8 % 1000000)") +
        " / 1000000.0";
    const std::string month_len = "extract(day FROM make_date(" + y + ", " + m +
                                  ", 1) + interval '1 month' - interval '1 day')::int";
    ts = "(make_timestamp(" + y + ", " + m + ", 1, " + hh + ", " + mi + ", " + secs +
         ") + (least(" + d + ", " + month_len + ") - 1) * interval '1 day')";
  }
  static constexpr const char* kInterval[] = {"years", "months", "days", "hours", "mins", "secs"};
  std::string interval;
  for (int i = 7; i < 12; ++i) {
    if (!args[i].set) continue;
    if (!interval.empty()) interval += ", ";
    interval += std::string(kInterval[i - 7]) + " => (" + args[i].sql + ")::int";
  }
  // make_interval() takes fractional seconds once: fold microseconds in.
  std::string secs;
  if (args[12].set) secs = "(" + args[12].sql + ")::float8";
  if (args[13].set)
    secs += (secs.empty() ? "" : " + ") + ("(" + args[13].sql + ")::float8 / 1000000.0");
  if (!secs.empty()) interval += (interval.empty() ? "secs => " : ", secs => ") + secs;
  if (!interval.empty()) ts = "(" + ts + " + make_interval(" + interval + "))";
  if (wd_count != 0) {
    const std::string cur = "(extract(isodow FROM " + ts + ")::int - 1)";
    const std::string count =
        t.params().add(ParamType::Int8, std::to_string(wd_count < 0 ? -wd_count : wd_count));
    if (wd_count > 0) {
      ts = "(" + ts + " + ((((" + wd_sql + " - " + cur + ") % 7 + 7) % 7) + (" + count +
           " - 1) * 7) * interval '1 day')";
    } else {
      ts = "(" + ts + " - ((((" + cur + " - " + wd_sql + ") % 7 + 7) % 7) + (" + count +
           " - 1) * 7) * interval '1 day')";
    }
  }
  return Expr{"(" + ts + " AT TIME ZONE " + t.params().tz() + ")", Type::DateTime, false, {}};
}

namespace {

// Label text of a range bound as the user wrote it.
std::string bound_text(const Node& b) {
  if (b.kind == NodeKind::Neg) return "-" + b.kids[0]->text;
  return b.text;
}

// Steps come from a bracketed list, or (shorthand) from the arguments after
// the field, which then behaves like ]a, b, c[.
struct Steps {
  std::vector<const Node*> kids;
  bool lower_closed = false;
  bool upper_closed = false;
};

Expr static_ranges(Translator& t, const Steps& steps, const Expr& x) {
  const bool temporal = is_temporal(x.type);
  std::vector<std::string> sqls, labels;
  double prev_num = 0;
  std::string prev_date;
  for (std::size_t i = 0; i < steps.kids.size(); ++i) {
    const Node& b = *steps.kids[i];
    std::string key_date;
    double key_num = 0;
    if (temporal) {
      DateValue d;
      std::string err;
      if (b.kind != NodeKind::Date || !parse_date(b.text, d, err)) {
        t.fail(sqlstate::kDatatypeMismatch, b,
               "range() steps on a date must be date literals such as date'2020-01-01'");
      }
      key_date = d.timestamp_text();
    } else {
      std::int64_t iv = 0;
      bool integer = false;
      const Node& num = b.kind == NodeKind::Neg ? *b.kids[0] : b;
      if (num.kind != NodeKind::Number || !parse_number(num.text, key_num, integer, iv)) {
        t.fail(sqlstate::kDatatypeMismatch, b, "range() steps on a number must be numbers");
      }
      if (b.kind == NodeKind::Neg) key_num = -key_num;
    }
    if (i > 0 && (temporal ? key_date <= prev_date : key_num <= prev_num)) {
      t.fail(sqlstate::kInvalidParameterValue, b, "range() steps must be in increasing order");
    }
    prev_date = key_date, prev_num = key_num;
    Expr e = t.literal_for(b, x.type);
    sqls.push_back(temporal ? Translator::as_timestamptz(t.params(), e) : e.sql);
    labels.push_back(bound_text(b));
  }
  const std::string xs = temporal ? Translator::as_timestamptz(t.params(), x) : x.sql;
  auto label = [&](const std::string& text) { return t.params().add(ParamType::Text, text); };
  std::string sql = "CASE WHEN " + xs + " IS NULL THEN NULL";
  std::string sort = sql;
  const std::size_t k = sqls.size();
  sql += " WHEN " + xs + " < " + sqls[0] + " THEN " +
         (steps.lower_closed ? "NULL" : label("*-" + labels[0]));
  sort += " WHEN " + xs + " < " + sqls[0] + " THEN 0";
  for (std::size_t i = 1; i < k; ++i) {
    const char* op = i == k - 1 && steps.upper_closed ? " <= " : " < ";
    sql += " WHEN " + xs + op + sqls[i] + " THEN " + label(labels[i - 1] + "-" + labels[i]);
    sort += " WHEN " + xs + op + sqls[i] + " THEN " + std::to_string(i);
  }
  sql +=
      std::string(" ELSE ") + (steps.upper_closed ? "NULL" : label(labels[k - 1] + "-*")) + " END";
  sort += " ELSE " + std::to_string(k) + " END";
  return Expr{"(" + sql + ")", Type::Text, x.aggregate, "(" + sort + ")"};
}

struct TimeUnit {
  const char* names[3];
  double seconds;     // 0 for calendar units
  const char* trunc;  // date_trunc unit
  const char* label;  // to_char format
};

constexpr TimeUnit kTimeUnits[] = {
    {{"ms", "millisecond", "milliseconds"}, 0.001, nullptr, "YYYY-MM-DD\"T\"HH24:MI:SS.MS"},
    {{"s", "second", "seconds"}, 1, nullptr, "YYYY-MM-DD\"T\"HH24:MI:SS"},
    {{"m", "minute", "minutes"}, 60, nullptr, "YYYY-MM-DD\"T\"HH24:MI:SS"},
    {{"h", "hour", "hours"}, 3600, nullptr, "YYYY-MM-DD\"T\"HH24:MI:SS"},
    {{"d", "day", "days"}, 86400, "day", "YYYY-MM-DD"},
    {{"w", "week", "weeks"}, 0, "week", "YYYY-MM-DD"},
    {{"M", "month", "months"}, 0, "month", "YYYY-MM"},
    {{"q", "quarter", "quarters"}, 0, "quarter", "YYYY-MM"},
    {{"y", "year", "years"}, 0, "year", "YYYY"},
};

Expr date_histogram(Translator& t, const Node& n, const Expr& x) {
  const Node& q = *n.kids[1];
  const TimeUnit* unit = nullptr;
  for (const TimeUnit& u : kTimeUnits) {
    for (const char* name : u.names) {
      if (q.unit == name) unit = &u;
    }
  }
  if (unit == nullptr) {
    t.fail(sqlstate::kInvalidParameterValue, q, "unknown interval unit \"" + excerpt(q.unit) + "\"",
           "Use ms, s, m, h, d, w, M, q or y (case sensitive), e.g. range(date, 1d).");
  }
  double v = 0;
  bool integer = false;
  std::int64_t count = 0;
  if (!parse_number(q.text, v, integer, count) || !integer || count < 1 || count > 1000000) {
    t.fail(sqlstate::kInvalidParameterValue, q,
           "range() interval must be a positive integer number of units");
  }
  const std::string l = Translator::local_timestamp(t.params(), x);
  std::string bucket;
  if (unit->trunc != nullptr && count == 1) {
    bucket = std::string("date_trunc('") + unit->trunc + "', " + l + ")";
  } else if (unit->seconds == 0) {
    t.fail(sqlstate::kFeatureNotSupported, q,
           "range() intervals of more than one week, month, quarter or year are not supported");
  } else {
    const std::string s = t.params().add(ParamType::Float8,
                                         format_double(unit->seconds * static_cast<double>(count)));
    bucket = "(timestamp 'epoch' + floor(extract(epoch FROM " + l + ") / " + s + ") * " + s +
             " * interval '1 second')";
  }
  return Expr{"to_char(" + bucket + ", '" + unit->label + "')", Type::Text, x.aggregate, bucket};
}

}  // namespace

Expr translate_range(Translator& t, const Node& n) {
  const Expr x = t.value(*n.kids[0]);
  if (!is_numeric(x.type) && !is_temporal(x.type)) {
    t.fail(sqlstate::kDatatypeMismatch, *n.kids[0],
           std::string("range() requires a number or a date, found ") + type_name(x.type));
  }
  const Node& spec = *n.kids[1];
  if (spec.kind == NodeKind::Steps || n.kids.size() > 2) {
    Steps steps;
    if (spec.kind == NodeKind::Steps) {
      if (n.kids.size() > 2) {
        t.fail(sqlstate::kUndefinedFunction, *n.kids[2],
               "range() takes a field and one list of steps");
      }
      for (const auto& k : spec.kids) steps.kids.push_back(k.get());
      steps.lower_closed = spec.lower_closed;
      steps.upper_closed = spec.upper_closed;
    } else {
      for (std::size_t i = 1; i < n.kids.size(); ++i) steps.kids.push_back(n.kids[i].get());
    }
    return static_ranges(t, steps, x);
  }
  if (is_temporal(x.type)) {
    if (spec.kind != NodeKind::Quantity) {
      t.fail(sqlstate::kDatatypeMismatch, spec,
             "range() on a date needs steps or an interval such as 1 day");
    }
    return date_histogram(t, n, x);
  }
  double w = 0;
  bool integer = false;
  std::int64_t iv = 0;
  if (spec.kind != NodeKind::Number || !parse_number(spec.text, w, integer, iv) || w <= 0) {
    t.fail(sqlstate::kInvalidParameterValue, spec, "range() width must be a positive number");
  }
  const std::string width = "(" + t.params().add(ParamType::Text, spec.text) + ")::numeric";
  const std::string lo = "(floor((" + x.sql + ")::numeric / " + width + ") * " + width + ")";
  return Expr{"(" + lo + "::text || '-' || (" + lo + " + " + width + ")::text)", Type::Text,
              x.aggregate, lo};
}

}  // namespace opendata::odsql
