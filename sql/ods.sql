-- Opendatasoft Explore API v2.1 (src/sql/77_ods.sql): each URL's function
-- against the function apps already call (records(), facets(), search(),
-- download()) on the same query; Explore's parameter names read from the
-- query string; the dataset object; error bodies and statuses.
\set VERBOSITY terse

SELECT opendata.create_organization('ods-org', 'ODS org') > 0 AS created;
CREATE TABLE public.ods_trees (id int PRIMARY KEY, genre text, hauteur int, plante date,
                               geom geometry(Point, 4326));
INSERT INTO ods_trees
SELECT g, (ARRAY['Tilia', 'Quercus', 'Platanus'])[g % 3 + 1], g % 40, date '2020-01-01' + g,
       ST_SetSRID(ST_MakePoint(2 + g / 1000.0, 48.8), 4326)
  FROM generate_series(1, 60) g;
SELECT opendata.register('ods_trees', 'ods-trees', $${"title": "Arbres ODS", "description": "Des arbres",
  "publisher": "ods-org", "themes": ["ENVI"], "keywords": ["arbres"], "license": "etalab-2.0"}$$) IS NOT NULL AS registered;
SELECT opendata.describe_field('ods-trees', 'genre', '{"label": "Genre", "facet": true}') IS NULL AS described;
SELECT opendata.publish('ods-trees')->>'version' AS version;
CREATE TABLE public.ods_nokey (label text);
INSERT INTO ods_nokey VALUES ('a'), ('b');
SELECT opendata.register('ods_nokey', 'ods-nokey', '{"title": "Sans clé", "description": "Sans clé", "publisher": "ods-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('ods-nokey')->>'version' AS version;
CREATE TABLE public.ods_draft (id int PRIMARY KEY);
SELECT opendata.register('ods_draft', 'ods-draft', '{"title": "Brouillon", "description": "Brouillon", "publisher": "ods-org"}') IS NOT NULL AS registered;

SET ROLE opendata_anon;

-- The query string: last value wins, refine/exclude/facet repeat, decoded.
SELECT opendata._ods_params('limit=5&limit=7&refine=genre%3ATilia&refine=hauteur:3&where=hauteur+%3E+2&x=');

-- Records: the same answer as records() with the house names, without
-- records()' links (their URLs are the house API's).
SELECT opendata_api.ods_records('ods-trees', 'select=id,genre&where=hauteur%20%3E%2030&order_by=id%20desc&limit=3&offset=1')::jsonb
     = opendata_api.records('ods-trees', fields => 'id,genre', "where" => 'hauteur > 30', order_by => 'id desc', rows => 3, start => 1)::jsonb - 'links'
  AS records_same;
SELECT opendata_api.ods_records('ods-trees', 'select=genre,count(*)%20as%20n&group_by=genre&order_by=genre')::jsonb -> 'results' AS grouped;
SELECT opendata_api.ods_records('ods-trees', 'refine=genre:Tilia&exclude=hauteur:3&limit=0')::jsonb -> 'total_count' AS refined,
       (SELECT count(*) FROM ods_trees WHERE genre = 'Tilia' AND hauteur <> 3) AS by_sql;
