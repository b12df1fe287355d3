-- Crossing datasets on the real sample files: stations counted per commune,
-- communes enriched with their population, the nearest station to each
-- remarkable tree; every result checked against a hand-written PostGIS
-- query (EXCEPT ALL both ways is empty).  Then the ad hoc API, lineage,
-- staleness, edge cases and errors.
\getenv abs_srcdir PG_ABS_SRCDIR
\set trees_csv :abs_srcdir '/data/paris_arbres_remarquables.csv'
\set stations_csv :abs_srcdir '/data/idfm_emplacement_des_gares_idf.csv'
\set populations_csv :abs_srcdir '/data/insee_populations_legales_communes.csv'
\set communes_91 :abs_srcdir '/data/communes_91_essonne.geojson'
\set communes_77 :abs_srcdir '/data/communes_77_seine_et_marne.geojson'

-- The rows of a query text, for LATERAL use with a column definition list.
CREATE FUNCTION regress.rows_of(q text) RETURNS SETOF record
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE q;
END
$$;
-- Does the plan of q use index idx?
CREATE FUNCTION regress.plan_uses(q text, idx text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF strpos(line, idx) > 0 THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END
$$;

CREATE ROLE regress_crosser LOGIN IN ROLE opendata_publisher;
SELECT opendata.create_organization('cross-org', 'Crossings') > 0 AS created;
SELECT opendata.add_member('cross-org', 'regress_crosser');
GRANT pg_read_server_files TO regress_crosser;

SET ROLE regress_crosser;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('cross-gares', :'stations_csv') r;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('cross-arbres', :'trees_csv') r;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('cross-populations', :'populations_csv') r;
-- The communes of Essonne and Seine-et-Marne: each GeoJSON file imported
-- (with the GiST index on its geometry), both départements in one view.
SELECT r->>'rows_loaded' AS loaded, r->>'geometry_column' AS geometry
  FROM opendata.import_geojson_file('cross-communes-91', :'communes_91') r
UNION ALL
SELECT r->>'rows_loaded', r->>'geometry_column'
  FROM opendata.import_geojson_file('cross-communes-77', :'communes_77') r;
CREATE VIEW opendata_data.cross_communes AS
  SELECT code, nom, geom FROM opendata_data."cross-communes-91"
  UNION ALL
  SELECT code, nom, geom FROM opendata_data."cross-communes-77";
-- A view has no index of its own (its tables have theirs): none is created.
SELECT r->>'slug' AS slug, r ? 'indexes_created' AS indexed
  FROM opendata.register('opendata_data.cross_communes', 'cross-communes', '{"title": "Communes 91 et 77"}') r;
-- The populations of the two départements (the file covers France).
CREATE VIEW opendata_data.cross_pop_9177 AS
  SELECT * FROM opendata_data."cross-populations" WHERE coddep IN ('91', '77');
SELECT opendata.register('opendata_data.cross_pop_9177', 'cross-pop-9177', '{"title": "Populations 91 et 77"}')->>'slug' AS slug;
SELECT left(code, 2) AS dep, count(*) AS communes, min(ST_GeometryType(geom)) AS type
  FROM opendata_data.cross_communes GROUP BY 1 ORDER BY 1;

-- 1. Stations of Île-de-France Mobilités counted per commune (contains):
-- a draft with its lineage; the spatial index it needed was created.
SELECT r->>'status' AS status, r->>'rows' AS rows, r->'report' AS report,
       r->'was_derived_from' AS derived_from, r->'indexes_created' AS indexes_created
  FROM opendata.cross('cross-gares-par-commune', 'cross-communes', 'cross-gares', 'contains',
                      '{"fields": [], "aggregates": ["count(metro)"]}') r;
SELECT dep, communes, with_station, stations FROM (
  SELECT left(code, 2) AS dep, count(*) AS communes, count(*) FILTER (WHERE cross_gares_count > 0) AS with_station,
         sum(cross_gares_count) AS stations
    FROM opendata_data."cross-gares-par-commune" GROUP BY 1) s ORDER BY dep;
SELECT code, nom, cross_gares_count AS stations, cross_gares_metro_count AS metro
  FROM opendata_data."cross-gares-par-commune" ORDER BY cross_gares_count DESC, code LIMIT 5;
SELECT regress.differences(
  $$SELECT code, cross_gares_count FROM opendata_data."cross-gares-par-commune"$$,
  $$SELECT c.code, count(g.geo_point) FROM opendata_data.cross_communes c
      LEFT JOIN opendata_data."cross-gares" g ON ST_Intersects(c.geom, g.geo_point) GROUP BY c.code$$) AS differences;
-- Stations in neither département: the report's unmatched_right.
SELECT count(*) AS outside FROM opendata_data."cross-gares" g
 WHERE NOT EXISTS (SELECT FROM opendata_data.cross_communes c WHERE ST_Intersects(c.geom, g.geo_point));
-- The crossing's plan walks the stations' GiST index.
SELECT regress.plan_uses(pg_get_viewdef('opendata_data."cross-gares-par-commune"'::regclass), 'cross-gares_geo_point_idx') AS uses_index;
SELECT slug, status, was_derived_from FROM opendata.datasets WHERE slug = 'cross-gares-par-commune';

-- 2. Each commune enriched with its population by INSEE code (attribute):
-- code = CODDEP || CODCOM; codes matching nothing are reported on both sides.
SELECT r->>'rows' AS rows, jsonb_pretty(r->'report') AS report
  FROM opendata.cross('cross-communes-population', 'cross-communes', 'cross-pop-9177', 'attribute',
                      '{"left_key": "code", "right_key": ["coddep", "codcom"], "fields": ["com", "ptot"], "prefix": "pop_"}') r;
SELECT code, nom, pop_com, pop_ptot FROM opendata_data."cross-communes-population" ORDER BY pop_ptot DESC NULLS LAST, code LIMIT 5;
SELECT regress.differences(
  $$SELECT code, nom, pop_com, pop_ptot FROM opendata_data."cross-communes-population"$$,
  $$SELECT c.code, c.nom, p.com, p.ptot FROM opendata_data.cross_communes c
      LEFT JOIN opendata_data."cross-populations" p ON p.coddep || p.codcom = c.code$$) AS differences;
-- The reported keys, by hand.
SELECT (SELECT jsonb_agg(code ORDER BY code COLLATE "C") FROM (
          SELECT code FROM opendata_data.cross_communes
          EXCEPT SELECT coddep || codcom FROM opendata_data."cross-populations" WHERE coddep IN ('91', '77')) s)
       = d.report->'unmatched_left_keys' AS left_keys_match,
       (SELECT coalesce(jsonb_agg(code ORDER BY code COLLATE "C"), '[]') FROM (
          SELECT coddep || codcom AS code FROM opendata_data."cross-populations" WHERE coddep IN ('91', '77')
          EXCEPT SELECT code FROM opendata_data.cross_communes) s)
       = d.report->'unmatched_right_keys' AS right_keys_match
  FROM opendata.derived_datasets d JOIN opendata.datasets ds ON ds.id = d.dataset_id
 WHERE ds.slug = 'cross-communes-population';

-- 3. The nearest station to each remarkable tree, with the distance in
-- metres on the ground.
SELECT r->>'rows' AS rows FROM opendata.cross('cross-arbre-gare', 'cross-arbres', 'cross-gares', 'nearest',
                                              '{"fields": ["nom_gare"]}') r;
SELECT idbase, cross_gares_nom_gare AS station, round(distance_m::numeric, 1) AS metres
  FROM opendata_data."cross-arbre-gare" ORDER BY distance_m, idbase LIMIT 5;
SELECT regress.differences(
  $$SELECT idbase, round(distance_m::numeric, 3) FROM opendata_data."cross-arbre-gare"$$,
  $$SELECT a.idbase, round(min(ST_Distance(a.geo_point::geography, g.geo_point::geography))::numeric, 3)
      FROM opendata_data."cross-arbres" a CROSS JOIN opendata_data."cross-gares" g GROUP BY a.ctid, a.idbase$$) AS differences;
-- The station named is at that distance.
SELECT count(*) AS trees, count(*) FILTER (WHERE EXISTS (
         SELECT FROM opendata_data."cross-gares" g, opendata_data."cross-arbres" a
          WHERE a.idbase = x.idbase AND g.nom_gare = x.cross_gares_nom_gare
            AND abs(ST_Distance(a.geo_point::geography, g.geo_point::geography) - x.distance_m) < 0.001)) AS named_right
  FROM opendata_data."cross-arbre-gare" x;
-- The three nearest within 300 m, against a ranking of every pair.
SELECT r->>'rows' AS rows FROM opendata.cross('cross-arbre-gares-3', 'cross-arbres', 'cross-gares', 'nearest',
                                              '{"fields": ["objectid"], "k": 3, "max_distance_m": 300}') r;
SELECT regress.differences(
  $$SELECT idbase, round(distance_m::numeric, 3) FROM opendata_data."cross-arbre-gares-3" WHERE distance_m IS NOT NULL$$,
  $$SELECT idbase, round(d::numeric, 3) FROM (
      SELECT a.idbase, ST_Distance(a.geo_point::geography, g.geo_point::geography) AS d,
             row_number() OVER (PARTITION BY a.ctid ORDER BY ST_Distance(a.geo_point::geography, g.geo_point::geography)) AS n
        FROM opendata_data."cross-arbres" a CROSS JOIN opendata_data."cross-gares" g) s
     WHERE n <= 3 AND d <= 300$$) AS differences;

-- Two point tables take the in-memory index (opendata._nearest_candidates,
-- one search per left row); a view or a filtered side takes the two GiST
-- passes.  Both are exact on the ellipsoid: compared with each other and
-- with a ranking of every pair on a dense cluster, where great-circle and
-- ellipsoid rankings disagree on near-ties, with empty and NULL points on
-- both sides.
SELECT pg_get_viewdef('opendata_data."cross-arbre-gare"'::regclass) LIKE '%_nearest_candidates(%' AS index_path;
RESET ROLE;
-- contains' report tells the right rows apart by a unique NOT NULL field
-- of the side when it has one (an int first), else by ctid; a filtered
-- side (a subquery) probes the polygons once per row.  Same count each way.
CREATE TABLE opendata_data.cross_gares_keyed AS
SELECT row_number() OVER ()::int AS id, 'g' || row_number() OVER () AS code, NULL::int AS n, geo_point
  FROM opendata_data."cross-gares";
ALTER TABLE opendata_data.cross_gares_keyed ADD PRIMARY KEY (id), ADD UNIQUE (n),
  ALTER code SET NOT NULL, ADD UNIQUE (code);
CREATE TABLE opendata_data.cross_gares_parts (id int PRIMARY KEY, geo_point geometry(Point, 4326)) PARTITION BY RANGE (id);
CREATE TABLE opendata_data.cross_gares_parts_1 PARTITION OF opendata_data.cross_gares_parts FOR VALUES FROM (0) TO (1000000);
INSERT INTO opendata_data.cross_gares_parts SELECT id, geo_point FROM opendata_data.cross_gares_keyed;
CREATE FUNCTION pg_temp.report_of(sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
  EXECUTE sql INTO r;
  RETURN r;
END $$;
SELECT s.right_side, s.fields, substring(x.report_sql FROM 'SELECT (b\.\S+) AS right_row') AS counted_by,
       pg_temp.report_of(x.report_sql) -> 'unmatched_right' = to_jsonb((
         SELECT count(*) FROM opendata_data."cross-gares" g
          WHERE NOT EXISTS (SELECT FROM opendata_data.cross_communes c WHERE ST_Contains(c.geom, g.geo_point))))
         AS same_count
  FROM (VALUES ('opendata_data.cross_gares_keyed', '{id,code,n}'), ('opendata_data.cross_gares_keyed', '{code,n}'),
               ('opendata_data.cross_gares_keyed', '{n}'), ('opendata_data.cross_gares_parts', '{id}'),
               ('(SELECT * FROM opendata_data.cross_gares_keyed)', '{id,code}')) s(right_side, fields),
       opendata._cross_select('opendata_data.cross_communes', '{code}', 'geom', 4326, s.right_side, s.fields::text[],
                              'geo_point', 4326, '{}', 'contains', '{"border": "interior"}') x;
DROP TABLE opendata_data.cross_gares_keyed, opendata_data.cross_gares_parts;
CREATE TABLE opendata_data.cross_cluster (id int, geom geometry(Point, 4326));
INSERT INTO opendata_data.cross_cluster
SELECT i, ST_SetSRID(ST_MakePoint(2.0 + ((i * 7919) % 9973) / 997300.0, 48.5 + ((i * 6151) % 10007) / 1000700.0), 4326)
  FROM generate_series(1, 400) i;
INSERT INTO opendata_data.cross_cluster VALUES (1001, NULL), (1002, 'SRID=4326;POINT EMPTY');
CREATE TEMP TABLE cluster_sql AS
SELECT (SELECT select_sql FROM opendata._cross_select('opendata_data.cross_cluster', '{id}', 'geom', 4326,
          'opendata_data.cross_cluster', '{id}', 'geom', 4326, '{}', 'nearest', '{"k": 3, "prefix": "n_"}')) AS by_index,
       (SELECT select_sql FROM opendata._cross_select('opendata_data.cross_cluster', '{id}', 'geom', 4326,
          '(SELECT * FROM opendata_data.cross_cluster)', '{id}', 'geom', 4326, '{}', 'nearest', '{"k": 3, "prefix": "n_"}')) AS by_gist;
SELECT by_index LIKE '%_nearest_candidates(%' AS index_path, by_gist LIKE '%_nearest_candidates(%' AS gist_uses_index
  FROM cluster_sql;
SELECT regress.differences(format('SELECT id, n_id, round(distance_m::numeric, 6) FROM (%s) x', by_index),
                           format('SELECT id, n_id, round(distance_m::numeric, 6) FROM (%s) x', by_gist)) AS index_vs_gist,
       regress.differences(format('SELECT id, n_id, round(distance_m::numeric, 6) FROM (%s) x WHERE n_id IS NOT NULL', by_index),
         $$SELECT id, n_id, round(d::numeric, 6) FROM (
             SELECT a.id, b.id AS n_id, ST_Distance(a.geom::geography, b.geom::geography) AS d,
                    row_number() OVER (PARTITION BY a.id ORDER BY ST_Distance(a.geom::geography, b.geom::geography)) AS n
               FROM opendata_data.cross_cluster a, opendata_data.cross_cluster b
              WHERE NOT ST_IsEmpty(a.geom) AND NOT ST_IsEmpty(b.geom)) s WHERE n <= 3$$) AS index_vs_every_pair
  FROM cluster_sql;
-- A right side of more than 5 million rows takes the GiST passes (the
-- index would hold 40 bytes a point); the planner's count decides.
UPDATE pg_class SET reltuples = 6e6 WHERE oid = 'opendata_data.cross_cluster'::regclass;
SELECT select_sql LIKE '%_nearest_candidates(%' AS large_right_side_in_memory
  FROM opendata._cross_select('opendata_data.cross_cluster', '{id}', 'geom', 4326,
         'opendata_data.cross_cluster', '{id}', 'geom', 4326, '{}', 'nearest', '{"k": 3, "prefix": "n_"}');
ANALYZE opendata_data.cross_cluster;
-- In parallel workers, each builds its own index: same answer.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT regress.plan_uses(by_index, 'Gather') AS parallel_plan,
       regress.differences(format('SELECT id, n_id, round(distance_m::numeric, 6) FROM (%s) x', by_index),
                           format('SELECT id, n_id, round(distance_m::numeric, 6) FROM (%s) x', by_gist)) AS parallel_vs_gist
  FROM cluster_sql;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- With JIT inlining forced, PostgreSQL finds no bitcode of the extension to
-- inline (see Makefile: its inliner kills the backend on C++ bitcode).
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
SELECT count(*) AS rows_jit FROM cluster_sql, LATERAL regress.rows_of(by_index) AS r(id int, n_id int, distance_m float8);
RESET jit_above_cost;
RESET jit_inline_above_cost;
RESET jit_optimize_above_cost;
-- Rows without a point get no neighbour, and are no one's neighbour.
SELECT count(*) FILTER (WHERE id > 1000) AS rows_without_point, count(*) FILTER (WHERE id > 1000 AND n_id IS NOT NULL) AS matched,
       count(*) FILTER (WHERE n_id > 1000) AS matched_to_them
  FROM cluster_sql, LATERAL regress.rows_of(by_index) AS r(id int, n_id int, distance_m float8);
-- A PL/pgSQL expression keeps the function's state for the transaction:
-- the same call, made again after a point is added, finds it.
DO $$
DECLARE
  found tid[];
  added tid;
BEGIN
  FOR pass IN 1 .. 2 LOOP
    IF pass = 2 THEN
      INSERT INTO opendata_data.cross_cluster VALUES (2000, 'SRID=4326;POINT(2.5 48.7)') RETURNING ctid INTO added;
    END IF;
    found := opendata._nearest_candidates(2.5, 48.7, 'opendata_data.cross_cluster'::regclass, 'geom', 1);
    RAISE NOTICE 'pass %: the added point is the nearest: %', pass, found = ARRAY[added];
  END LOOP;
  DELETE FROM opendata_data.cross_cluster WHERE id = 2000;
END
$$;
-- The function itself refuses what it cannot serve.
CREATE VIEW opendata_data.cross_cluster_view AS SELECT * FROM opendata_data.cross_cluster;
SELECT regress.error_of($$SELECT opendata._nearest_candidates(2, 48, 'opendata_data.cross_cluster_view'::regclass, 'geom', 1)$$);
SELECT regress.error_of($$SELECT opendata._nearest_candidates(2, 48, 'opendata_data.cross_cluster'::regclass, 'geom', 0)$$);
SELECT regress.error_of($$SELECT opendata._nearest_candidates('NaN', 48, 'opendata_data.cross_cluster'::regclass, 'geom', 1)$$);
SELECT regress.error_of($$SELECT opendata._nearest_candidates(2, 48, 'opendata_data.cross_cluster'::regclass, 'geom', 1, 0)$$);
SELECT regress.error_of($$SELECT opendata._nearest_candidates(2, 48, 'opendata_data.cross_cluster'::regclass, 'geom', NULL)$$);
SELECT opendata._nearest_candidates(NULL, 48, 'opendata_data.cross_cluster'::regclass, 'geom', 1) IS NULL AS no_point_no_rows;
DROP VIEW opendata_data.cross_cluster_view;
DROP TABLE cluster_sql, opendata_data.cross_cluster;
SET ROLE regress_crosser;

-- 4. Enrichment: each station gets the commune containing it; stations
-- outside every commune are counted.
SELECT r->>'rows' AS rows, r->'report' AS report
  FROM opendata.cross('cross-gares-communes', 'cross-gares', 'cross-communes', 'enrich', '{"fields": ["code", "nom"]}') r;
SELECT regress.differences(
  $$SELECT objectid, cross_communes_code FROM opendata_data."cross-gares-communes"$$,
  $$SELECT g.objectid, min(c.code) FROM opendata_data."cross-gares" g
      LEFT JOIN opendata_data.cross_communes c ON ST_Intersects(c.geom, g.geo_point) GROUP BY g.ctid, g.objectid$$) AS differences;

-- 5. Within a distance, counted with an aggregate: trees within 500 m of
-- each station and the tallest of them.
SELECT r->>'rows' AS rows FROM opendata.cross('cross-gares-arbres-500', 'cross-gares', 'cross-arbres', 'within_distance',
  '{"distance_m": 500, "output": "count", "aggregates": ["max(hauteur_en_m)"], "left_fields": ["objectid", "nom_gare"]}') r;
SELECT nom_gare, cross_arbres_count AS trees, cross_arbres_hauteur_en_m_max AS tallest
  FROM opendata_data."cross-gares-arbres-500" ORDER BY cross_arbres_count DESC, objectid LIMIT 3;
SELECT regress.differences(
  $$SELECT objectid, cross_arbres_count, cross_arbres_hauteur_en_m_max FROM opendata_data."cross-gares-arbres-500"$$,
  $$SELECT g.objectid, count(a.idbase), max(a.hauteur_en_m) FROM opendata_data."cross-gares" g
      LEFT JOIN opendata_data."cross-arbres" a ON ST_DWithin(g.geo_point::geography, a.geo_point::geography, 500)
     GROUP BY g.ctid, g.objectid$$) AS differences;

-- 6. Mixed SRIDs: the stations in Lambert 93 (their x, y columns) give the
-- same counts; the expression index they need is created.
CREATE TABLE opendata_data.cross_gares_l93 AS
  SELECT objectid, nom_gare, ST_SetSRID(ST_MakePoint(x, y), 2154)::geometry(Point, 2154) AS geom
    FROM opendata_data."cross-gares";
-- register() creates the GiST index the crossing needs, on ST_Transform(geom, 4326).
SELECT r->>'slug' AS slug, r->'indexes_created' AS indexes_created
  FROM opendata.register('opendata_data.cross_gares_l93', 'cross-gares-l93') r;
SELECT pg_get_indexdef('opendata_data.cross_gares_l93_st_transform_idx'::regclass) AS index;
SELECT r->>'rows' AS rows, r->'indexes_created' AS indexes_created
  FROM opendata.cross('cross-l93-par-commune', 'cross-communes', 'cross-gares-l93', 'contains', '{"fields": []}') r;
SELECT regress.differences(
  $$SELECT code, cross_gares_l93_count FROM opendata_data."cross-l93-par-commune"$$,
  $$SELECT c.code, count(g.geom) FROM opendata_data.cross_communes c
      LEFT JOIN opendata_data.cross_gares_l93 g ON ST_Intersects(c.geom, ST_Transform(g.geom, 4326)) GROUP BY c.code$$) AS differences;
SELECT regress.plan_uses(pg_get_viewdef('opendata_data."cross-l93-par-commune"'::regclass), 'cross_gares_l93_st_transform_idx') AS uses_index;
-- Distances across SRIDs: each station's nearest Lambert-93 station is
-- less than a metre away (its own x/y, or a station at the same place), and
-- the counts within 100 m are those of the hand-written query.
SELECT opendata.cross('cross-gares-to-l93', 'cross-gares', 'cross-gares-l93', 'nearest',
                      '{"fields": ["objectid"], "left_fields": ["objectid"]}')->>'rows' AS rows;
SELECT count(*) AS stations, count(*) FILTER (WHERE distance_m < 1) AS under_a_metre
  FROM opendata_data."cross-gares-to-l93";
SELECT opendata.cross('cross-gares-100m-l93', 'cross-gares', 'cross-gares-l93', 'within_distance',
                      '{"distance_m": 100, "output": "count", "fields": [], "left_fields": ["objectid"]}')->>'rows' AS rows;
SELECT regress.differences(
  $$SELECT objectid, cross_gares_l93_count FROM opendata_data."cross-gares-100m-l93"$$,
  $$SELECT g.objectid, count(l.objectid) FROM opendata_data."cross-gares" g
      LEFT JOIN opendata_data.cross_gares_l93 l ON ST_DWithin(g.geo_point::geography, ST_Transform(l.geom, 4326)::geography, 100)
     GROUP BY g.ctid, g.objectid$$) AS differences;
SELECT regress.plan_uses(pg_get_viewdef('opendata_data."cross-gares-100m-l93"'::regclass), 'cross_gares_l93_st_transform_idx') AS uses_index;
-- The box that index is probed with, once per station
-- (opendata._expand_m, in C): every point 500 m away from Paris in any
-- direction is inside; near a pole and across the antimeridian the box
-- spans every longitude; NULL for an empty geometry or a negative distance.
SELECT bool_and(ST_Covers(opendata._expand_m('SRID=4326;POINT(2.35 48.85)', 500),
                          ST_Project('SRID=4326;POINT(2.35 48.85)'::geography, 500, radians(az))::geometry)) AS paris_500m_inside,
       bool_and(ST_Covers(opendata._expand_m('SRID=4326;POINT(2.35 48.85)', 500),
                          ST_Project('SRID=4326;POINT(2.35 48.85)'::geography, 520, radians(az))::geometry)) AS paris_520m_inside
  FROM generate_series(0, 315, 45) az;
SELECT ST_XMax(b) - ST_XMin(b) >= 360 AS every_longitude
  FROM (VALUES (opendata._expand_m('SRID=4326;POINT(10 89.95)', 100)),
               (opendata._expand_m('SRID=4326;POINT(179.999 0)', 500)),
               (opendata._expand_m('SRID=4326;POLYGON((-179.9999 1, -179 1, -179 2, -179.9999 2, -179.9999 1))', 500))) v(b);
SELECT opendata._expand_m('SRID=4326;POINT EMPTY', 500) IS NULL AS empty,
       opendata._expand_m('SRID=4326;POINT(2 48)', -1) IS NULL AS negative,
       opendata._expand_m(NULL, 500) IS NULL AS no_geometry;
RESET ROLE;

-- 7. Edge cases on small shapes: two squares sharing an edge, points on
-- the edge, inside, outside and without geometry; points on both sides of
-- the antimeridian; an empty dataset.
CREATE TABLE opendata_data.cross_squares (name text, geom geometry(Polygon, 4326));
INSERT INTO opendata_data.cross_squares VALUES
  ('a-west', ST_MakeEnvelope(0, 0, 1, 1, 4326)), ('b-east', ST_MakeEnvelope(1, 0, 2, 1, 4326));
CREATE TABLE opendata_data.cross_points (id int, geom geometry(Point, 4326));
INSERT INTO opendata_data.cross_points VALUES
  (1, 'SRID=4326;POINT(1 0.5)'), (2, 'SRID=4326;POINT(0.5 0.5)'), (3, 'SRID=4326;POINT(5 5)'), (4, NULL),
  (10, 'SRID=4326;POINT(179.999 0)'), (11, 'SRID=4326;POINT(-179.999 0)'), (12, 'SRID=4326;POINT(179.9 0)');
CREATE TABLE opendata_data.cross_empty (id int, geom geometry(Point, 4326));
ALTER TABLE opendata_data.cross_squares OWNER TO regress_crosser;
ALTER TABLE opendata_data.cross_points OWNER TO regress_crosser;
ALTER TABLE opendata_data.cross_empty OWNER TO regress_crosser;
SET ROLE regress_crosser;
SELECT opendata.register('opendata_data.cross_squares', 'cross-squares')->'indexes_created' AS squares_index,
       opendata.register('opendata_data.cross_points', 'cross-points')->'indexes_created' AS points_index,
       opendata.register('opendata_data.cross_empty', 'cross-empty')->'indexes_created' AS empty_index;
-- register() leaves alone a table the caller may read and share but does
-- not own (and views, above).
RESET ROLE;
CREATE TABLE opendata_data.cross_not_mine (id int, geom geometry(Point, 4326));
GRANT SELECT ON opendata_data.cross_not_mine TO regress_crosser WITH GRANT OPTION;
SET ROLE regress_crosser;
SELECT r->>'slug' AS slug, r ? 'indexes_created' AS indexed
  FROM opendata.register('opendata_data.cross_not_mine', 'cross-not-mine') r;
SELECT count(*) AS gist_indexes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'opendata_data.cross_not_mine'::regclass;
-- contains: a point on the shared edge counts for both squares ("covers",
-- the default), for neither with "interior".
SELECT r->'report' AS report FROM opendata.cross('cross-sq-covers', 'cross-squares', 'cross-points', 'contains', '{}') r;
SELECT name, cross_points_count FROM opendata_data."cross-sq-covers" ORDER BY name;
SELECT r->'report' AS report FROM opendata.cross('cross-sq-interior', 'cross-squares', 'cross-points', 'contains', '{"border": "interior"}') r;
SELECT name, cross_points_count FROM opendata_data."cross-sq-interior" ORDER BY name;
-- enrich: the point on the edge goes to one square (the first by the
-- tie_break field); points in none, or without geometry, are counted.
SELECT r->'report' AS report FROM opendata.cross('cross-pt-square', 'cross-points', 'cross-squares', 'enrich', '{}') r;
SELECT id, cross_squares_name FROM opendata_data."cross-pt-square" WHERE id < 10 ORDER BY id;
-- The antimeridian: the nearest neighbour of 179.999° is -179.999°, 222 m
-- away, not 179.9°; within 1 km finds it too.
SELECT r->>'rows' AS rows FROM opendata.cross('cross-pt-nearest', 'cross-points', 'cross-points', 'nearest',
                                              '{"k": 2, "prefix": "n_"}') r;
SELECT id, n_id, round(distance_m) AS metres FROM opendata_data."cross-pt-nearest" WHERE id >= 10 AND n_id <> id ORDER BY id, distance_m;
SELECT opendata.cross('cross-pt-1km', 'cross-points', 'cross-points', 'within_distance',
                      '{"distance_m": 1000, "prefix": "n_"}')->>'rows' AS rows;
SELECT id, n_id, round(distance_m) AS metres FROM opendata_data."cross-pt-1km" WHERE n_id <> id ORDER BY id, n_id;
-- Multipolygons: one dataset row made of two squares far apart, its points
-- counted in both parts; enrichment finds it from either part.
CREATE TABLE opendata_data.cross_multi (name text, geom geometry(MultiPolygon, 4326));
INSERT INTO opendata_data.cross_multi VALUES
  ('two-parts', ST_Multi(ST_Union(ST_MakeEnvelope(0.4, 0.4, 0.6, 0.6, 4326), ST_MakeEnvelope(4, 4, 6, 6, 4326))));
ALTER TABLE opendata_data.cross_multi OWNER TO regress_crosser;
SELECT opendata.register('opendata_data.cross_multi', 'cross-multi')->'geometry' AS geometry;
SELECT opendata.cross('cross-multi-count', 'cross-multi', 'cross-points', 'contains', '{}')->'report' AS report;
SELECT name, cross_points_count FROM opendata_data."cross-multi-count";
SELECT opendata.cross('cross-pt-multi', 'cross-points', 'cross-multi', 'enrich', '{}')->'report' AS report;
SELECT id, cross_multi_name FROM opendata_data."cross-pt-multi" WHERE cross_multi_name IS NOT NULL ORDER BY id;
-- Empty sides.
SELECT opendata.cross('cross-empty-left', 'cross-empty', 'cross-squares', 'enrich', '{}')->'report' AS report;
SELECT opendata.cross('cross-empty-right', 'cross-squares', 'cross-empty', 'contains', '{}')->>'rows' AS rows;
SELECT name, cross_empty_count FROM opendata_data."cross-empty-right" ORDER BY name;
-- Attribute keys normalised: trimmed, upper-cased, zero-padded.
CREATE TABLE opendata_data.cross_codes_a (code text, label text);
INSERT INTO opendata_data.cross_codes_a VALUES (' 1001', 'Abergement'), ('2a004 ', 'Ajaccio'), ('91228', 'Évry'), ('99999', 'Nowhere'), (NULL, 'No code');
CREATE TABLE opendata_data.cross_codes_b (insee text, pop int);
INSERT INTO opendata_data.cross_codes_b VALUES ('01001', 798), ('2A004', 70817), ('91228', 53735), ('75056', 2133111);
SELECT opendata.register('opendata_data.cross_codes_a', 'cross-codes-a')->>'slug' AS slug,
       opendata.register('opendata_data.cross_codes_b', 'cross-codes-b')->>'slug' AS slug;
SELECT jsonb_pretty(opendata.cross('cross-codes', 'cross-codes-a', 'cross-codes-b', 'attribute',
  '{"left_key": "code", "right_key": "insee", "normalize": {"trim": true, "case": "upper", "pad": 5}}')->'report') AS report;
SELECT label, cross_codes_b_insee, cross_codes_b_pop FROM opendata_data."cross-codes" ORDER BY label;

-- 8. Staleness and refresh: republishing a source marks what was derived
-- from it stale; refresh() recomputes and clears the flag.
SELECT opendata.set_metadata('cross-gares', '{"title": "Gares", "description": "Emplacement des gares"}') IS NOT NULL AS described;
SELECT opendata.publish('cross-gares')->>'version' AS version;
SELECT ds.slug, d.stale FROM opendata.derived_datasets d JOIN opendata.datasets ds ON ds.id = d.dataset_id
 WHERE ds.slug LIKE 'cross-%' ORDER BY ds.slug;
SELECT r->>'rows' AS rows, r->>'stale' AS stale, r->'report' AS report FROM opendata.refresh('cross-gares-communes') r;
SELECT d.stale FROM opendata.derived_datasets d JOIN opendata.datasets ds ON ds.id = d.dataset_id
 WHERE ds.slug = 'cross-gares-communes';
-- A derived dataset publishes like any other, and the DCAT lineage names its sources.
SELECT opendata.set_metadata('cross-gares-par-commune', '{"description": "Gares par commune"}') IS NOT NULL AS described;
SELECT opendata.publish('cross-gares-par-commune')->>'version' AS version;
SELECT opendata.refresh('cross-gares-par-commune')->>'version' AS version_after_refresh;

-- 9. Ad hoc crossings of published datasets, with ODSQL filters on each side.
SELECT opendata.set_metadata(s, '{"description": "Pour les croisements"}') IS NOT NULL AS described
  FROM unnest(ARRAY['cross-communes', 'cross-arbres', 'cross-populations']) s;
SELECT opendata.set_metadata('cross-arbres', '{"title": "Arbres remarquables"}') IS NOT NULL AS titled;
SELECT opendata.set_metadata('cross-populations', '{"title": "Populations légales"}') IS NOT NULL AS titled;
SELECT opendata.publish(s)->>'version' AS version FROM unnest(ARRAY['cross-communes', 'cross-arbres', 'cross-populations']) s;
RESET ROLE;
SET ROLE opendata_anon;
-- Stations per commune of Essonne, as above.
SELECT (r->>'total_count')::int AS communes, r->'report' AS report
  FROM opendata_api.cross('cross-communes', 'cross-gares', 'contains', "where" => 'startswith(code, "91")') r;
SELECT regress.differences(
  $$SELECT x->>'code', (x->>'right_count')::bigint
      FROM generate_series(0, 100, 100) p,
           json_array_elements(opendata_api.cross('cross-communes', 'cross-gares', 'contains',
                               "where" => 'startswith(code, "91")', rows => 100, start => p)->'results') x$$,
  $$SELECT code, cross_gares_count FROM opendata_data."cross-gares-par-commune" WHERE code LIKE '91%'$$) AS differences;
SELECT x->>'code' AS code, x->>'nom' AS nom, x->>'right_count' AS stations, json_typeof(x->'geom') AS geom
  FROM json_array_elements(opendata_api.cross('cross-communes', 'cross-gares', 'contains',
                                              "where" => 'code IN ("91377", "91228")', right_where => 'rer')->'results') x
 ORDER BY code;
-- The nearest metro station to each tree of the 7th arrondissement.
SELECT x->>'idbase' AS idbase, x->>'right_nom_gare' AS station, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.cross('cross-arbres', 'cross-gares', 'nearest',
                                              "where" => 'arrondissement = "PARIS 7E ARRDT"', right_where => 'metro',
                                              rows => 100)->'results') x
 ORDER BY 3, 1 LIMIT 4;
RESET ROLE;
SELECT regress.differences(
  $$SELECT x->>'idbase', round((x->>'distance_m')::numeric, 3)
      FROM json_array_elements(opendata_api.cross('cross-arbres', 'cross-gares', 'nearest',
             "where" => 'arrondissement = "PARIS 7E ARRDT"', right_where => 'metro', rows => 100)->'results') x$$,
  $$SELECT a.idbase::text, round(min(ST_Distance(a.geo_point::geography, g.geo_point::geography))::numeric, 3)
      FROM opendata_data."cross-arbres" a CROSS JOIN opendata_data."cross-gares" g
     WHERE a.arrondissement = 'PARIS 7E ARRDT' AND g.metro GROUP BY a.ctid, a.idbase$$) AS differences;
SET ROLE opendata_anon;
-- Stations within 300 m of each tree, and paging.
SELECT (r->>'total_count')::int AS pairs, json_array_length(r->'results') AS page
  FROM opendata_api.cross('cross-arbres', 'cross-gares', 'within_distance', distance_m => 300, rows => 5, start => 2) r;
-- near(): what is around a point.
SELECT x->>'nom_gare' AS station, x->>'mode' AS mode, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 3)->'results') x;
SELECT opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, "where" => 'rer', rows => 2)->'total_count' AS rer_within_1km;
SELECT opendata_api.near('cross-gares', 2.2945, 48.8584, 10, rows => 2) AS nothing_within_10m;
-- Pages of near(): windows of every match, nearest first, each with the
-- URL of the next one until the last; with order_by, every match sorted.
SELECT p.start, json_array_length(r->'results') AS page, r->'links'->>'next' AS next
  FROM generate_series(0, 4, 2) p(start),
       opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 2, start => p.start, fields => 'nom_gare') r;
