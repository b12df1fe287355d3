-- Vector tiles and TileJSON: tiles decoded (a protobuf reader below) and
-- compared with PostGIS run by hand on the source tables; what the caller
-- may not read is not in them; clustering on geo_cluster()'s grid; the
-- HTTP side (ETag, 304, 204); errors.
\set VERBOSITY terse

-- Protocol buffers, just enough for Mapbox vector tiles (spec 2.1): the
-- fields of a message, varints and length-delimited values.
CREATE FUNCTION regress.pb_varint(b bytea, INOUT pos int, OUT v int8)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  shift int := 0;
  byte int;
BEGIN
  v := 0;
  LOOP
    byte := get_byte(b, pos);
    pos := pos + 1;
    IF shift < 63 THEN
      v := v | ((byte & 127)::int8 << shift);
    END IF;
    shift := shift + 7;
    EXIT WHEN byte < 128;
  END LOOP;
END
$$;

CREATE FUNCTION regress.pb_fields(b bytea, OUT field int, OUT ival int8, OUT sub bytea, OUT ord int)
RETURNS SETOF record
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pos int := 0;
  r record;
  wire int;
BEGIN
  ord := 0;
  WHILE pos < length(b) LOOP
    r := regress.pb_varint(b, pos);
    pos := r.pos;
    field := r.v >> 3;
    wire := r.v & 7;
    ival := NULL;
    sub := NULL;
    ord := ord + 1;
    IF wire = 0 THEN
      r := regress.pb_varint(b, pos);
      pos := r.pos;
      ival := r.v;
    ELSIF wire = 2 THEN
      r := regress.pb_varint(b, pos);
      sub := substr(b, r.pos + 1, r.v::int);
      pos := r.pos + r.v::int;
    ELSIF wire = 1 THEN
      sub := substr(b, pos + 1, 8);
      pos := pos + 8;
    ELSIF wire = 5 THEN
      sub := substr(b, pos + 1, 4);
      pos := pos + 4;
    ELSE
      RAISE EXCEPTION 'protobuf wire type % at byte %', wire, pos;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

CREATE FUNCTION regress.pb_packed(b bytea) RETURNS SETOF int8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pos int := 0;
  r record;
BEGIN
  WHILE pos < length(b) LOOP
    r := regress.pb_varint(b, pos);
    pos := r.pos;
    RETURN NEXT r.v;
  END LOOP;
END
$$;

