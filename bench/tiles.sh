#!/usr/bin/env bash
# Vector tile benchmark: opendata_api.tile() against the SQL a tile server
# runs for a table source (Martin's and pg_tileserv's shape: ST_AsMVT over
# ST_AsMVTGeom, with an envelope filter `geom && ST_Transform(ST_TileEnvelope
# (z, x, y, margin => 64.0 / 4096), 4326)` on the geometry's GiST index, no
# clustering, no feature limit), on two datasets:
#
#   points    POINTS points (default 1,000,000) around Paris, three quarters
#             in a dense core (0.2 x 0.14 degrees), the rest in a ring
#             (2 x 1.4 degrees), with a text and an integer attribute;
#   polygons  the POLYGONS polygons (default 1,300) of the crossings
#             benchmark, built by the same code (bench/sql/zones.sql).
#
# At zooms ZOOMS (default 0 5 10 14), the tile over each dataset's centre.
# Then tile() alone at every zoom of ALL_ZOOMS (default 0 to 16), its time
# and size (a tile of the points over 500 KB exits 1), and the same request
# with If-None-Match naming the tile's ETag: the 304's server time.
# The points table is clustered on its GiST index, as tile servers'
# documentation advises.  Both sides run as opendata_anon inside the
# server, without JIT (tile() turns it off itself), each call timed with
# clock_timestamp(), alternately (tile(), reference, tile(), reference...)
# RUNS times (default 7) after one warm-up of each; medians and the range
# (min-max).  Bytes and feature counts come from the last run's tiles
# (features counted by a protobuf walk in PL/pgSQL).
#
# Answers, at zoom 10 and above: where tile() sends the features
# themselves (not thinned), its feature count must equal the reference's;
# where it thinned (clusters, or the largest shapes), the reference must
# hold more than opendata.tile_max_features features, and tile() at most
# 500 KB.  Any other outcome is printed and the script exits 1.  Below zoom
# 10 the counts are shown, not compared: there the polygons are smaller than
# a pixel, and which of them survive ST_AsMVTGeom's snapping to the grid
# depends on their exact vertices, which tile()'s simplification moves.
#
#   bash bench/tiles.sh                                   # the issue's sizes
#   POINTS=100000 RUNS=3 ZOOMS="0 10" bash bench/tiles.sh
#
# Prints a Markdown table, the machine's load before and after, and the
# command, as copied into docs/performance.md ("Vector tiles").
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-1000000}"
POLYGONS="${POLYGONS:-1300}"
RUNS="${RUNS:-7}"
ZOOMS="${ZOOMS:-0 5 10 14}"
ALL_ZOOMS="${ALL_ZOOMS:-0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16}"
TX="${TX:-50}"
bench_command POINTS POLYGONS RUNS ZOOMS ALL_ZOOMS TX
bench_cluster bench-tiles 54381

log "generating $POINTS points and $POLYGONS polygons"
psql_q -v n="$POINTS" -v polygons="$POLYGONS" -v benchdir="$REPO_DIR/bench" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
SELECT opendata.set_catalog('{"publisher": "bench"}');
SELECT setseed(0.42);
CREATE TABLE opendata_data.bench_points (id int PRIMARY KEY, name text, value int, geom geometry(Point, 4326));
INSERT INTO opendata_data.bench_points
SELECT g, 'point ' || g, g % 1000,
       ST_SetSRID(ST_MakePoint(2.35 + (random() - 0.5) * CASE WHEN g % 4 = 0 THEN 2.0 ELSE 0.2 END,
                               48.85 + (random() - 0.5) * CASE WHEN g % 4 = 0 THEN 1.4 ELSE 0.14 END), 4326)
  FROM generate_series(1, :n) g;
