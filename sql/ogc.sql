-- OGC API - Features (Part 1, Core, GeoJSON) on the datasets of
-- sql/tiles.sql: the documents' shapes, collections as anon sees them,
-- items compared with SQL on the sources, paging by next links to the
-- end, filters, one item, errors.
\set VERBOSITY terse

-- A dataset without a key: pages by offset.
CREATE TABLE public.map_nokey (label text, geom geometry(Point, 4326));
INSERT INTO map_nokey SELECT 'n' || g, ST_SetSRID(ST_MakePoint(g / 100.0, 45), 4326) FROM generate_series(1, 25) g;
SELECT opendata.register('map_nokey', 'map-nokey', '{"title": "Sans clé", "description": "Sans clé", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('map-nokey')->>'version' AS version;
-- PostgREST under /api (deploy/nginx/opendata.conf): /ogc is beside it.
SELECT opendata.set_catalog('{"base_url": "https://data.example.org/api/"}') IS NOT NULL AS set;

-- The query string of a link.
CREATE FUNCTION regress.query_of(href text) RETURNS text
LANGUAGE sql AS $$ SELECT substr(href, strpos(href, '?') + 1) $$;
CREATE FUNCTION regress.link(doc json, rel text) RETURNS text
LANGUAGE sql AS $$ SELECT l ->> 'href' FROM json_array_elements(doc -> 'links') l WHERE l ->> 'rel' = rel $$;
-- Every feature of a collection, following next links from a first query.
CREATE FUNCTION regress.walk(collection text, query text, OUT pages int, OUT ids jsonb, OUT matched bigint)
LANGUAGE plpgsql AS $$
DECLARE
  page json;
  next text;
BEGIN
  pages := 0;
  ids := '[]';
  LOOP
    page := opendata_api.ogc_items(collection, query)::json;
    pages := pages + 1;
    matched := (page ->> 'numberMatched')::bigint;
    IF (page ->> 'numberReturned')::int <> json_array_length(page -> 'features') THEN
      RAISE EXCEPTION 'numberReturned % for % features', page ->> 'numberReturned', json_array_length(page -> 'features');
    END IF;
    ids := ids || coalesce((SELECT jsonb_agg(coalesce(f -> 'id', f -> 'properties' -> 'label')) FROM json_array_elements(page -> 'features') f), '[]');
    next := regress.link(page, 'next');
    EXIT WHEN next IS NULL;
    query := regress.query_of(next);
  END LOOP;
END
$$;

SET ROLE opendata_anon;
-- Landing page: the links QGIS and GDAL follow.
SELECT l ->> 'rel' AS rel, l ->> 'type' AS type, l ->> 'href' AS href
  FROM json_array_elements(opendata_api.ogc_landing() -> 'links') l;
SELECT opendata_api.ogc_landing() ->> 'title' = (SELECT title FROM opendata.catalog) AS catalog_title;
SELECT json_array_elements_text(opendata_api.ogc_conformance() -> 'conformsTo') AS conforms_to;
-- OpenAPI 3: the paths, and limit's bounds (opendata.max_page_size).
SELECT a ->> 'openapi' AS openapi, a -> 'servers' -> 0 ->> 'url' AS server,
       (SELECT array_agg(k ORDER BY k) FROM json_object_keys(a -> 'paths') k) AS paths
  FROM opendata_api.ogc_api() a;
SELECT p -> 'schema' AS limit_schema
  FROM json_array_elements(opendata_api.ogc_api() -> 'paths' -> '/collections/{collectionId}/items' -> 'get' -> 'parameters') p
 WHERE p ->> 'name' = 'limit';

-- Collections: published datasets with a geometry that anon can read
-- (those of this test; other tests' datasets are there too).
SELECT c ->> 'id' AS id, c ->> 'title' AS title, c ->> 'itemType' AS item_type
  FROM json_array_elements(opendata_api.ogc_collections() -> 'collections') c WHERE c ->> 'id' LIKE 'map-%';
SELECT count(*) = (SELECT count(*) FROM opendata_api.datasets d WHERE d.has_geometry) AS all_with_a_visible_geometry
  FROM json_array_elements(opendata_api.ogc_collections() -> 'collections') c;
SELECT regress.link(opendata_api.ogc_collections(), 'self') AS self;
SELECT (c -> 'extent' -> 'spatial' -> 'bbox' -> 0)::jsonb = (SELECT to_jsonb(ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)])
                                                        FROM (SELECT ST_Extent(geom) e FROM public.map_points) x) AS bbox,
       c -> 'extent' -> 'temporal' -> 'interval' AS interval,
       c -> 'crs' AS crs
  FROM opendata_api.ogc_collection('map-points') c;
SELECT l ->> 'rel' AS rel, l ->> 'type' AS type, l ->> 'href' AS href
  FROM json_array_elements(opendata_api.ogc_collection('map-points') -> 'links') l;
