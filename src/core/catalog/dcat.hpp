// DCAT-AP 3 and schema.org views of the catalog.
//
// The input is a JSON document that SQL builds from the catalog tables
// (opendata._dcat_document, see docs/dcat.md for its keys):
//
//   {"catalog": {...}, "page": {...}, "datasets": [{..., "distributions": [...]}]}
//
// build_dcat_graph() maps it to one RDF graph (the Catalog, its Datasets,
// Distributions, Agents, contact points, locations, periods, and the EU
// vocabulary concepts they point to, typed and labelled so that the SEMIC
// SHACL shapes, range.ttl included, find what they check); the writers of
// rdf.hpp serialise that graph, so the three formats hold the same triples.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/catalog/rdf.hpp"

namespace opendata::catalog {

enum class RdfFormat { JsonLd, Turtle, RdfXml };

// "jsonld" / "json-ld", "turtle" / "ttl", "rdfxml" / "rdf" / "xml".
std::optional<RdfFormat> parse_format(std::string_view name);

// Throws UserError 22023 for a document that is not shaped as described.
Graph build_dcat_graph(const nlohmann::json& doc);

// Parses, builds and serialises.  Throws UserError 22023 for bad input.
std::string serialise_catalog(std::string_view json_document, RdfFormat format);

// schema.org Dataset JSON-LD of one dataset, from the same dataset object
// as in "datasets" (plus "fields": [{"name", "label", "description", "unit"}]).
std::string schema_org_dataset(std::string_view json_dataset);

// EU language authority code (FRA) of an ISO 639-1 (fr) or 639-2/3 code.
std::optional<std::string> eu_language_code(std::string_view code);

}  // namespace opendata::catalog