\i :benchdir/sql/zones.sql
ALTER TABLE opendata_data.zones ADD PRIMARY KEY (id);
-- register() creates the GiST indexes.
SELECT opendata.register('opendata_data.bench_points', 'points', '{"title": "Points", "description": "Points"}');
SELECT opendata.register('opendata_data.zones', 'polygons', '{"title": "Polygons", "description": "Polygons"}');
SELECT opendata.publish('polygons');
SQL
# The points' cluster grid, built by a background worker after the
# publication commits: timed from the commit until the worker has gone
# (the grid committed, or none needed).
psql_q -c "SELECT opendata.publish('points')" >/dev/null
grid_start=$EPOCHREALTIME
while :; do
  read -r running built < <(psql_q -At -F ' ' -c "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'opendata cluster grid'),
                                                         (SELECT count(*) FROM opendata.cluster_grids)")
  [ "$built" != 0 ] && break  # committed
  # No worker 5 s after the commit: none was needed (or none could start).
  [ "$running" = 0 ] && [ "$(echo "$EPOCHREALTIME - $grid_start > 5" | bc)" = 1 ] && break
  sleep 0.2
done
grid_seconds="$(echo "scale=1; ($EPOCHREALTIME - $grid_start) / 1" | bc)"
grid_zooms="$(psql_q -At -c "SELECT coalesce((SELECT 'zooms 0 to ' || g.max_zoom || ', ' || count(t.*) || ' tiles'
                                              FROM opendata.cluster_grids g JOIN opendata.cluster_tiles t USING (dataset_id)
                                             GROUP BY g.max_zoom), 'none')")"
log "cluster grid of $POINTS points built by the worker in $grid_seconds s ($grid_zooms)"
psql_q -v benchdir="$REPO_DIR/bench" >/dev/null <<'SQL'
-- Built by the worker above; a no-op then (built here if no worker could start).
SELECT opendata.build_cluster_grid('points');
-- The points in the order of their GiST index, as a DBA serving tiles
-- would keep them (Martin's and pg_tileserv's advice): the points of one
-- tile then share a few heap pages instead of being spread over all of
-- them.  Both sides read the same table.
DO $cluster$
BEGIN
  EXECUTE format('CLUSTER opendata_data.bench_points USING %I',
                 (SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
                   WHERE x.indrelid = 'opendata_data.bench_points'::regclass AND a.amname = 'gist'));
END
$cluster$;
VACUUM ANALYZE;

-- The features of a vector tile's layers, and whether one of them has the
-- attribute _thinned: a walk over the protobuf (Tile.layers = 3;
-- Layer.features = 2, Layer.keys = 3).
CREATE FUNCTION public.mvt_features(tile bytea, OUT features int, OUT thinned boolean)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  layer bytea;
  pos int;
  stop int;
  key int8;
  len int8;
  layer_end int;
  -- One varint at pos (0-based), pos moved past it.
  shift int;
  b int;
BEGIN
  features := 0;
  thinned := false;
  pos := 0;
  WHILE pos < coalesce(length(tile), 0) LOOP
    -- Top level: a key, then (wire type 2) a length and the bytes.
    key := 0; shift := 0;
    LOOP b := get_byte(tile, pos); pos := pos + 1; key := key | ((b & 127)::int8 << shift); shift := shift + 7; EXIT WHEN b < 128; END LOOP;
    len := 0; shift := 0;
    LOOP b := get_byte(tile, pos); pos := pos + 1; len := len | ((b & 127)::int8 << shift); shift := shift + 7; EXIT WHEN b < 128; END LOOP;
    layer := substr(tile, pos + 1, len::int);
    pos := pos + len::int;
    IF key = (3 << 3 | 2) THEN
      stop := 0;
      layer_end := length(layer);
      WHILE stop < layer_end LOOP
        key := 0; shift := 0;
        LOOP b := get_byte(layer, stop); stop := stop + 1; key := key | ((b & 127)::int8 << shift); shift := shift + 7; EXIT WHEN b < 128; END LOOP;
        len := 0; shift := 0;
        LOOP b := get_byte(layer, stop); stop := stop + 1; len := len | ((b & 127)::int8 << shift); shift := shift + 7; EXIT WHEN b < 128; END LOOP;
        IF key & 7 = 2 THEN
          IF key >> 3 = 2 THEN features := features + 1; END IF;
          IF key >> 3 = 3 AND convert_from(substr(layer, stop + 1, len::int), 'UTF8') = '_thinned' THEN thinned := true; END IF;
          stop := stop + len::int;
        END IF;  -- wire type 0 (version, extent): the varint was read into len
      END LOOP;
    END IF;
  END LOOP;
END
$$;

-- One tile by both sides, alternately, runs times after a warm-up of
-- each: every time (ms), and the last tiles' sizes and features.
CREATE FUNCTION public.bench_tile(dataset text, source text, columns text, z int, x int, y int, runs int,
                                  OUT a_ms float8[], OUT b_ms float8[], OUT a_bytes int, OUT b_bytes int,
                                  OUT a_features int, OUT a_thinned boolean, OUT b_features int)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  a bytea;
  b bytea;
  reference text := format(
    $q$SELECT ST_AsMVT(t.*, %L, 4096, 'geom')
         FROM (SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, %s
                 FROM %s s
                WHERE s.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => (64.0 / 4096)), 4326)) t$q$,
    dataset, columns, source);
