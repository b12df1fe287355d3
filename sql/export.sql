-- Exports: CSV, JSON, JSONL and GeoJSON through the API functions, on small
-- inline datasets (escaping, options, types, geometries, errors) and on the
-- real sample files (counts, coordinates, chunked exports).
\getenv abs_srcdir PG_ABS_SRCDIR
\set trees_csv :abs_srcdir '/data/paris_arbres_remarquables.csv'
\set stations_csv :abs_srcdir '/data/idfm_emplacement_des_gares_idf.csv'
\set populations_csv :abs_srcdir '/data/insee_populations_legales_communes.csv'

-- Dates must come out ISO 8601 whatever the session's DateStyle.
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/New_York';

-- Control characters made visible, one output line per line of the file.
CREATE FUNCTION regress.shown(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(t, U&'\FEFF', '<BOM>'), E'\r', '<CR>'), E'\t', '<TAB>')
$$;

CREATE TABLE public.exp_items (id int PRIMARY KEY, nom text, note text, prix numeric, ratio float8,
                               jour date, vu timestamptz, ok boolean, geom geometry(Point, 4326),
                               secret text);
INSERT INTO exp_items VALUES
  (1, 'a;b', 'he said "hi"', 1.50, 'NaN', '2024-01-31', '2024-05-01 10:00:00+02', true,
   'SRID=4326;POINT(2.3522219 48.856614)', 's1'),
  (2, E'line1\nline2', E'cr\rlf\r\n', 'NaN', 'Infinity', '1999-12-31', '2024-12-31 23:30:00+00', false,
   'SRID=4326;POINT(-1.123456789 45.987654321)', 's2'),
  (3, '  lead', '', NULL, '-Infinity', NULL, NULL, NULL, NULL, 's3'),
  (4, 'Île-de-France ✓ 日本', NULL, 'Infinity', 0.1, '2000-02-29', '2000-01-01 00:00:00+00', true,
   'SRID=4326;POINT(0 0)', 's4');
SELECT opendata.create_organization('exp-org', 'Export org') > 0 AS created;
SELECT opendata.register('exp_items', 'exp-items', $${"title": "Items", "description": "Des objets",
         "publisher": "exp-org", "license": "etalab-2.0"}$$) IS NOT NULL AS registered;
SELECT opendata.describe_field('exp-items', 'secret', '{"hidden": true}') IS NOT NULL AS hidden,
       opendata.describe_field('exp-items', 'nom', $${"label": "Nom de l'objet"}$$) IS NOT NULL AS labelled;

-- A draft does not exist for anon.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items')$$);
RESET ROLE;
SELECT opendata.publish('exp-items')->>'version' AS version;
-- One DCAT distribution per format, with its media type.
SELECT format, media_type
  FROM opendata._distribution_formats((SELECT ds FROM opendata.datasets ds WHERE slug = 'exp-items'),
                                      'https://data.example');

SET ROLE opendata_anon;
\pset format unaligned
\pset tuples_only on
-- CSV by default: BOM, ';', CRLF, quoting only when needed (delimiter,
-- quotes, CR/LF, leading spaces, the empty string), NULL as an empty field,
-- NaN/Infinity as PostgreSQL prints them, ISO dates, datetimes in UTC,
-- geometries as GeoJSON text; the hidden field is absent.
SELECT regress.shown(opendata_api.export_csv('exp-items', order_by => 'id'));
-- Options: no BOM, labels, tab delimiter, every field quoted.
SELECT regress.shown(opendata_api.export_csv('exp-items', fields => 'id, nom', order_by => 'id',
         options => '{"bom": false, "header": "label", "delimiter": "\t", "quote_all": true}'));
-- No header, LF line endings, ',' delimiter, WKT geometries.
SELECT regress.shown(opendata_api.export_csv('exp-items', fields => 'id, nom, geom', order_by => 'id',
         options => '{"header": "none", "line_ending": "lf", "delimiter": ",", "geometry_format": "wkt"}'));