-- A tile's features: one row per attribute (key NULL for a feature without
-- any), with the layer's name and extent and the feature's geometry type
-- (1 point, 2 line, 3 polygon).  Values as text: strings, integers,
-- booleans; floats as 'float'.
CREATE FUNCTION regress.mvt(tile bytea)
RETURNS TABLE (layer text, extent int8, feature int, geom_type int8, key text, value text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  l record;
  f record;
  keys text[];
  vals text[];
  tags int8[];
  i int;
BEGIN
  FOR l IN SELECT sub FROM regress.pb_fields(tile) WHERE field = 3 ORDER BY ord LOOP
    SELECT convert_from(sub, 'UTF8') INTO layer FROM regress.pb_fields(l.sub) WHERE field = 1;
    SELECT ival INTO extent FROM regress.pb_fields(l.sub) WHERE field = 5;
    keys := ARRAY(SELECT convert_from(sub, 'UTF8') FROM regress.pb_fields(l.sub) WHERE field = 3 ORDER BY ord);
    vals := ARRAY(SELECT (SELECT CASE v.field WHEN 1 THEN convert_from(v.sub, 'UTF8')
                                              WHEN 4 THEN v.ival::text WHEN 5 THEN v.ival::text
                                              WHEN 6 THEN ((v.ival >> 1) # -(v.ival & 1))::text
                                              WHEN 7 THEN (v.ival <> 0)::text ELSE 'float' END
                            FROM regress.pb_fields(x.sub) v LIMIT 1)
                    FROM regress.pb_fields(l.sub) x WHERE x.field = 4 ORDER BY x.ord);
    feature := 0;
    FOR f IN SELECT sub FROM regress.pb_fields(l.sub) WHERE field = 2 ORDER BY ord LOOP
      feature := feature + 1;
      SELECT ival INTO geom_type FROM regress.pb_fields(f.sub) WHERE field = 3;
      tags := ARRAY(SELECT regress.pb_packed(sub) FROM regress.pb_fields(f.sub) WHERE field = 2);
      IF cardinality(tags) = 0 THEN
        key := NULL;
        value := NULL;
        RETURN NEXT;
      END IF;
      FOR i IN 1 .. cardinality(tags) / 2 LOOP
        key := keys[tags[2 * i - 1] + 1];
        value := vals[tags[2 * i] + 1];
        RETURN NEXT;
      END LOOP;
    END LOOP;
  END LOOP;
END
$$;

-- The fixture: points (one hidden field), polygons, a draft, a restricted
-- dataset and one without geometry.
CREATE TABLE public.map_points (id int PRIMARY KEY, name text, kind text, n int, seen date,
                                geom geometry(Point, 4326), secret text);
INSERT INTO map_points
SELECT g, 'point ' || g, (ARRAY['a', 'b', 'c'])[g % 3 + 1], g, date '2024-01-01' + g % 366,
       ST_SetSRID(ST_MakePoint(2.25 + (g * 7919 % 1000) / 5000.0, 48.70 + (g * 104729 % 1000) / 7000.0), 4326),
       'secret ' || g
  FROM generate_series(1, 3000) g;
CREATE TABLE public.map_shapes (id int PRIMARY KEY, label text, geom geometry(Polygon, 4326));
INSERT INTO map_shapes
SELECT g, 'square ' || g,
       ST_MakeEnvelope(2.30 + g / 100.0, 48.80, 2.30 + g / 100.0 + g / 2000.0, 48.80 + g / 2000.0, 4326)
  FROM generate_series(1, 8) g;
CREATE TABLE public.map_draft (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO map_draft VALUES (1, ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326));
CREATE TABLE public.map_closed (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO map_closed VALUES (1, ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326));
CREATE TABLE public.map_plain (id int PRIMARY KEY, label text);
INSERT INTO map_plain VALUES (1, 'no geometry');
SELECT opendata.create_organization('map-org', 'Maps org') > 0 AS created;
SELECT opendata.register('map_points', 'map-points', '{"title": "Points", "description": "Des points", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.describe_field('map-points', 'secret', '{"hidden": true}') IS NOT NULL AS hidden;
SELECT opendata.register('map_shapes', 'map-shapes', '{"title": "Carrés", "description": "Des carrés", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.register('map_draft', 'map-draft', '{"title": "Brouillon", "description": "Pas publié", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.register('map_closed', 'map-closed', '{"title": "Fermé", "description": "Restreint", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.set_metadata('map-closed', '{"access": "restricted"}')->>'access' AS access;
SELECT opendata.register('map_plain', 'map-plain', '{"title": "Sans carte", "description": "Pas de géométrie", "publisher": "map-org"}') IS NOT NULL AS registered;
CREATE ROLE regress_map_member IN ROLE opendata_publisher;
SELECT opendata.add_member('map-org', 'regress_map_member');
SELECT opendata.publish(s)->>'version' AS version FROM unnest(ARRAY['map-points', 'map-shapes', 'map-closed', 'map-plain']) s;

-- Features of a point tile: exactly the points PostGIS places in the tile
-- (with its 64-unit buffer), with the visible fields as attributes.
CREATE FUNCTION regress.points_in_tile(z int, x int, y int, cond text DEFAULT 'true') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM public.map_points WHERE ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(%s, %s, %s), 4096, 64, true) IS NOT NULL AND %s', z, x, y, cond) INTO n;
  RETURN n;
END
$$;
SET ROLE opendata_anon;
SELECT layer, extent, count(DISTINCT feature) AS features, min(geom_type) AS geom_type,
       regress.points_in_tile(12, 2074, 1409) AS expected
  FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) GROUP BY 1, 2;
SELECT regress.points_in_tile(12, 2074, 1409) > 100 AS many;
-- The attributes: visible fields only, never the hidden one nor the geometry.
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) ORDER BY 1;
SELECT position('secret' IN encode(opendata_api.tile('map-points', 12, 2074, 1409), 'escape')) AS secret_at;
-- The values are the records': every feature's name matches its n.
SELECT count(*) AS mismatches
  FROM (SELECT feature, max(value) FILTER (WHERE key = 'name') AS name, max(value) FILTER (WHERE key = 'n') AS n
          FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) GROUP BY feature) f
 WHERE f.name <> 'point ' || f.n;
-- fields= picks the attributes; a where clause in ODSQL filters.
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409, fields => 'name, `kind`')) ORDER BY 1;
SELECT count(DISTINCT feature) = regress.points_in_tile(12, 2074, 1409, $$kind = 'a' AND n > 100$$) AS filtered
  FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409, 'kind = "a" and n > 100'));
