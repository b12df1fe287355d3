#include "core/odsql/keyset.hpp"

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/odsql/errors.hpp"

namespace opendata::odsql {
namespace {

using nlohmann::json;

constexpr int kTokenVersion = 1;

[[noreturn]] void bad_token(const std::string& why) {
  request_error(sqlstate::kInvalidParameterValue, "invalid \"after\" token", why,
                "Pass the next_after value of the previous page unchanged, with the same "
                "dataset, where, refine, exclude, timezone and order_by; start again without "
                "\"after\" when they change.");
}

// ---- base64url without padding (RFC 4648 section 5) --------------------

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::string& in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

bool unbase64url(const std::string& in, std::string& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits are padding: fewer than 6, and zero in a canonical token.
  return bits < 6 && (acc & ((1u << bits) - 1)) == 0;
}

// ---- exact text forms ----------------------------------------------------

bool digits(const std::string& s, std::size_t from, std::size_t to) {
  if (from >= to || to > s.size()) return false;
  for (std::size_t i = from; i < to; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// A decimal integer (optionally negative) within [lo, hi].
bool integer_in(const std::string& s, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty() || s[0] == '+') return false;
  if (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) return false;  // canonical
  return v >= lo && v <= hi;
}

bool special_number(const std::string& s) {
  return s == "NaN" || s == "Infinity" || s == "-Infinity";
}

// -?digits[.digits], as numeric_out writes it.
bool numeric_text(const std::string& s) {
  if (special_number(s)) return true;
  std::size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  const std::size_t dot = s.find('.');
  if (dot == std::string::npos) return digits(s, i, s.size());
  return digits(s, i, dot) && digits(s, dot + 1, s.size());
}

template <typename F>
bool float_text(const std::string& s) {
  if (special_number(s)) return true;
  // The decimal syntax alone: from_chars also takes "inf", "nan", hex.
  std::size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  std::size_t e = s.find_first_of("eE");
  std::string mantissa = s.substr(i, e == std::string::npos ? std::string::npos : e - i);
  const std::size_t dot = mantissa.find('.');
  const bool m_ok = dot == std::string::npos
                        ? digits(mantissa, 0, mantissa.size())
                        : digits(mantissa, 0, dot) && digits(mantissa, dot + 1, mantissa.size());
  if (!m_ok) return false;
  if (e != std::string::npos) {
    std::size_t j = e + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (!digits(s, j, s.size())) return false;
  }
  F v{};
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  return ec == std::errc() && p == end;  // out of range is refused, as by float8in
}

bool leap(std::int64_t astronomical_year) {
  const std::int64_t y = astronomical_year;
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

// "YYYY-MM-DD" at the start of s (year of 4 to 7 digits); sets `end` after
// it and `year` to the year as written (before Christ or not).
bool date_part(const std::string& s, std::size_t& end, std::int64_t& year, int& month, int& day) {
  const std::size_t dash = s.find('-');
  if (dash == std::string::npos || dash < 4 || dash > 7 || !digits(s, 0, dash)) return false;
  if (s.size() < dash + 6 || s[dash + 3] != '-' || !digits(s, dash + 1, dash + 3) ||
      !digits(s, dash + 4, dash + 6)) {
    return false;
  }
  year = std::stoll(s.substr(0, dash));
  month = std::stoi(s.substr(dash + 1, 2));
  day = std::stoi(s.substr(dash + 4, 2));
  end = dash + 6;
  return true;
}

bool valid_day(std::int64_t year, bool bc, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const std::int64_t astronomical = bc ? 1 - year : year;
  const int last = kDays[month - 1] + (month == 2 && leap(astronomical) ? 1 : 0);
  return day <= last;
}

// Dates and timestamps as EncodeDateOnly / EncodeDateTime write them in ISO
// style.  The year ranges stop one year short of PostgreSQL's limits, so
// that a value passing here is never refused by the input function.
bool temporal_text(KeyKind kind, const std::string& s) {
  if (s == "infinity" || s == "-infinity") return true;
  std::size_t i = 0;
  std::int64_t year = 0;
  int month = 0, day = 0;
  if (!date_part(s, i, year, month, day)) return false;
  std::string rest = s.substr(i);
  bool bc = false;
  if (rest.size() >= 3 && rest.compare(rest.size() - 3, 3, " BC") == 0) {
    bc = true;
    rest.resize(rest.size() - 3);
  }
  const std::int64_t max_ad = kind == KeyKind::Date ? 5874896 : 294275;
  if (year < 1 || year > (bc ? 4712 : max_ad) || !valid_day(year, bc, month, day)) return false;
  if (kind == KeyKind::Date) return rest.empty();
  if (kind == KeyKind::Timestamptz) {
    if (rest.size() < 3 || rest.compare(rest.size() - 3, 3, "+00") != 0) return false;
    rest.resize(rest.size() - 3);
  }
  // " HH:MM:SS" then an optional fraction of 1 to 6 digits.
  if (rest.size() < 9 || rest[0] != ' ' || rest[3] != ':' || rest[6] != ':' ||
      !digits(rest, 1, 3) || !digits(rest, 4, 6) || !digits(rest, 7, 9)) {
    return false;
  }
  if (std::stoi(rest.substr(1, 2)) > 23 || std::stoi(rest.substr(4, 2)) > 59 ||
      std::stoi(rest.substr(7, 2)) > 59) {
    return false;
  }
  if (rest.size() == 9) return true;
  return rest[9] == '.' && rest.size() <= 16 && digits(rest, 10, rest.size());
}

// ---- the ordering ----------------------------------------------------------

struct Key {
  const KeysetColumn* column;
  bool descending;
};

// FNV-1a, 64 bits, of everything that decides which rows come after the
// token: the dataset, the ordering and the filters (where, refine, exclude,
// and the time zone the filters' dates are read in).  A token reused after
// the user changed a filter would otherwise be honoured and give a page of
// another result.  It tells requests apart, nothing more: token values are
// checked on their own, so a forged fingerprint gains nothing.
std::string fingerprint(const Request& req, const std::vector<Key>& keys) {
  std::string text = req.relation;
  for (const Key& k : keys) {
    text += '\x1f' + k.column->name + '\x1e' + key_sql_type(k.column->kind) +
            (k.descending ? "-" : "+");
  }
  text += "\x1dwhere\x1f" + req.where + "\x1dtimezone\x1f" + req.timezone;
  for (const std::string& r : req.refine) text += "\x1drefine\x1f" + r;
  for (const std::string& e : req.exclude) text += "\x1d" "exclude\x1f" + e;
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
  return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : sep) + parts[i];
  return out;
}

// Rows after the one whose sort values are `values`, in the order ORDER BY
// k1 [DESC] NULLS LAST, k2 ... gives them.
std::string after_condition(const std::vector<Key>& keys,
                            const std::vector<std::optional<std::string>>& values, Params& params) {
  std::vector<std::string> cols, consts;
  bool uniform = true;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    cols.push_back(quote_ident(keys[i].column->name));
    consts.push_back(values[i] ? "CAST(" + params.add(ParamType::Text, *values[i]) + " AS " +
                                     key_sql_type(keys[i].column->kind) + ")"
                               : "NULL");
    uniform = uniform && values[i] && keys[i].column->not_null &&
              keys[i].descending == keys[0].descending;
  }
  const char* const asc = " > ";
  const char* const desc = " < ";
  if (uniform) {
    // One row comparison: an index on the keys starts right there.
    const char* op = keys[0].descending ? desc : asc;
    if (keys.size() == 1) return "(" + cols[0] + op + consts[0] + ")";
    return "((" + join(cols, ", ") + ")" + op + "(" + join(consts, ", ") + "))";
  }
  // k1 after a, or k1 = a and k2 after b, or ...  A null sorts after every
  // value and nothing sorts after a null.
  std::vector<std::string> terms, equal;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (values[i]) {
      std::string after = cols[i] + (keys[i].descending ? desc : asc) + consts[i];
      if (!keys[i].column->not_null) after = "(" + after + " OR " + cols[i] + " IS NULL)";
      std::vector<std::string> term = equal;
      term.push_back(after);
      terms.push_back("(" + join(term, " AND ") + ")");
      equal.push_back(cols[i] + " = " + consts[i]);
    } else {
      equal.push_back(cols[i] + " IS NULL");
    }
  }
  return terms.empty() ? "false" : "(" + join(terms, " OR ") + ")";
}

}  // namespace

