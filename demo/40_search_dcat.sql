-- Step 4: the catalog as visitors search it, and as national portals
-- harvest it (DCAT-AP 3).  Everything runs as PostgREST's anonymous role,
-- so drafts and restricted datasets stay out of sight.
SET ROLE opendata_anon;

\echo '-- Search "arbres remarquables": French stemming, accents and case ignored (GET /rpc/search?q=...)'
SELECT r->>'total_count' AS total_count
  FROM opendata_api.search('arbres remarquables', facet => '{}') r;
SELECT x->>'dataset_id' AS dataset, x->>'title' AS title, x->>'publisher' AS publisher, x->>'score' AS score
  FROM json_array_elements(opendata_api.search('arbres remarquables', facet => '{}')->'results') x;

\echo '-- A typo and an unfinished word: "patrimonie", "popul"'
SELECT q, r->>'total_count' AS total_count,
       (SELECT string_agg(x->>'dataset_id', ', ') FROM json_array_elements(r->'results') x) AS datasets
  FROM unnest(ARRAY['patrimonie', 'popul']) q, opendata_api.search(q, facet => '{}') r;

\echo '-- Facets of the whole catalog (value: count)'
SELECT f->>'name' AS facet,
       coalesce((SELECT string_agg(format('%s: %s', v->>'value', v->>'count'), ', ')
                   FROM json_array_elements(f->'facets') v), '') AS values
  FROM json_array_elements(opendata_api.search(rows => 0)->'facets') f;

\echo '-- Refined on a theme, in English: refine => {theme:ENVI}, lang => en'
SELECT f->>'name' AS facet,
       coalesce((SELECT string_agg(format('%s (%s): %s', v->>'name', v->>'state', v->>'count'), ', ')
                   FROM json_array_elements(f->'facets') v), '') AS values
  FROM json_array_elements(opendata_api.search(refine => '{theme:ENVI}', facet => '{theme}', lang => 'en',
                                               rows => 0)->'facets') f;

\echo '-- The DCAT-AP 3 catalog (GET /rpc/catalog_turtle, Accept: text/turtle), written to dcat-catalog.ttl'
\pset format unaligned
\pset tuples_only on
\o dcat-catalog.ttl
SELECT opendata_api.catalog_turtle();
\o dcat-catalog.jsonld
SELECT opendata_api.catalog_jsonld();
\o dcat-catalog.rdf
SELECT opendata_api.catalog_rdfxml();
\o
\pset format aligned
\pset tuples_only off
\! echo "wrote $(pwd)/dcat-catalog.ttl ($(wc -l < dcat-catalog.ttl) lines), dcat-catalog.jsonld and dcat-catalog.rdf"
SELECT n->'dct:identifier'->0->>'@value' AS dataset_in_catalog, n->'dct:title'->0->>'@value' AS title
  FROM json_array_elements(opendata_api.catalog_jsonld()::json->'@graph') n
 WHERE (n->'@type')::jsonb ? 'dcat:Dataset'
 ORDER BY 1;

\echo '-- schema.org Dataset JSON-LD of one dataset, for search engines (GET /rpc/dataset_schema_org?dataset=...)'
SELECT opendata_api.dataset_schema_org(d.dataset_id)::text AS schema_org
  FROM (SELECT dataset_id FROM opendata_api.datasets WHERE status = 'published' ORDER BY dataset_id LIMIT 1) d;
RESET ROLE;