BEGIN
  a_ms := '{}';
  b_ms := '{}';
  FOR i IN 0 .. runs LOOP
    t0 := clock_timestamp();
    a := opendata_api.tile(dataset, z, x, y);
    IF i > 0 THEN a_ms := a_ms || extract(epoch FROM clock_timestamp() - t0) * 1000; END IF;
    t0 := clock_timestamp();
    EXECUTE reference INTO b USING z, x, y;
    IF i > 0 THEN b_ms := b_ms || extract(epoch FROM clock_timestamp() - t0) * 1000; END IF;
  END LOOP;
  a_bytes := coalesce(length(a), 0);
  b_bytes := coalesce(length(b), 0);
  SELECT f.features, f.thinned INTO a_features, a_thinned FROM public.mvt_features(a) f;
  b_features := (public.mvt_features(b)).features;
END
$$;
GRANT EXECUTE ON FUNCTION public.bench_tile(text, text, text, int, int, int, int) TO opendata_anon;

-- tile() alone, runs times after a warm-up: every time (ms), the last
-- tile's size and features; then the same request with If-None-Match
-- naming the tile's ETag (as PostgREST passes it), runs times: the 304's
-- times.  A 304 with a body, or no 304, is an error.
CREATE FUNCTION public.bench_tile_alone(dataset text, z int, x int, y int, runs int,
                                        OUT ms float8[], OUT bytes int, OUT features int,
                                        OUT thinned boolean, OUT not_modified_ms float8[])
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  a bytea;
  etag text;
BEGIN
  ms := '{}';
  not_modified_ms := '{}';
  FOR i IN 0 .. runs LOOP
    t0 := clock_timestamp();
    a := opendata_api.tile(dataset, z, x, y);
    IF i > 0 THEN ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000; END IF;
  END LOOP;
  bytes := coalesce(length(a), 0);
  SELECT f.features, f.thinned INTO features, thinned FROM public.mvt_features(a) f;
  SELECT h ->> 'ETag' INTO etag FROM json_array_elements(current_setting('response.headers')::json) h
   WHERE h::jsonb ? 'ETag';
  PERFORM set_config('request.headers', json_build_object('if-none-match', etag)::text, true);
  FOR i IN 0 .. runs LOOP
    t0 := clock_timestamp();
    a := opendata_api.tile(dataset, z, x, y);
    IF i > 0 THEN not_modified_ms := not_modified_ms || extract(epoch FROM clock_timestamp() - t0) * 1000; END IF;
    IF current_setting('response.status') <> '304' OR length(a) <> 0 THEN
      RAISE EXCEPTION 'no 304 for % %/%/% with If-None-Match %', dataset, z, x, y, etag;
    END IF;
  END LOOP;
  PERFORM set_config('request.headers', '', true);
  PERFORM set_config('response.status', '', true);