const char* key_sql_type(KeyKind kind) {
  switch (kind) {
    case KeyKind::Int2:
      return "int2";
    case KeyKind::Int4:
      return "int4";
    case KeyKind::Int8:
      return "int8";
    case KeyKind::Numeric:
      return "numeric";
    case KeyKind::Float4:
      return "float4";
    case KeyKind::Float8:
      return "float8";
    case KeyKind::Text:
      return "text";
    case KeyKind::Bool:
      return "bool";
    case KeyKind::Date:
      return "date";
    case KeyKind::Timestamp:
      return "timestamp";
    case KeyKind::Timestamptz:
      return "timestamptz";
  }
  return "text";
}

bool check_key_value(KeyKind kind, const std::string& s) {
  switch (kind) {
    case KeyKind::Int2:
      return integer_in(s, -32768, 32767);
    case KeyKind::Int4:
      return integer_in(s, INT32_MIN, INT32_MAX);
    case KeyKind::Int8:
      return integer_in(s, INT64_MIN, INT64_MAX);
    case KeyKind::Numeric:
      return numeric_text(s);
    case KeyKind::Float4:
      return float_text<float>(s);
    case KeyKind::Float8:
      return float_text<double>(s);
    case KeyKind::Text:
      return s.find('\0') == std::string::npos;  // UTF-8: checked by the parser
    case KeyKind::Bool:
      return s == "t" || s == "f";
    case KeyKind::Date:
    case KeyKind::Timestamp:
    case KeyKind::Timestamptz:
      return temporal_text(kind, s);
  }
  return false;
}

