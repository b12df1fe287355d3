// A small RDF model: terms, a triple graph without duplicates, and three
// serialisations of it (Turtle, RDF/XML, JSON-LD).  The same graph gives
// the same triples in every format: literals and IRIs are normalised once,
// when they enter the graph, so no writer has to drop or alter anything.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace opendata::catalog {

struct Term {
  enum class Kind { Iri, Blank, Literal };
  Kind kind = Kind::Iri;
  std::string value;     // the IRI, the blank node label (without "_:"), or the lexical form
  std::string datatype;  // literals: datatype IRI, empty for xsd:string / language-tagged
  std::string lang;      // literals: language tag, or empty

  bool operator==(const Term& o) const {
    return kind == o.kind && value == o.value && datatype == o.datatype && lang == o.lang;
  }
};

struct Triple {
  Term subject;
  std::string predicate;  // always an IRI
  Term object;
};

// An absolute IRI fit for every serialisation: it has a scheme, and the
// characters Turtle and N-Triples forbid in IRIs (spaces, controls,
// <>"{}|\^`) and invalid UTF-8 bytes are percent-encoded.  nullopt when
// the text has no scheme (it is not an absolute IRI).
std::optional<std::string> normalise_iri(std::string_view text);

// The text of a literal as every format can carry it: invalid UTF-8
// sequences become U+FFFD; characters XML 1.0 cannot hold (C0 controls
// other than tab, newline and carriage return; U+FFFE, U+FFFF) are removed.
std::string clean_literal(std::string_view text);

// A language tag as BCP 47 spells it (letters, then -subtags), or empty.
bool valid_language_tag(std::string_view tag);

// Term constructors.  iri() throws std::invalid_argument for a text that is
// not an absolute IRI.
Term iri(std::string_view text);
Term blank(std::string label);
Term literal(std::string_view text, std::string_view lang = {});
Term typed_literal(std::string_view text, std::string_view datatype_iri);

class Graph {
 public:
  // Adds a triple unless it is already there.  Returns whether it was added.
  bool add(const Term& subject, std::string_view predicate, const Term& object);
  // A fresh blank node.
  Term new_blank();
  const std::vector<Triple>& triples() const { return triples_; }
  std::size_t size() const { return triples_.size(); }

 private:
  std::vector<Triple> triples_;
  std::unordered_set<std::string> keys_;
  int next_blank_ = 0;
};

struct Prefix {
  const char* name;
  const char* ns;
};
// The prefixes the writers use, in declaration order.
const std::vector<Prefix>& prefixes();

std::string to_turtle(const Graph& g);
std::string to_rdfxml(const Graph& g);
std::string to_jsonld(const Graph& g);

}  // namespace opendata::catalog
