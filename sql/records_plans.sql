-- records() keeps the parsed and analysed form of each statement shape for
-- the backend's life and plans it anew for each call's values
-- (src/pg/planned.cpp).  A kept statement must never answer with what was
-- true when it was kept: each block below runs one shape before and after
-- what would make a stale statement wrong.
CREATE TABLE public.plan_trees (id int PRIMARY KEY, genre text, hauteur int, geom geometry(Point, 4326));
INSERT INTO plan_trees
SELECT g, (ARRAY['Platanus', 'Quercus', 'Tilia'])[g % 3 + 1], g % 40,
       ST_SetSRID(ST_MakePoint(2.30 + g / 1000.0, 48.85 + g / 1000.0), 4326)
  FROM generate_series(1, 300) g;
CREATE INDEX ON plan_trees USING gist (geom);
ANALYZE plan_trees;
SELECT opendata.create_organization('plan-org', 'Plans org') > 0 AS created;
SELECT opendata.register('plan_trees', 'plan-trees', $${"title": "Arbres", "description": "Des arbres",
         "publisher": "plan-org"}$$) IS NOT NULL AS registered;
SELECT opendata.publish('plan-trees')->>'version' AS version;
-- What opendata_anon reads of the source, to check the answers against.
CREATE FUNCTION regress.plan_count(filter text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE 'SELECT count(*) FROM public.plan_trees WHERE ' || filter INTO n;
  RETURN n;
END
$$;

-- One shape, many values: more calls than the five after which PostgreSQL
-- may switch a prepared statement to a generic plan.  Every total is the
-- one of its own values.
SET ROLE opendata_anon;
SELECT h, r->'total_count' AS total, r->'results' AS page,
       (r->>'total_count')::bigint = regress.plan_count(format('hauteur >= %s', h)) AS right_total
  FROM generate_series(0, 45, 5) h,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => format('hauteur >= %s', h),
                                            order_by => 'id', rows => 2)::jsonb AS r) x
 ORDER BY h;
-- Bounding boxes, small to large: a plan made for one box is not reused
-- for another.
SELECT b, r->'total_count' AS total, r->'results' AS page,
       (r->>'total_count')::bigint = regress.plan_count(
         format('ST_Intersects(geom, ST_MakeEnvelope(2.30, 48.85, %s, %s, 4326))', 2.30 + b * 0.04, 48.85 + b * 0.04))
         AS right_total
  FROM generate_series(0, 8) b,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id',
                         "where" => format('in_bbox(geom, 48.85, 2.30, %s, %s)', 48.85 + b * 0.04, 2.30 + b * 0.04),
                         order_by => 'id', rows => 2)::jsonb AS r) x
 ORDER BY b;

-- The same values again: from their second call, the plan made for them
-- is kept (src/pg/value_plans.cpp), and so is the compiled request
-- (src/pg/compiled_requests.cpp).  Dropping the index the plan reads, new
-- rows and new statistics: each next call answers from the table as it is.
SELECT i, r->'total_count' AS total, r->'results' AS page,
       (r->>'total_count')::bigint = regress.plan_count(
         'ST_Intersects(geom, ST_MakeEnvelope(2.30, 48.85, 2.34, 48.89, 4326))') AS right_total
  FROM generate_series(1, 3) i,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'in_bbox(geom, 48.85, 2.30, 48.89, 2.34)',
                                            order_by => 'id', rows => 2 + 0 * i)::jsonb AS r) x
 ORDER BY i;
RESET ROLE;
DROP INDEX plan_trees_geom_idx;
INSERT INTO plan_trees VALUES (1000, 'Quercus', 3, ST_SetSRID(ST_MakePoint(2.301, 48.851), 4326));
SET ROLE opendata_anon;
SELECT i, r->'total_count' AS total, r->'results' AS page,
       (r->>'total_count')::bigint = regress.plan_count(
         'ST_Intersects(geom, ST_MakeEnvelope(2.30, 48.85, 2.34, 48.89, 4326))') AS right_total
  FROM generate_series(1, 2) i,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'in_bbox(geom, 48.85, 2.30, 48.89, 2.34)',
                                            order_by => 'id', rows => 2 + 0 * i)::jsonb AS r) x
 ORDER BY i;
RESET ROLE;
DELETE FROM plan_trees WHERE id = 1000;
CREATE INDEX ON plan_trees USING gist (geom);
ANALYZE plan_trees;
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id', "where" => 'in_bbox(geom, 48.85, 2.30, 48.89, 2.34)',
                             order_by => 'id', rows => 2)::jsonb)->'total_count' AS after_analyze;

