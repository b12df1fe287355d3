#include "core/odsql/schema.hpp"

#include <algorithm>

#include "core/odsql/lexer.hpp"

namespace opendata::odsql {

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string string_literal(const std::string& text) {
  const bool backslash = text.find('\\') != std::string::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::size_t edit_distance(const std::string& a0, const std::string& b0) {
  const std::string a = lower_ascii(a0), b = lower_ascii(b0);
  // Names are short (fields, functions); a long hostile name is cut so the
  // quadratic loop stays cheap.
  const std::size_t n = std::min<std::size_t>(a.size(), 128),
                    m = std::min<std::size_t>(b.size(), 128);
  std::vector<std::size_t> prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_d = 0;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (best == nullptr || d < best_d) best = &c, best_d = d;
  }
  // Allow about one typo per three characters, at least two.
  const std::size_t allowed = std::max<std::size_t>(2, name.size() / 3);
  if (best == nullptr || best_d > allowed) return {};
  return "Did you mean \"" + *best + "\"?";
}

const FieldInfo* Schema::find(const Source& src, std::size_t pos, const std::string& name) const {
  for (const FieldInfo& f : fields_) {
    if (f.name == name) return &f;
  }
  const std::string low = lower_ascii(name);
  const FieldInfo* found = nullptr;
  for (const FieldInfo& f : fields_) {
    if (lower_ascii(f.name) != low) continue;
    if (found != nullptr) {
      source_error(sqlstate::kAmbiguousColumn, src, pos,
                   "field name \"" + excerpt(name) + "\" is ambiguous",
                   "Write the name with its exact case, e.g. \"" + found->name + "\" or \"" +
                       f.name + "\".");
    }
    found = &f;
  }
  return found;
}

const FieldInfo& Schema::resolve(const Source& src, std::size_t pos,
                                 const std::string& name) const {
  const FieldInfo* f = find(src, pos, name);
  if (f == nullptr) {
    source_error(sqlstate::kUndefinedColumn, src, pos, "unknown field \"" + excerpt(name) + "\"",
                 did_you_mean(name, names()));
  }
  return *f;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  out.reserve(fields_.size());
  for (const FieldInfo& f : fields_) out.push_back(f.name);
  return out;
}

bool is_geo(FieldType t) { return t == FieldType::GeoPoint || t == FieldType::GeoShape; }

}  // namespace opendata::odsql