END
$$;
GRANT EXECUTE ON FUNCTION public.bench_tile_alone(text, int, int, int, int) TO opendata_anon;
GRANT SELECT ON opendata_data.bench_points, opendata_data.zones TO opendata_anon;
SQL
bench_stop_if_kept

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "timing tiles at zooms $ZOOMS ($RUNS runs each side, alternately)"
out="$dir/tiles.tsv"
psql_q -At -F $'\t' -v runs="$RUNS" -v zooms="{${ZOOMS// /,}}" >"$out" <<'SQL'
SET ROLE opendata_anon;
-- JIT off for the reference too, as tile() runs (an expert serving tiles
-- turns it off: compiling a tile's query takes longer than running it).
SET jit = off;
SELECT d.name, z, c.x, c.y,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY am)::numeric, 1),
       round(min(am)::numeric, 1), round(max(am)::numeric, 1), r.a_bytes, r.a_features, r.a_thinned,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY bm)::numeric, 1),
       round(min(bm)::numeric, 1), round(max(bm)::numeric, 1), r.b_bytes, r.b_features,
       current_setting('opendata.tile_max_features')
  FROM (VALUES ('points', 'opendata_data.bench_points', 's.id, s.name, s.value', 2.35, 48.85),
               ('polygons', 'opendata_data.zones', 's.id', 2.75, 48.6)) AS d(name, source, columns, lon, lat),
       unnest(:'zooms'::int[]) z,
       LATERAL (SELECT floor((d.lon + 180) / 360 * 2 ^ z)::int AS x,
                       floor((1 - ln(tan(radians(d.lat)) + 1 / cos(radians(d.lat))) / pi()) / 2 * 2 ^ z)::int AS y) c,
       LATERAL public.bench_tile(d.name, d.source, d.columns, z, c.x, c.y, :runs) r,
       LATERAL (SELECT am, bm FROM unnest(r.a_ms, r.b_ms) AS u(am, bm)) u
 GROUP BY d.name, z, c.x, c.y, r.a_bytes, r.a_features, r.a_thinned, r.b_bytes, r.b_features
 ORDER BY d.name DESC, z;
SQL
log "timing tile() alone at zooms $ALL_ZOOMS, and its 304s"
every="$dir/tiles_every_zoom.tsv"
psql_q -At -F $'\t' -v runs="$RUNS" -v zooms="{${ALL_ZOOMS// /,}}" >"$every" <<'SQL'
SET ROLE opendata_anon;
SELECT d.name, z, c.x, c.y,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY u.ms)::numeric, 1),
       round(min(u.ms)::numeric, 1), round(max(u.ms)::numeric, 1), r.bytes, r.features, r.thinned,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY u.nm)::numeric, 3),
       round(min(u.nm)::numeric, 3), round(max(u.nm)::numeric, 3)
  FROM (VALUES ('points', 2.35, 48.85), ('polygons', 2.75, 48.6)) AS d(name, lon, lat),
       unnest(:'zooms'::int[]) z,
       LATERAL (SELECT floor((d.lon + 180) / 360 * 2 ^ z)::int AS x,
                       floor((1 - ln(tan(radians(d.lat)) + 1 / cos(radians(d.lat))) / pi()) / 2 * 2 ^ z)::int AS y) c,
       LATERAL public.bench_tile_alone(d.name, z, c.x, c.y, :runs) r,
       LATERAL unnest(r.ms, r.not_modified_ms) AS u(ms, nm)
 GROUP BY d.name, z, c.x, c.y, r.bytes, r.features, r.thinned
 ORDER BY d.name DESC, z;
SQL

# From the client, as a map's requests reach the database: each call its
# own transaction over the socket, sent by pgbench with the extended
# protocol and prepared statements (PostgREST prepares its statements;
# Martin and pg_tileserv prepare their tile queries), the tile's bytes
# read.  Both sides as opendata_anon, without JIT, TX calls a sample,
# interleaved RUNS times; at the zooms of ZOOMS from 10 up, where the goal
# is 1.0.  Appended to bench/results.tsv.
log "timing tiles from the client at zooms ${ZOOMS} (10 and above): pgbench -M prepared, $TX calls a sample"
export PGOPTIONS="$PGOPTIONS -c role=opendata_anon -c jit=off"
client_zooms=""
for z in $ZOOMS; do [ "$z" -ge 10 ] && client_zooms+="$z "; done
while IFS=$'\t' read -r name source columns z x y; do
  echo "SELECT opendata_api.tile('$name', :z, :x, :y);" >"$dir/client_tile.sql"
  echo "SELECT ST_AsMVT(t.*, '$name', 4096, 'geom')
          FROM (SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true) AS geom, $columns
                  FROM $source s
                 WHERE s.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => (64.0 / 4096)), 4326)) t;" |
    tr '\n' ' ' >"$dir/client_reference.sql"
  run="pgbench_ms $dir/client_%s.sql $TX -M prepared -D z=$z -D x=$x -D y=$y"
  # shellcheck disable=SC2059
  bench_interleave "$RUNS" "tile-$name-$z" "$(printf "$run" tile)" "reference-$name-$z" "$(printf "$run" reference)"
  size="$POINTS points"
  [ "$name" = polygons ] && size="$POLYGONS polygons"
  bench_result "tile() $name, zoom $z, from the client" \
    "Martin's and pg_tileserv's table-source SQL (ST_AsMVT over ST_AsMVTGeom, envelope filter), prepared" \
    "$size" "tile-$name-$z" "reference-$name-$z" 1.0 "z10+: <= 1.0x"