SELECT DISTINCT value FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409, 'kind = "a"')) WHERE key = 'kind';

-- Too many points for one tile: clusters on geo_cluster()'s grid at z + 4,
-- with their count, and the tile says it was thinned.  The tile holds all
-- 3,000 points.
SET opendata.tile_max_features = 100;
SELECT key, count(*) AS features, min(value) AS min, max(value) AS max
  FROM regress.mvt(opendata_api.tile('map-points', 9, 259, 176))
 WHERE key IN ('cluster', '_thinned') GROUP BY key ORDER BY key;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 9, 259, 176)) ORDER BY 1;
-- The clusters are records()'s geo_cluster groups of the tile's points.
SELECT c.clusters = (r ->> 'total_count')::int AS same_clusters, c.points = 3000 AS all_points,
       c.counts = (SELECT array_agg((g ->> 'n')::int ORDER BY (g ->> 'n')::int)
                     FROM json_array_elements(r -> 'results') g) AS same_counts
  FROM (SELECT count(*) AS clusters, sum(value::int) AS points, array_agg(value::int ORDER BY value::int) AS counts
          FROM regress.mvt(opendata_api.tile('map-points', 9, 259, 176)) WHERE key = 'point_count') c,
       opendata_api.records('map-points', fields => 'c, count(*) as n', group_by => 'geo_cluster(geom, 13) as c',
                            rows => 100) r;
-- Below the limit, points again.
SELECT count(DISTINCT feature) = regress.points_in_tile(14, 8294, 5640) AS points, count(DISTINCT feature) BETWEEN 30 AND 100 AS some,
       bool_or(key = 'point_count') AS clustered
  FROM regress.mvt(opendata_api.tile('map-points', 14, 8294, 5640));
RESET opendata.tile_max_features;
RESET ROLE;

-- Heavy attributes: under the feature limit but over 500 KB, a tile of
-- points is sent as clusters.
CREATE TABLE public.map_heavy (id int PRIMARY KEY, blob text, geom geometry(Point, 4326));
INSERT INTO map_heavy
SELECT g, repeat(md5(g::text), 12), ST_SetSRID(ST_MakePoint(2.25 + (g * 7919 % 1000) / 5000.0, 48.80 + (g * 104729 % 1000) / 7000.0), 4326)
  FROM generate_series(1, 2000) g;
SELECT opendata.register('map_heavy', 'map-heavy', '{"title": "Lourd", "description": "Lourd", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('map-heavy')->>'version' AS version;
SET ROLE opendata_anon;
SELECT length(t) < 500 * 1024 AS small, (SELECT bool_and(key IN ('cluster', 'point_count', '_thinned')) FROM regress.mvt(t)) AS clusters,
       (SELECT sum(value::int) FROM regress.mvt(t) WHERE key = 'point_count') AS points
  FROM opendata_api.tile('map-heavy', 8, 129, 88) AS t;
-- Without the size check it would be over 500 KB.
SELECT length(ST_AsMVT(t.*, 'map-heavy')) > 500 * 1024 AS big
  FROM (SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(8, 129, 88)) AS g, id, blob
          FROM opendata_api."map-heavy") t;