SELECT regress.error_of($$SELECT opendata_api.ogc_collection('map-draft')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_collection('map-closed')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_collection('map-plain')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-closed')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('nope')$$);
-- A dataset whose geometry is hidden has no map: no collection, no tiles.
RESET ROLE;
CREATE TABLE public.map_hidden_geo (id int PRIMARY KEY, label text, geom geometry(Point, 4326));
INSERT INTO map_hidden_geo VALUES (1, 'hidden', 'SRID=4326;POINT(2.35 48.85)');
SELECT opendata.register('map_hidden_geo', 'map-hidden-geo', '{"title": "Cachée", "description": "Géométrie cachée", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.describe_field('map-hidden-geo', 'geom', '{"hidden": true}') IS NOT NULL AS hidden;
SELECT opendata.publish('map-hidden-geo')->>'version' AS version;
SET ROLE opendata_anon;
SELECT count(*) AS listed FROM json_array_elements(opendata_api.ogc_collections() -> 'collections') c
 WHERE c ->> 'id' = 'map-hidden-geo';
SELECT regress.error_of($$SELECT opendata_api.ogc_collection('map-hidden-geo')$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-hidden-geo', 0, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tilejson('map-hidden-geo')$$);
RESET ROLE;
SET ROLE regress_map_member;
SELECT c ->> 'id' AS member_sees
  FROM json_array_elements(opendata_api.ogc_collections() -> 'collections') c WHERE c ->> 'id' = 'map-closed';
RESET ROLE;
SET ROLE opendata_anon;

-- Items: a GeoJSON FeatureCollection with its counts and typed links.
SELECT p ->> 'type' AS type, p -> 'numberMatched' AS matched, p -> 'numberReturned' AS returned,
       p ->> 'timeStamp' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AS time_stamp
  FROM (SELECT opendata_api.ogc_items('map-points')::json AS p) x;
SELECT l ->> 'rel' AS rel, l ->> 'type' AS type, regexp_replace(l ->> 'href', 'after=[A-Za-z0-9_-]+', 'after=<token>') AS href
  FROM json_array_elements(opendata_api.ogc_items('map-points')::json -> 'links') l;
SELECT f ->> 'type' AS type, f -> 'id' AS id, f -> 'geometry' ->> 'type' AS geometry,
       (SELECT array_agg(k ORDER BY k) FROM json_object_keys(f -> 'properties') k) AS properties
  FROM json_array_elements(opendata_api.ogc_items('map-points', 'limit=3')::json -> 'features') f;
-- The features are the source's rows (coordinates to the portal's 7
-- decimals, values).
SELECT count(*) AS differences
  FROM json_array_elements(opendata_api.ogc_items('map-points', 'limit=100')::json -> 'features') f
  JOIN public.map_points m ON m.id = (f ->> 'id')::int
 WHERE ST_Distance(ST_SetSRID(ST_GeomFromGeoJSON(f ->> 'geometry'), 4326), m.geom) > 1e-7
    OR f -> 'properties' ->> 'name' <> m.name OR (f -> 'properties' ->> 'seen')::date <> m.seen;
-- Walking the next links reads every feature once.
SELECT pages, jsonb_array_length(ids) AS features, matched,
       (SELECT count(DISTINCT v) FROM jsonb_array_elements(ids) v) AS distinct_ids
  FROM regress.walk('map-points', 'limit=100');
-- limit is capped by opendata.max_page_size; the links say what was used.
SELECT p -> 'numberReturned' AS returned, regress.link(p, 'self') AS self
  FROM (SELECT opendata_api.ogc_items('map-points', 'limit=1000')::json AS p) x;
-- Without a key, pages go by offset, to the end.
SELECT pages, jsonb_array_length(ids) AS features, matched FROM regress.walk('map-nokey', 'limit=10');
SELECT regress.link(opendata_api.ogc_items('map-nokey', 'limit=10&offset=10')::json, 'next') AS next;

-- bbox, datetime and properties, compared with SQL on the source.
SELECT (p ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_points WHERE ST_Intersects(geom, ST_MakeEnvelope(2.3, 48.72, 2.35, 48.75, 4326))) AS expected
  FROM (SELECT opendata_api.ogc_items('map-points', 'bbox=2.3,48.72,2.35,48.75')::json AS p) x;
SELECT (p ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_points WHERE seen BETWEEN '2024-02-01' AND '2024-02-10' AND kind = 'a') AS expected,
       regress.link(p, 'self') AS self
  FROM (SELECT opendata_api.ogc_items('map-points', 'datetime=2024-02-01/2024-02-10&kind=a&limit=5')::json AS p) x;
SELECT (opendata_api.ogc_items('map-points', 'datetime=2024-12-25')::json ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_points WHERE seen = '2024-12-25') AS expected;
SELECT (opendata_api.ogc_items('map-points', 'datetime=../2024-01-05T00:00:00Z')::json ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_points WHERE seen <= '2024-01-05') AS expected;
SELECT (opendata_api.ogc_items('map-points', 'datetime=2024-12-30%2F..')::json ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_points WHERE seen >= '2024-12-30') AS expected;
-- Percent-encoded values; a filter on a value with a space.
SELECT f -> 'id' AS id FROM json_array_elements(opendata_api.ogc_items('map-points', 'name=point+7&f=json')::json -> 'features') f;
SELECT regress.link(opendata_api.ogc_items('map-points', 'name=point%207')::json, 'self') AS self;
-- Filters and bbox carry over to the next page.
SELECT regexp_replace(regress.link(opendata_api.ogc_items('map-points', 'kind=b&bbox=2.2,48.6,2.5,48.9&limit=2')::json, 'next'),
                      'after=[A-Za-z0-9_-]+', 'after=<token>') AS next;
SELECT pages, jsonb_array_length(ids) AS features, matched,
       (SELECT count(*) FROM public.map_points WHERE kind = 'b') AS expected
  FROM regress.walk('map-points', 'kind=b&limit=100');
-- The query string comes from nginx in X-Ogc-Query.
BEGIN;
SELECT set_config('request.headers', '{"x-ogc-query": "limit=2&kind=c"}', true) IS NOT NULL AS sent;
SELECT p -> 'numberReturned' AS returned, (SELECT array_agg(DISTINCT f -> 'properties' ->> 'kind') FROM json_array_elements(p -> 'features') f) AS kinds
  FROM (SELECT opendata_api.ogc_items('map-points')::json AS p) x;
COMMIT;

-- One feature.
SELECT i -> 'id' AS id, i -> 'properties' ->> 'name' AS name, (i -> 'properties')::jsonb ? 'secret' AS secret,
       regress.link(i, 'self') AS self
  FROM (SELECT opendata_api.ogc_item('map-points', '7')::jsonb::json AS i) x;
BEGIN;
SELECT opendata_api.ogc_item('map-points', '99999') AS missing, current_setting('response.status') AS status;
COMMIT;
BEGIN;
SELECT opendata_api.ogc_item('map-points', 'abc') AS not_a_key, current_setting('response.status') AS status;
COMMIT;
BEGIN;
SELECT opendata_api.ogc_item('map-nokey', 'n1') AS no_key, current_setting('response.status') AS status;
COMMIT;

-- Read-only, as GET runs.
BEGIN READ ONLY;
SELECT (SELECT count(*) FROM json_array_elements(opendata_api.ogc_collections() -> 'collections') c
         WHERE c ->> 'id' LIKE 'map-%') AS collections,
       opendata_api.ogc_items('map-points', 'limit=1')::json -> 'numberReturned' AS returned;
COMMIT;

-- Errors (400 over HTTP).
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'limit=0')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'limit=ten')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'offset=-1')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'bbox=1,2,3')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'bbox=1,2,x,4')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'datetime=yesterday')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'f=xml')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_landing('html')$$);
SELECT json_array_length(opendata_api.ogc_collections(f => 'json') -> 'collections') > 0 AS with_f;
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'bbox-crs=EPSG:2154')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'secret=x')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'after=garbage')$$);
SELECT regress.error_of($$SELECT opendata_api.ogc_items('map-points', 'name=%FF')$$);
RESET ROLE;
SELECT opendata.set_catalog('{"base_url": "http://localhost:3000"}') IS NOT NULL AS reset;

