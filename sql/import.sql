-- Importing files: sniffing, loading, registering, re-importing, and every
-- failure leaving nothing behind.
\getenv abs_srcdir PG_ABS_SRCDIR
\set trees_csv :abs_srcdir '/data/paris_arbres_remarquables.csv'
\set stations_csv :abs_srcdir '/data/idfm_emplacement_des_gares_idf.csv'
\set populations_csv :abs_srcdir '/data/insee_populations_legales_communes.csv'

-- Sniffing French spreadsheet habits: ';', decimal commas, dd/mm/yyyy,
-- oui/non, codes with leading zeros (2A included), sentinels.
SELECT c->>'name' AS name, c->>'pg_type' AS type, c->>'null_count' AS nulls, c->>'min' AS min, c->>'max' AS max
  FROM jsonb_array_elements(opendata.sniff_csv(convert_to(
$$Code commune;Nom;Surface (km²);Créée le;Fusionnée;Population
01001;L'Abergement;15,95;01/01/1790;non;832
2A004;Ajaccio;82,03;12/03/1811;oui;NC
91228;Évry;8,33;31/12/1965;non;N/A
$$, 'UTF8'))->'columns') c;
SELECT opendata.sniff_csv(convert_to(E'a;b\n1;2\n', 'UTF8'))->'dialect' AS dialect;

-- Latin-1 (Windows-1252) input is transcoded; BOMs are counted and dropped.
SELECT r->'dialect'->>'encoding' AS encoding, r->'columns'->0->>'examples' AS examples
  FROM opendata.sniff_csv(decode('6e6f6d0a4372e97465696c0a', 'hex')) r;
SELECT r->'dialect'->>'bom_count' AS boms, r->'columns'->0->>'name' AS first_column
  FROM opendata.sniff_csv(decode('efbbbfefbbbf636f64650a310a', 'hex')) r;

-- Options are checked strictly.
SELECT regress.error_of($$SELECT opendata.sniff_csv('a', '{"delimeter": ";"}')$$);
SELECT regress.error_of($$SELECT opendata.sniff_csv('a', '{"delimiter": ";;"}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('x', 'a', '{"mode": "merge"}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('x', 'a', '{"metadata": 1}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('x', 'a', '[]')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('x', NULL)$$);
SELECT regress.error_of($$SELECT opendata.import_csv('Bad Slug', 'a')$$);
-- A spreadsheet is not a CSV.
SELECT regress.error_of($$SELECT opendata.sniff_csv(decode('504b030414000600080000002100', 'hex'))$$);

-- The real files.
CREATE ROLE regress_importer LOGIN IN ROLE opendata_publisher;
SELECT opendata.create_organization('paris', 'Ville de Paris') > 0 AS created;
SELECT opendata.add_member('paris', 'regress_importer');
GRANT pg_read_server_files TO regress_importer;
SET ROLE regress_importer;
SELECT r->>'rows_loaded' AS loaded, r->>'rows_rejected' AS rejected, r->>'table' AS table_name,
       r->'dialect'->>'delimiter' AS delimiter, r->'dialect'->>'bom_count' AS boms,
       r->>'geometry_column' AS geometry, r->>'version' AS version
  FROM opendata.import_csv_file('arbres', :'trees_csv', '{"metadata": {"title": "Arbres remarquables"}}') r;
RESET ROLE;
SELECT tableowner FROM pg_tables WHERE schemaname = 'opendata_data' AND tablename = 'arbres';
SELECT count(*), count(geo_point) AS located, min(hauteur_en_m), max(hauteur_en_m) FROM opendata_data.arbres;
SELECT name, type, label FROM opendata.fields
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'arbres') AND position <= 8
 ORDER BY position;
SELECT status, title, geometry_field, geometry_srid FROM opendata.datasets WHERE slug = 'arbres';
SELECT indexdef FROM pg_indexes WHERE schemaname = 'opendata_data' AND tablename = 'arbres';
SELECT action, version, row_count, note FROM opendata.history
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'arbres');

SET ROLE regress_importer;
SELECT r->>'rows_loaded' AS loaded, r->>'geometry_column' AS geometry
  FROM opendata.import_csv_file('gares', :'stations_csv') r;
SELECT r->>'rows_loaded' AS loaded
  FROM opendata.import_csv_file('populations', :'populations_csv') r;
RESET ROLE;
-- GeoJSON: properties become typed columns, geometries a geometry column.
\set essonne_geojson :abs_srcdir '/data/communes_91_essonne.geojson'
\set seine_et_marne_geojson :abs_srcdir '/data/communes_77_seine_et_marne.geojson'
SELECT r->>'rows_loaded' AS loaded, r->>'format' AS format, r->>'geometry_column' AS geometry
  FROM opendata.import_geojson_file('communes-91', :'essonne_geojson') r
UNION ALL
SELECT r->>'rows_loaded', r->>'format', r->>'geometry_column'
  FROM opendata.import_geojson_file('communes-77', :'seine_et_marne_geojson') r;
SELECT count(*), count(DISTINCT code), min(code), bool_and(ST_IsValid(geom)) AS valid,
       bool_and(ST_SRID(geom) = 4326) AS wgs84, string_agg(DISTINCT ST_GeometryType(geom), ',') AS types
  FROM opendata_data."communes-91";
SELECT name, type, sql_type FROM opendata.fields
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'communes-77') ORDER BY position;
SELECT regress.error_of($$SELECT opendata.import_geojson('bad-json', convert_to('{"type": "FeatureCollection", "features": [', 'UTF8'))$$);
SELECT regress.error_of($$SELECT opendata.import_geojson('not-fc', convert_to('[1, 2]', 'UTF8'))$$);
SELECT regress.error_of($$SELECT opendata.import_geojson('x', convert_to('{}', 'UTF8'), '{"delimiter": ";"}')$$);
-- The stations' "Geo Point" (WGS 84) lands within 1 m of their Lambert-93 x/y.
SELECT count(*) AS stations,
       count(*) FILTER (WHERE ST_Distance(ST_Transform(geo_point, 2154), ST_SetSRID(ST_MakePoint(x, y), 2154)) < 1) AS within_1m
  FROM opendata_data.gares;