-- opendata.exact_count_threshold is read at each call, not kept with the
-- statement: the same shape is estimated, then exact, then estimated.
SET opendata.exact_count_threshold = 10;
SELECT r ? 'total_count_estimated' AS estimated
  FROM (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur >= 1', rows => 2)::jsonb AS r) x;
SET opendata.exact_count_threshold = 1000;
SELECT r ? 'total_count_estimated' AS estimated, r->'total_count' AS total
  FROM (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur >= 1', rows => 2)::jsonb AS r) x;
SET opendata.exact_count_threshold = 10;
SELECT r ? 'total_count_estimated' AS estimated
  FROM (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur >= 1', rows => 2)::jsonb AS r) x;
-- 0: always exact.
SET opendata.exact_count_threshold = 0;
SELECT r ? 'total_count_estimated' AS estimated, r->'total_count' AS total
  FROM (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur >= 1', rows => 2)::jsonb AS r) x;
RESET opendata.exact_count_threshold;
RESET ROLE;

-- When the plan sorts every matching row before cutting the page, the
-- total is the number of rows that went into the sort (sorted_input() in
-- src/pg/planned.cpp).  A LIMIT 0 reads none of them: the count runs.
SET ROLE opendata_anon;
SELECT rows, start, r->'total_count' AS total, jsonb_array_length(r->'results') AS on_page,
       (r->>'total_count')::bigint = regress.plan_count('hauteur < 20 AND genre <> ''Tilia''') AS right_total
  FROM (VALUES (3, 0), (0, 0), (3, 150), (100, 100)) v(rows, start),
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur < 20 and genre != "Tilia"',
                                            order_by => 'hauteur desc, id', rows => rows, start => start)::jsonb AS r) x;
-- From its second call on, a shape whose plan sorted is planned without
-- the count's sub-select (page_sql in src/pg/records.cpp): the estimate
-- compared with the threshold is then that of the rows going into the sort.
SET opendata.exact_count_threshold = 10;
SELECT i, r ? 'total_count_estimated' AS estimated
  FROM generate_series(1, 2) i,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur < 20 and genre != "Tilia"',
                                            order_by => 'hauteur desc, id', rows => 2 + 0 * i)::jsonb AS r) x;
RESET opendata.exact_count_threshold;
-- Groups: the groups that went into the sort.
SELECT opendata_api.records('plan-trees', fields => 'hauteur, count(*) as n', group_by => 'hauteur',
                            order_by => 'n desc, hauteur', rows => 3);
-- A page after a token sorts only the rows after it: the count runs.
SELECT r->'total_count' AS total, r->'results' AS page
  FROM (SELECT opendata_api.records('plan-trees', fields => 'id, hauteur', "where" => 'hauteur < 20 and genre != "Tilia"',
                                    order_by => 'hauteur desc, id', rows => 3,
                                    after => opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur < 20 and genre != "Tilia"',
                                                                  order_by => 'hauteur desc, id', rows => 3)->>'next_after')::jsonb AS r) x;
RESET ROLE;

-- Row-level security on the source (the API view is security_invoker):
-- policies for different roles, so the rewritten statement differs by
-- role.  The same shape alternates between the two roles.
CREATE ROLE regress_plans_reader IN ROLE opendata_anon;
ALTER TABLE plan_trees ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_rows ON plan_trees FOR SELECT TO regress_plans_reader USING (true);
CREATE POLICY low_rows ON plan_trees FOR SELECT TO opendata_anon USING (hauteur < 10);
SELECT role, r->'total_count' AS total, r->'results' AS page
  FROM (VALUES (1, 'regress_plans_reader'), (2, 'opendata_anon'), (3, 'regress_plans_reader'),
               (4, 'opendata_anon')) v(i, role),
       LATERAL (SELECT set_config('role', role, true)) s,
       LATERAL (SELECT opendata_api.records('plan-trees', fields => 'id, hauteur', "where" => 'hauteur >= 5',
                                            order_by => 'hauteur desc, id', rows => 2)::jsonb AS r) x
 ORDER BY i;
RESET ROLE;
-- Turning row-level security off is a change of the table: the kept
-- statement is analysed again.
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id, hauteur', "where" => 'hauteur >= 5',
                             order_by => 'hauteur desc, id', rows => 2)::jsonb)->'total_count' AS with_rls;
RESET ROLE;
ALTER TABLE plan_trees DISABLE ROW LEVEL SECURITY;
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id, hauteur', "where" => 'hauteur >= 5',
                             order_by => 'hauteur desc, id', rows => 2)::jsonb)->'total_count' AS without_rls;
RESET ROLE;

-- Privileges are checked at every run, not when the statement was kept.
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur = 7', order_by => 'id', rows => 1)::jsonb)->'results' AS granted;
RESET ROLE;
REVOKE SELECT ON plan_trees FROM opendata_anon;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur = 7', order_by => 'id', rows => 1)$$);
RESET ROLE;

-- Republishing redefines the API view (here: a field hidden, the grants
-- given again); the same shape reads the new view.
SELECT opendata.describe_field('plan-trees', 'genre', '{"hidden": true}') IS NOT NULL AS hidden;
SELECT opendata.publish('plan-trees')->>'version' AS version;
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur = 7', order_by => 'id', rows => 1)::jsonb)->'results' AS republished;
SELECT opendata_api.records('plan-trees', "where" => 'id = 7');
RESET ROLE;
-- Unpublished and published again: the API view is dropped and made anew,
-- another relation under the same name (the statement's text is the same).
SELECT opendata.unpublish('plan-trees') IS NOT NULL AS unpublished;
UPDATE plan_trees SET hauteur = hauteur + 100 WHERE id <= 10;
SELECT opendata.publish('plan-trees')->>'version' AS version;
SET ROLE opendata_anon;
SELECT (opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur = 7', order_by => 'id', rows => 1)::jsonb)->'results' AS new_view;
SELECT (opendata_api.records('plan-trees', fields => 'id', "where" => 'hauteur = 107', order_by => 'id', rows => 1)::jsonb)->'results' AS new_rows;
RESET ROLE;
DROP POLICY all_rows ON plan_trees;
DROP POLICY low_rows ON plan_trees;
DROP ROLE regress_plans_reader;
