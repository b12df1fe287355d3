-- What anonymous API clients read from the catalog test/shell/upgrade.sh
-- builds, one labelled answer per line: the test runs it before and after
-- the upgrade and compares.  Only functions 0.1.0 already had.
SET ROLE opendata_anon;
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
-- A dataset's links.self is /rpc/dataset since 0.2.0 (one vocabulary,
-- issue #24): compared without it, here and in search results.
SELECT 'datasets', jsonb_agg(to_jsonb(d) #- '{links,self}' ORDER BY dataset_id) FROM opendata_api.datasets d;
SELECT 'organizations', json_agg(o ORDER BY organization_id) FROM opendata_api.organizations o;
SELECT 'reuses', json_agg(r ORDER BY reuse_id) FROM opendata_api.reuses r;
SELECT 'licenses', json_agg(l ORDER BY license_id) FROM opendata_api.licenses l;
SELECT 'themes', json_agg(t ORDER BY theme_id) FROM opendata_api.themes t;
SELECT 'view parkings', json_agg(p ORDER BY id) FROM opendata_api.parkings p;
SELECT 'view gares-par-commune', json_agg(g ORDER BY code) FROM opendata_api."gares-par-commune" g;
SELECT 'view communes-essonne', count(*), md5(string_agg(c::text, ',' ORDER BY c::text)) FROM opendata_api."communes-essonne" c;
-- records() pages without what 0.2.0 changed on purpose (issue #24): the
-- opaque token (its fingerprint now covers the filters) and links.next.
SELECT 'records gares', opendata_api.records('gares', fields => 'nom_gare, mode, exploitant',
         "where" => 'mode = "RER" and exploitant = "SNCF"', order_by => 'nom_gare', rows => 5)::jsonb - 'next_after' - 'links';
SELECT 'records gares grouped', opendata_api.records('gares', fields => 'mode, count(*) as n',
         group_by => 'mode', order_by => 'mode')::jsonb - 'next_after' - 'links';
SELECT 'records gares page 2', opendata_api.records('gares', fields => 'nom_gare', order_by => 'objectid', rows => 3, start => 3)::jsonb - 'next_after' - 'links';
-- Geometries compared at 5 decimals: 0.2.0 writes 7 (issue #17), 0.1.0
-- wrote PostGIS' 9, and rounding 9 decimals to 7 can differ from rounding
-- the value itself in the last digit (48.86531475...).
SELECT 'records parkings', jsonb_set(j, '{results}', (
         SELECT jsonb_agg(CASE WHEN jsonb_typeof(r -> 'geom') = 'object'
                               THEN jsonb_set(r, '{geom}', ST_AsGeoJSON(ST_GeomFromGeoJSON(r ->> 'geom'), 5)::jsonb)
                               ELSE r END ORDER BY i)
           FROM jsonb_array_elements(j -> 'results') WITH ORDINALITY x(r, i)))
  FROM (SELECT opendata_api.records('parkings')::jsonb - 'next_after' - 'links' AS j) p;
SELECT 'facets gares', opendata_api.facets('gares');
SELECT 'facets gares refined', opendata_api.facets('gares', refine => ARRAY['mode:Metro']);
-- search() without links.next (new in 0.2.0) and its results' links.self.
SELECT 'search ' || q, s::jsonb - 'links' - 'results',
       (SELECT jsonb_agg(r #- '{links,self}' ORDER BY i) FROM jsonb_array_elements(s::jsonb -> 'results') WITH ORDINALITY x(r, i))
  FROM (VALUES (1, 'gare', opendata_api.search('gare')),
               (2, 'facets', opendata_api.search(facet => ARRAY['theme', 'publisher'])),
               (3, 'typo', opendata_api.search('comunes'))) v(n, q, s)
 ORDER BY n;
SELECT 'export csv', opendata_api.export_csv('gares', fields => 'nom_gare, mode', "where" => 'mode = "Tramway"', order_by => 'nom_gare');
SELECT 'export geojson', opendata_api.export_geojson('gares', fields => 'nom_gare', order_by => 'objectid', rows => 3);
SELECT 'export jsonl', opendata_api.export_jsonl('parkings');
SELECT 'export json', opendata_api.export_json('gares-par-commune', order_by => 'code', rows => 5);
-- download() returns bytes since 0.2.0 (files such as Parquet; issue #17):
-- compared as the UTF-8 text 0.1.0 returned.
SELECT 'download csv', convert_from(opendata_api.download('parkings', 'csv')::bytea, 'UTF8');
-- Every match on the page: 0.1.0's near() reported min(rows, matches) as
-- its total_count (issue 21, defect 5), 0.2.0 every match; with the 25
-- stations within 1500 m on one page, both say 25.
-- Geometries left out: 0.2.0's near() and cross() write them as records()
-- does (RFC 7946, no crs member, 9 decimals; issue #24), 0.1.0 through
-- PostGIS's cast to json.  Stations at the same distance (several lines
-- at one place) came in no defined order in 0.1.0; 0.2.0 orders them by
-- the dataset's key, or by all their fields (docs/crossings.md, "Rows at
-- the same distance"): compared by distance, then by their text.
SELECT 'near', jsonb_set(j, '{results}', (SELECT jsonb_agg(r - 'geo_point' - 'geo_shape'
                                                           ORDER BY (r ->> 'distance_m')::float8,
                                                                    (r - 'geo_point' - 'geo_shape')::text)
                                            FROM jsonb_array_elements(j -> 'results') r))
  FROM (SELECT opendata_api.near('gares', 2.2945, 48.8584, 1500, rows => 50)::jsonb - 'links' AS j) n;
-- cross() pages give links.next since 0.2.0.
SELECT 'cross ad hoc', jsonb_set(j, '{results}', (SELECT jsonb_agg(r - 'geom' ORDER BY i)
                                                    FROM jsonb_array_elements(j -> 'results') WITH ORDINALITY x(r, i)))
  FROM (SELECT opendata_api.cross('communes-essonne', 'gares', 'contains', rows => 3)::jsonb - 'links' AS j) c;
-- Without a homepage, the catalog's default publisher IRI is the site's
-- root since 0.2.0, no longer the API's base URL (issue #17): compared
-- with 0.1.0's IRI written as 0.2.0 writes it.
SELECT 'dcat jsonld', replace(opendata_api.catalog_jsonld(1, 100)::text, '/api#publisher', '#publisher');
SELECT 'dcat turtle', replace(opendata_api.catalog_turtle(1, 100)::text, '/api#publisher', '#publisher');
SELECT 'dcat rdfxml', replace(opendata_api.catalog_rdfxml(1, 100)::text, '/api#publisher', '#publisher');
SELECT 'dcat paged', replace(opendata_api.catalog_dcat('turtle', 2, 2)::text, '/api#publisher', '#publisher');
SELECT 'schema.org', opendata_api.dataset_schema_org('parkings');
