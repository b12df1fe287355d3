// Fuzz target for the reader of tsquery text of the in-memory search index
// (src/core/catalog/search_index.hpp): any text is either refused or read
// as an AND of ORs of non-empty terms, never a crash; and what it reads,
// matched against a small index, never reads outside it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/catalog/search_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const opendata::catalog::SearchIndex* index = [] {
    auto* built = new opendata::catalog::SearchIndex();
    for (const char* lexeme : {"a", "ab", "abc", "b", "l'eau"}) {
      opendata::catalog::SearchDocumentInput d;
      d.slug = lexeme;
      d.lexemes = {lexeme, "z"};
      built->add(d);
    }
    built->finish();
    return built;
  }();
  const std::optional<opendata::catalog::SearchQuery> query = opendata::catalog::parse_search_query(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!query) return 0;
  if (query->empty()) __builtin_trap();
  for (const auto& group : *query) {
    if (group.empty()) __builtin_trap();
    for (const auto& term : group)
      if (term.lexeme.empty()) __builtin_trap();
  }
  for (auto id : index->match(query))
    if (id >= index->size()) __builtin_trap();
  return 0;
}