-- Defaults: 10 records, offset 0; the X-Ods-Query header when no argument.
SELECT jsonb_array_length(opendata_api.ods_records('ods-trees')::jsonb -> 'results') AS default_page;
SELECT set_config('request.headers', '{"x-ods-query": "where=id%3D7&select=id,hauteur"}', false) IS NOT NULL AS header_set;
SELECT opendata_api.ods_records('ods-trees') -> 'results' AS from_header;
SELECT set_config('request.headers', '', false) IS NOT NULL AS header_reset;
-- No 10,000 cap on offset (Explore's limit): an empty page, not an error.
SELECT opendata_api.ods_records('ods-trees', 'offset=20000')::jsonb -> 'results' AS deep_offset;

-- One record by key; 404 bodies otherwise.
SELECT opendata_api.ods_record('ods-trees', '7') AS record;
SELECT opendata_api.ods_record('ods-trees', '7000') AS missing, current_setting('response.status') AS status;
SELECT opendata_api.ods_record('ods-trees', 'abc') ->> 'error_code' AS not_a_key, current_setting('response.status') AS status;
SELECT opendata_api.ods_record('ods-nokey', 'a') ->> 'hint' AS no_key;

-- Facets: facets() under Explore's names.
SELECT opendata_api.ods_facets('ods-trees', 'facet=genre&where=hauteur%3E30')::jsonb
     = opendata_api.facets('ods-trees', '{genre}', 'hauteur>30')::jsonb AS facets_same;
SELECT opendata_api.ods_facets('ods-trees', 'refine=genre:Tilia')::jsonb -> 'facets' -> 0 -> 'facets' AS refined_facet;

-- The dataset object.
SELECT (opendata_api.ods_dataset('ods-trees')::jsonb #>> '{metas,default,modified}')::timestamptz
       = (SELECT modified FROM opendata.datasets WHERE slug = 'ods-trees') AS modified_is_the_datasets;
SELECT jsonb_pretty(opendata_api.ods_dataset('ods-trees')::jsonb - 'fields'
                    #- '{metas,default,modified}' #- '{metas,default,data_processed}' #- '{metas,default,metadata_processed}') AS dataset;
SELECT f FROM jsonb_array_elements(opendata_api.ods_dataset('ods-trees')::jsonb -> 'fields') f;
SELECT opendata_api.ods_dataset('ods-trees', 'select=dataset_id,%20has_records') AS selected;
SELECT opendata_api.ods_dataset('ods-draft') AS draft, current_setting('response.status') AS status;

-- The catalog: search() under Explore's names.
-- (other tests' datasets are in the catalog too: compared with search())
SELECT (SELECT array_agg(r ->> 'dataset_id' ORDER BY o) FROM jsonb_array_elements(c -> 'results') WITH ORDINALITY x(r, o))
     = (SELECT array_agg(r ->> 'dataset_id' ORDER BY o)
          FROM jsonb_array_elements(opendata_api.search('arbres')::jsonb -> 'results') WITH ORDINALITY x(r, o)) AS same_ids,
       c -> 'total_count' = opendata_api.search('arbres', rows => 0)::jsonb -> 'total_count' AS same_total
  FROM (SELECT opendata_api.ods_catalog_datasets('where=%22arbres%22&select=dataset_id')::jsonb AS c) s;
SELECT opendata_api.ods_catalog_datasets('refine=publisher:ods-org&order_by=title%20asc&select=dataset_id') AS by_publisher;
SELECT opendata_api.ods_catalog_datasets('refine=default.theme:ENVI&limit=1&select=dataset_id')::jsonb
     = jsonb_build_object('total_count', (opendata_api.search(refine => '{theme:ENVI}', rows => 0)::jsonb -> 'total_count'),
                          'results', '[{"dataset_id": "ods-trees"}]'::jsonb) AS catalog_refine;
SELECT opendata_api.ods_catalog_facets('facet=publisher&refine=publisher:ods-org') AS catalog_facets;
SELECT opendata_api.ods_catalog_datasets('where=modified%3E2020') AS unsupported_where, current_setting('response.status') AS status;

-- Exports: download() with Explore's options.
SELECT convert_from(opendata_api.ods_export('ods-trees', 'csv', 'select=id,genre&where=id%3C3&delimiter=,&with_bom=false&use_labels=true'), 'UTF8') AS csv,
       current_setting('response.headers') AS headers;
SELECT convert_from(opendata_api.ods_export('ods-trees', 'json', 'select=id&where=id%3C4&order_by=id'), 'UTF8') AS json;
SELECT (SELECT count(*) FROM jsonb_array_elements(convert_from(opendata_api.ods_export('ods-trees', 'geojson'), 'UTF8')::jsonb -> 'features')) AS all_rows;
SELECT convert_from(opendata_api.ods_export('ods-trees', 'json', 'limit=2&order_by=id'), 'UTF8') AS limited;
SELECT convert_from(opendata_api.ods_export('ods-trees', 'csv', 'epsg=2154'), 'UTF8') AS bad_epsg, current_setting('response.status') AS status,
       current_setting('response.headers') AS headers;
SELECT convert_from(opendata_api.ods_export('ods-trees', 'json', 'delimiter=,'), 'UTF8') AS csv_option_on_json;
SELECT convert_from(opendata_api.ods_export('ods-trees', 'xls'), 'UTF8') AS unknown_format;
SELECT jsonb_array_length(opendata_api.ods_catalog_export('json')::jsonb) > 0 AS catalog_json,
       (SELECT d ->> 'dataset_id' FROM jsonb_array_elements(opendata_api.ods_catalog_export('json')::jsonb) d
         WHERE d ->> 'dataset_id' = 'ods-trees') AS listed;
SELECT left(opendata_api.ods_catalog_export('ttl'), 7) AS turtle, current_setting('response.headers') AS headers;

-- Errors: Explore's body, PostgREST's status.
SELECT opendata_api.ods_records('ods-trees', 'where=hauteur%20%3E') AS syntax, current_setting('response.status') AS status;
SELECT opendata_api.ods_records('ods-trees', 'select=nope') AS unknown_field;
SELECT opendata_api.ods_records('ods-trees', 'limit=ten') AS bad_limit;
SELECT opendata_api.ods_records('ods-trees', 'offset=-1') AS bad_offset;
SELECT opendata_api.ods_records('nope') AS unknown_dataset, current_setting('response.status') AS status;
SELECT opendata_api.ods_facets('ods-draft') AS draft_facets;
RESET ROLE;

-- Everything works in a READ ONLY transaction (PostgREST's GET).
BEGIN READ ONLY;
SET LOCAL ROLE opendata_anon;
SELECT opendata_api.ods_records('ods-trees', 'limit=1') -> 'total_count' AS read_only_records,
       opendata_api.ods_catalog_facets('facet=theme') IS NOT NULL AS read_only_facets,
       length(opendata_api.ods_export('ods-trees', 'csv')) > 0 AS read_only_export;
COMMIT;
