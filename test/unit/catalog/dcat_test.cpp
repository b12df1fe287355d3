#include "core/catalog/dcat.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hpp"

namespace opendata::catalog {
namespace {

using nlohmann::json;

json document() {
  return json::parse(R"({
    "catalog": {"iri": "https://data.example.org/api/rpc/catalog_dcat", "title": "Portail", "description": "Le portail.",
                "homepage": "https://data.example.org", "language": "fr",
                "license": {"id": "etalab-2.0", "iri": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "title": "Licence Ouverte"},
                "issued": "2024-01-01T00:00:00Z", "modified": "2024-06-01T12:00:00Z",
                "publisher": {"iri": "https://data.example.org/api/organizations?organization_id=eq.paris", "name": "Ville de Paris",
                              "homepage": "https://www.paris.fr", "type": "http://purl.org/adms/publishertype/LocalAuthority"},
                "spatial": {"bbox": [2.2, 48.8, 2.5, 48.9]}},
    "page": {"iri": "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=2",
             "first": "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=1",
             "previous": "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=1",
             "next": null,
             "last": "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=2",
             "total": 2, "page_size": 1},
    "datasets": [{
      "iri": "https://data.example.org/api/datasets?dataset_id=eq.arbres", "identifier": "arbres",
      "title": "Arbres", "description": "Les arbres.", "language": ["fr", "en", "xx"],
      "themes": [{"code": "ENVI", "label_fr": "Environnement", "label_en": "Environment"}, "regi", {"code": "bad code!"}],
      "keywords": ["arbre", "patrimoine"],
      "publisher": {"iri": "https://data.example.org/api/organizations?organization_id=eq.paris", "name": "Ville de Paris"},
      "contact_point": {"name": "DEVE", "email": "dev@paris.fr"},
      "landing_page": "https://opendata.paris.fr/arbres",
      "spatial": {"label": "Paris", "uri": "https://sws.geonames.org/2988507/", "bbox": [2.2, 48.8, 2.5, 48.9]},
      "temporal": {"start": "2020-01-01", "end": "2024-12-31"},
      "accrual_periodicity": "annual", "issued": "2024-01-01T00:00:00Z", "modified": "2024-06-01T12:00:00Z",
      "license": {"id": "ODbL-1.0", "iri": "https://opendatacommons.org/licenses/odbl/1-0/", "title": "ODbL"},
      "rights": "Ville de Paris", "access": "public", "version": 3,
      "was_derived_from": ["https://data.example.org/api/datasets?dataset_id=eq.a", "not an iri"],
      "distributions": [{"iri": "https://data.example.org/api/datasets?dataset_id=eq.arbres#csv", "title": "CSV",
                         "format": "csv", "media_type": "text/csv; charset=utf-8",
                         "access_url": "https://data.example.org/api/arbres",
                         "download_url": "https://data.example.org/api/rpc/export?dataset=arbres&format=csv"}],
      "fields": [{"name": "hauteur", "label": "Hauteur", "unit": "m"}]
    }]
  })");
}

bool has(const Graph& g, const std::string& s, const std::string& p, const std::string& o) {
  for (const Triple& t : g.triples())
    if (t.subject.value == s && t.predicate == p && t.object.value == o) return true;
  return false;
}

const std::string kDct = "http://purl.org/dc/terms/";
const std::string kDcat = "http://www.w3.org/ns/dcat#";
const std::string kType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const std::string kDs = "https://data.example.org/api/datasets?dataset_id=eq.arbres";

TEST(CatalogDcat, CatalogAndDataset) {
  Graph g = build_dcat_graph(document());
  const std::string cat = "https://data.example.org/api/rpc/catalog_dcat";
  EXPECT_TRUE(has(g, cat, kType, kDcat + "Catalog"));
  EXPECT_TRUE(has(g, cat, kDct + "title", "Portail"));
  EXPECT_TRUE(has(g, cat, kDcat + "dataset", kDs));
  EXPECT_TRUE(has(g, cat, kDcat + "themeTaxonomy",
                  "http://publications.europa.eu/resource/authority/data-theme"));
  EXPECT_TRUE(has(g, kDs, kType, kDcat + "Dataset"));
  EXPECT_TRUE(has(g, kDs, kDct + "identifier", "arbres"));
  EXPECT_TRUE(has(g, kDs, kDcat + "theme",
                  "http://publications.europa.eu/resource/authority/data-theme/ENVI"));
  EXPECT_TRUE(has(g, kDs, kDcat + "theme",
                  "http://publications.europa.eu/resource/authority/data-theme/REGI"));
  EXPECT_TRUE(has(g, kDs, kDct + "accrualPeriodicity",
                  "http://publications.europa.eu/resource/authority/frequency/ANNUAL"));
  EXPECT_TRUE(has(g, kDs, kDct + "language",
                  "http://publications.europa.eu/resource/authority/language/FRA"));
  EXPECT_TRUE(has(g, kDs, kDct + "language",
                  "http://publications.europa.eu/resource/authority/language/ENG"));
  EXPECT_TRUE(has(g, kDs, kDct + "accessRights",
                  "http://publications.europa.eu/resource/authority/access-right/PUBLIC"));
  EXPECT_TRUE(has(g, kDs, kDct + "spatial", "https://sws.geonames.org/2988507/"));
  EXPECT_TRUE(has(g, kDs, "http://www.w3.org/ns/prov#wasDerivedFrom",
                  "https://data.example.org/api/datasets?dataset_id=eq.a"));
  EXPECT_TRUE(has(g, kDs, kDcat + "version", "3"));
  EXPECT_TRUE(has(g, "https://opendatacommons.org/licenses/odbl/1-0/", kDct + "type",
                  "http://purl.org/adms/licencetype/ShareAlike"));
  EXPECT_TRUE(has(g, "https://data.example.org/api/organizations?organization_id=eq.paris",
                  kDct + "type", "http://purl.org/adms/publishertype/LocalAuthority"));
}

TEST(CatalogDcat, Distribution) {
  Graph g = build_dcat_graph(document());
  const std::string d = kDs + "#csv";
  EXPECT_TRUE(has(g, kDs, kDcat + "distribution", d));
  EXPECT_TRUE(has(g, d, kDcat + "accessURL", "https://data.example.org/api/arbres"));
  EXPECT_TRUE(has(g, d, kDcat + "downloadURL",
                  "https://data.example.org/api/rpc/export?dataset=arbres&format=csv"));
  EXPECT_TRUE(
      has(g, d, kDcat + "mediaType", "https://www.iana.org/assignments/media-types/text/csv"));
  EXPECT_TRUE(
      has(g, d, kDct + "format", "http://publications.europa.eu/resource/authority/file-type/CSV"));
  EXPECT_TRUE(has(g, d, kDct + "license", "https://opendatacommons.org/licenses/odbl/1-0/"));
}

TEST(CatalogDcat, TypedDatesAndPeriods) {
  Graph g = build_dcat_graph(document());
  bool issued = false, start = false, bbox = false;
  for (const Triple& t : g.triples()) {
    if (t.subject.value == kDs && t.predicate == kDct + "issued")
      issued = t.object.datatype == "http://www.w3.org/2001/XMLSchema#dateTime";
    if (t.predicate == kDcat + "startDate")
      start = t.object.datatype == "http://www.w3.org/2001/XMLSchema#date";
    if (t.predicate == kDcat + "bbox")
      bbox = t.object.value == "POLYGON((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8))";
  }
  EXPECT_TRUE(issued);
  EXPECT_TRUE(start);
  EXPECT_TRUE(bbox);
}

TEST(CatalogDcat, HydraPaging) {
  Graph g = build_dcat_graph(document());
  const std::string page = "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=2";
  const std::string hydra = "http://www.w3.org/ns/hydra/core#";
  EXPECT_TRUE(has(g, "https://data.example.org/api/rpc/catalog_dcat", hydra + "view", page));
  EXPECT_TRUE(has(g, page, kType, hydra + "PartialCollectionView"));
  EXPECT_TRUE(has(g, page, hydra + "previous",
                  "https://data.example.org/api/rpc/catalog_turtle?page_size=1&page=1"));
  EXPECT_TRUE(has(g, page, hydra + "totalItems", "2"));
  for (const Triple& t : g.triples()) EXPECT_NE(t.predicate, hydra + "next");
}

TEST(CatalogDcat, ThreeFormatsFromOneGraph) {
  std::string doc = document().dump();
  std::string ttl = serialise_catalog(doc, RdfFormat::Turtle);
  std::string xml = serialise_catalog(doc, RdfFormat::RdfXml);
  json ld = json::parse(serialise_catalog(doc, RdfFormat::JsonLd));
  EXPECT_NE(ttl.find("dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv>"),
            std::string::npos);
  EXPECT_NE(xml.find("<dcat:downloadURL "
                     "rdf:resource=\"https://data.example.org/api/rpc/"
                     "export?dataset=arbres&amp;format=csv\"/>"),
            std::string::npos);
  EXPECT_TRUE(ld.contains("@context"));
  EXPECT_TRUE(ld["@graph"].is_array());
}

TEST(CatalogDcat, BadDocuments) {
  auto state = [](const std::string& doc) {
    try {
      serialise_catalog(doc, RdfFormat::Turtle);
    } catch (const UserError& e) {
      return e.sqlstate() + ": " + e.what();
    }
    return std::string("no error");
  };
  EXPECT_EQ(state("not json"), "22023: invalid catalog document: not valid JSON");
  EXPECT_EQ(state("[]"), "22023: invalid catalog document: expected a JSON object");
  EXPECT_EQ(state("{}"), "22023: invalid catalog document: \"catalog\" must be an object");
  EXPECT_EQ(state(R"({"catalog": {}})"), "22023: invalid catalog document: catalog has no \"iri\"");
  EXPECT_EQ(state(R"({"catalog": {"iri": "https://x.example"}, "datasets": {}})"),
            "22023: invalid catalog document: \"datasets\" must be an array");
  EXPECT_EQ(state(R"({"catalog": {"iri": "https://x.example"}, "datasets": [1]})"),
            "22023: invalid catalog document: every dataset must be an object");
  EXPECT_EQ(
      state(
          R"({"catalog": {"iri": "https://x.example"}, "datasets": [{"iri": "https://x.example/d", "distributions": [{}]}]})"),
      "22023: invalid catalog document: a distribution has no absolute \"access_url\"");
  // Minimal documents are fine.
  EXPECT_EQ(
      state(
          R"({"catalog": {"iri": "https://x.example"}, "datasets": [{"iri": "https://x.example/d"}]})"),
      "no error");
}

TEST(CatalogDcat, Formats) {
  EXPECT_EQ(parse_format("JSONLD"), RdfFormat::JsonLd);
  EXPECT_EQ(parse_format("ttl"), RdfFormat::Turtle);
  EXPECT_EQ(parse_format("rdf"), RdfFormat::RdfXml);
  EXPECT_FALSE(parse_format("n3"));
  EXPECT_EQ(eu_language_code("fr"), "FRA");
  EXPECT_EQ(eu_language_code("deu"), "DEU");
  EXPECT_FALSE(eu_language_code("xx"));
  EXPECT_FALSE(eu_language_code("f1r"));
}

TEST(CatalogDcat, SchemaOrg) {
  json ds = document()["datasets"][0];
  json out = json::parse(schema_org_dataset(ds.dump()));
  EXPECT_EQ(out["@context"], "https://schema.org/");
  EXPECT_EQ(out["@type"], "Dataset");
  EXPECT_EQ(out["name"], "Arbres");
  EXPECT_EQ(out["url"], "https://opendata.paris.fr/arbres");
  EXPECT_EQ(out["license"], "https://opendatacommons.org/licenses/odbl/1-0/");
  EXPECT_EQ(out["spatialCoverage"]["geo"]["box"], "48.8 2.2 48.9 2.5");
  EXPECT_EQ(out["temporalCoverage"], "2020-01-01/2024-12-31");
  EXPECT_EQ(out["distribution"][0]["contentUrl"],
            "https://data.example.org/api/rpc/export?dataset=arbres&format=csv");
  EXPECT_EQ(out["variableMeasured"][0]["unitText"], "m");
  EXPECT_EQ(out["isBasedOn"],
            json::array({"https://data.example.org/api/datasets?dataset_id=eq.a"}));
  EXPECT_THROW(schema_org_dataset("[1]"), UserError);
}

}  // namespace
}  // namespace opendata::catalog