-- The BOM is the three UTF-8 bytes EF BB BF, first; off, the file starts with the header.
SELECT encode(substr(convert_to(opendata_api.export_csv('exp-items'), 'UTF8'), 1, 5), 'hex') AS with_bom,
       encode(substr(convert_to(opendata_api.export_csv('exp-items', options => '{"bom": false}'), 'UTF8'), 1, 5), 'hex') AS without_bom;
-- JSON: NaN and infinities are null, the empty string and NULL differ,
-- unicode as is, control characters escaped.
SELECT opendata_api.export_json('exp-items', order_by => 'id');
SELECT opendata_api.export_json('exp-items', order_by => 'id')::jsonb = (
  SELECT jsonb_agg(jsonb_build_object('id', id, 'nom', nom, 'note', note,
           'prix', CASE WHEN prix IN ('NaN', 'Infinity') THEN NULL ELSE prix END,
           'ratio', CASE WHEN ratio IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE ratio END,
           'jour', to_char(jour, 'YYYY-MM-DD'),
           'vu', to_char(vu AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'ok', ok, 'geom', ST_AsGeoJSON(geom, 7)::jsonb) ORDER BY id)
    FROM exp_items) AS json_matches_table;
-- JSONL, with datetimes in the requested time zone.
SELECT opendata_api.export_jsonl('exp-items', fields => 'id, jour, vu', order_by => 'id', timezone => 'Europe/Paris');
-- GeoJSON: feature id from the dataset key, properties typed, no crs,
-- coordinates at the precision asked.
SELECT opendata_api.export_geojson('exp-items', order_by => 'id');
SELECT opendata_api.export_geojson('exp-items', fields => 'id, geom', "where" => 'id <= 2', order_by => 'id',
                                   options => '{"precision": 3}');
SELECT opendata_api.export_geojson('exp-items', fields => 'id, geom', "where" => 'id = 2',
                                   options => '{"precision": null, "bbox": true}');

-- The filtering context is that of records().
SELECT opendata_api.export_jsonl('exp-items', fields => 'id', order_by => 'id desc', rows => 2, start => 1);
SELECT opendata_api.export_jsonl('exp-items', fields => 'id', refine => '{ok:true}', order_by => 'id');
SELECT opendata_api.export_jsonl('exp-items', fields => 'id', exclude => '{ok:true}', order_by => 'id');
SELECT opendata_api.export_jsonl('exp-items', fields => 'id, upper(nom) as grand', "where" => 'prix > 1 and id < 3');
-- Empty results: the CSV header, an empty array, nothing, an empty collection.
SELECT regress.shown(opendata_api.export_csv('exp-items', "where" => 'id > 100'));
SELECT opendata_api.export_json('exp-items', "where" => 'id > 100');
SELECT length(opendata_api.export_jsonl('exp-items', "where" => 'id > 100')) AS empty_jsonl;
SELECT opendata_api.export_geojson('exp-items', "where" => 'id > 100');
RESET ROLE;
SELECT count(*) AS empty_chunks FROM opendata.export_chunks('exp-items', 'jsonl', "where" => 'id > 100');
SET ROLE opendata_anon;

-- Errors, with the option or argument named.
\pset format aligned
\pset tuples_only off
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', options => '{"delimitr": ","}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', options => '{"delimiter": ",,"}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', options => '{"header": "both"}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', options => '{"bom": "yes"}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_json('exp-items', options => '{"bom": false}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_geojson('exp-items', options => '{"precision": 16}')$$);
SELECT regress.error_of($$SELECT opendata_api.export_geojson('exp-items', options => '[]')$$);
SELECT regress.error_of($$SELECT opendata_api.export_geojson('exp-items', options => '{"id_field": "nope"}')$$);
-- Hidden fields do not exist for exports either.
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', fields => 'secret')$$);
SELECT regress.error_of($$SELECT opendata_api.export_json('exp-items', "where" => 'secret = "s1"')$$);
SELECT strpos(opendata_api.export_csv('exp-items'), 'secret') = 0 AND strpos(opendata_api.export_geojson('exp-items'), 's1') = 0
       AS secret_absent;
SELECT regress.error_of($$SELECT opendata_api.export_csv(NULL)$$);
-- rows => -1 is no limit, as documented (issue #24 defect 7); below -1 is refused.
SELECT length(opendata_api.export_csv('exp-items', rows => -1)) = length(opendata_api.export_csv('exp-items')) AS minus_one_is_no_limit;
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', rows => -2)$$);
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-items', start => -1)$$);
SELECT regress.error_of($$SELECT opendata_api.export_csv('nope')$$);
-- download(): the format named in the URL, the export's value, and the
-- response headers PostgREST sends (set only once the export succeeded).
BEGIN;
SELECT opendata_api.download('exp-items', 'CSV', fields => 'id', order_by => 'id')
         = convert_to(opendata_api.export_csv('exp-items', fields => 'id', order_by => 'id'), 'UTF8') AS download_is_export,
       current_setting('response.headers') AS headers;
SELECT convert_from(opendata_api.download('exp-items', 'geojson', rows => 1), 'UTF8')::json->>'type' AS geojson_type,
       current_setting('response.headers')::json->0->>'Content-Type' AS content_type;
SELECT opendata_api.download('exp-items', 'ndjson', order_by => 'id') = convert_to(opendata_api.export_jsonl('exp-items', order_by => 'id'), 'UTF8')
         AS ndjson_is_jsonl,
       current_setting('response.headers')::json->1->>'Content-Disposition' AS disposition;
-- The files: Parquet, XLSX and the GDAL formats, each with its media type
-- and file name (test/shell/export_files.sh reads them back).
SELECT opendata_api.download('exp-items', 'parquet') = opendata_api.export_parquet('exp-items') AS download_is_parquet;
SELECT f AS format, substr(opendata_api.download('exp-items', f, "where" => 'id < 3'), 1, 4) AS magic,
       current_setting('response.headers')::json->0->>'Content-Type' AS content_type,
       current_setting('response.headers')::json->1->>'Content-Disposition' AS disposition
  FROM unnest(ARRAY['parquet', 'xlsx', 'GPKG', 'flatgeobuf', 'kml', 'shp']) f;
ROLLBACK;
SELECT regress.error_of($$SELECT opendata_api.export_parquet('exp-items', fields => 'nope')$$);
SELECT regress.error_of($$SELECT opendata_api.export_parquet('exp-items', options => '{"delimiter": ","}')$$);
SELECT regress.error_of($$SELECT opendata_api.download('exp-items', 'gpkg', options => '{"precision": 3}')$$);
SELECT regress.error_of($$SELECT opendata_api.download('exp-items', 'xml')$$);
SELECT regress.error_of($$SELECT opendata_api.download('nope', 'csv')$$);
-- export_chunks is for SQL clients (COPY, \copy), not exposed over HTTP.
SELECT regress.error_of($$SELECT * FROM opendata.export_chunks('exp-items', 'csv')$$);
RESET ROLE;
SELECT regress.error_of($$SELECT * FROM opendata.export_chunks('exp-items', 'xml')$$);
SELECT regress.error_of($$SELECT * FROM opendata.export_chunks('exp-items', 'parquet')$$);

-- A restricted dataset is refused to anon, not served empty.
CREATE TABLE public.exp_private (id int PRIMARY KEY, v text);
INSERT INTO exp_private VALUES (1, 'interne');
SELECT opendata.register('exp_private', 'exp-private', $${"title": "Interne", "description": "Réservé",
         "publisher": "exp-org", "license": "etalab-2.0", "access": "restricted"}$$) IS NOT NULL AS registered;
SELECT opendata.publish('exp-private')->>'version' AS version;
SELECT opendata_api.export_jsonl('exp-private') AS owner_reads;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.export_csv('exp-private')$$);
SELECT regress.error_of($$SELECT opendata_api.export_geojson('exp-private')$$);
RESET ROLE;

-- The real files, imported and published.
SELECT r->>'rows_loaded' AS loaded, r->>'geometry_column' AS geometry
  FROM opendata.import_csv_file('exp-gares', :'stations_csv', $${"metadata": {"title": "Gares",
         "description": "Emplacement des gares", "publisher": "exp-org", "license": "ODbL-1.0",
         "key": ["objectid"]}}$$) r;
SELECT r->>'rows_loaded' AS loaded, r->>'geometry_column' AS geometry
  FROM opendata.import_csv_file('exp-arbres', :'trees_csv', $${"metadata": {"title": "Arbres",
         "description": "Arbres remarquables", "publisher": "exp-org", "license": "ODbL-1.0"}}$$) r;
SELECT r->>'rows_loaded' AS loaded
  FROM opendata.import_csv_file('exp-populations', :'populations_csv', $${"metadata": {"title": "Populations",
         "description": "Populations légales", "publisher": "exp-org", "license": "etalab-2.0"}}$$) r;
SELECT opendata.publish('exp-gares')->>'version' AS gares, opendata.publish('exp-arbres')->>'version' AS arbres,
       opendata.publish('exp-populations')->>'version' AS populations;

SET ROLE opendata_anon;
-- Every format has every row.
SELECT s.slug, s.n AS table_rows,
       json_array_length(opendata_api.export_json(s.slug)) AS json_rows,
       array_length(regexp_split_to_array(rtrim(opendata_api.export_jsonl(s.slug), E'\n'), E'\n'), 1) AS jsonl_lines,
       CASE WHEN s.slug = 'exp-populations' THEN NULL
            ELSE json_array_length(opendata_api.export_geojson(s.slug)::json->'features') END AS features
  FROM (VALUES ('exp-gares', (SELECT count(*) FROM opendata_api."exp-gares")),
               ('exp-arbres', (SELECT count(*) FROM opendata_api."exp-arbres")),
               ('exp-populations', (SELECT count(*) FROM opendata_api."exp-populations"))) AS s(slug, n)
 ORDER BY 1;
-- CSV of a real file: header, then one record per row (no value of the
-- populations file holds a line break).
SELECT left(regress.shown(opendata_api.export_csv('exp-populations', order_by => 'codcom, coddep', rows => 2)), 200) AS head;
SELECT array_length(regexp_split_to_array(rtrim(opendata_api.export_csv('exp-populations'), E'\r\n'), E'\r\n'), 1) - 1
       AS csv_records;
-- Codes keep their leading zeros, text its accents.
SELECT opendata_api.export_jsonl('exp-populations', fields => 'coddep, codcom, com, ptot',
                                 "where" => 'coddep = "01" and codcom = "001"');
-- Coordinates within the precision asked: every feature against ST_X/ST_Y.
SELECT count(*) AS features,
       count(*) FILTER (WHERE (f->>'id')::int = g.objectid) AS ids_from_key,
       count(*) FILTER (WHERE (f->'geometry'->'coordinates'->>0)::numeric = round(ST_X(g.geo_point)::numeric, 5)
                          AND (f->'geometry'->'coordinates'->>1)::numeric = round(ST_Y(g.geo_point)::numeric, 5)) AS exact_at_5,
       count(*) FILTER (WHERE (f->'properties')::jsonb ? 'geo_point') AS geometry_in_properties
  FROM json_array_elements(opendata_api.export_geojson('exp-gares', options => '{"precision": 5}')::json->'features') f
  JOIN opendata_api."exp-gares" g ON g.objectid = (f->>'id')::int;
SELECT f->'geometry' AS geometry, f->'properties'->>'nom_gare' AS nom_gare
  FROM json_array_elements(opendata_api.export_geojson('exp-gares', "where" => 'objectid = 1')::json->'features') f;
-- The slice asked for, and nothing else.
SELECT json_array_length(opendata_api.export_geojson('exp-gares', "where" => 'metro', fields => 'nom_gare, geo_point')::json->'features')
       = (SELECT count(*) FROM opendata_api."exp-gares" WHERE metro) AS metro_only;
RESET ROLE;
-- export_chunks: several chunks whose concatenation is the single-value export.
SELECT c.format, count(*) > 1 AS several_chunks,
       md5(string_agg(c.chunk, '' ORDER BY c.n)) = md5(CASE c.format
         WHEN 'csv' THEN opendata_api.export_csv('exp-populations', order_by => 'codcom, coddep')::text
         WHEN 'json' THEN opendata_api.export_json('exp-populations', order_by => 'codcom, coddep')::text
         WHEN 'jsonl' THEN opendata_api.export_jsonl('exp-populations', order_by => 'codcom, coddep')::text
         WHEN 'geojson' THEN opendata_api.export_geojson('exp-populations', order_by => 'codcom, coddep')::text END) AS same_bytes
  FROM unnest(ARRAY['csv', 'json', 'jsonl', 'geojson']) f(format)
  CROSS JOIN LATERAL (SELECT f.format, chunk, n
                        FROM opendata.export_chunks('exp-populations', f.format, order_by => 'codcom, coddep')
                             WITH ORDINALITY AS x(chunk, n)) c
 GROUP BY c.format ORDER BY c.format;
SELECT md5(string_agg(chunk, '' ORDER BY n)) = md5(opendata_api.export_geojson('exp-gares', options => '{"precision": 6}'))
       AS geojson_chunks_same_bytes
  FROM opendata.export_chunks('exp-gares', 'geojson', options => '{"precision": 6}') WITH ORDINALITY AS x(chunk, n);
-- In a SELECT list (the documented call) each chunk is returned as it is
-- written: the same bytes.
SELECT md5(string_agg(chunk, '')) = md5(opendata_api.export_csv('exp-populations', order_by => 'codcom, coddep')::text)
       AS streamed_same_bytes
  FROM (SELECT opendata.export_chunks('exp-populations', 'csv', order_by => 'codcom, coddep') AS chunk) c;
-- Stopped after its first chunk, it leaves no cursor open behind it.
BEGIN;
SELECT length(chunk) > 0 AS first_chunk
  FROM (SELECT opendata.export_chunks('exp-populations', 'csv') AS chunk LIMIT 1) c;
SELECT count(*) AS open_cursors FROM pg_cursors;
COMMIT;
RESET DateStyle;
RESET TimeZone;

-- The media type handlers of the views (GET /<dataset> with Accept): the
-- same writers over whole rows, with the default options.
SET ROLE opendata_anon;
\pset format unaligned
\pset tuples_only on
SELECT regress.shown(opendata_api.csv_agg(t)) FROM (SELECT * FROM opendata_api."exp-items" ORDER BY id) t;
SELECT opendata_api.jsonl_agg(t) FROM (SELECT id, jour, vu FROM opendata_api."exp-items" ORDER BY id) t;
SELECT opendata_api.geojson_agg(t) FROM (SELECT id, geom FROM opendata_api."exp-items" WHERE id <= 2 ORDER BY id) t;
-- No row: a named row type still gives the CSV header; an anonymous one
-- cannot; GeoJSON is an empty collection.
SELECT regress.shown(opendata_api.csv_agg(t)) FROM opendata_api."exp-items" t WHERE false;
SELECT length(opendata_api.csv_agg(t)) FROM (SELECT * FROM opendata_api."exp-items" WHERE false) t;
SELECT opendata_api.geojson_agg(t) FROM (SELECT * FROM opendata_api."exp-items" WHERE false) t;
-- The views' handlers agree with the export functions.
SELECT opendata_api.jsonl_agg(t) = opendata_api.export_jsonl('exp-populations', order_by => 'codcom, coddep')
       AS jsonl_same
  FROM (SELECT * FROM opendata_api."exp-populations" ORDER BY codcom, coddep) t;
\pset format aligned
\pset tuples_only off
SELECT regress.error_of($$SELECT opendata_api.csv_agg(1)$$);
RESET ROLE;