RESET ROLE;

-- 100,000 points: the world tile is clusters, far under 500 KB.
CREATE TABLE public.map_dense (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO map_dense
SELECT g, ST_SetSRID(ST_MakePoint(-5 + (g::int8 * 7919 % 100000) / 10000.0, 42 + (g::int8 * 104729 % 100000) / 12500.0), 4326)
  FROM generate_series(1, 100000) g;
SELECT opendata.register('map_dense', 'map-dense', '{"title": "Dense", "description": "Dense", "publisher": "map-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('map-dense')->>'version' AS version;
-- Its cluster grid is built by a worker after the commit; until then its
-- tiles are clustered as they are asked for (as below, after a write).
-- build_cluster_grid() builds it now, or waits for the worker building it.
SELECT opendata.build_cluster_grid('map-dense') AS grid_max_zoom;
SET ROLE opendata_anon;
SELECT opendata.build_cluster_grid('map-dense');
SELECT length(t) < 500 * 1024 AS small, (SELECT sum(value::int) FROM regress.mvt(t) WHERE key = 'point_count') AS points
  FROM opendata_api.tile('map-dense', 0, 0, 0) AS t;

-- Their clusters were computed at publication (the cluster grid), for the
-- zooms where a tile holds more than 5,000 of them, and are geo_cluster()'s
-- as a tile computes them from its points: here every tile of the grid's
-- first, middle and last zoom against the same tile clustered on the fly (a
-- filter that keeps every point).
RESET ROLE;
SELECT g.max_zoom, g.version = d.version AS current, (SELECT count(*) FROM opendata.cluster_tiles t WHERE t.dataset_id = d.id) > 10 AS tiles
  FROM opendata.cluster_grids g JOIN opendata.datasets d ON d.id = g.dataset_id WHERE d.slug = 'map-dense';
SELECT count(*) AS grids FROM opendata.cluster_grids g JOIN opendata.datasets d ON d.id = g.dataset_id
 WHERE d.slug IN ('map-points', 'map-shapes', 'map-heavy');
SET ROLE opendata_anon;
SET opendata.tile_cluster_max_points = 200000;
SELECT t.z, count(*) AS tiles, sum(t.point_count) AS points,
       count(*) FILTER (WHERE grid.counts IS DISTINCT FROM fly.counts) AS different
  FROM opendata.cluster_tiles t
  JOIN opendata.datasets d ON d.id = t.dataset_id AND d.slug = 'map-dense',
       LATERAL (SELECT array_agg(value::int ORDER BY value::int) AS counts
                  FROM regress.mvt(opendata_api.tile('map-dense', t.z, t.x, t.y)) WHERE key = 'point_count') grid,
       LATERAL (SELECT array_agg(value::int ORDER BY value::int) AS counts
                  FROM regress.mvt(opendata_api.tile('map-dense', t.z, t.x, t.y, 'id > 0')) WHERE key = 'point_count') fly
 WHERE t.z IN (0, 4, 7)
 GROUP BY t.z ORDER BY t.z;
RESET opendata.tile_cluster_max_points;
-- The grid's tile is what is sent (altered here, in a transaction, to see it).
RESET ROLE;
BEGIN;
UPDATE opendata.cluster_tiles t SET tile = '' FROM opendata.datasets d
 WHERE d.id = t.dataset_id AND d.slug = 'map-dense' AND (t.z, t.x, t.y) = (0, 0, 0);
SELECT length(opendata_api.tile('map-dense', 0, 0, 0)) AS body, current_setting('response.status') AS status;
ROLLBACK;
-- Which version has a grid, and to which zoom, is kept in the backend;
-- a write to opendata.cluster_grids makes it stale at once (here the grid
-- set aside in a transaction, then back with the rollback): a tile is
-- then clustered from its points, which says it with _partial.
BEGIN;
SET LOCAL opendata.tile_cluster_max_points = 1000;
SELECT bool_or(key = '_partial') AS partial FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0));
DELETE FROM opendata.cluster_grids g USING opendata.datasets d WHERE d.id = g.dataset_id AND d.slug = 'map-dense';
SELECT bool_or(key = '_partial') AS partial FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0));
ROLLBACK;
SET opendata.tile_cluster_max_points = 1000;
SELECT bool_or(key = '_partial') AS partial FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0));
RESET opendata.tile_cluster_max_points;
-- A tile clustered on the fly (a filter) reads at most
-- opendata.tile_cluster_max_points points, and says it with _partial.
SET ROLE opendata_anon;
SET opendata.tile_cluster_max_points = 1000;
SELECT key, count(*) AS features, sum(value::int) FILTER (WHERE key = 'point_count') AS points
  FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0, 'id > 0'))
 WHERE key IN ('_partial', 'point_count') GROUP BY key ORDER BY key;