done < <(psql_q -At -F $'\t' -v zooms="{$(echo $client_zooms | tr ' ' ,)}" <<'SQL'
SELECT d.name, d.source, d.columns, z,
       floor((d.lon + 180) / 360 * 2 ^ z)::int,
       floor((1 - ln(tan(radians(d.lat)) + 1 / cos(radians(d.lat))) / pi()) / 2 * 2 ^ z)::int
  FROM (VALUES ('points', 'opendata_data.bench_points', 's.id, s.name, s.value', 2.35, 48.85),
               ('polygons', 'opendata_data.zones', 's.id', 2.75, 48.6)) AS d(name, source, columns, lon, lat),
       unnest(:'zooms'::int[]) z
 ORDER BY d.name DESC, z;
SQL
)
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| data | zoom | tile | tile() ms: median (min-max) | tile() bytes | tile() features | reference ms: median (min-max) | reference bytes | reference features | tile() / reference time |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
bad=0
while IFS=$'\t' read -r name z x y ams amin amax abytes afeat athin bms bmin bmax bbytes bfeat maxfeat; do
  ratio="$(awk -v a="$ams" -v b="$bms" 'BEGIN { if (b > 0) printf "%.3gx", a / b; else print "-" }')"
  shown="$afeat"
  [ "$athin" = "t" ] && shown="$afeat (thinned)"
  echo "| $name | $z | $z/$x/$y | $ams ($amin-$amax) | $abytes | $shown | $bms ($bmin-$bmax) | $bbytes | $bfeat | $ratio |"
  if [ "$z" -lt 10 ]; then
    :
  elif [ "$athin" = "t" ]; then
    if [ "$bfeat" -le "$maxfeat" ] || [ "$abytes" -gt 512000 ]; then
      echo "DIFFERENCE: $name $z/$x/$y thinned with $bfeat features in the reference (limit $maxfeat), $abytes bytes" >&2
      bad=1
    fi
  elif [ "$afeat" != "$bfeat" ]; then
    echo "DIFFERENCE: $name $z/$x/$y: tile() has $afeat features, the reference $bfeat" >&2
    bad=1
  fi
done <"$out"
echo
echo "tile() alone at every zoom (the tile over the data's centre), and the same request answered 304 (If-None-Match: its ETag):"
echo
echo "| data | zoom | tile | tile() ms: median (min-max) | bytes | features | 304 ms: median (min-max) |"
echo "|---|---:|---|---:|---:|---:|---:|"
while IFS=$'\t' read -r name z x y ms mn mx bytes feat thin nm nmin nmax; do
  shown="$feat"
  [ "$thin" = "t" ] && shown="$feat (thinned)"
  echo "| $name | $z | $z/$x/$y | $ms ($mn-$mx) | $bytes | $shown | $nm ($nmin-$nmax) |"
  if [ "$name" = points ] && [ "$bytes" -gt 512000 ]; then
    echo "OVER 500 KB: points $z/$x/$y, $bytes bytes" >&2
    bad=1
  fi
done <"$every"
echo
echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after; $(nproc) CPUs."
echo "Cluster grid of the points, built by the background worker after publish() committed: $grid_seconds s ($grid_zooms)."
echo "Command: $BENCH_COMMAND"
exit "$bad"