-- A geometry and a date column whose names hold a back-quote: the bbox and
-- datetime filters write them as ODSQL reads them (opendata._odsql_field).
CREATE TABLE public.map_quoted (id int PRIMARY KEY, "seen`at" date, "geo`m" geometry(Point, 4326));
INSERT INTO map_quoted SELECT g, date '2024-01-01' + g, ST_SetSRID(ST_MakePoint(2 + g / 100.0, 48), 4326)
  FROM generate_series(1, 30) g;
SELECT opendata.register('map_quoted', 'map-quoted', '{"title": "Accents graves", "description": "Des noms de colonnes avec un accent grave", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('map-quoted')->>'version' AS version;
SET ROLE opendata_anon;
SELECT opendata._odsql_field('seen`at') AS seen_at, opendata._odsql_field('plain') AS plain;
SELECT (p ->> 'numberMatched')::int AS matched,
       (SELECT count(*) FROM public.map_quoted
         WHERE "seen`at" BETWEEN '2024-01-05' AND '2024-01-10' AND ST_X("geo`m") <= 2.08) AS expected
  FROM (SELECT opendata_api.ogc_items('map-quoted', 'datetime=2024-01-05/2024-01-10&bbox=1,47,2.08,49')::json AS p) x;
RESET ROLE;
SELECT opendata.drop_dataset('map-quoted', drop_data => true);