-- A write to the table sets the grid aside until the next publication:
-- the tile is clustered on the fly, and counts the new point.
SET opendata.tile_cluster_max_points = 200000;
RESET ROLE;
INSERT INTO map_dense VALUES (100001, ST_SetSRID(ST_MakePoint(0, 45), 4326));
SET ROLE opendata_anon;
SELECT bool_or(key = '_partial') AS partial, sum(value::int) FILTER (WHERE key = 'point_count') AS points
  FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0));
RESET ROLE;
SELECT opendata.publish('map-dense')->>'version' AS version;
-- This time the worker builds it: waited for (a minute at most).
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN EXISTS (SELECT FROM opendata.cluster_grids g JOIN opendata.datasets d
                         ON d.id = g.dataset_id AND g.version = d.version WHERE d.slug = 'map-dense');
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;
SELECT g.max_zoom, g.version = d.version AS current
  FROM opendata.cluster_grids g JOIN opendata.datasets d ON d.id = g.dataset_id WHERE d.slug = 'map-dense';
SET ROLE opendata_anon;
SELECT bool_or(key = '_partial') AS partial, sum(value::int) FILTER (WHERE key = 'point_count') AS points
  FROM regress.mvt(opendata_api.tile('map-dense', 0, 0, 0));
RESET opendata.tile_cluster_max_points;

-- Polygons: simplified, clipped; beyond the limit the largest are kept.
SELECT count(DISTINCT feature) AS features, min(geom_type) AS geom_type, bool_or(key = '_thinned') AS thinned
  FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88));
SET opendata.tile_max_features = 3;
SELECT string_agg(value, ', ' ORDER BY value) AS kept
  FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) WHERE key = 'label';
SELECT count(*) AS thinned_features FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) WHERE key = '_thinned' AND value = 'true';
RESET opendata.tile_max_features;

-- What anon may not read has no tiles: drafts, restricted datasets.
SELECT regress.error_of($$SELECT opendata_api.tile('map-draft', 0, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-closed', 0, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('nope', 0, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tilejson('map-draft')$$);
SELECT regress.error_of($$SELECT opendata_api.tilejson('map-closed')$$);
-- A hidden field cannot be asked for.
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 0, 0, fields => 'name, secret')$$);
RESET ROLE;
-- Their organization reads the restricted one.
SET ROLE regress_map_member;
SELECT count(DISTINCT feature) AS features FROM regress.mvt(opendata_api.tile('map-closed', 0, 0, 0));
BEGIN;
SELECT length(opendata_api.tile('map-closed', 0, 0, 0)) > 0 AS tile;
SELECT h ->> 'Cache-Control' AS cache_control
  FROM json_array_elements(current_setting('response.headers')::json) h WHERE h::jsonb ? 'Cache-Control';
