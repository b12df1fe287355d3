-- Rows at the same distance (docs/crossings.md, "Rows at the same
-- distance"): nearest and near() order them by the right dataset's key, or
-- by all its fields without one, in every path (the in-memory index, the
-- two GiST passes), across pages and at the k-th place.
--
-- Stops around P = (0, 45): 6 at 79 m; 2, 5 and 9 at one place, 555 m
-- north; 3 and 7 mirrored west and east, 787 m; 1 south; 4 and 8 mirrored
-- farther.  Stored out of key order, so that a scan's order is not the
-- key's.
SELECT opendata.create_organization('ties-org', 'Ties') > 0 AS created;
CREATE TABLE public.tie_stops (id int PRIMARY KEY, nom text NOT NULL, geom geometry(Point, 4326));
INSERT INTO public.tie_stops VALUES
  (7, 'A est', 'SRID=4326;POINT(0.01 45)'), (9, 'Nord 9', 'SRID=4326;POINT(0 45.005)'),
  (3, 'B ouest', 'SRID=4326;POINT(-0.01 45)'), (8, 'Loin ouest', 'SRID=4326;POINT(-0.02 45)'),
  (5, 'Nord 5', 'SRID=4326;POINT(0 45.005)'), (1, 'Sud', 'SRID=4326;POINT(0 44.99)'),
  (6, 'Tout près', 'SRID=4326;POINT(0.001 45)'), (2, 'Nord 2', 'SRID=4326;POINT(0 45.005)'),
  (4, 'Loin est', 'SRID=4326;POINT(0.02 45)');
-- The same stops without a key, in another storage order, led by a json
-- field (a type without ordering: compared by its text) and a kind shared
-- by the tied stops.
CREATE TABLE public.tie_stops_keyless AS
  SELECT json_build_object('network', 'bus') AS info, 'bus'::text AS kind, id, nom, geom
    FROM public.tie_stops ORDER BY nom DESC;
CREATE TABLE public.tie_points (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO public.tie_points VALUES (1, 'SRID=4326;POINT(0 45)'), (2, 'SRID=4326;POINT(0 45.005)');
SELECT opendata.register(r, s, '{"title": "Ties", "description": "Ties", "publisher": "ties-org"}')->>'slug' AS slug
  FROM (VALUES ('public.tie_stops', 'tie-stops'), ('public.tie_stops_keyless', 'tie-stops-keyless'),
               ('public.tie_points', 'tie-points')) v(r, s);
SELECT opendata.publish(s)->>'version' AS version
  FROM unnest(ARRAY['tie-stops', 'tie-stops-keyless', 'tie-points']) s;
-- The ties are exact: one distance per group.
SELECT array_agg(id ORDER BY id) AS ids, count(DISTINCT ST_Distance(geom::geography, 'SRID=4326;POINT(0 45)'::geography)) AS distances
  FROM public.tie_stops WHERE id IN (2, 5, 9) OR id IN (3, 7) OR id IN (4, 8)
 GROUP BY round(ST_Distance(geom::geography, 'SRID=4326;POINT(0 45)'::geography)) ORDER BY 1;

-- near(): the nearest first, ties by key (2, 5, 9 then 3, 7 then 4, 8).
CREATE FUNCTION pg_temp.near_ids(dataset text, rows int, start int, distance_m float8 DEFAULT NULL,
                                 order_by text DEFAULT NULL) RETURNS int[]
LANGUAGE sql AS $$
  SELECT array_agg((x->>'id')::int ORDER BY i)
    FROM json_array_elements(opendata_api.near(dataset, 0, 45, distance_m, rows => rows, start => start,
                                               order_by => order_by)->'results') WITH ORDINALITY AS e(x, i)
$$;
-- Every page of `rows`, concatenated, against one page of 100.
CREATE FUNCTION pg_temp.walked(dataset text, rows int, distance_m float8 DEFAULT NULL,
                               order_by text DEFAULT NULL) RETURNS boolean
LANGUAGE sql AS $$
  SELECT array_agg(id ORDER BY s, i) = pg_temp.near_ids(dataset, 100, 0, distance_m, order_by)
    FROM generate_series(0, 8, rows) s,
         unnest(pg_temp.near_ids(dataset, rows, s, distance_m, order_by)) WITH ORDINALITY AS u(id, i)
$$;
SET ROLE opendata_anon;
SELECT d AS dataset, pg_temp.near_ids(d, 100, 0) AS by_distance,
       pg_temp.near_ids(d, 100, 0, 1200) AS within_1200_m,
       pg_temp.near_ids(d, 100, 0, order_by => 'nom desc') AS by_nom_desc
  FROM unnest(ARRAY['tie-stops', 'tie-stops-keyless']) d;
-- Walked page by page, across every page boundary: the same rows in the
-- same order.
SELECT d AS dataset, r AS rows, pg_temp.walked(d, r) AS by_distance, pg_temp.walked(d, r, 1200) AS within
  FROM unnest(ARRAY['tie-stops', 'tie-stops-keyless']) d, unnest(ARRAY[1, 2, 3]) r
 ORDER BY 1, 2;
-- order_by a value every stop shares: then by distance, then as above.
SELECT pg_temp.near_ids('tie-stops-keyless', 100, 0, order_by => 'kind') AS by_kind,
       pg_temp.walked('tie-stops-keyless', 2, order_by => 'kind') AS walked;
RESET ROLE;

-- nearest: which rows are the k nearest when a tie straddles the k-th
-- place.  From point 1 the 5 nearest are 6, 2, 5, 9 and one of 3 and 7:
-- 3, the smaller key; from point 2 (at 2, 5 and 9), 2 for k = 1.  The
-- in-memory index (two tables) and the GiST passes (a filtered side) agree.
SELECT opendata.cross(s, 'tie-points', 'tie-stops', 'nearest', o::jsonb)->>'rows' AS rows
  FROM (VALUES ('tie-k5', '{"k": 5, "fields": ["id"]}'),
               ('tie-k5-gist', '{"k": 5, "fields": ["id"], "right_where": "id > 0"}'),
               ('tie-k1', '{"fields": ["id"]}'),
               ('tie-k5-by-nom', '{"k": 5, "fields": ["id"], "tie_break": "nom"}')) v(s, o);
SELECT pg_get_viewdef('opendata_data."tie-k5"'::regclass) LIKE '%_nearest_candidates(%' AS k5_in_memory,
       pg_get_viewdef('opendata_data."tie-k5-gist"'::regclass) LIKE '%_nearest_candidates(%' AS gist_in_memory;
SELECT 'in memory' AS path, id, array_agg(tie_stops_id ORDER BY distance_m, tie_stops_id) AS nearest
  FROM opendata_data."tie-k5" GROUP BY id
UNION ALL
SELECT 'GiST passes', id, array_agg(tie_stops_id ORDER BY distance_m, tie_stops_id)
  FROM opendata_data."tie-k5-gist" GROUP BY id
UNION ALL
SELECT 'k = 1', id, array_agg(tie_stops_id) FROM opendata_data."tie-k1" GROUP BY id
UNION ALL
-- tie_break first: "A est" (7) before "B ouest" (3).
SELECT 'tie_break nom', id, array_agg(tie_stops_id ORDER BY distance_m, tie_stops_id)
  FROM opendata_data."tie-k5-by-nom" GROUP BY id
ORDER BY 1, 2;
-- Without a key: by every field, the json field by its text, then kind
-- (both the same for all), then id.
SELECT opendata.cross('tie-k5-keyless', 'tie-points', 'tie-stops-keyless', 'nearest',
                      '{"k": 5, "fields": ["id"], "prefix": "s_"}')->>'rows' AS rows;
SELECT id, array_agg(s_id ORDER BY distance_m, s_id) AS nearest FROM opendata_data."tie-k5-keyless" GROUP BY id ORDER BY id;
-- Over the API: the same choice.
SET ROLE opendata_anon;
SELECT x->>'id' AS id, array_agg((x->>'right_id')::int ORDER BY i) AS nearest
  FROM json_array_elements(opendata_api.cross('tie-points', 'tie-stops', 'nearest', k => 5, rows => 100,
                                              order_by => 'id, distance_m, right_id', fields => 'id, right_id')->'results')
       WITH ORDINALITY AS e(x, i)
 GROUP BY 1 ORDER BY 1;
RESET ROLE;
-- An unknown tie_break field is 42703.
SELECT regress.error_of($$SELECT opendata.cross('tie-x', 'tie-points', 'tie-stops', 'nearest', '{"tie_break": ["nom", "colour"]}')$$);

-- Dropped with their tables.
SELECT opendata.drop_dataset(s, true) IS NOT NULL AS dropped
  FROM unnest(ARRAY['tie-k5', 'tie-k5-gist', 'tie-k1', 'tie-k5-by-nom', 'tie-k5-keyless',
                    'tie-stops', 'tie-stops-keyless', 'tie-points']) s;
SELECT count(*) AS left_behind FROM pg_class WHERE relname LIKE 'tie\_%';
