-- The catalog in DCAT-AP 3 (JSON-LD, Turtle, RDF/XML) with Hydra paging,
-- and schema.org per dataset.  Runs after search.sql, whose datasets it
-- exports (four published public ones, one restricted, one draft).  The
-- SHACL validation itself is test/shell/dcat_shacl.sh.

-- One function per serialisation, each returning the media type domain
-- PostgREST negotiates on.
SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result
  FROM pg_proc p
 WHERE p.pronamespace = 'opendata_api'::regnamespace
   AND (p.proname LIKE 'catalog%' OR p.proname = 'dataset_schema_org')
 ORDER BY 1;
SELECT t.typname, format_type(t.typbasetype, NULL) AS base
  FROM pg_type t WHERE t.typnamespace = 'opendata_api'::regnamespace AND t.typtype = 'd' AND t.typname IN
       ('application/ld+json', 'text/turtle', 'application/rdf+xml') ORDER BY 1;

-- The datasets in the catalog are the published ones the role may read.
CREATE FUNCTION regress.dcat_identifiers(doc json) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(n->'dct:identifier'->0->>'@value', ', ' ORDER BY n->'dct:identifier'->0->>'@value')
    FROM json_array_elements(doc->'@graph') n
   WHERE (n->'@type')::jsonb ? 'dcat:Dataset'
$$;
-- The Turtle block of one subject, without its dates (they change each run)
-- and its distributions (other parts of the extension add formats).
CREATE FUNCTION regress.turtle_block(doc text, subject text) RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT line
    FROM regexp_split_to_table(
           (SELECT b FROM regexp_split_to_table(doc, E'\n\n') b WHERE starts_with(b, subject)), E'\n')
         WITH ORDINALITY AS t(line, n)
   WHERE line !~ '(dct:issued|dct:modified|dcat:distribution) '
   ORDER BY n
$$;

SET ROLE opendata_anon;
SELECT regress.dcat_identifiers(opendata_api.catalog_jsonld()::json);
SELECT regress.turtle_block(opendata_api.catalog_turtle(),
                            '<https://data.example.org/api/datasets?dataset_id=eq.search-trees>');
SELECT regress.turtle_block(opendata_api.catalog_turtle(), '<https://data.example.org/api/rpc/catalog_dcat>');
-- The same page in the three formats; the generic function too.
SELECT opendata_api.catalog_dcat('ttl') = opendata_api.catalog_turtle() AS same_turtle,
       opendata_api.catalog_dcat('RDF') = opendata_api.catalog_rdfxml() AS same_rdfxml,
       opendata_api.catalog_dcat()::json::text = opendata_api.catalog_jsonld()::text AS same_jsonld;