COMMIT;
RESET ROLE;
SET ROLE opendata_anon;

-- Errors.
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', -1, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 30, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 2, 4, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 2, 0, -1)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 1, 1)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', NULL, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-plain', 0, 0, 0)$$);
SELECT regress.error_of($$SELECT opendata_api.tilejson('map-plain')$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 0, 0, 'kind = ')$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 0, 0, 'nope = 1')$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 0, 0, fields => 'name,,kind')$$);
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 0, 0, 0, fields => 'nope')$$);

-- HTTP: ETag and Cache-Control on every tile; If-None-Match (as PostgREST
-- passes request headers) gives 304 without building the tile (an invalid
-- filter is not even looked at); an empty tile is 204.
BEGIN;
SELECT length(opendata_api.tile('map-points', 12, 2074, 1409)) > 0 AS tile;
SELECT regexp_replace(h::text, '-\d+\\""', '-<modified>\\""') AS header
  FROM json_array_elements(current_setting('response.headers')::json) h;
SELECT current_setting('response.status', true) AS status;
SELECT set_config('request.headers', json_build_object('if-none-match', 'W/"x", ' || (h ->> 'ETag'))::text, true) IS NOT NULL AS sent
  FROM json_array_elements(current_setting('response.headers')::json) h WHERE h::jsonb ? 'ETag';
SELECT length(opendata_api.tile('map-points', 12, 2074, 1409, 'this is not odsql (')) AS body,
       current_setting('response.status') AS status;
COMMIT;
BEGIN;
SELECT set_config('request.headers', '{"if-none-match": "\"map-points-0-0\""}', true) IS NOT NULL AS stale;
SELECT length(opendata_api.tile('map-points', 12, 2074, 1409)) > 0 AS tile, current_setting('response.status', true) AS status;
COMMIT;
BEGIN;
SELECT length(opendata_api.tile('map-points', 10, 0, 0)) AS body, current_setting('response.status') AS status;
COMMIT;
-- A new publication is a new ETag.
BEGIN;
SELECT length(opendata_api.tile('map-points', 0, 0, 0)) > 0 AS tile;
SELECT h ->> 'ETag' AS etag_before FROM json_array_elements(current_setting('response.headers')::json) h
 WHERE h::jsonb ? 'ETag' \gset
COMMIT;
RESET ROLE;
SELECT opendata.publish('map-points')->>'version' AS version;
SET ROLE opendata_anon;
BEGIN;
SELECT length(opendata_api.tile('map-points', 0, 0, 0)) > 0 AS tile;
SELECT h ->> 'ETag' <> :'etag_before' AS changed, h ->> 'ETag' LIKE '"map-points-2-%"' AS versioned
  FROM json_array_elements(current_setting('response.headers')::json) h WHERE h::jsonb ? 'ETag';
COMMIT;
-- TileJSON carries the same ETag as the tiles.
BEGIN;
SELECT length(opendata_api.tile('map-points', 0, 0, 0)) > 0 AS tile;
SELECT h ->> 'ETag' AS tile_etag FROM json_array_elements(current_setting('response.headers')::json) h
 WHERE h::jsonb ? 'ETag' \gset
SELECT opendata_api.tilejson('map-points') ->> 'tilejson' AS tilejson;
SELECT h ->> 'ETag' = :'tile_etag' AS same_etag
  FROM json_array_elements(current_setting('response.headers')::json) h WHERE h::jsonb ? 'ETag';
COMMIT;
-- The fields and the compiled query a session keeps for a dataset follow
-- its publications: a field hidden after tiles were served is in no later
-- tile of the session (nor in a filter), and comes back when shown again.
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) ORDER BY 1;
RESET ROLE;
SELECT opendata.describe_field('map-points', 'kind', '{"hidden": true}') IS NOT NULL AS hidden,
       opendata.publish('map-points')->>'version' AS version;
