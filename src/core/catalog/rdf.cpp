#include "core/catalog/rdf.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/interrupt.hpp"

namespace opendata::catalog {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length and code point,
// or 0 when ill-formed (then one byte is consumed as U+FFFD by callers).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len;
  char32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (left < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

const char kHex[] = "0123456789ABCDEF";

void percent_encode(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An XML NCName / Turtle PN_LOCAL, kept to the ASCII subset both accept.
bool simple_local_name(std::string_view s) {
  if (s.empty() || !(is_alpha(s[0]) || s[0] == '_')) return false;
  for (char c : s)
    if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '-')) return false;
  return true;
}

const std::string kRdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const std::string kXsdString = "http://www.w3.org/2001/XMLSchema#string";

// Splits an IRI into a known prefix and a local name when possible.
bool compact(const std::string& iri, std::string& prefix, std::string& local) {
  for (const Prefix& p : prefixes()) {
    std::string_view ns(p.ns);
    if (iri.size() > ns.size() && iri.compare(0, ns.size(), ns) == 0) {
      std::string_view rest = std::string_view(iri).substr(ns.size());
      if (simple_local_name(rest)) {
        prefix = p.name;
        local = std::string(rest);
        return true;
      }
    }
  }
  return false;
}

// Subjects in order of first appearance, with their triples in order.
std::vector<std::pair<const Term*, std::vector<const Triple*>>> by_subject(const Graph& g) {
  std::vector<std::pair<const Term*, std::vector<const Triple*>>> out;
  std::map<std::string, std::size_t> index;
  InterruptTicker ticker(4096);
  for (const Triple& t : g.triples()) {
    ticker.tick();
    std::string key = (t.subject.kind == Term::Kind::Blank ? "_:" : "<") + t.subject.value;
    auto it = index.find(key);
    if (it == index.end()) {
      index.emplace(key, out.size());
      out.push_back({&t.subject, {&t}});
    } else {
      out[it->second].second.push_back(&t);
    }
  }
  return out;
}

// ---- Turtle ----------------------------------------------------------------

void turtle_iri(std::string& out, const std::string& iri) {
  std::string prefix, local;
  if (iri == kRdfType) {
    out += 'a';
  } else if (compact(iri, prefix, local)) {
    out += prefix + ':' + local;
  } else {
    out += '<' + iri + '>';
  }
}

void turtle_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

void turtle_term(std::string& out, const Term& t) {
  switch (t.kind) {
    case Term::Kind::Iri: {
      std::string prefix, local;
      if (compact(t.value, prefix, local))
        out += prefix + ':' + local;
      else
        out += '<' + t.value + '>';
      break;
    }
    case Term::Kind::Blank:
      out += "_:" + t.value;
      break;
    case Term::Kind::Literal:
      turtle_string(out, t.value);
      if (!t.lang.empty()) {
        out += '@' + t.lang;
      } else if (!t.datatype.empty()) {
        out += "^^";
        std::string prefix, local;
        if (compact(t.datatype, prefix, local))
          out += prefix + ':' + local;
        else
          out += '<' + t.datatype + '>';
      }
      break;
  }
}

// ---- RDF/XML ---------------------------------------------------------------

void xml_escape(std::string& out, const std::string& s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out += c;
    }
  }
}

struct QName {
  std::string prefix;
  std::string local;
};

}  // namespace

std::optional<std::string> normalise_iri(std::string_view text) {
  // scheme ":" with scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(text[0])) return std::nullopt;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return std::nullopt;
  }
  if (colon + 1 == text.size()) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' ||
          c == '|' || c == '\\' || c == '^' || c == '`')
        percent_encode(out, c);
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    char32_t cp;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {
      percent_encode(out, c);
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string clean_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    bool allowed =
        cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp != 0xFFFE && cp != 0xFFFF);
    if (allowed) out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

bool valid_language_tag(std::string_view tag) {
  if (tag.empty()) return false;
  std::size_t i = 0;
  std::size_t n = 0;
  while (i < tag.size() && is_alpha(tag[i])) ++i, ++n;
  if (n == 0 || n > 8) return false;
  while (i < tag.size()) {
    if (tag[i] != '-') return false;
    ++i;
    n = 0;
    while (i < tag.size() && (is_alpha(tag[i]) || is_digit(tag[i]))) ++i, ++n;
    if (n == 0 || n > 8) return false;
  }
  return true;
}

