#include "core/catalog/dcat.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace opendata::catalog {
namespace {

using nlohmann::json;

namespace ns {
const std::string rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const std::string rdfs = "http://www.w3.org/2000/01/rdf-schema#";
const std::string xsd = "http://www.w3.org/2001/XMLSchema#";
const std::string dcat = "http://www.w3.org/ns/dcat#";
const std::string dct = "http://purl.org/dc/terms/";
const std::string dcatap = "http://data.europa.eu/r5r/";
const std::string foaf = "http://xmlns.com/foaf/0.1/";
const std::string vcard = "http://www.w3.org/2006/vcard/ns#";
const std::string skos = "http://www.w3.org/2004/02/skos/core#";
const std::string prov = "http://www.w3.org/ns/prov#";
const std::string owl = "http://www.w3.org/2002/07/owl#";
const std::string gsp = "http://www.opengis.net/ont/geosparql#";
const std::string hydra = "http://www.w3.org/ns/hydra/core#";
const std::string eu = "http://publications.europa.eu/resource/authority/";
const std::string iana = "https://www.iana.org/assignments/media-types/";
const std::string adms_licence = "http://purl.org/adms/licencetype/";
const std::string adms_publisher = "http://purl.org/adms/publishertype/";
}  // namespace ns

const std::string kType = ns::rdf + "type";

[[noreturn]] void bad_document(const std::string& what) {
  throw UserError(sqlstate::kInvalidParameterValue, "invalid catalog document: " + what);
}

// A non-empty string member, or nullopt.
std::optional<std::string> str(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  std::string s = it->get<std::string>();
  if (s.empty()) return std::nullopt;
  return s;
}

const json& member(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
  } else if (j.is_array()) {
    InterruptTicker ticker(4096);
    for (const json& e : j) {
      ticker.tick();  // each becomes a triple: keywords have no count limit
      if (e.is_string() && !e.get_ref<const std::string&>().empty())
        out.push_back(e.get<std::string>());
    }
  }
  return out;
}

