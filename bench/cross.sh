#!/usr/bin/env bash
# Crossings benchmark: the SQL that opendata.cross() generates (the text
# opendata._cross_select writes, as the materialized view runs it), against
# the hand-written PostGIS query an expert would write, in the same run, on
# the same tables and GiST indexes, and against the naive cross join (no
# index) for scale:
#
#   sample      stations per commune (706 communes x 1,141 stations, contains)
#               nearest station to each remarkable tree (186 x 1,141)
#   nearest     POINTS random points x RIGHT_POINTS random points, against two
#               references: the planar LATERAL KNN (ORDER BY geom <-> geom
#               LIMIT 1, on the geometry index) + geography distance, and the
#               geography LATERAL KNN (ORDER BY geom::geography <->
#               geom::geography LIMIT 1, on a GiST index of the right side's
#               geography expression) + geography distance
#   within      the same points, how many within 500 m:
#               LATERAL count(*), && ST_Expand on the indexed column + ST_DWithin (geography)
#   contains    POLYGONS generated polygons x POINTS points:
#               LEFT JOIN ... ST_Contains ... GROUP BY
#
# The issue's sizes are the defaults: 1,000,000 x 100,000 points and 1,300
# polygons.  The data are generated with a fixed seed over Essonne and
# Seine-et-Marne (lon 1.9-3.6, lat 48.1-49.1); the polygons are Voronoi
# cells of seeded points, densified to about 100 vertices each (26 to 190;
# the communes of the sample files have 12 to 230, 46 at the median).
#
# Each pair (crossing, hand-written) is timed inside the server
# (clock_timestamp around CREATE TEMP TABLE AS: every row and column
# computed), alternately, RUNS times after one warm-up of each; medians.
# Nearest times three queries the same way (crossing, planar KNN, geography
# KNN).  Answers are compared on the tables of the last run: contains and
# within must be equal row for row (EXCEPT ALL both ways); for nearest the
# crossing is exact and neither single-pass KNN is (planar KNN orders by
# degrees; geography KNN by the sphere, while every distance here is on the
# spheroid), so the bench counts where each differs, by how much, checks
# that the crossing is never the farther one, and checks the crossing
# against the brute-force minimum over every pair on NAIVE points.
# The geography indexes are built outside the timed part, just before the
# nearest cases, and dropped after them: left in place, the planner would
# also use them for the ST_DWithin(geography) of within_distance.
# The naive cross join (index scans off) runs on NAIVE left rows (NAIVE_POLYGONS
# polygons for contains) and is extrapolated linearly to the full left side:
# the table says so.
#
#   bash bench/cross.sh                                  # the issue's sizes, RUNS=1
#   POINTS=100000 RIGHT_POINTS=10000 RUNS=3 bash bench/cross.sh
#
# Prints Markdown tables, as copied into docs/performance.md ("Crossings").
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-1000000}"
RIGHT_POINTS="${RIGHT_POINTS:-100000}"
POLYGONS="${POLYGONS:-1300}"
RUNS="${RUNS:-1}"
NAIVE="${NAIVE:-100}"
NAIVE_POLYGONS="${NAIVE_POLYGONS:-5}"
bench_cluster bench-cross 54362
cp "$REPO_DIR"/data/*.csv "$REPO_DIR"/data/*.geojson "$dir/"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"/*.csv "$dir"/*.geojson; fi

log "loading the sample files, $POINTS + $RIGHT_POINTS random points and $POLYGONS polygons"
psql_q -v datadir="$dir" -v benchdir="$REPO_DIR/bench" -v n="$POINTS" -v m="$RIGHT_POINTS" -v polygons="$POLYGONS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
SELECT opendata.set_catalog('{"publisher": "bench"}');
SELECT opendata.import_csv_file('gares', :'datadir' || '/idfm_emplacement_des_gares_idf.csv');
SELECT opendata.import_csv_file('arbres', :'datadir' || '/paris_arbres_remarquables.csv');
SELECT opendata.import_geojson_file('communes-91', :'datadir' || '/communes_91_essonne.geojson');
SELECT opendata.import_geojson_file('communes-77', :'datadir' || '/communes_77_seine_et_marne.geojson');
CREATE VIEW opendata_data.communes AS
  SELECT code, nom, geom FROM opendata_data."communes-91"
  UNION ALL SELECT code, nom, geom FROM opendata_data."communes-77";
SELECT opendata.register('opendata_data.communes', 'communes');

-- Generated data; register() creates the GiST indexes.
SELECT setseed(0.42);
CREATE TABLE opendata_data.points AS
  SELECT i AS id, ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326)::geometry(Point, 4326) AS geom
    FROM generate_series(1, :n) i;
CREATE TABLE opendata_data.targets AS
  SELECT i AS id, ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326)::geometry(Point, 4326) AS geom
    FROM generate_series(1, :m) i;
\i :benchdir/sql/zones.sql
SELECT opendata.register('opendata_data.points', 'points'), opendata.register('opendata_data.targets', 'targets'),
       opendata.register('opendata_data.zones', 'zones');
VACUUM ANALYZE;

-- Times q1, q2 (and q3 when given) alternately (CREATE TEMP TABLE AS), runs
-- after one warm-up of each; medians in ms.  The last results stay in r1,
-- r2 (and r3).
CREATE FUNCTION public.bench_pair(q1 text, q2 text, runs int, q3 text DEFAULT NULL,
                                  OUT ms1 numeric, OUT ms2 numeric, OUT row_count bigint, OUT ms3 numeric)
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz;
  t1 float8[] := '{}';
  t2 float8[] := '{}';
  t3 float8[] := '{}';
BEGIN
  FOR i IN 0..runs LOOP
    DROP TABLE IF EXISTS r1, r2, r3;
    t := clock_timestamp();
    EXECUTE format('CREATE TEMP TABLE r1 AS %s', q1);
    GET DIAGNOSTICS row_count = ROW_COUNT;
    IF i > 0 THEN t1 := t1 || extract(epoch FROM clock_timestamp() - t) * 1000; END IF;
    t := clock_timestamp();
    EXECUTE format('CREATE TEMP TABLE r2 AS %s', q2);
    IF i > 0 THEN t2 := t2 || extract(epoch FROM clock_timestamp() - t) * 1000; END IF;
    IF q3 IS NOT NULL THEN
      t := clock_timestamp();
      EXECUTE format('CREATE TEMP TABLE r3 AS %s', q3);
      IF i > 0 THEN t3 := t3 || extract(epoch FROM clock_timestamp() - t) * 1000; END IF;
    END IF;
  END LOOP;
  ms1 := round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t1) x)::numeric);
  ms2 := round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t2) x)::numeric);
  ms3 := round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t3) x)::numeric);
END
$$;
-- One line of the nearest table: the crossing (r1) against the planar KNN
-- (r2) and the geography KNN (r3), whose rows are matched to r1's by the
-- condition "matched" (on r1 and x, the reference).  Every distance_m and d
-- is geodesic on the spheroid; 1 mm absorbs rounding.
CREATE FUNCTION public.nearest_line(label text, matched text, crossing_ms numeric, planar_ms numeric, geography_ms numeric)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  answers text[];
  a text;
BEGIN
  FOREACH a IN ARRAY ARRAY['r2', 'r3'] LOOP
    EXECUTE format($q$SELECT format('farther for %%s of %%s (worst by %%s m); crossing farther: %%s',
                                    count(*) FILTER (WHERE x.d > r1.distance_m + 0.001), count(*),
                                    coalesce(round(max(x.d - r1.distance_m)::numeric, 3), 0),
                                    count(*) FILTER (WHERE r1.distance_m > x.d + 0.001))
                        FROM r1 JOIN %I x ON %s$q$, a, matched) INTO a;
    answers := answers || a;
  END LOOP;
  RETURN format('| %s | %s | %s | %s | %s | %s | %s | %s |', label, crossing_ms, planar_ms, geography_ms,
                round(crossing_ms / nullif(planar_ms, 0), 2), round(crossing_ms / nullif(geography_ms, 0), 2),
                answers[1], answers[2]);
END
$$;
-- Milliseconds of one run of q with index scans off (the naive plan); the
-- result stays in naive_result.
CREATE FUNCTION public.bench_naive(q text, OUT ms numeric)
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz;
BEGIN
  SET LOCAL enable_indexscan = off;
  SET LOCAL enable_bitmapscan = off;
  DROP TABLE IF EXISTS naive_result;
  t := clock_timestamp();
  EXECUTE format('CREATE TEMP TABLE naive_result AS %s', q);
  ms := round((extract(epoch FROM clock_timestamp() - t) * 1000)::numeric);
  RESET enable_indexscan;
  RESET enable_bitmapscan;
END
$$;
-- The crossing's SQL, as opendata.cross() writes it.
CREATE FUNCTION public.crossing_sql(l text, r text, predicate text, options jsonb) RETURNS text
LANGUAGE sql AS $$
  SELECT x.select_sql
    FROM opendata.datasets dl, opendata.datasets dr,
         LATERAL opendata._cross_select(dl.source::text,
                   ARRAY(SELECT name::text FROM opendata.fields WHERE dataset_id = dl.id ORDER BY position),
                   dl.geometry_field, dl.geometry_srid, dr.source::text,
                   ARRAY(SELECT name::text FROM opendata.fields WHERE dataset_id = dr.id ORDER BY position),
                   dr.geometry_field, dr.geometry_srid, predicate, options) x
   WHERE dl.slug = l AND dr.slug = r
$$;
SQL

log "sample files ($RUNS runs each)"
psql_q -v runs="$RUNS" -A -t <<'SQL'
SELECT '| case | rows | crossing ms | hand-written ms | crossing / hand-written | answers |';
SELECT '|---|---:|---:|---:|---:|---|';
DROP TABLE IF EXISTS b;
CREATE TEMP TABLE b AS SELECT * FROM public.bench_pair(public.crossing_sql('communes', 'gares', 'contains', '{"fields": [], "prefix": "gares_"}'),
    $$SELECT c.code, c.nom, c.geom, count(g.geo_point) FROM opendata_data.communes c
        LEFT JOIN opendata_data.gares g ON ST_Covers(c.geom, g.geo_point) GROUP BY c.code, c.nom, c.geom$$, :runs);
SELECT format('| %s | %s | %s | %s | %s | %s |', 'contains: stations per commune (706 x 1,141)', b.row_count, b.ms1, b.ms2,
              round(b.ms1 / nullif(b.ms2, 0), 2),
              CASE WHEN (SELECT count(*) FROM ((SELECT code, gares_count FROM r1 EXCEPT ALL SELECT code, count FROM r2)
                                               UNION ALL (SELECT code, count FROM r2 EXCEPT ALL SELECT code, gares_count FROM r1)) d) = 0
                   THEN 'equal' ELSE 'DIFFERENT' END)
  FROM b;
DROP TABLE IF EXISTS b;
-- The geography KNN's index, built here, outside the timed part.
CREATE INDEX gares_geography ON opendata_data.gares USING gist ((geo_point::geography));
ANALYZE opendata_data.gares;
CREATE TEMP TABLE b AS SELECT * FROM public.bench_pair(public.crossing_sql('arbres', 'gares', 'nearest', '{"fields": ["nom_gare"], "prefix": "gares_"}'),
    $$SELECT a.*, n.nom_gare, n.d FROM opendata_data.arbres a LEFT JOIN LATERAL (
        SELECT g.nom_gare, ST_Distance(a.geo_point::geography, g.geo_point::geography) AS d
          FROM opendata_data.gares g ORDER BY g.geo_point <-> a.geo_point LIMIT 1) n ON true$$, :runs,
    $$SELECT a.*, n.nom_gare, n.d FROM opendata_data.arbres a LEFT JOIN LATERAL (
        SELECT g.nom_gare, ST_Distance(a.geo_point::geography, g.geo_point::geography) AS d
          FROM opendata_data.gares g ORDER BY g.geo_point::geography <-> a.geo_point::geography LIMIT 1) n ON true$$);
SELECT format('| %s | %s | %s | %s | %s | %s |', 'nearest: station to each tree (186 x 1,141)', b.row_count, b.ms1, b.ms2,
              round(b.ms1 / nullif(b.ms2, 0), 2),
              (SELECT format('%s of %s differ; crossing farther: %s', count(*) FILTER (WHERE abs(r1.distance_m - r2.d) > 0.001), count(*),
                             count(*) FILTER (WHERE r1.distance_m > r2.d + 0.001))
                 FROM r1 JOIN r2 ON r1.idbase IS NOT DISTINCT FROM r2.idbase AND r1.geo_point = r2.geo_point))
  FROM b;
SELECT '';
SELECT '| nearest | crossing ms | planar KNN ms | geography KNN ms | crossing / planar | crossing / geography | planar KNN against the crossing | geography KNN against the crossing |';
SELECT '|---|---:|---:|---:|---:|---:|---|---|';
SELECT public.nearest_line('station to each tree (186 x 1,141)',
                           'r1.idbase IS NOT DISTINCT FROM x.idbase AND r1.geo_point = x.geo_point', b.ms1, b.ms2, b.ms3)
  FROM b;
DROP INDEX opendata_data.gares_geography;
SQL

log "generated data: $POINTS x $RIGHT_POINTS points, $POLYGONS polygons ($RUNS runs each)"
psql_q -v runs="$RUNS" -v n="$POINTS" -v m="$RIGHT_POINTS" -v polygons="$POLYGONS" \
  -v naive="$NAIVE" -v naive_polygons="$NAIVE_POLYGONS" -A -t <<'SQL'
CREATE TEMP TABLE out (n int, line text, hand numeric);
CREATE TEMP TABLE naive (n int, line text);
CREATE TEMP TABLE nearest (line text);
CREATE TEMP TABLE notes (line text);

-- nearest, against the planar and the geography KNN.  The geography KNN's
-- index is built here, outside the timed part, and dropped after nearest.
\set t0 `date +%s`
CREATE INDEX targets_geography ON opendata_data.targets USING gist ((geom::geography));
ANALYZE opendata_data.targets;
\set t1 `date +%s`
DROP TABLE IF EXISTS b;
CREATE TEMP TABLE b AS SELECT * FROM public.bench_pair(public.crossing_sql('points', 'targets', 'nearest', '{"fields": ["id"], "prefix": "t_"}'),
    $$SELECT p.id, p.geom, n.id AS t_id, n.d FROM opendata_data.points p LEFT JOIN LATERAL (
        SELECT t.id, ST_Distance(p.geom::geography, t.geom::geography) AS d
          FROM opendata_data.targets t ORDER BY t.geom <-> p.geom LIMIT 1) n ON true$$, :runs,
    $$SELECT p.id, p.geom, n.id AS t_id, n.d FROM opendata_data.points p LEFT JOIN LATERAL (
        SELECT t.id, ST_Distance(p.geom::geography, t.geom::geography) AS d
          FROM opendata_data.targets t ORDER BY t.geom::geography <-> p.geom::geography LIMIT 1) n ON true$$);
INSERT INTO nearest SELECT public.nearest_line(format('%s points x %s points (k = 1)', :n, :m), 'r1.id = x.id', b.ms1, b.ms2, b.ms3)
  FROM b;
INSERT INTO notes SELECT format('The geography KNN picks another target than the crossing for %s of the %s points; '
                                'its index on targets took about %s s to build (CREATE INDEX + ANALYZE, not timed above).',
                                (SELECT count(*) FROM r1 JOIN r3 USING (id) WHERE r1.t_id IS DISTINCT FROM r3.t_id), :n, :t1 - :t0);
DROP INDEX opendata_data.targets_geography;
INSERT INTO out SELECT 1, format('| nearest: %s points x %s points (k = 1) | %s | %s | %s | %s | %s |', :n, :m, b.row_count, b.ms1, b.ms2,
              round(b.ms1 / nullif(b.ms2, 0), 2),
              (SELECT format('single-pass KNN farther for %s of %s (worst by %s m); crossing farther: %s',
                             count(*) FILTER (WHERE r2.d > r1.distance_m + 0.001), count(*),
                             coalesce(round(max(r2.d - r1.distance_m)::numeric, 1), 0),
                             count(*) FILTER (WHERE r1.distance_m > r2.d + 0.001))
                 FROM r1 JOIN r2 USING (id))), b.ms2
  FROM b;
-- The crossing against the brute-force minimum on the first NAIVE points.
CREATE TEMP TABLE nearest_crossing AS SELECT id, distance_m FROM r1 WHERE id <= :naive;
CREATE TEMP TABLE nx AS SELECT * FROM public.bench_naive(format(
  $$SELECT p.id, min(ST_Distance(p.geom::geography, t.geom::geography)) AS d
      FROM opendata_data.points p CROSS JOIN opendata_data.targets t WHERE p.id <= %s GROUP BY p.id$$, :naive));
INSERT INTO naive SELECT 1, format('| nearest | %s | %s | %s | %s | %s |', :naive, x.ms, round(x.ms * :n / :naive),
              round(x.ms * :n / :naive / (SELECT hand FROM out WHERE n = 1)),
              (SELECT format('crossing = brute force on %s of %s', count(*) FILTER (WHERE abs(c.distance_m - r.d) < 0.001), count(*))
                 FROM nearest_crossing c JOIN naive_result r USING (id)))
  FROM nx x;

-- within_distance
DROP TABLE IF EXISTS b;
CREATE TEMP TABLE b AS SELECT * FROM public.bench_pair(public.crossing_sql('points', 'targets', 'within_distance',
                                             '{"fields": [], "prefix": "t_", "distance_m": 500, "output": "count"}'),
    $$SELECT p.id, p.geom, n.c FROM opendata_data.points p CROSS JOIN LATERAL (
        SELECT count(*) AS c FROM opendata_data.targets t
         WHERE t.geom && ST_Expand(p.geom, 0.01) AND ST_DWithin(p.geom::geography, t.geom::geography, 500)) n$$, :runs);
INSERT INTO out SELECT 2, format('| within_distance: %s points x %s points, count within 500 m | %s | %s | %s | %s | %s |', :n, :m,
              b.row_count, b.ms1, b.ms2, round(b.ms1 / nullif(b.ms2, 0), 2),
              CASE WHEN (SELECT count(*) FROM ((SELECT id, t_count FROM r1 EXCEPT ALL SELECT id, c FROM r2)
                                               UNION ALL (SELECT id, c FROM r2 EXCEPT ALL SELECT id, t_count FROM r1)) d) = 0
                   THEN 'equal' ELSE 'DIFFERENT' END), b.ms2
  FROM b;
INSERT INTO naive SELECT 2, format('| within_distance | %s | %s | %s | %s | |', :naive, x.ms, round(x.ms * :n / :naive),
              round(x.ms * :n / :naive / (SELECT hand FROM out WHERE n = 2)))
  FROM public.bench_naive(format($$SELECT p.id, count(t.id) FROM opendata_data.points p
                                     LEFT JOIN opendata_data.targets t ON ST_DWithin(p.geom::geography, t.geom::geography, 500)
                                    WHERE p.id <= %s GROUP BY p.id$$, :naive)) x;

-- contains (the border rule of ST_Contains)
DROP TABLE IF EXISTS b;
CREATE TEMP TABLE b AS SELECT * FROM public.bench_pair(public.crossing_sql('zones', 'points', 'contains', '{"fields": [], "prefix": "p_", "border": "interior"}'),
    $$SELECT z.id, z.geom, count(p.id) FROM opendata_data.zones z
        LEFT JOIN opendata_data.points p ON ST_Contains(z.geom, p.geom) GROUP BY z.id, z.geom$$, :runs);
INSERT INTO out SELECT 3, format('| contains: %s polygons x %s points | %s | %s | %s | %s | %s |', :polygons, :n,
              b.row_count, b.ms1, b.ms2, round(b.ms1 / nullif(b.ms2, 0), 2),
              CASE WHEN (SELECT count(*) FROM ((SELECT id, p_count FROM r1 EXCEPT ALL SELECT id, count FROM r2)
                                               UNION ALL (SELECT id, count FROM r2 EXCEPT ALL SELECT id, p_count FROM r1)) d) = 0
                   THEN 'equal' ELSE 'DIFFERENT' END), b.ms2
  FROM b;
INSERT INTO naive SELECT 3, format('| contains | %s polygons | %s | %s | %s | |', :naive_polygons, x.ms,
              round(x.ms * :polygons / :naive_polygons),
              round(x.ms * :polygons / :naive_polygons / (SELECT hand FROM out WHERE n = 3)))
  FROM public.bench_naive(format($$SELECT z.id, count(p.id) FROM opendata_data.zones z
                                     LEFT JOIN opendata_data.points p ON ST_Contains(z.geom, p.geom)
                                    WHERE z.id <= %s GROUP BY z.id$$, :naive_polygons)) x;

SELECT '';
SELECT '| case | rows | crossing ms | hand-written ms | crossing / hand-written | answers |';
SELECT '|---|---:|---:|---:|---:|---|';
SELECT line FROM out ORDER BY n;
SELECT '';
SELECT '| nearest | crossing ms | planar KNN ms | geography KNN ms | crossing / planar | crossing / geography | planar KNN against the crossing | geography KNN against the crossing |';
SELECT '|---|---:|---:|---:|---:|---:|---|---|';
SELECT line FROM nearest;
SELECT '';
SELECT line FROM notes;
SELECT '';
SELECT '| naive cross join (index scans off) | left rows run | ms | extrapolated to the full left side, ms | / hand-written | check |';
SELECT '|---|---:|---:|---:|---:|---|';
SELECT line FROM naive ORDER BY n;
SQL