std::string make_token(const std::string& fingerprint, const std::vector<KeyKind>& kinds,
                       const std::vector<std::optional<std::string>>& values) {
  // A value read_token() would refuse (a year at PostgreSQL's very limit)
  // gets no token rather than a token that fails.
  if (values.size() != kinds.size()) return {};
  json k = json::array();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] && !check_key_value(kinds[i], *values[i])) return {};
    k.push_back(values[i] ? json(*values[i]) : json(nullptr));
  }
  const json body = {{"v", kTokenVersion}, {"f", fingerprint}, {"k", k}};
  // A text that is not UTF-8 cannot travel in the token: no token then.
  std::string text;
  try {
    text = body.dump();
  } catch (const json::type_error&) {
    return {};
  }
  return base64url(text);
}

std::vector<std::optional<std::string>> read_token(const std::string& token,
                                                   const std::string& fingerprint,
                                                   const std::vector<KeyKind>& kinds) {
  if (token.size() > kMaxTokenBytes) {
    request_error(sqlstate::kProgramLimitExceeded, "the \"after\" token is too long",
                  "It has " + std::to_string(token.size()) + " bytes; at most " +
                      std::to_string(kMaxTokenBytes) + " are allowed.");
  }
  std::string text;
  // No raw NUL in JSON text (the parser would stop there, ignoring the rest).
  if (!unbase64url(token, text) || text.find('\0') != std::string::npos) {
    bad_token("It is not base64url text of a token.");
  }
  const json body = json::parse(text, nullptr, false);  // no exceptions on user input
  if (body.is_discarded() || !body.is_object()) bad_token("It does not decode to a token.");
  const auto v = body.find("v");
  const auto f = body.find("f");
  const auto k = body.find("k");
  if (v == body.end() || f == body.end() || k == body.end() || body.size() != 3 ||
      *v != kTokenVersion || !f->is_string() || !k->is_array()) {
    bad_token("It does not decode to a token.");
  }
  if (f->get<std::string>() != fingerprint || k->size() != kinds.size()) {
    bad_token("It was made for another request: the dataset, where, refine, exclude, timezone or "
              "order_by differ.");
  }
  std::vector<std::optional<std::string>> values;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const json& x = (*k)[i];
    if (x.is_null()) {
      values.emplace_back();
    } else if (x.is_string() && check_key_value(kinds[i], x.get<std::string>())) {
      values.emplace_back(x.get<std::string>());
    } else {
      bad_token("Sort value " + std::to_string(i + 1) + " is not a " + key_sql_type(kinds[i]) +
                " value.");
    }
  }
  return values;
}