std::optional<Term> maybe_iri(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  std::optional<std::string> v = normalise_iri(*s);
  if (!v) return std::nullopt;
  return iri(*v);
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Codes of EU vocabularies are upper-case letters, digits and '_'.
bool vocabulary_code(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

// "2024-05-01T10:00:00Z" is an xsd:dateTime; "2024-05-01" an xsd:date.
Term date_literal(const std::string& s) {
  bool date_only = s.size() == 10 && s[4] == '-' && s[7] == '-';
  return typed_literal(s, ns::xsd + (date_only ? "date" : "dateTime"));
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

class Builder {
 public:
  explicit Builder(const json& doc) : doc_(doc) {
    lang_ = str(member(doc, "catalog"), "language").value_or("");
    if (!valid_language_tag(lang_)) lang_.clear();
  }

  Graph build() {
    const json& cat = member(doc_, "catalog");
    if (!cat.is_object()) bad_document("\"catalog\" must be an object");
    const json& datasets = member(doc_, "datasets");
    if (!datasets.is_null() && !datasets.is_array()) bad_document("\"datasets\" must be an array");

    Term c = required_iri(cat, "iri", "catalog");
    g_.add(c, kType, iri(ns::dcat + "Catalog"));
    text(c, "dct:title", str(cat, "title").value_or("Open data catalog"));
    text(c, "dct:description",
         str(cat, "description").value_or(str(cat, "title").value_or("Open data catalog")));
    if (auto home = maybe_iri(str(cat, "homepage"))) {
      g_.add(c, ns::foaf + "homepage", *home);
      g_.add(*home, kType, iri(ns::foaf + "Document"));
    }
    if (const json& pub = member(cat, "publisher"); pub.is_object())
      g_.add(c, ns::dct + "publisher", agent(pub));
    for (const std::string& l : strings(member(cat, "language"))) language(c, l);
    if (const json& lic = member(cat, "license"); lic.is_object()) license(c, lic);
    if (auto v = str(cat, "issued")) g_.add(c, ns::dct + "issued", date_literal(*v));
    if (auto v = str(cat, "modified")) g_.add(c, ns::dct + "modified", date_literal(*v));
    if (const json& sp = member(cat, "spatial"); sp.is_object()) spatial(c, sp);
    Term themes = iri(ns::eu + "data-theme");
    g_.add(c, ns::dcat + "themeTaxonomy", themes);
    scheme(themes, "Data theme");

    if (datasets.is_array())
      for (const json& d : datasets) {
        check_interrupts();  // a dataset is dozens of triples
        g_.add(c, ns::dcat + "dataset", dataset(d));
      }

    if (const json& page = member(doc_, "page"); page.is_object()) paging(c, page);
    return std::move(g_);
  }

 private:
  const json& doc_;
  Graph g_;
  InterruptTicker ticker_{4096};
  std::string lang_;

  static std::string expand(const std::string& curie) {
    static const std::map<std::string, std::string> kNs = {
        {"dct", ns::dct},   {"dcat", ns::dcat}, {"foaf", ns::foaf}, {"vcard", ns::vcard},
        {"skos", ns::skos}, {"rdfs", ns::rdfs}, {"owl", ns::owl},   {"hydra", ns::hydra}};
    std::size_t colon = curie.find(':');
    return kNs.at(curie.substr(0, colon)) + curie.substr(colon + 1);
  }

  void text(const Term& s, const std::string& curie, const std::string& value) {
    g_.add(s, expand(curie), literal(value, lang_));
  }

  Term required_iri(const json& j, const char* key, const char* what) {
    auto v = str(j, key);
    if (!v) bad_document(std::string(what) + " has no \"" + key + "\"");
    auto t = maybe_iri(v);
    if (!t)
      bad_document(std::string(what) + " \"" + key +
                   "\" is not an absolute IRI: " + clean_literal(*v));
    return *t;
  }

  // A concept scheme of an EU (or ADMS) vocabulary: typed and titled, as
  // the shapes want of every skos:ConceptScheme.
  void scheme(const Term& s, const std::string& title) {
    g_.add(s, kType, iri(ns::skos + "ConceptScheme"));
    g_.add(s, ns::dct + "title", literal(title, "en"));
  }

  // A concept of a vocabulary: typed skos:Concept (plus `cls`), labelled,
  // and placed in its scheme, which is what range.ttl and
  // mdr-vocabularies.shape.ttl check without fetching the vocabulary.
  Term concept_term(const std::string& scheme_iri, const std::string& scheme_title,
                    const std::string& code, const std::string& label,
                    const std::string& label_lang, const std::string& cls = {}) {
    Term t = iri(scheme_iri + "/" + code);
    g_.add(t, kType, iri(ns::skos + "Concept"));
    if (!cls.empty()) g_.add(t, kType, iri(cls));
    g_.add(t, ns::skos + "prefLabel", literal(label, label_lang));
    Term sch = iri(scheme_iri);
    g_.add(t, ns::skos + "inScheme", sch);
    scheme(sch, scheme_title);
    return t;
  }

  void language(const Term& s, const std::string& code) {
    auto eu = eu_language_code(code);
    if (!eu) return;
    Term t = concept_term(ns::eu + "language", "Languages", *eu, *eu, "en",
                          ns::dct + "LinguisticSystem");
    g_.add(s, ns::dct + "language", t);
  }

  Term agent(const json& a) {
    Term t = required_iri(a, "iri", "publisher");
    g_.add(t, kType, iri(ns::foaf + "Agent"));
    g_.add(t, kType, iri(ns::foaf + "Organization"));
    g_.add(t, ns::foaf + "name", literal(str(a, "name").value_or(t.value), lang_));
    if (auto home = maybe_iri(str(a, "homepage"))) g_.add(t, ns::foaf + "homepage", *home);
    if (auto email = str(a, "email")) {
      if (auto m = maybe_iri("mailto:" + *email)) g_.add(t, ns::foaf + "mbox", *m);
    }
    // dct:type: an ADMS publisher type (LocalAuthority, NationalAuthority...).
    if (auto type = str(a, "type")) {
      std::string code = *type;
      if (code.rfind(ns::adms_publisher, 0) == 0) code = code.substr(ns::adms_publisher.size());
      if (vocabulary_code(code)) {
        Term ty = iri(ns::adms_publisher + code);
        g_.add(ty, kType, iri(ns::skos + "Concept"));
        g_.add(ty, ns::skos + "prefLabel", literal(code, "en"));
        Term sch = iri(ns::adms_publisher + "1.0");
        g_.add(ty, ns::skos + "inScheme", sch);
        scheme(sch, "Publisher Type");
        g_.add(t, ns::dct + "type", ty);
      }
    }
    return t;
  }

  // dct:license: the licence document, with its ADMS licence type(s).
  void license(const Term& s, const json& lic) {
    auto t = maybe_iri(str(lic, "iri"));
    if (!t) return;
    g_.add(s, ns::dct + "license", *t);
    g_.add(*t, kType, iri(ns::dct + "LicenseDocument"));
    if (auto title = str(lic, "title")) g_.add(*t, ns::dct + "title", literal(*title));
    for (const std::string& code : licence_types(str(lic, "id").value_or(""))) {
      Term ty = iri(ns::adms_licence + code);
      g_.add(ty, kType, iri(ns::skos + "Concept"));
      g_.add(ty, ns::skos + "prefLabel", literal(code, "en"));
      Term sch = iri(ns::adms_licence + "1.0");
      g_.add(ty, ns::skos + "inScheme", sch);
      scheme(sch, "Licence Type");
      g_.add(*t, ns::dct + "type", ty);
    }
  }

  static std::vector<std::string> licence_types(const std::string& id) {
    std::string l = lower(id);
    if (l == "cc0-1.0" || l == "pddl-1.0") return {"PublicDomain"};
    if (l.rfind("cc-by-sa", 0) == 0 || l.rfind("odbl", 0) == 0)
      return {"Attribution", "ShareAlike"};
    if (l.rfind("cc-by", 0) == 0 || l.rfind("etalab", 0) == 0 || l.rfind("lo-", 0) == 0 ||
        l.rfind("odc-by", 0) == 0)
      return {"Attribution"};
    return {};
  }

  void spatial(const Term& s, const json& sp) {
    auto label = str(sp, "label");
    auto uri = maybe_iri(str(sp, "uri"));
    const json& bbox = member(sp, "bbox");
    bool has_bbox =
        bbox.is_array() && bbox.size() == 4 &&
        std::all_of(bbox.begin(), bbox.end(), [](const json& v) { return v.is_number(); });
    if (!label && !uri && !has_bbox) return;
    Term loc = uri ? *uri : g_.new_blank();
    g_.add(s, ns::dct + "spatial", loc);
    g_.add(loc, kType, iri(ns::dct + "Location"));
    if (label) g_.add(loc, ns::skos + "prefLabel", literal(*label, lang_));
    if (has_bbox) {
      double w = bbox[0].get<double>(), so = bbox[1].get<double>(), e = bbox[2].get<double>(),
             n = bbox[3].get<double>();
      std::string W = format_number(w), S = format_number(so), E = format_number(e),
                  N = format_number(n);
      std::string polygon = "POLYGON((" + W + " " + S + ", " + E + " " + S + ", " + E + " " + N +
                            ", " + W + " " + N + ", " + W + " " + S + "))";
      g_.add(loc, ns::dcat + "bbox", typed_literal(polygon, ns::gsp + "wktLiteral"));
      std::string centroid =
          "POINT(" + format_number((w + e) / 2) + " " + format_number((so + n) / 2) + ")";
      g_.add(loc, ns::dcat + "centroid", typed_literal(centroid, ns::gsp + "wktLiteral"));
    }
  }

  void temporal(const Term& s, const json& t) {
    auto start = str(t, "start");
    auto end = str(t, "end");
    if (!start && !end) return;
    Term p = g_.new_blank();
    g_.add(s, ns::dct + "temporal", p);
    g_.add(p, kType, iri(ns::dct + "PeriodOfTime"));
    if (start) g_.add(p, ns::dcat + "startDate", date_literal(*start));
    if (end) g_.add(p, ns::dcat + "endDate", date_literal(*end));
  }

  void contact(const Term& s, const json& c) {
    auto name = str(c, "name");
    auto email = str(c, "email");
    auto url = maybe_iri(str(c, "url"));
    if (!name && !email && !url) return;
    Term k = g_.new_blank();
    g_.add(s, ns::dcat + "contactPoint", k);
    g_.add(k, kType, iri(ns::vcard + "Kind"));
    g_.add(k, kType, iri(ns::vcard + "Organization"));
    g_.add(k, ns::vcard + "fn", literal(name.value_or(email.value_or(url ? url->value : ""))));
    if (email)
      if (auto m = maybe_iri("mailto:" + *email)) g_.add(k, ns::vcard + "hasEmail", *m);
    if (url) g_.add(k, ns::vcard + "hasURL", *url);
  }

  Term dataset(const json& d) {
    if (!d.is_object()) bad_document("every dataset must be an object");
    Term t = required_iri(d, "iri", "dataset");
    g_.add(t, kType, iri(ns::dcat + "Dataset"));
    auto id = str(d, "identifier");
    text(t, "dct:title", str(d, "title").value_or(id.value_or(t.value)));
    text(t, "dct:description",
         str(d, "description").value_or(str(d, "title").value_or(id.value_or(t.value))));
    if (id) g_.add(t, ns::dct + "identifier", literal(*id));
    for (const json& th : member(d, "themes")) {
      ticker_.tick();
      auto code =
          th.is_string() ? std::optional<std::string>(th.get<std::string>()) : str(th, "code");
      if (!code || !vocabulary_code(upper(*code))) continue;
      std::string c = upper(*code);
      Term concept = iri(ns::eu + "data-theme/" + c);
      g_.add(concept, kType, iri(ns::skos + "Concept"));
      g_.add(concept, ns::skos + "prefLabel", literal(str(th, "label_en").value_or(c), "en"));
      if (auto fr = str(th, "label_fr"))
        g_.add(concept, ns::skos + "prefLabel", literal(*fr, "fr"));
      g_.add(concept, ns::skos + "inScheme", iri(ns::eu + "data-theme"));
      g_.add(t, ns::dcat + "theme", concept);
    }
    for (const std::string& k : strings(member(d, "keywords")))
      g_.add(t, ns::dcat + "keyword", literal(k, lang_));
    if (const json& pub = member(d, "publisher"); pub.is_object())
      g_.add(t, ns::dct + "publisher", agent(pub));
    if (const json& c = member(d, "contact_point"); c.is_object()) contact(t, c);
    if (auto lp = maybe_iri(str(d, "landing_page"))) {
      g_.add(t, ns::dcat + "landingPage", *lp);
      g_.add(*lp, kType, iri(ns::foaf + "Document"));
    }
    for (const std::string& l : strings(member(d, "language"))) language(t, l);
    if (const json& sp = member(d, "spatial"); sp.is_object()) spatial(t, sp);
    if (const json& tm = member(d, "temporal"); tm.is_object()) temporal(t, tm);
    if (auto f = str(d, "accrual_periodicity"); f && vocabulary_code(upper(*f))) {
      Term freq = concept_term(ns::eu + "frequency", "Frequency", upper(*f), upper(*f), "en",
                               ns::dct + "Frequency");
      g_.add(t, ns::dct + "accrualPeriodicity", freq);
    }
    if (auto v = str(d, "issued")) g_.add(t, ns::dct + "issued", date_literal(*v));
    if (auto v = str(d, "modified")) g_.add(t, ns::dct + "modified", date_literal(*v));
    if (auto access = str(d, "access")) {
      std::string code = access == std::string("restricted") ? "RESTRICTED" : "PUBLIC";
      Term ar = concept_term(ns::eu + "access-right", "Access right", code, code, "en",
                             ns::dct + "RightsStatement");
      g_.add(t, ns::dct + "accessRights", ar);
    }
    if (const json& v = member(d, "version"); v.is_number_integer() || v.is_string()) {
      std::string version =
          v.is_string() ? v.get<std::string>() : std::to_string(v.get<long long>());
      if (!version.empty()) g_.add(t, ns::dcat + "version", literal(version));
    }
    if (auto rights = str(d, "rights")) {
      Term r = g_.new_blank();
      g_.add(t, ns::dct + "rights", r);
      g_.add(r, kType, iri(ns::dct + "RightsStatement"));
      g_.add(r, ns::rdfs + "label", literal(*rights, lang_));
    }
    for (const std::string& src : strings(member(d, "was_derived_from")))
      if (auto s = maybe_iri(src)) g_.add(t, ns::prov + "wasDerivedFrom", *s);

    const json& lic = member(d, "license");
    for (const json& dist : member(d, "distributions")) {
      ticker_.tick(8);  // a distribution is several triples
      distribution(t, dist, lic);
    }
    return t;
  }

  void distribution(const Term& ds, const json& x, const json& lic) {
    if (!x.is_object()) bad_document("every distribution must be an object");
    auto access = maybe_iri(str(x, "access_url"));
    if (!access) bad_document("a distribution has no absolute \"access_url\"");
    Term t = x.contains("iri") ? required_iri(x, "iri", "distribution") : *access;
    g_.add(ds, ns::dcat + "distribution", t);
    g_.add(t, kType, iri(ns::dcat + "Distribution"));
    g_.add(t, ns::dcat + "accessURL", *access);
    if (auto dl = maybe_iri(str(x, "download_url"))) g_.add(t, ns::dcat + "downloadURL", *dl);
    auto title = str(x, "title");
    if (title) g_.add(t, ns::dct + "title", literal(*title, lang_));
    g_.add(t, ns::dct + "description",
           literal(str(x, "description").value_or(title.value_or("Distribution")), lang_));
    if (auto mt = str(x, "media_type")) {
      std::string m = lower(*mt);
      std::size_t semi = m.find(';');
      if (semi != std::string::npos) m = m.substr(0, semi);
      if (auto mi = maybe_iri(ns::iana + m)) {
        g_.add(t, ns::dcat + "mediaType", *mi);
        g_.add(*mi, kType, iri(ns::dct + "MediaType"));
      }
    }
    if (auto f = str(x, "format"); f && vocabulary_code(upper(*f))) {
      Term ft = concept_term(ns::eu + "file-type", "File type", upper(*f), upper(*f), "en",
                             ns::dct + "MediaTypeOrExtent");
      g_.add(t, ns::dct + "format", ft);
    }
    if (lic.is_object()) license(t, lic);
    Term avail = concept_term(ns::eu + "planned-availability", "Planned availability", "STABLE",
                              "stable", "en");
    g_.add(t, ns::dcatap + "availability", avail);
  }

  // Hydra paging, as data.gouv.fr serves its catalog: the page is both a
  // hydra:PartialCollectionView (first/next/previous/last) and, for older
  // harvesters, a hydra:PagedCollection (firstPage/nextPage/...).
  void paging(const Term& catalog, const json& page) {
    Term p = required_iri(page, "iri", "page");
    g_.add(catalog, ns::hydra + "view", p);
    g_.add(p, kType, iri(ns::hydra + "PartialCollectionView"));
    g_.add(p, kType, iri(ns::hydra + "PagedCollection"));
    const std::pair<const char*, const char*> links[] = {{"first", "firstPage"},
                                                         {"previous", "previousPage"},
                                                         {"next", "nextPage"},
                                                         {"last", "lastPage"}};
    for (const auto& [key, old] : links) {
      if (auto u = maybe_iri(str(page, key))) {
        g_.add(p, ns::hydra + key, *u);
        g_.add(p, ns::hydra + old, *u);
      }
    }
    if (const json& n = member(page, "total"); n.is_number_integer())
      g_.add(p, ns::hydra + "totalItems",
             typed_literal(std::to_string(n.get<long long>()), ns::xsd + "integer"));
    if (const json& n = member(page, "page_size"); n.is_number_integer())
      g_.add(p, ns::hydra + "itemsPerPage",
             typed_literal(std::to_string(n.get<long long>()), ns::xsd + "integer"));
  }
};

}  // namespace

std::optional<RdfFormat> parse_format(std::string_view name) {
  std::string n = lower(std::string(name));
  if (n == "jsonld" || n == "json-ld") return RdfFormat::JsonLd;
  if (n == "turtle" || n == "ttl") return RdfFormat::Turtle;
  if (n == "rdfxml" || n == "rdf" || n == "xml" || n == "rdf/xml") return RdfFormat::RdfXml;
  return std::nullopt;
}

std::optional<std::string> eu_language_code(std::string_view code) {
  static const std::map<std::string, std::string> k639_1 = {
      {"bg", "BUL"}, {"ca", "CAT"}, {"cs", "CES"}, {"da", "DAN"}, {"de", "DEU"}, {"el", "ELL"},
      {"en", "ENG"}, {"es", "SPA"}, {"et", "EST"}, {"eu", "EUS"}, {"fi", "FIN"}, {"fr", "FRA"},
      {"ga", "GLE"}, {"hr", "HRV"}, {"hu", "HUN"}, {"it", "ITA"}, {"lb", "LTZ"}, {"lt", "LIT"},
      {"lv", "LAV"}, {"mt", "MLT"}, {"nl", "NLD"}, {"no", "NOR"}, {"pl", "POL"}, {"pt", "POR"},
      {"ro", "RON"}, {"sk", "SLK"}, {"sl", "SLV"}, {"sv", "SWE"}, {"br", "BRE"}, {"co", "COS"},
      {"oc", "OCI"}, {"ar", "ARA"}, {"zh", "ZHO"}, {"ja", "JPN"}, {"ru", "RUS"}, {"uk", "UKR"},
      {"tr", "TUR"}, {"is", "ISL"}, {"cy", "CYM"}, {"gd", "GLA"}};
  std::string c = lower(std::string(code));
  if (c.size() == 2) {
    auto it = k639_1.find(c);
    if (it == k639_1.end()) return std::nullopt;
    return it->second;
  }
  if (c.size() == 3 &&
      std::all_of(c.begin(), c.end(), [](unsigned char x) { return std::isalpha(x); }))
    return upper(c);
  return std::nullopt;
}

Graph build_dcat_graph(const nlohmann::json& doc) {
  if (!doc.is_object()) bad_document("expected a JSON object");
  try {
    return Builder(doc).build();
  } catch (const nlohmann::json::exception& e) {
    bad_document(e.what());
  } catch (const std::invalid_argument& e) {
    bad_document(e.what());
  }
}

// json::parse, with the interrupt hook reached every few thousand values:
// a catalog document has no size limit.
static json parse_ticking(std::string_view text) {
  InterruptTicker ticker;
  return json::parse(
      text.begin(), text.end(),
      [&ticker](int, json::parse_event_t, json&) {
        ticker.tick();
        return true;
      },
      false);
}

std::string serialise_catalog(std::string_view json_document, RdfFormat format) {
  json doc = parse_ticking(json_document);
  if (doc.is_discarded()) bad_document("not valid JSON");
  Graph g = build_dcat_graph(doc);
  switch (format) {
    case RdfFormat::Turtle:
      return to_turtle(g);
    case RdfFormat::RdfXml:
      return to_rdfxml(g);
    case RdfFormat::JsonLd:
      break;
  }
  return to_jsonld(g);
}

std::string schema_org_dataset(std::string_view json_dataset) {
  json d = parse_ticking(json_dataset);
  if (d.is_discarded() || !d.is_object()) bad_document("expected a JSON object");
  try {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["@context"] = "https://schema.org/";
    out["@type"] = "Dataset";
    auto id = str(d, "iri");
    if (auto v = maybe_iri(id)) out["@id"] = v->value;
    out["name"] = clean_literal(str(d, "title").value_or(str(d, "identifier").value_or("")));
    out["description"] = clean_literal(str(d, "description").value_or(""));
    if (auto lp = maybe_iri(str(d, "landing_page")))
      out["url"] = lp->value;
    else if (auto v = maybe_iri(id))
      out["url"] = v->value;
    if (auto v = str(d, "identifier")) out["identifier"] = clean_literal(*v);
    std::vector<std::string> kw;
    for (const std::string& k : strings(member(d, "keywords"))) kw.push_back(clean_literal(k));
    if (!kw.empty()) out["keywords"] = kw;
    if (auto l = maybe_iri(str(member(d, "license"), "iri"))) out["license"] = l->value;
    out["isAccessibleForFree"] = true;
    if (const json& pub = member(d, "publisher"); pub.is_object()) {
      nlohmann::ordered_json org = {{"@type", "Organization"},
                                    {"name", clean_literal(str(pub, "name").value_or(""))}};
      if (auto h = maybe_iri(str(pub, "homepage"))) org["url"] = h->value;
      out["publisher"] = org;
      out["creator"] = org;
    }
    const json& c = member(d, "contact_point");
    if (c.is_object() && (str(c, "email") || str(c, "url"))) {
      nlohmann::ordered_json cp = {{"@type", "ContactPoint"}, {"contactType", "customer support"}};
      if (auto n = str(c, "name")) cp["name"] = clean_literal(*n);
      if (auto e = str(c, "email")) cp["email"] = clean_literal(*e);
      if (auto u = maybe_iri(str(c, "url"))) cp["url"] = u->value;
      out["contactPoint"] = cp;
    }
    std::vector<std::string> langs = strings(member(d, "language"));
    if (!langs.empty()) out["inLanguage"] = langs.size() == 1 ? json(langs[0]) : json(langs);
    if (const json& sp = member(d, "spatial"); sp.is_object()) {
      nlohmann::ordered_json place = {{"@type", "Place"}};
      if (auto l = str(sp, "label")) place["name"] = clean_literal(*l);
      const json& b = member(sp, "bbox");
      if (b.is_array() && b.size() == 4 &&
          std::all_of(b.begin(), b.end(), [](const json& v) { return v.is_number(); }))
        // schema.org boxes are "south west north east".
        place["geo"] = {
            {"@type", "GeoShape"},
            {"box", format_number(b[1].get<double>()) + " " + format_number(b[0].get<double>()) +
                        " " + format_number(b[3].get<double>()) + " " +
                        format_number(b[2].get<double>())}};
      if (place.size() > 1) out["spatialCoverage"] = place;
    }
    if (const json& tm = member(d, "temporal");
        tm.is_object() && (str(tm, "start") || str(tm, "end")))
      out["temporalCoverage"] =
          str(tm, "start").value_or("..") + "/" + str(tm, "end").value_or("..");
    if (auto v = str(d, "issued")) out["datePublished"] = *v;
    if (auto v = str(d, "modified")) out["dateModified"] = *v;
    if (const json& v = member(d, "version"); v.is_number_integer())
      out["version"] = std::to_string(v.get<long long>());
    std::vector<std::string> themes;
    for (const json& th : member(d, "themes"))
      if (auto l = str(th, "label_en")) themes.push_back(clean_literal(*l));
    if (!themes.empty()) out["about"] = themes;
    nlohmann::ordered_json dists = nlohmann::ordered_json::array();
    for (const json& x : member(d, "distributions")) {
      auto url = maybe_iri(str(x, "download_url"));
      if (!url) url = maybe_iri(str(x, "access_url"));
      if (!url) continue;
      nlohmann::ordered_json dd = {{"@type", "DataDownload"}, {"contentUrl", url->value}};
      if (auto mt = str(x, "media_type")) dd["encodingFormat"] = clean_literal(*mt);
      if (auto t = str(x, "title")) dd["name"] = clean_literal(*t);
      dists.push_back(dd);
    }
    if (!dists.empty()) out["distribution"] = dists;
    nlohmann::ordered_json vars = nlohmann::ordered_json::array();
    for (const json& f : member(d, "fields")) {
      auto name = str(f, "name");
      if (!name) continue;
      nlohmann::ordered_json pv = {{"@type", "PropertyValue"}, {"name", clean_literal(*name)}};
      if (auto l = str(f, "label")) pv["alternateName"] = clean_literal(*l);
      if (auto desc = str(f, "description")) pv["description"] = clean_literal(*desc);
      if (auto u = str(f, "unit")) pv["unitText"] = clean_literal(*u);
      vars.push_back(pv);
    }
    if (!vars.empty()) out["variableMeasured"] = vars;
    std::vector<std::string> based;
    for (const std::string& s : strings(member(d, "was_derived_from")))
      if (auto v = maybe_iri(s)) based.push_back(v->value);
    if (!based.empty()) out["isBasedOn"] = based;
    return out.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } catch (const nlohmann::json::exception& e) {
    bad_document(e.what());
  }
}

}  // namespace opendata::catalog