Term iri(std::string_view text) {
  std::optional<std::string> v = normalise_iri(text);
  if (!v) throw std::invalid_argument("not an absolute IRI: " + clean_literal(text));
  Term t;
  t.kind = Term::Kind::Iri;
  t.value = std::move(*v);
  return t;
}

Term blank(std::string label) {
  Term t;
  t.kind = Term::Kind::Blank;
  t.value = std::move(label);
  return t;
}

Term literal(std::string_view text, std::string_view lang) {
  Term t;
  t.kind = Term::Kind::Literal;
  t.value = clean_literal(text);
  if (valid_language_tag(lang)) t.lang = std::string(lang);
  return t;
}

Term typed_literal(std::string_view text, std::string_view datatype_iri) {
  Term t;
  t.kind = Term::Kind::Literal;
  t.value = clean_literal(text);
  if (datatype_iri != kXsdString) t.datatype = iri(datatype_iri).value;
  return t;
}

bool Graph::add(const Term& subject, std::string_view predicate, const Term& object) {
  if (subject.kind == Term::Kind::Literal)
    throw std::invalid_argument("a literal cannot be a subject");
  std::string key;
  auto put = [&key](const Term& t) {
    key += static_cast<char>('0' + static_cast<int>(t.kind));
    key += t.value;
    key += '\x1f';
    key += t.datatype;
    key += '\x1f';
    key += t.lang;
    key += '\x1e';
  };
  put(subject);
  key += predicate;
  key += '\x1e';
  put(object);
  if (!keys_.insert(key).second) return false;
  triples_.push_back(Triple{subject, std::string(predicate), object});
  return true;
}

Term Graph::new_blank() { return blank("b" + std::to_string(next_blank_++)); }

