#!/usr/bin/env bash
# Crossings benchmark: the SQL that opendata.cross() generates, against the
# hand-written PostGIS query an expert would write for the same answer, in
# the same run, on the same tables and indexes:
#   contains   stations per commune (91 + 77)       vs LEFT JOIN ST_Intersects GROUP BY
#   nearest    nearest station to each tree         vs LATERAL KNN (<->) + geography distance
#   synthetic  POINTS random points x 706 communes  vs LEFT JOIN ST_Intersects GROUP BY
#              nearest station to each point        vs LATERAL KNN (<->) + geography distance
#              stations within 500 m (count)        vs LATERAL ST_DWithin (geography) + && box
# Each query is timed inside the server (clock_timestamp around CREATE TEMP
# TABLE AS query: every row and column computed), RUNS runs after one
# warm-up; medians.  The
# whole opendata.cross() call (materialized view, register, report, indexes)
# is timed once per case too.
#
#   bash bench/cross.sh                 # POINTS=100000 RUNS=5
#   POINTS=20000 RUNS=3 bash bench/cross.sh
#
# Prints a Markdown table, as copied into docs/performance.md ("Crossings").
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-100000}"
RUNS="${RUNS:-5}"
bench_cluster bench-cross 54362
cp "$REPO_DIR"/data/*.csv "$REPO_DIR"/data/*.geojson "$dir/"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"/*.csv "$dir"/*.geojson; fi

log "loading the sample files and $POINTS random points"
psql_q -v datadir="$dir" -v n="$POINTS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
SELECT opendata.set_catalog('{"publisher": "bench"}');
SELECT opendata.import_csv_file('gares', :'datadir' || '/idfm_emplacement_des_gares_idf.csv');
SELECT opendata.import_csv_file('arbres', :'datadir' || '/paris_arbres_remarquables.csv');
CREATE TABLE opendata_data.communes AS
SELECT f->'properties'->>'code' AS code, f->'properties'->>'nom' AS nom,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))::geometry(MultiPolygon, 4326) AS geom
  FROM (SELECT json_array_elements(pg_read_file(:'datadir' || '/communes_91_essonne.geojson')::json->'features') f
        UNION ALL
        SELECT json_array_elements(pg_read_file(:'datadir' || '/communes_77_seine_et_marne.geojson')::json->'features')) s;
CREATE INDEX ON opendata_data.communes USING gist (geom);
SELECT opendata.register('opendata_data.communes', 'communes');
SELECT setseed(0.42);
CREATE TABLE opendata_data.points AS
  SELECT i AS id, ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326)::geometry(Point, 4326) AS geom
    FROM generate_series(1, :n) i;
CREATE INDEX ON opendata_data.points USING gist (geom);
SELECT opendata.register('opendata_data.points', 'points');
VACUUM ANALYZE;

-- Median milliseconds of materializing q (CREATE TEMP TABLE AS, as the
-- materialized view does), runs after a warm-up.
CREATE FUNCTION public.bench_ms(q text, runs int) RETURNS TABLE (ms numeric, row_count bigint)
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz;
  times float8[] := '{}';
BEGIN
  FOR i IN 0..runs LOOP
    t := clock_timestamp();
    EXECUTE format('CREATE TEMP TABLE bench_result AS %s', q);
    GET DIAGNOSTICS row_count = ROW_COUNT;
    IF i > 0 THEN
      times := times || extract(epoch FROM clock_timestamp() - t) * 1000;
    END IF;
    DROP TABLE bench_result;
  END LOOP;
  ms := round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x)::numeric, 1);
  RETURN NEXT;
END
$$;
-- One timed opendata.cross() call, then the crossing's query as it stands.
CREATE FUNCTION public.bench_cross(slug text, l text, r text, predicate text, options jsonb,
                                   OUT create_ms numeric, OUT query text)
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz := clock_timestamp();
BEGIN
  PERFORM opendata.cross(slug, l, r, predicate, options);
  create_ms := round((extract(epoch FROM clock_timestamp() - t) * 1000)::numeric, 1);
  query := pg_get_viewdef(format('opendata_data.%I', slug)::regclass);
  query := rtrim(query, '; ');
END
$$;
SQL

log "timing ($RUNS runs each)"
psql_q -v runs="$RUNS" -v n="$POINTS" -A -t <<'SQL'
CREATE TEMP TABLE cases (name text, slug text, l text, r text, predicate text, options jsonb, hand text, n int);
INSERT INTO cases VALUES
 ('contains: stations per commune (706 communes x 1,141 stations)', 'c1', 'communes', 'gares', 'contains', '{"fields": []}',
  $$SELECT c.code, c.nom, c.geom, count(g.geo_point) FROM opendata_data.communes c
      LEFT JOIN opendata_data.gares g ON ST_Intersects(c.geom, g.geo_point) GROUP BY c.code, c.nom, c.geom$$, 1),
 ('nearest: station to each tree (186 trees x 1,141 stations)', 'c2', 'arbres', 'gares', 'nearest', '{"fields": ["nom_gare"]}',
  $$SELECT a.*, n.nom_gare, n.d FROM opendata_data.arbres a LEFT JOIN LATERAL (
      SELECT g.nom_gare, ST_Distance(a.geo_point::geography, g.geo_point::geography) AS d
        FROM opendata_data.gares g ORDER BY g.geo_point <-> a.geo_point LIMIT 1) n ON true$$, 2),
 ('contains: ' || :n || ' random points per commune (706)', 'c3', 'communes', 'points', 'contains', '{"fields": []}',
  $$SELECT c.code, c.nom, c.geom, count(p.id) FROM opendata_data.communes c
      LEFT JOIN opendata_data.points p ON ST_Intersects(c.geom, p.geom) GROUP BY c.code, c.nom, c.geom$$, 3),
 ('enrich: commune of each of ' || :n || ' random points', 'c4', 'points', 'communes', 'enrich', '{"fields": ["code"]}',
  $$SELECT p.id, p.geom, c.code FROM opendata_data.points p LEFT JOIN LATERAL (
      SELECT c.code FROM opendata_data.communes c WHERE ST_Intersects(c.geom, p.geom) ORDER BY c.code LIMIT 1) c ON true$$, 4),
 ('nearest: station to each of ' || :n || ' random points', 'c5', 'points', 'gares', 'nearest', '{"fields": ["nom_gare"]}',
  $$SELECT p.id, p.geom, n.nom_gare, n.d FROM opendata_data.points p LEFT JOIN LATERAL (
      SELECT g.nom_gare, ST_Distance(p.geom::geography, g.geo_point::geography) AS d
        FROM opendata_data.gares g ORDER BY g.geo_point <-> p.geom LIMIT 1) n ON true$$, 5),
 ('within_distance: stations within 500 m of ' || :n || ' random points (count)', 'c6', 'points', 'gares', 'within_distance',
  '{"fields": [], "distance_m": 500, "output": "count"}',
  $$SELECT p.id, p.geom, n.c FROM opendata_data.points p CROSS JOIN LATERAL (
      SELECT count(*) AS c FROM opendata_data.gares g
       WHERE g.geo_point && ST_Expand(p.geom, 0.01) AND ST_DWithin(p.geom::geography, g.geo_point::geography, 500)) n$$, 6);

SELECT '| case | rows | opendata.cross() total ms | crossing query ms | hand-written ms | crossing / hand-written |';
SELECT '|---|---:|---:|---:|---:|---:|';
SELECT format('| %s | %s | %s | %s | %s | %s |', c.name, q.row_count, x.create_ms, q.ms, h.ms,
              round(q.ms / nullif(h.ms, 0), 2))
  FROM cases c
  CROSS JOIN LATERAL public.bench_cross(c.slug, c.l, c.r, c.predicate, c.options) x
  CROSS JOIN LATERAL public.bench_ms(x.query, :runs) q
  CROSS JOIN LATERAL public.bench_ms(c.hand, :runs) h
 ORDER BY c.n;
SQL

log "accuracy of the single-pass KNN against the crossing (random points)"
psql_q -A -t <<'SQL'
-- Points whose single-pass planar KNN neighbour is farther on the ground
-- than the one the crossing found (the crossing is exact; see docs/crossings.md).
SELECT format('single-pass KNN gave a farther station than the true nearest for %s of %s random points (worst by %s m)',
              count(*) FILTER (WHERE h.d > x.distance_m + 0.001), count(*),
              round(max(h.d - x.distance_m)::numeric, 1))
  FROM opendata_data.c5 x
  JOIN LATERAL (SELECT ST_Distance(x.geom::geography, g.geo_point::geography) AS d
                  FROM opendata_data.gares g ORDER BY g.geo_point <-> x.geom LIMIT 1) h ON true;
SQL
