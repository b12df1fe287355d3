#include "core/catalog/rdf.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace opendata::catalog {
namespace {

TEST(CatalogRdf, NormaliseIriKeepsValidIris) {
  EXPECT_EQ(normalise_iri("https://data.example.org/api/datasets?dataset_id=eq.arbres#csv").value(),
            "https://data.example.org/api/datasets?dataset_id=eq.arbres#csv");
  EXPECT_EQ(normalise_iri("mailto:dev@paris.fr").value(), "mailto:dev@paris.fr");
  EXPECT_EQ(normalise_iri("urn:isbn:0451450523").value(), "urn:isbn:0451450523");
  // Non-ASCII characters are legal in IRIs and kept.
  EXPECT_EQ(normalise_iri("https://exemple.fr/été").value(), "https://exemple.fr/été");
}

TEST(CatalogRdf, NormaliseIriEncodesWhatTurtleForbids) {
  EXPECT_EQ(normalise_iri("https://x.example/a b<c>\"d{e}|f\\g^h`i").value(),
            "https://x.example/a%20b%3Cc%3E%22d%7Be%7D%7Cf%5Cg%5Eh%60i");
  EXPECT_EQ(normalise_iri(std::string("https://x.example/\x01\n\x7f", 21)).value(),
            "https://x.example/%01%0A%7F");
  // Invalid UTF-8 bytes are percent-encoded, not passed on.
  EXPECT_EQ(normalise_iri("https://x.example/\xff\xc3").value(), "https://x.example/%FF%C3");
}

TEST(CatalogRdf, NormaliseIriRefusesRelativeReferences) {
  EXPECT_FALSE(normalise_iri(""));
  EXPECT_FALSE(normalise_iri("no scheme"));
  EXPECT_FALSE(normalise_iri("/relative/path"));
  EXPECT_FALSE(normalise_iri(":x"));
  EXPECT_FALSE(normalise_iri("1http://x"));
  EXPECT_FALSE(normalise_iri("ht tp://x"));
  EXPECT_FALSE(normalise_iri("https:"));
  EXPECT_THROW(iri("nope"), std::invalid_argument);
}

TEST(CatalogRdf, CleanLiteral) {
  EXPECT_EQ(clean_literal("Chêne \"vert\"\n\ttab"), "Chêne \"vert\"\n\ttab");
  EXPECT_EQ(clean_literal(std::string("a\x01"
                                      "b\x1f"
                                      "c\0d",
                                      7)),
            "abcd");
  EXPECT_EQ(clean_literal("bad \xff byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(clean_literal("\xef\xbf\xbe"), "");  // U+FFFE is not an XML character
  EXPECT_EQ(clean_literal("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(clean_literal("\xf0\x9f\x8c\xb3"), "\xf0\x9f\x8c\xb3");                  // emoji kept
}

TEST(CatalogRdf, LanguageTags) {
  EXPECT_TRUE(valid_language_tag("fr"));
  EXPECT_TRUE(valid_language_tag("fr-CA"));
  EXPECT_TRUE(valid_language_tag("zh-Hant-TW"));
  EXPECT_FALSE(valid_language_tag(""));
  EXPECT_FALSE(valid_language_tag("fr_"));
  EXPECT_FALSE(valid_language_tag("fr\"@"));
  EXPECT_FALSE(valid_language_tag("-fr"));
  // An invalid tag is dropped rather than written.
  EXPECT_EQ(literal("x", "not a tag").lang, "");
}

TEST(CatalogRdf, GraphDeduplicates) {
  Graph g;
  Term s = iri("https://x.example/s");
  EXPECT_TRUE(g.add(s, "http://purl.org/dc/terms/title", literal("t", "fr")));
  EXPECT_FALSE(g.add(s, "http://purl.org/dc/terms/title", literal("t", "fr")));
  EXPECT_TRUE(g.add(s, "http://purl.org/dc/terms/title", literal("t", "en")));
  EXPECT_TRUE(g.add(s, "http://purl.org/dc/terms/title", literal("t")));
  EXPECT_EQ(g.size(), 3u);
  EXPECT_THROW(g.add(literal("x"), "http://purl.org/dc/terms/title", literal("t")),
               std::invalid_argument);
  EXPECT_EQ(g.new_blank().value, "b0");
  EXPECT_EQ(g.new_blank().value, "b1");
}

Graph sample() {
  Graph g;
  Term s = iri("https://x.example/d?id=1&x=2");
  g.add(s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        iri("http://www.w3.org/ns/dcat#Dataset"));
  g.add(s, "http://purl.org/dc/terms/title",
        literal("Quote \" backslash \\ line\nreturn\r<tag> & co", "fr"));
  g.add(s, "http://www.w3.org/ns/dcat#keyword", literal("arbre", "fr"));
  g.add(s, "http://www.w3.org/ns/dcat#keyword", literal("patrimoine", "fr"));
  g.add(s, "http://purl.org/dc/terms/issued",
        typed_literal("2024-05-01T10:00:00Z", "http://www.w3.org/2001/XMLSchema#dateTime"));
  Term b = g.new_blank();
  g.add(s, "http://purl.org/dc/terms/temporal", b);
  g.add(b, "http://www.w3.org/ns/dcat#startDate",
        typed_literal("2020-01-01", "http://www.w3.org/2001/XMLSchema#date"));
  g.add(s, "https://unknown.example/vocab#prop", literal("plain"));
  g.add(s, "http://purl.org/dc/terms/identifier",
        typed_literal("id-1", "http://www.w3.org/2001/XMLSchema#string"));
  return g;
}

TEST(CatalogRdf, Turtle) {
  std::string t = to_turtle(sample());
  EXPECT_NE(t.find("@prefix dcat: <http://www.w3.org/ns/dcat#> ."), std::string::npos);
  EXPECT_NE(t.find("<https://x.example/d?id=1&x=2> a dcat:Dataset ;"), std::string::npos);
  EXPECT_NE(t.find(R"(dct:title "Quote \" backslash \\ line\nreturn\r<tag> & co"@fr ;)"),
            std::string::npos);
  EXPECT_NE(t.find(R"(dcat:keyword "arbre"@fr, "patrimoine"@fr ;)"), std::string::npos);
  EXPECT_NE(t.find(R"(dct:issued "2024-05-01T10:00:00Z"^^xsd:dateTime ;)"), std::string::npos);
  EXPECT_NE(t.find("dct:temporal _:b0 ;"), std::string::npos);
  EXPECT_NE(t.find("<https://unknown.example/vocab#prop> \"plain\""), std::string::npos);
  // xsd:string is the default datatype and is not written.
  EXPECT_NE(t.find("dct:identifier \"id-1\" ."), std::string::npos);
  EXPECT_NE(t.find("_:b0 dcat:startDate \"2020-01-01\"^^xsd:date ."), std::string::npos);
}

TEST(CatalogRdf, RdfXml) {
  std::string x = to_rdfxml(sample());
  EXPECT_EQ(x.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF", 0), 0u);
  EXPECT_NE(x.find("<rdf:Description rdf:about=\"https://x.example/d?id=1&amp;x=2\">"),
            std::string::npos);
  EXPECT_NE(x.find("<rdf:type rdf:resource=\"http://www.w3.org/ns/dcat#Dataset\"/>"),
            std::string::npos);
  EXPECT_NE(x.find("<dct:title xml:lang=\"fr\">Quote \" backslash \\ line\nreturn&#13;&lt;tag&gt; "
                   "&amp; co</dct:title>"),
            std::string::npos);
  EXPECT_NE(x.find("<dct:issued "
                   "rdf:datatype=\"http://www.w3.org/2001/"
                   "XMLSchema#dateTime\">2024-05-01T10:00:00Z</dct:issued>"),
            std::string::npos);
  EXPECT_NE(x.find("<dct:temporal rdf:nodeID=\"b0\"/>"), std::string::npos);
  EXPECT_NE(x.find("<rdf:Description rdf:nodeID=\"b0\">"), std::string::npos);
  // A predicate outside the known prefixes gets a namespace of its own.
  EXPECT_NE(x.find("xmlns:ns1=\"https://unknown.example/vocab#\""), std::string::npos);
  EXPECT_NE(x.find("<ns1:prop>plain</ns1:prop>"), std::string::npos);
  EXPECT_NE(x.find("</rdf:RDF>"), std::string::npos);
}

TEST(CatalogRdf, RdfXmlRefusesUnsplittablePredicates) {
  Graph g;
  g.add(iri("https://x.example/s"), "https://x.example/1abc", literal("x"));
  EXPECT_THROW(to_rdfxml(g), std::invalid_argument);
}

TEST(CatalogRdf, JsonLd) {
  nlohmann::json doc = nlohmann::json::parse(to_jsonld(sample()));
  EXPECT_EQ(doc["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
  ASSERT_EQ(doc["@graph"].size(), 2u);
  const auto& d = doc["@graph"][0];
  EXPECT_EQ(d["@id"], "https://x.example/d?id=1&x=2");
  EXPECT_EQ(d["@type"], nlohmann::json::array({"dcat:Dataset"}));
  EXPECT_EQ(d["dct:title"][0]["@value"], "Quote \" backslash \\ line\nreturn\r<tag> & co");
  EXPECT_EQ(d["dct:title"][0]["@language"], "fr");
  EXPECT_EQ(d["dcat:keyword"].size(), 2u);
  EXPECT_EQ(d["dct:issued"][0]["@type"], "xsd:dateTime");
  EXPECT_EQ(d["dct:temporal"][0]["@id"], "_:b0");
  EXPECT_EQ(d["https://unknown.example/vocab#prop"][0]["@value"], "plain");
  EXPECT_FALSE(d["dct:identifier"][0].contains("@type"));
  EXPECT_EQ(doc["@graph"][1]["@id"], "_:b0");
}

}  // namespace
}  // namespace opendata::catalog
