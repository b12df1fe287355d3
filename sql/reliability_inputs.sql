-- Issue #14, input defects: every error path pinned by its SQLSTATE.
-- (Cancellation of long parses: test/shell/cancel_inputs.sh.)

-- 1. A header of a huge number of columns is refused at once (54011), not
-- de-duplicated for minutes.  Identical names were the quadratic case.
SELECT regress.error_of(format($$SELECT opendata.sniff_csv(convert_to(%L, 'UTF8'))$$,
                               repeat('c,', 200000) || E'c\n1\n'));
SELECT regress.error_of(format($$SELECT opendata.sniff_csv(convert_to(%L, 'UTF8'), '{"header": false}')$$,
                               repeat('1,', 200000) || E'1\n'));
SELECT regress.error_of(format($$SELECT opendata.import_csv('wide', convert_to(%L, 'UTF8'))$$,
                               repeat('c;', 1600) || E'c\n'));
-- 1,600 columns is the limit, and they are all named.
SELECT jsonb_array_length(r->'columns') AS columns, r->'columns'->1599->>'name' AS last
  FROM opendata.sniff_csv(convert_to(repeat('c;', 1599) || E'c\n', 'UTF8')) r;
-- GeoJSON: every property key is a column.
SELECT regress.error_of(format($$SELECT opendata.import_geojson('wide', convert_to(%L, 'UTF8'))$$,
  '{"type": "FeatureCollection", "features": ['
  || (SELECT string_agg(format('{"type": "Feature", "properties": {"k%s": 1}, "geometry": null}', g), ',')
        FROM generate_series(1, 1601) g)
  || ']}'));
SELECT count(*) AS leftovers FROM opendata.datasets WHERE slug = 'wide';

-- 2. Malformed geometry literals in ODSQL: 22P02 naming the literal, at its
-- position, before the statement runs (PostGIS would raise XX000).
CREATE TABLE public.reliability_geo (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO reliability_geo VALUES (1, 'SRID=4326;POINT(2.35 48.85)'), (2, 'SRID=4326;POINT(2.29 48.86)');
SELECT opendata.create_organization('reliability-org', 'Reliability') > 0 AS created;
SELECT opendata.register('reliability_geo', 'reliability-geo',
  '{"title": "G", "description": "G", "publisher": "reliability-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('reliability-geo')->>'version' AS version;
SET ROLE opendata_anon;
SELECT w AS "where", regress.error_of(format($$SELECT opendata_api.records('reliability-geo', "where" => %L)$$, w))
  FROM unnest(ARRAY[
    'intersects(geom, geom''POLYGON((0 0, 1 0, 1 1, 2 2))'')',
    'intersects(geom, geom''POLYGON((0 0, 1 0, 0 0))'')',
    'within(geom, geom''POLYGON((0 0, 1 0, 1 1, 0 0)'')',
    'intersects(geom, geom''LINESTRING(0 0)'')',
    'intersects(geom, geom''POINT(1)'')',
    'intersects(geom, geom''POINT(1 2 3 4)'')',
    'intersects(geom, geom''{"type": "Point", "coordinates": [1]}'')',
    'intersects(geom, geom''{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}'')',
    'intersects(geom, geom''{"type": "LineString", "coordinates": [[0, 0]]}'')',
    'intersects(geom, geom''POINT(NaN 0)'')',
    'within_distance(geom, geom''POINT(2.35 Infinity)'', 1km)',
    'within_distance(geom, geom''POINT(-inf 48)'', 1km)'
  ]) w;
-- In distance() ordering and selection too.
SELECT regress.error_of($$SELECT opendata_api.records('reliability-geo', order_by => 'distance(geom, geom''POINT(NaN NaN)'')')$$);
SELECT regress.error_of($$SELECT opendata_api.records('reliability-geo', fields => 'id, distance(geom, geom''POINT(2 inf)'') as d')$$);
-- Valid literals still work.
SELECT opendata_api.records('reliability-geo', fields => 'id',
  "where" => 'within_distance(geom, geom''POINT(2.35 48.85)'', 1km)')->'results' AS near;
SELECT opendata_api.records('reliability-geo', fields => 'id',
  "where" => 'within(geom, geom''{"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 49], [2, 48]]]}'')',
  order_by => 'distance(geom, geom''POINT(2.35 48.85)'')')->'results' AS inside;
RESET ROLE;

-- 3. One-letter booleans: a column of F alone is text and F stays F; M/F
-- is never boolean; t/f, y/n, o/n as complete pairs are.
SELECT c->>'name' AS name, c->>'pg_type' AS type
  FROM jsonb_array_elements(opendata.sniff_csv(convert_to(
$$id;only_f;sexe;yn;on_;tf
1;F;M;Y;O;t
2;F;F;N;N;f
3;F;F;Y;O;t
$$, 'UTF8'))->'columns') c;
SELECT r->>'rows_loaded' AS loaded
  FROM opendata.import_csv('letters', convert_to(E'id;grade\n1;F\n2;F\n', 'UTF8'),
                           '{"metadata": {"title": "Letters"}}') r;
SELECT id, grade, pg_typeof(grade) AS type FROM opendata_data.letters ORDER BY id;

-- 4. Metadata of the wrong JSON type: 22023 naming the key.  A null clears
-- a key (the licence here), except the publisher, which a dataset always has.
SELECT k, regress.error_of(format($$SELECT opendata.set_metadata('letters', %L)$$, m))
  FROM (VALUES
    ('keywords string', '{"keywords": "a string"}'),
    ('keywords number', '{"keywords": 3}'),
    ('keywords mixed', '{"keywords": ["a", 1]}'),
    ('themes string', '{"themes": "ENVI"}'),
    ('title number', '{"title": 3}'),
    ('description array', '{"description": ["a"]}'),
    ('license number', '{"license": 1}'),
    ('license null', '{"license": null}'),
    ('publisher number', '{"publisher": 7}'),
    ('publisher null', '{"publisher": null}'),
    ('landing_page object', '{"landing_page": {"url": "https://x.example"}}'),
    ('contact_point name', '{"contact_point": {"name": 5, "email": "a@b.example"}}'),
    ('contact_point email', '{"contact_point": {"email": ["a@b.example"]}}'),
    ('spatial label', '{"spatial": {"label": 75}}'),
    ('spatial uri', '{"spatial": {"label": "Paris", "uri": {"x": 1}}}'),
    ('temporal start', '{"temporal": {"start": null}}'),
    ('temporal end', '{"temporal": {"start": "2020-01-01", "end": 2021}}'),
    ('language number', '{"language": 33}'),
    ('accrual_periodicity number', '{"accrual_periodicity": 12}'),
    ('access boolean', '{"access": true}'),
    ('attributions object', '{"attributions": {}}'),
    ('key number', '{"key": 1}')
  ) AS t(k, m);
-- The documented types are accepted.
SELECT opendata.set_metadata('letters', '{"keywords": ["arbres", " paris "], "themes": ["envi"], "language": "fr",
  "contact_point": {"name": "Service", "email": "data@x.example"}, "spatial": {"label": "Paris", "uri": "https://x.example/p"},
  "temporal": {"start": "2020-01-01"}, "accrual_periodicity": "monthly", "key": "id"}') IS NOT NULL AS accepted;
SELECT keywords, themes, language, accrual_periodicity, key_fields FROM opendata.datasets WHERE slug = 'letters';