SELECT (SELECT json_agg(x->'nom_gare') FROM json_array_elements(opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 2, start => 2)->'results') x)::text
     = (SELECT json_agg(x->'nom_gare' ORDER BY i) FROM json_array_elements(opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 100)->'results')
                                                       WITH ORDINALITY AS e(x, i) WHERE i IN (3, 4))::text AS page_2_is_3rd_and_4th;
SELECT x->>'nom_gare' AS station, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 3, order_by => 'nom_gare desc')->'results') x;
SELECT r->'total_count' AS pairs, r->'links'->>'next' AS next
  FROM opendata_api.cross('cross-arbres', 'cross-gares', 'within_distance', distance_m => 300, rows => 5, start => 2,
                          order_by => 'idbase') r;
RESET ROLE;
SELECT regress.differences(
  $$SELECT x->>'nom_gare', round((x->>'distance_m')::numeric, 3)
      FROM json_array_elements(opendata_api.near('cross-gares', 2.2945, 48.8584, 1000, rows => 100)->'results') x$$,
  $$SELECT nom_gare, round(ST_Distance(geo_point::geography, ST_SetSRID(ST_MakePoint(2.2945, 48.8584), 4326)::geography)::numeric, 3)
      FROM opendata_data."cross-gares"
     WHERE ST_DWithin(geo_point::geography, ST_SetSRID(ST_MakePoint(2.2945, 48.8584), 4326)::geography, 1000)$$) AS differences;