-- Codes keep their leading zeros; counts are integers.
SELECT codreg, coddep, codcom, com, ptot FROM opendata_data.populations ORDER BY coddep, codcom LIMIT 3;
SELECT pg_typeof(ptot), pg_typeof(coddep) FROM opendata_data.populations LIMIT 1;
SELECT count(*) FILTER (WHERE metro) AS metro_rows, pg_typeof(min(x)) FROM opendata_data.gares;

-- Duplicate slug: nothing more is created.
SET ROLE regress_importer;
SELECT regress.error_of(format('SELECT opendata.import_csv_file(%L, %L)', 'arbres', :'trees_csv'));
RESET ROLE;

-- A bad row aborts the import (the default): no table, no catalog row.
SELECT regress.error_of($$SELECT opendata.import_csv('bad-rows', convert_to(E'n;d\n1;2020-01-01\n2;2020-02-30\n', 'UTF8'),
                           '{"columns": {"d": {"type": "date"}}, "date_format": "ymd"}')$$);
SELECT to_regclass('opendata_data."bad-rows"') AS table_left, count(*) AS catalog_rows
  FROM opendata.datasets WHERE slug = 'bad-rows';
-- With on_error = skip, the bad rows are reported and the rest loaded.
SELECT r->>'rows_loaded' AS loaded, r->>'rows_rejected' AS rejected, r->'rejected' AS rejected_rows
  FROM opendata.import_csv('skip-rows', convert_to(E'n;d\n1;2020-01-01\n2;2020-02-30\n3;2020-03-01\n', 'UTF8'),
                           '{"columns": {"d": {"type": "date"}}, "date_format": "ymd", "on_error": "skip"}') r;

-- Re-import: same columns, new rows; the published dataset gets a new version.
SELECT opendata.set_metadata('skip-rows', '{"title": "T", "description": "D", "publisher": "paris", "key": "n"}') IS NOT NULL AS described;
SELECT opendata.publish('skip-rows')->>'version' AS version;
SELECT r->>'rows_loaded' AS loaded, r->>'version' AS version
  FROM opendata.import_csv('skip-rows', convert_to(E'n;d\n1;2021-01-01\n4;2024-04-04\n', 'UTF8'),
                           '{"mode": "replace", "columns": {"d": {"type": "date"}}, "date_format": "ymd"}') r;
