#!/usr/bin/env bash
# Vector tile benchmark: opendata_api.tile() on a dataset of 1,000,000
# points around Paris (plus a text and an integer attribute), at zooms 0 to
# 16 along one column of tiles over the data, against the plain PostGIS
# query a tile server would run (ST_AsMVT of ST_AsMVTGeom over the source
# table, same envelope filter on the same GiST index, no clustering).  Both
# run as opendata_anon inside the server, each call timed with
# clock_timestamp().  The reference's tiles at low zooms hold every point
# (tens of megabytes); tile()'s are clustered, and never over 500 KB.
#
#   bash bench/tiles.sh                   # 1,000,000 points, 5 runs per tile
#   POINTS=200000 RUNS=3 bash bench/tiles.sh
#
# Prints a Markdown table: per zoom, tile()'s median time and size, the
# reference's, and their ratio.
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-1000000}"
RUNS="${RUNS:-5}"
bench_cluster bench-tiles 54381

log "generating $POINTS points"
psql_q -v n="$POINTS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE TABLE public.bench_points (id int PRIMARY KEY, name text, value int, geom geometry(Point, 4326));
-- A dense core (Paris) and a sparse ring around it.
INSERT INTO public.bench_points
SELECT g, 'point ' || g, g % 1000,
       ST_SetSRID(ST_MakePoint(2.35 + (random() - 0.5) * CASE WHEN g % 4 = 0 THEN 2.0 ELSE 0.2 END,
                               48.85 + (random() - 0.5) * CASE WHEN g % 4 = 0 THEN 1.4 ELSE 0.14 END), 4326)
  FROM generate_series(1, :n) g;
CREATE INDEX ON public.bench_points USING gist (geom);
ANALYZE public.bench_points;
SELECT opendata.create_organization('bench', 'Bench');
SELECT opendata.register('bench_points', 'bench-points', '{"title": "Points", "description": "Points", "publisher": "bench"}');
SELECT opendata.publish('bench-points');

-- Median time (ms) and size (bytes) of one tile by each method.
CREATE FUNCTION public.time_tile(method text, z int, x int, y int, runs int,
                                 OUT ms float8, OUT bytes int)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  times float8[] := '{}';
  tile bytea;
BEGIN
  FOR i IN 1 .. runs LOOP
    t0 := clock_timestamp();
    IF method = 'tile' THEN
      tile := opendata_api.tile('bench-points', z, x, y);
    ELSE
      SELECT ST_AsMVT(t.*, 'bench-points', 4096, 'g') INTO tile
        FROM (SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), ST_TileEnvelope(z, x, y), 4096, 64, true) AS g,
                     p.id, p.name, p.value
                FROM public.bench_points p
               WHERE p.geom && ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326)) t
       WHERE t.g IS NOT NULL;
    END IF;
    times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) INTO ms FROM unnest(times) v;
  bytes := coalesce(length(tile), 0);
END
$$;
GRANT EXECUTE ON FUNCTION public.time_tile(text, int, int, int, int) TO opendata_anon;
GRANT SELECT ON public.bench_points TO opendata_anon;
SQL
bench_stop_if_kept

log "timing tiles ($RUNS runs each)"
echo
echo "| zoom | tile | tile() ms | tile() bytes | PostGIS ms | PostGIS bytes | PostGIS / tile() |"
echo "|---:|---|---:|---:|---:|---:|---:|"
psql_q -At -F ' ' -v runs="$RUNS" <<'SQL' | while read -r z x y tms tbytes rms rbytes; do
SET ROLE opendata_anon;
SELECT z, x, y, round(a.ms::numeric, 1), a.bytes, round(b.ms::numeric, 1), b.bytes
  FROM generate_series(0, 16, 2) z,
       LATERAL (SELECT floor((2.35 + 180) / 360 * 2 ^ z)::int AS x,
                       floor((1 - ln(tan(radians(48.85)) + 1 / cos(radians(48.85))) / pi()) / 2 * 2 ^ z)::int AS y) c,
       LATERAL public.time_tile('tile', z, c.x, c.y, :runs) a,
       LATERAL public.time_tile('postgis', z, c.x, c.y, :runs) b;
SQL
  ratio="$(awk -v a="$tms" -v b="$rms" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }')"
  echo "| $z | $z/$x/$y | $tms | $tbytes | $rms | $rbytes | $ratio |"
done