KeysetPlan plan_keyset(const Request& req, const std::vector<SortKey>& order, bool aggregated,
                       Params& params) {
  KeysetPlan plan;
  const bool asked = !req.after.empty();
  auto refuse = [&](const std::string& why, const std::string& hint) {
    if (asked) {
      request_error(sqlstate::kFeatureNotSupported, "this query cannot be continued with \"after\"",
                    why, hint);
    }
    return KeysetPlan{};
  };
  auto column = [&](const std::string& name) -> const KeysetColumn* {
    for (const KeysetColumn& c : req.keyset_columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  if (aggregated) {
    return refuse("Grouped or aggregated results are paged with start.", "");
  }
  if (req.key.empty()) {
    KeysetPlan by_start = refuse("The dataset has no key.",
                                 "Its publisher can declare one with opendata.set_metadata(slug, "
                                 "'{\"key\": [\"id\"]}'); page with start meanwhile.");
    // Pages then go by start, and a sort is not stable: rows with equal
    // order_by values could swap between two pages' statements, one row
    // shown twice and another never.  Every field a token could carry
    // completes the order, in field order; rows equal on all of them are
    // alike to the reader.
    for (const KeysetColumn& c : req.keyset_columns) {
      bool present = false;
      for (const SortKey& o : order) present = present || o.sql == quote_ident(c.name);
      if (!order.empty() && !present) by_start.added.push_back(SortKey{quote_ident(c.name), false});
    }
    return by_start;
  }
  std::vector<Key> keys;
  for (const SortKey& o : order) {
    const KeysetColumn* c = nullptr;
    for (const KeysetColumn& col : req.keyset_columns) {
      if (quote_ident(col.name) == o.sql) c = &col;
    }
    if (c == nullptr) {
      return refuse("An order_by key is an expression, or a field of a type tokens do not carry.",
                    "Order by fields (numbers, texts, booleans, dates) to page with after; "
                    "page with start otherwise.");
    }
    keys.push_back(Key{c, o.descending});
  }
  // The key makes the order total: rows with equal sort values would
  // otherwise come in any order, and a page boundary between them would lose
  // or repeat rows.
  for (const std::string& name : req.key) {
    const KeysetColumn* c = column(name);
    if (c == nullptr) {
      return refuse("The dataset's key field \"" + name + "\" has a type tokens do not carry.", "");
    }
    bool present = false;
    for (const Key& k : keys) present = present || k.column == c;
    if (!present) {
      keys.push_back(Key{c, false});
      plan.added.push_back(SortKey{quote_ident(c->name), false});
    }
  }
  for (const Key& k : keys) plan.kinds.push_back(k.column->kind);
  plan.fingerprint = fingerprint(req, keys);
  if (asked) {
    const auto values = read_token(req.after, plan.fingerprint, plan.kinds);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!values[i] && keys[i].column->not_null) {
        bad_token("Sort value " + std::to_string(i + 1) + " cannot be null.");
      }
    }
    plan.condition = after_condition(keys, values, params);
  }
  return plan;
}

}  // namespace opendata::odsql
