// Parsing and checking the options of a crossing (see options.hpp).  The
// checks run in a fixed order, so that a request with several mistakes
// always reports the same one first.
#include "core/cross/options.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/error.hpp"

namespace opendata::cross {
namespace {

using nlohmann::json;

// The options opendata.cross() knows, in the order its hint lists them.
const std::vector<std::string> kKnownOptions = {
    "k",         "max_distance_m", "distance_m", "output",    "aggregates",  "border",
    "fields",    "prefix",         "left_key",   "right_key", "normalize",   "tie_break",
    "metadata",  "left_fields",    "left_where", "right_where"};

[[noreturn]] void bad(const std::string& message, std::string hint = {}) {
  throw UserError(sqlstate::kInvalidParameterValue, message, {}, std::move(hint));
}

[[noreturn]] void unknown_field(const std::string& message) {
  throw UserError(sqlstate::kUndefinedColumn, message);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// A JSON value as text, as jsonb's ->> gives it: a string without quotes,
// anything else as JSON.
std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// An option read as text (->>), `fallback` when absent or null.
std::string text_option(const json& options, const char* key, const std::string& fallback) {
  auto it = options.find(key);
  return it == options.end() || it->is_null() ? fallback : text_of(*it);
}

// Unknown keys in jsonb's order of keys (shorter first, then bytewise),
// which is the order the messages have always named them in.
void check_known_keys(const json& options) {
  std::vector<std::string> unknown;
  for (auto it = options.begin(); it != options.end(); ++it)
    if (!contains(kKnownOptions, it.key())) unknown.push_back(it.key());
  if (unknown.empty()) return;
  std::sort(unknown.begin(), unknown.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  bad("unknown crossing option " + join(unknown, ", "),
      "Known options: " + join(kKnownOptions, ", ") + ".");
}

Predicate parse_predicate(const std::string& name) {
  if (name == "nearest") return Predicate::kNearest;
  if (name == "within_distance") return Predicate::kWithinDistance;
  if (name == "contains") return Predicate::kContains;
  if (name == "enrich") return Predicate::kEnrich;
  if (name == "attribute") return Predicate::kAttribute;
  bad("unknown crossing predicate \"" + name + "\"",
      "Predicates: nearest, within_distance, contains, enrich, attribute.");
}

void check_prefix(const std::string& prefix) {
  bool ok = prefix.size() <= kMaxPrefix;
  for (char c : prefix) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok)
    throw UserError(sqlstate::kInvalidParameterValue, "invalid prefix \"" + prefix + "\"",
                    "A prefix is at most 40 lower-case letters, digits and \"_\".");
}

// The names in a list option, as text, in order.
std::vector<std::string> names_of(const json& list) {
  std::vector<std::string> names;
  for (const json& item : list) names.push_back(text_of(item));
  return names;
}

// 42703 naming every field of `names` that the side does not have.
void check_fields(const std::vector<std::string>& names, const char* side,
                  const std::vector<std::string>& available) {
  std::vector<std::string> unknown;
  for (const std::string& f : names)
    if (!contains(available, f)) unknown.push_back(f);
  if (!unknown.empty())
    unknown_field("unknown field " + join(unknown, ", ") + " in the " + side + " dataset");
}

// The fields an option names, each checked against the side's fields; all
// the side's fields when the option is absent.
std::vector<std::string> chosen_fields(const json& options, const char* option, const char* side,
                                       const std::vector<std::string>& available) {
  auto it = options.find(option);
  if (it == options.end()) return available;
  if (!it->is_array())
    bad(std::string("option \"") + option + "\" must be an array of field names");
  const std::vector<std::string> chosen = names_of(*it);
  check_fields(chosen, side, available);
  return chosen;
}

std::int64_t parse_k(const json& options, std::int64_t max_k) {
  auto it = options.find("k");
  if (it == options.end()) return 1;
  const double k = it->is_number() ? it->get<double>() : 0;
  if (!it->is_number() || k < 1 || k > static_cast<double>(max_k) || k != std::floor(k))
    bad("k must be an integer from 1 to " + std::to_string(max_k) + ", not " + it->dump());
  return static_cast<std::int64_t>(k);
}

std::optional<double> parse_metres(const json& options, const char* key) {
  auto it = options.find(key);
  if (it == options.end()) return std::nullopt;
  if (!it->is_number() || !(it->get<double>() > 0) || std::isinf(it->get<double>()))
    bad(std::string(key) + " must be a number of metres greater than 0, not " + it->dump());
  return it->get<double>();
}

// ["sum(ptot)", "max(hauteur)"]: aggregates of right fields, for counts.
std::vector<Aggregate> parse_aggregates(const json& options,
                                        const std::vector<std::string>& right_fields) {
  auto it = options.find("aggregates");
  if (it == options.end()) return {};
  if (!it->is_array()) bad("option \"aggregates\" must be an array such as [\"sum(field)\"]");
  static const std::regex kAggregate(R"(^\s*(sum|avg|min|max|count)\s*\(\s*([^()]+?)\s*\)\s*$)",
                                     std::regex::icase);
  std::vector<Aggregate> out;
  for (const std::string& text : names_of(*it)) {
    std::smatch m;
    if (!std::regex_match(text, m, kAggregate))
      bad("invalid aggregate \"" + text + "\"",
          "Write sum(field), avg(field), min(field), max(field) or count(field).");
    std::string function = m[1].str();
    std::transform(function.begin(), function.end(), function.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string field = m[2].str();
    if (!contains(right_fields, field))
      unknown_field("unknown field \"" + field + "\" in the right dataset");
    out.push_back(Aggregate{function, field});
  }
  return out;
}

// A key of an attribute crossing: a field name, or field names whose
// values are concatenated.
std::vector<std::string> parse_key(const json& spec, const char* side,
                                   const std::vector<std::string>& available) {
  std::vector<std::string> names;
  if (spec.is_string()) names.push_back(spec.get<std::string>());
  if (spec.is_array()) names = names_of(spec);
  if (names.empty()) bad("a key is a field name or an array of field names");
  check_fields(names, side, available);
  return names;
}

Normalize parse_normalize(const json& options) {
  Normalize out;
  auto it = options.find("normalize");
  if (it == options.end()) return out;
  const json& norm = *it;
  bool ok = norm.is_object();
  if (ok)
    for (auto k = norm.begin(); k != norm.end(); ++k)
      ok = ok && (k.key() == "trim" || k.key() == "case" || k.key() == "pad");
  if (!ok)
    bad("option \"normalize\" takes \"trim\" (true/false), \"case\" (\"upper\"/\"lower\") and "
        "\"pad\" (a width)");
  if (norm.contains("case")) {
    out.letter_case = text_of(norm["case"]);
    if (out.letter_case != "upper" && out.letter_case != "lower")
      bad("normalize \"case\" must be \"upper\" or \"lower\"");
  }
  if (norm.contains("pad")) {
    const json& pad = norm["pad"];
    if (!pad.is_number() || pad.get<double>() < 1 || pad.get<double>() > kMaxPad)
      bad("normalize \"pad\" must be a width from 1 to 100");
    out.pad = std::llround(pad.get<double>());
  }
  if (norm.contains("trim") && !norm["trim"].is_null()) {
    const std::string trim = text_of(norm["trim"]);
    if (trim != "true" && trim != "false") bad("normalize \"trim\" must be true or false");
    out.trim = trim == "true";
  }
  return out;
}

// Option tie_break: a right field, or an array of right fields; `fallback`
// when absent or null.  An empty string names no field.
std::vector<std::string> parse_tie_break(const json& options, const Request& req,
                                         std::vector<std::string> fallback) {
  auto it = options.find("tie_break");
  if (it == options.end() || it->is_null()) return fallback;
  std::vector<std::string> names;
  if (it->is_array()) {
    names = names_of(*it);
  } else if (!it->is_string() || !it->get<std::string>().empty()) {
    names.push_back(text_of(*it));
  }
  for (const std::string& f : names)
    if (!contains(req.right.fields, f))
      unknown_field("unknown field \"" + f + "\" in the right dataset");
  return names;
}

// The checks and defaults of each predicate.
void parse_predicate_options(const json& options, const Request& req, Options& out) {
  switch (out.predicate) {
    case Predicate::kNearest:
      if (out.distance_m) bad("nearest takes max_distance_m, not distance_m");
      out.tie_break = parse_tie_break(options, req, {});
      break;
    case Predicate::kWithinDistance:
      if (!out.distance_m) bad("within_distance needs distance_m");
      break;
    case Predicate::kContains:
      out.border = text_option(options, "border", "covers");
      if (out.border != "covers" && out.border != "interior")
        bad("border rule of contains must be \"covers\" or \"interior\", not \"" + out.border +
            "\"");
      break;
    case Predicate::kEnrich: {
      out.border = text_option(options, "border", "first");
      if (out.border != "first" && out.border != "interior")
        bad("border rule of enrich must be \"first\" or \"interior\", not \"" + out.border + "\"");
      std::vector<std::string> first;
      if (!out.right_fields.empty()) first.push_back(out.right_fields.front());
      if (first.empty() && !req.right.fields.empty()) first.push_back(req.right.fields.front());
      out.tie_break = parse_tie_break(options, req, first);
      break;
    }
    case Predicate::kAttribute:
      if (!options.contains("left_key") || !options.contains("right_key"))
        bad("attribute crossings need left_key and right_key",
            "A key is a field name, or an array of field names concatenated: [\"coddep\", "
            "\"codcom\"].");
      out.normalize = parse_normalize(options);
      out.left_key = parse_key(options["left_key"], "left", req.left.fields);
      out.right_key = parse_key(options["right_key"], "right", req.right.fields);
      break;
  }
}

}  // namespace

Options parse_options(const Request& req) {
  const json options = json::parse(req.options_json, nullptr, false);
  if (!options.is_object()) bad("options must be a JSON object");
  check_known_keys(options);
  Options out;
  out.predicate = parse_predicate(req.predicate);
  if (out.predicate != Predicate::kAttribute) {
    const std::string which = " dataset has no geometry, which predicate \"" + req.predicate +
                              "\" needs";
    if (req.left.geometry.empty()) bad("the left" + which);
    if (req.right.geometry.empty()) bad("the right" + which);
  }
  out.prefix = text_option(options, "prefix", "right_");
  check_prefix(out.prefix);
  out.left_fields = chosen_fields(options, "left_fields", "left", req.left.fields);
  out.right_fields = chosen_fields(options, "fields", "right", req.right.fields);
  out.k = parse_k(options, req.max_k);
  out.distance_m = parse_metres(options, "distance_m");
  out.max_distance_m = parse_metres(options, "max_distance_m");
  const std::string output = text_option(
      options, "output", out.predicate == Predicate::kContains ? "count" : "rows");
  if (output != "rows" && output != "count")
    bad("option \"output\" must be \"rows\" or \"count\", not \"" + output + "\"");
  out.output = output == "count" ? Output::kCount : Output::kRows;
  out.aggregates = parse_aggregates(options, req.right.fields);
  parse_predicate_options(options, req, out);
  return out;
}

}  // namespace opendata::cross