SET ROLE opendata_anon;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) ORDER BY 1;
SELECT regress.error_of($$SELECT opendata_api.tile('map-points', 12, 2074, 1409, 'kind = "a"')$$);
RESET ROLE;
SELECT opendata.describe_field('map-points', 'kind', '{"hidden": false}') IS NOT NULL AS shown,
       opendata.publish('map-points')->>'version' AS version;
SET ROLE opendata_anon;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-points', 12, 2074, 1409)) ORDER BY 1;
-- The same for polygons; and a dataset made restricted after its tiles
-- were served is 42P01 (not a permission error on its view, which would
-- say it exists).
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) ORDER BY 1;
RESET ROLE;
SELECT opendata.describe_field('map-shapes', 'label', '{"hidden": true}') IS NOT NULL AS hidden,
       opendata.publish('map-shapes')->>'version' AS version;
SET ROLE opendata_anon;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) ORDER BY 1;
RESET ROLE;
SELECT opendata.describe_field('map-shapes', 'label', '{"hidden": false}') IS NOT NULL AS shown,
       opendata.publish('map-shapes')->>'version' AS version;
SET ROLE opendata_anon;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) ORDER BY 1;
RESET ROLE;
SELECT opendata.set_metadata('map-shapes', '{"access": "restricted"}')->>'access' AS access;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.tile('map-shapes', 8, 129, 88)$$);
RESET ROLE;
SELECT opendata.set_metadata('map-shapes', '{"access": "public"}')->>'access' AS access;
SET ROLE opendata_anon;
SELECT count(*) > 0 AS features FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88));

-- Read-only, as a GET runs (and as on a standby).
BEGIN READ ONLY;
SELECT length(opendata_api.tile('map-points', 12, 2074, 1409)) > 0 AS tile;
SELECT opendata_api.tilejson('map-points') ->> 'tilejson' AS tilejson;
COMMIT;

-- TileJSON.
RESET ROLE;
SELECT opendata.set_catalog('{"base_url": "https://data.example.org/api"}') IS NOT NULL AS set;
SET ROLE opendata_anon;
SELECT j ->> 'tilejson' AS tilejson, j -> 'tiles' AS tiles, j -> 'minzoom' AS minzoom, j -> 'maxzoom' AS maxzoom,
       j ->> 'name' AS name, j -> 'vector_layers' -> 0 ->> 'id' AS layer
  FROM opendata_api.tilejson('map-points') j;
SELECT j -> 'vector_layers' -> 0 -> 'fields' AS fields FROM opendata_api.tilejson('map-points') j;
SELECT j -> 'vector_layers' -> 0 -> 'fields' AS fields FROM opendata_api.tilejson('map-shapes') j;
SELECT (SELECT array_agg(b::float8) FROM json_array_elements_text(j -> 'bounds') b)
       = (SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] FROM (SELECT ST_Extent(geom) AS e FROM opendata_api."map-points") x) AS bounds
  FROM opendata_api.tilejson('map-points') j;
RESET ROLE;
SELECT opendata.set_catalog('{"base_url": "http://localhost:3000"}') IS NOT NULL AS reset;

-- Web Mercator copies (38_mercator_copies.sql): after publish() commits,
-- the worker copies a public polygon dataset with its shapes in EPSG:3857;
-- a tile without a filter reads the copy while it is the current
-- version's and the table had no write since, the view otherwise.
CREATE FUNCTION regress.wait_for_copy(slug text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. 600 LOOP
    IF EXISTS (SELECT FROM opendata.mercator_copies c
                 JOIN opendata.datasets d ON d.id = c.dataset_id AND d.version = c.version AND d.modified = c.modified
                WHERE d.slug = wait_for_copy.slug) THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RETURN false;
END
$$;
-- The label of square 1 as a tile without a filter shows it.
CREATE FUNCTION regress.label_in_tile() RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(value, ', ' ORDER BY value) FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88))
   WHERE key = 'label' AND value LIKE '%1'