-- 10. Errors, each with its SQLSTATE.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.near('cross-populations', 2.3, 48.8)$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-populations', 'cross-gares', 'nearest')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'within_distance', distance_m => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'within_distance')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'nearest', k => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'nearest', k => 101)$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'touches')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', 'attribute')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'nowhere')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-pop-9177')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('cross-arbres', 'cross-gares', right_where => 'colour = "red"')$$);
SELECT regress.error_of($$SELECT opendata_api.near('cross-gares', 200, 48.8)$$);
SELECT regress.error_of($$SELECT opendata_api.near('cross-gares', 2.3, 48.8, -5)$$);
SELECT regress.error_of($$SELECT opendata_api.near('cross-gares', 2.3, 48.8, rows => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.near('cross-gares', 2.3, 48.8, start => -1)$$);
RESET ROLE;
SET ROLE regress_crosser;
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-populations', 'contains')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-arbres', 'cross-gares', 'within_distance', '{"distance_m": -1}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-arbres', 'cross-gares', 'nearest', '{"k": 5000}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-arbres', 'cross-gares', 'nearest', '{"fields": ["colour"]}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-arbres', 'cross-gares', 'nearest', '{"left_fields": ["colour"]}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-arbres', 'cross-gares', 'nearest', '{"left_fields": "objectid"}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-gares', 'contains', '{"aggregates": ["sum(colour)"]}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-gares', 'contains', '{"aggregates": ["median(x)"]}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-pop-9177', 'attribute', '{"left_key": "code", "right_key": "insee"}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-pop-9177', 'attribute', '{"left_key": "code"}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-gares', 'contains', '{"colour": 1}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'cross-communes', 'cross-gares', 'contains', '{"border": "first"}')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-x', 'nowhere', 'cross-gares', 'nearest')$$);
SELECT regress.error_of($$SELECT opendata.cross('cross-gares-communes', 'cross-arbres', 'cross-gares', 'nearest')$$);
SELECT regress.error_of($$SELECT opendata.cross('Bad Slug', 'cross-arbres', 'cross-gares', 'nearest')$$);
SELECT regress.error_of($$SELECT opendata.refresh('cross-gares')$$);
SELECT regress.error_of($$SELECT opendata.refresh('nowhere')$$);
-- Nothing was left behind by the failures.
SELECT count(*) AS leftovers FROM opendata.datasets WHERE slug = 'cross-x';
RESET ROLE;
-- Anonymous users cannot make crossings.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata.cross('cross-y', 'cross-arbres', 'cross-gares', 'nearest')$$);
RESET ROLE;