SELECT n, d FROM opendata_api."skip-rows" ORDER BY n;
SELECT action, version, row_count, rows_added, rows_removed, rows_changed, note FROM opendata.history
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'skip-rows') ORDER BY id;
-- Different columns are refused, naming both shapes; the data stays.
SELECT regress.error_of($$SELECT opendata.import_csv('skip-rows', convert_to(E'n;d;extra\n1;2;3\n', 'UTF8'), '{"mode": "replace"}')$$);
SELECT count(*) FROM opendata_api."skip-rows";
SELECT regress.error_of($$SELECT opendata.import_csv('nothing-here', 'a', '{"mode": "replace"}')$$);

-- A column forced to date reads its values in the form most of them have:
-- the ISO dates load, the bad value is reported, nothing reads as dd/mm.
SELECT r->'columns'->0->>'pg_type' AS type, r->>'rows_loaded' AS loaded, r->'rejected' AS rejected
  FROM opendata.import_csv('forced-date', convert_to(E'd;n\n2021-03-04;1\nbientôt;2\n2021-12-31;3\n', 'UTF8'),
                           '{"columns": {"d": {"type": "date"}}, "on_error": "skip"}') r;
SELECT to_char(d, 'YYYY-MM-DD') AS d, n FROM opendata_data."forced-date" ORDER BY n;
SELECT opendata.drop_dataset('forced-date', true);

-- One file with Windows-1252 bytes beyond Latin-1 (€, Œ), CRLF and LF line
-- endings mixed, a short row (padded with NULLs), SIRET and 2A/2B codes
-- (text), and WKT and GeoJSON text columns (geometries).
CREATE TEMP TABLE mixed_report AS
SELECT opendata.import_csv('mixed-file', convert_to(
         E'SIRET;Code commune;Prix;Libellé;Forme;Point\r\n'
         '35600000000048;2A004;12,5;Œuvre à 5 €;POINT(2.35 48.85);"{""type"": ""Point"", ""coordinates"": [2.35, 48.85]}"\n'
         '00012345600017;2B033;3;"Tour; ""Nord""";POINT(9.45 42.7);"{""type"": ""Point"", ""coordinates"": [9.45, 42.7]}"\r\n'
         '32131006400012;01053;7\n', 'WIN1252')) AS r;
SELECT r->'dialect'->>'encoding' AS encoding, r->'dialect'->>'line_ending' AS line_ending,
       r->>'rows_loaded' AS loaded, r->'warnings' AS warnings, r->>'geometry_column' AS geometry
  FROM mixed_report;
SELECT c->>'name' AS name, c->>'pg_type' AS type FROM mixed_report, jsonb_array_elements(r->'columns') c;
SELECT siret, code_commune, prix, libelle, ST_AsEWKT(forme) AS forme, ST_AsEWKT(point) AS point
  FROM opendata_data."mixed-file" ORDER BY siret;
SELECT opendata.drop_dataset('mixed-file', true);

-- Server files: only for superusers and pg_read_server_files.
SET ROLE regress_alice;
SELECT regress.error_of(format('SELECT opendata.import_csv_file(%L, %L)', 'x', :'trees_csv'));
RESET ROLE;

-- A cancelled import leaves nothing: 300,000 generated rows, cut short.
CREATE TEMP TABLE big AS
SELECT convert_to('id;label;value' || E'\n' || string_agg(g || ';label ' || g || ';' || (g % 1000) || ',5', E'\n'), 'UTF8') AS data
  FROM generate_series(1, 300000) g;
SET statement_timeout = '100ms';
DO $$
BEGIN
  PERFORM opendata.import_csv('cancelled', data) FROM big;
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'import cancelled with SQLSTATE %', SQLSTATE;
END
$$;
RESET statement_timeout;
SELECT to_regclass('opendata_data.cancelled') AS table_left, count(*) AS catalog_rows
  FROM opendata.datasets WHERE slug = 'cancelled';
-- The same file, given time, loads whole; decimal commas become numerics.
SELECT r->>'rows_loaded' AS loaded, r->'columns'->2->>'pg_type' AS value_type
  FROM big, opendata.import_csv('generated', data) r;
SELECT sum(value) FROM opendata_data.generated;