$$;
SELECT opendata.publish('map-shapes')->>'version' AS version;
SELECT regress.wait_for_copy('map-shapes') AS copied;
SELECT c.relation AS copy_v1 FROM opendata.mercator_copies c JOIN opendata.datasets d ON d.id = c.dataset_id
 WHERE d.slug = 'map-shapes' \gset
SELECT count(*) AS rows, count(*) FILTER (WHERE ST_SRID(__shape) = 3857) AS in_web_mercator FROM :copy_v1;
-- The copy's tiles are the view's: the same features, the same attributes
-- (a filter reads the view).
CREATE FUNCTION regress.tile_features(tile bytea) RETURNS text[]
LANGUAGE sql AS $$
  SELECT array_agg(f ORDER BY f)
    FROM (SELECT min(geom_type) || ' ' || string_agg(key || '=' || value, ', ' ORDER BY key) AS f
            FROM regress.mvt(tile) GROUP BY feature) x
$$;
SET ROLE opendata_anon;
SELECT regress.tile_features(opendata_api.tile('map-shapes', 8, 129, 88)) AS copy_features,
       regress.tile_features(opendata_api.tile('map-shapes', 8, 129, 88))
       = regress.tile_features(opendata_api.tile('map-shapes', 8, 129, 88, 'id > 0')) AS same_as_view;
RESET ROLE;
-- The tile is read from the copy: a label changed there (by hand, here)
-- is the tile's.
UPDATE :copy_v1 SET label = 'copied square 1' WHERE id = 1;
SET ROLE opendata_anon;
SELECT regress.label_in_tile() AS label;
RESET ROLE;
-- Published again: the previous copy is no longer read nor readable, the
-- next one is built, and the old one dropped.
SELECT opendata.publish('map-shapes')->>'version' AS version;
SELECT has_table_privilege('opendata_anon', :'copy_v1', 'SELECT') AS old_copy_readable;
SET ROLE opendata_anon;
SELECT regress.label_in_tile() AS label;
RESET ROLE;
SELECT regress.wait_for_copy('map-shapes') AS copied;
SELECT to_regclass(:'copy_v1') IS NULL AS old_copy_dropped;
SELECT c.relation AS copy_v2 FROM opendata.mercator_copies c JOIN opendata.datasets d ON d.id = c.dataset_id
 WHERE d.slug = 'map-shapes' \gset
UPDATE :copy_v2 SET label = 'copied square 1' WHERE id = 1;
SET ROLE opendata_anon;
SELECT regress.label_in_tile() AS label;
RESET ROLE;
-- A write to the table sets the copy aside: tiles read the view.
UPDATE public.map_shapes SET label = 'written square 1' WHERE id = 1;
SET ROLE opendata_anon;
SELECT regress.label_in_tile() AS label;
RESET ROLE;
UPDATE public.map_shapes SET label = 'square 1' WHERE id = 1;
-- Published again, copied again; then a field hidden without publishing:
-- the copy (which still has it) is set aside and closed, and the tile
-- has no label.
SELECT opendata.publish('map-shapes')->>'version' AS version;
SELECT regress.wait_for_copy('map-shapes') AS copied;
SELECT c.relation AS copy_v3 FROM opendata.mercator_copies c JOIN opendata.datasets d ON d.id = c.dataset_id
 WHERE d.slug = 'map-shapes' \gset
SELECT opendata.describe_field('map-shapes', 'label', '{"hidden": true}') IS NOT NULL AS hidden;
SELECT has_table_privilege('opendata_anon', :'copy_v3', 'SELECT') AS copy_readable,
       (SELECT count(*) FROM opendata.mercator_copies c JOIN opendata.datasets d ON d.id = c.dataset_id
         WHERE d.slug = 'map-shapes') AS copies;
SET ROLE opendata_anon;
SELECT DISTINCT key FROM regress.mvt(opendata_api.tile('map-shapes', 8, 129, 88)) ORDER BY 1;
RESET ROLE;
SELECT opendata.describe_field('map-shapes', 'label', '{"hidden": false}') IS NOT NULL AS shown;