-- Each answers whatever the Accept header (the "*/*" domain) and names its
-- own media type (issue #17).
SELECT f AS format, length(opendata_api.catalog_dcat(f)) > 0 AS answered,
       current_setting('response.headers') AS headers
  FROM unnest(ARRAY['jsonld', 'turtle', 'rdfxml']) f;
SELECT starts_with(x, '<?xml version="1.0" encoding="utf-8"?>') AS xml_declaration,
       (SELECT count(*) FROM regexp_matches(x, '<rdf:type rdf:resource="http://www.w3.org/ns/dcat#Dataset"/>', 'g')) AS datasets,
       position('<dct:title xml:lang="fr">Stations de vélos en libre-service</dct:title>' IN x) > 0 AS title
  FROM opendata_api.catalog_rdfxml() x;

-- Hydra paging: page 2 of 2, page size 3.
SELECT regress.turtle_block(opendata_api.catalog_turtle(page => 2, page_size => 3),
                            '<https://data.example.org/api/rpc/catalog_turtle?page_size=3&page=2>');
SELECT regress.dcat_identifiers(opendata_api.catalog_jsonld(page => 2, page_size => 3)::json);
SELECT n->'hydra:next'->0->>'@id' AS next
  FROM json_array_elements(opendata_api.catalog_jsonld(page => 1, page_size => 3)::json->'@graph') n
 WHERE n::jsonb ? 'hydra:next';
-- Past the last page: no dataset, still a valid page that points back.
SELECT regress.dcat_identifiers(opendata_api.catalog_jsonld(page => 9, page_size => 3)::json) IS NULL AS empty,
       position('hydra:previous <https://data.example.org/api/rpc/catalog_turtle?page_size=3&page=2>'
                IN opendata_api.catalog_turtle(page => 9, page_size => 3)) > 0 AS previous_is_last;

-- schema.org, for search engines.
SELECT d->>'@type' AS type, d->>'name' AS name, d->>'license' AS license, d->'keywords' AS keywords,
       d->'spatialCoverage'->>'name' AS place, d->'publisher'->>'name' AS publisher
  FROM opendata_api.dataset_schema_org('search-arbres') d;

-- Errors.
SELECT regress.error_of($$SELECT opendata_api.catalog_dcat('n3')$$);
SELECT regress.error_of($$SELECT opendata_api.catalog_dcat(NULL)$$);
SELECT regress.error_of($$SELECT opendata_api.catalog_turtle(page => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.catalog_turtle(page_size => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.catalog_rdfxml(page_size => 1001)$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_schema_org('nope')$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_schema_org('search-brouillon')$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_schema_org('search-interne')$$);
RESET ROLE;

-- A publisher also sees its restricted dataset, marked so.
SET ROLE regress_alice;
SELECT regress.dcat_identifiers(opendata_api.catalog_jsonld()::json);
SELECT line FROM regress.turtle_block(opendata_api.catalog_turtle(),
                                      '<https://data.example.org/api/datasets?dataset_id=eq.search-interne>') line
 WHERE line ~ 'accessRights';
RESET ROLE;

-- Lineage: a derived dataset names its sources.
UPDATE opendata.datasets SET was_derived_from = '{"datasets": ["search-arbres", "search-trees"]}'
 WHERE slug = 'search-budget';
SET ROLE opendata_anon;
SELECT line FROM regress.turtle_block(opendata_api.catalog_turtle(),
                                      '<https://data.example.org/api/datasets?dataset_id=eq.search-budget>') line
 WHERE line ~ 'wasDerivedFrom';
SELECT opendata_api.dataset_schema_org('search-budget')->'isBasedOn' AS is_based_on;
RESET ROLE;

-- The serialiser escapes what each syntax needs and keeps every format
-- well-formed whatever the text holds.
SELECT line FROM regexp_split_to_table(opendata._dcat_serialise(
  $${"catalog": {"iri": "https://x.example/c a<t>", "language": "fr",
                 "title": "q\" b\\ n\n t\t c\u0001 <tag> & amp"}}$$, 'turtle'), E'\n') line
 WHERE line ~ 'dct:title|^<';
SELECT line FROM regexp_split_to_table(opendata._dcat_serialise(
  $${"catalog": {"iri": "https://x.example/c a<t>", "language": "fr",
                 "title": "q\" b\\ n\n t\t c\u0001 <tag> & amp"}}$$, 'rdfxml'), E'\n') line
 WHERE line ~ 'dct:title|rdf:about';
SELECT n->'dct:title' AS title FROM json_array_elements(opendata._dcat_serialise(
  $${"catalog": {"iri": "https://x.example/c", "title": "q\" c\u0001 é"}}$$, 'jsonld')::json->'@graph') n
 WHERE n::jsonb ? 'dct:title';
SELECT regress.error_of($$SELECT opendata._dcat_serialise('not json', 'turtle')$$);
SELECT regress.error_of($$SELECT opendata._dcat_serialise('[]', 'turtle')$$);
SELECT regress.error_of($$SELECT opendata._dcat_serialise('{"catalog": {"iri": "no scheme"}}', 'turtle')$$);
SELECT regress.error_of($$SELECT opendata._dcat_serialise('{"catalog": {"iri": "https://x.example"}, "datasets": [{"iri": 3}]}', 'turtle')$$);
SELECT regress.error_of($$SELECT opendata._dcat_serialise('{"catalog": {}}', 'n-triples')$$);
