// Field lookup for a dataset: case-insensitive names, "did you mean" hints
// and SQL identifier quoting.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "core/odsql/errors.hpp"

namespace opendata::odsql {

// "name" with embedded double quotes doubled: safe for any text.
std::string quote_ident(const std::string& name);

// 'text' with embedded single quotes doubled, as PostgreSQL's quote_literal()
// writes it: E'...' with backslashes doubled when the text has one, so it
// reads back the same whatever standard_conforming_strings says.
std::string string_literal(const std::string& text);

// Levenshtein distance on ASCII-lower-cased strings.
std::size_t edit_distance(const std::string& a, const std::string& b);

// `Did you mean "x"?` for the closest candidate, or "" when none is close.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

class Schema {
 public:
  explicit Schema(const std::vector<FieldInfo>& fields) : fields_(fields) {}

  // Exact match first, then a unique case-insensitive match; null if none.
  // Two fields differing only by case and matching neither exactly: 42702.
  const FieldInfo* find(const Source& src, std::size_t pos, const std::string& name) const;

  // Like find() but throws 42703 `unknown field "x"` with a hint.
  const FieldInfo& resolve(const Source& src, std::size_t pos, const std::string& name) const;

  const std::vector<FieldInfo>& fields() const { return fields_; }
  std::vector<std::string> names() const;

 private:
  const std::vector<FieldInfo>& fields_;
};

bool is_geo(FieldType t);

}  // namespace opendata::odsql