const std::vector<Prefix>& prefixes() {
  static const std::vector<Prefix> kPrefixes = {
      {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
      {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
      {"dcat", "http://www.w3.org/ns/dcat#"},
      {"dct", "http://purl.org/dc/terms/"},
      {"dcatap", "http://data.europa.eu/r5r/"},
      {"foaf", "http://xmlns.com/foaf/0.1/"},
      {"vcard", "http://www.w3.org/2006/vcard/ns#"},
      {"skos", "http://www.w3.org/2004/02/skos/core#"},
      {"prov", "http://www.w3.org/ns/prov#"},
      {"adms", "http://www.w3.org/ns/adms#"},
      {"owl", "http://www.w3.org/2002/07/owl#"},
      {"locn", "http://www.w3.org/ns/locn#"},
      {"gsp", "http://www.opengis.net/ont/geosparql#"},
      {"hydra", "http://www.w3.org/ns/hydra/core#"},
  };
  return kPrefixes;
}

std::string to_turtle(const Graph& g) {
  std::string out;
  for (const Prefix& p : prefixes())
    out += std::string("@prefix ") + p.name + ": <" + p.ns + "> .\n";
  InterruptTicker ticker(4096);
  for (const auto& [subject, triples] : by_subject(g)) {
    ticker.tick(triples.size() + 1);
    out += '\n';
    turtle_term(out, *subject);
    // Objects of the same predicate are grouped, in order of appearance.
    std::vector<std::string> preds;
    std::map<std::string, std::vector<const Term*>> objects;
    for (const Triple* t : triples) {
      auto& list = objects[t->predicate];
      if (list.empty()) preds.push_back(t->predicate);
      list.push_back(&t->object);
    }
    for (std::size_t i = 0; i < preds.size(); ++i) {
      out += i == 0 ? " " : " ;\n    ";
      turtle_iri(out, preds[i]);
      const auto& list = objects[preds[i]];
      for (std::size_t k = 0; k < list.size(); ++k) {
        out += k == 0 ? " " : ", ";
        turtle_term(out, *list[k]);
      }
    }
    out += " .\n";
  }
  return out;
}

std::string to_rdfxml(const Graph& g) {
  // Every predicate needs a QName: known prefixes first, then namespaces
  // declared on the fly (split after the last '#' or '/').
  std::map<std::string, QName> qnames;
  std::vector<std::pair<std::string, std::string>> extra;  // prefix, namespace
  InterruptTicker qticker(4096);
  for (const Triple& t : g.triples()) {
    qticker.tick();
    if (qnames.count(t.predicate)) continue;
    QName q;
    if (!compact(t.predicate, q.prefix, q.local)) {
      std::size_t cut = t.predicate.find_last_of("#/");
      std::string ns = cut == std::string::npos ? std::string() : t.predicate.substr(0, cut + 1);
      std::string local = cut == std::string::npos ? std::string() : t.predicate.substr(cut + 1);
      if (!simple_local_name(local))
        throw std::invalid_argument("predicate cannot be written in RDF/XML: " + t.predicate);
      std::string prefix;
      for (const auto& [p, n] : extra)
        if (n == ns) prefix = p;
      if (prefix.empty()) {
        prefix = "ns" + std::to_string(extra.size() + 1);
        extra.emplace_back(prefix, ns);
      }
      q.prefix = prefix;
      q.local = local;
    }
    qnames.emplace(t.predicate, q);
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF";
  for (const Prefix& p : prefixes()) {
    out += std::string("\n    xmlns:") + p.name + "=\"";
    xml_escape(out, p.ns, true);
    out += '"';
  }
  for (const auto& [p, ns] : extra) {
    out += "\n    xmlns:" + p + "=\"";
    xml_escape(out, ns, true);
    out += '"';
  }
  out += ">\n";
  InterruptTicker ticker(4096);
  for (const auto& [subject, triples] : by_subject(g)) {
    ticker.tick(triples.size() + 1);
    if (subject->kind == Term::Kind::Blank) {
      out += "  <rdf:Description rdf:nodeID=\"" + subject->value + "\">\n";
    } else {
      out += "  <rdf:Description rdf:about=\"";
      xml_escape(out, subject->value, true);
      out += "\">\n";
    }
    for (const Triple* t : triples) {
      const QName& q = qnames.at(t->predicate);
      std::string name = q.prefix + ':' + q.local;
      out += "    <" + name;
      const Term& o = t->object;
      switch (o.kind) {
        case Term::Kind::Iri:
          out += " rdf:resource=\"";
          xml_escape(out, o.value, true);
          out += "\"/>\n";
          break;
        case Term::Kind::Blank:
          out += " rdf:nodeID=\"" + o.value + "\"/>\n";
          break;
        case Term::Kind::Literal:
          if (!o.lang.empty()) {
            out += " xml:lang=\"" + o.lang + "\"";
          } else if (!o.datatype.empty()) {
            out += " rdf:datatype=\"";
            xml_escape(out, o.datatype, true);
            out += "\"";
          }
          out += '>';
          xml_escape(out, o.value, false);
          out += "</" + name + ">\n";
          break;
      }
    }
    out += "  </rdf:Description>\n";
  }
  out += "</rdf:RDF>\n";
  return out;
}

std::string to_jsonld(const Graph& g) {
  using nlohmann::ordered_json;
  ordered_json context = ordered_json::object();
  for (const Prefix& p : prefixes()) context[p.name] = p.ns;
  auto compact_or_full = [](const std::string& iri) {
    std::string prefix, local;
    return compact(iri, prefix, local) ? prefix + ':' + local : iri;
  };
  ordered_json graph = ordered_json::array();
  InterruptTicker ticker(4096);
  for (const auto& [subject, triples] : by_subject(g)) {
    ticker.tick(triples.size() + 1);
    ordered_json node = ordered_json::object();
    node["@id"] = subject->kind == Term::Kind::Blank ? "_:" + subject->value : subject->value;
    for (const Triple* t : triples) {
      const Term& o = t->object;
      if (t->predicate == kRdfType && o.kind == Term::Kind::Iri) {
        node["@type"].push_back(compact_or_full(o.value));
        continue;
      }
      ordered_json value = ordered_json::object();
      switch (o.kind) {
        case Term::Kind::Iri:
          value["@id"] = o.value;
          break;
        case Term::Kind::Blank:
          value["@id"] = "_:" + o.value;
          break;
        case Term::Kind::Literal:
          value["@value"] = o.value;
          if (!o.lang.empty())
            value["@language"] = o.lang;
          else if (!o.datatype.empty())
            value["@type"] = compact_or_full(o.datatype);
          break;
      }
      node[compact_or_full(t->predicate)].push_back(std::move(value));
    }
    graph.push_back(std::move(node));
  }
  ordered_json doc = ordered_json::object();
  doc["@context"] = std::move(context);
  doc["@graph"] = std::move(graph);
  return doc.dump(1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace opendata::catalog
