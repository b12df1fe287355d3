#!/usr/bin/env bash
# Export benchmark: a published dataset of ROWS points (default 1,000,000),
# generated in SQL on a throwaway cluster, exported to files by psql over
# the Unix socket, in one run:
#
#   CSV      opendata.export_chunks(ds, 'csv') and opendata_api.export_csv(ds)
#            against COPY (SELECT <same columns, geometry as ST_AsGeoJSON>)
#            TO STDOUT (FORMAT csv) (psql \copy); goal: >= 0.8x COPY's
#            throughput (bytes per second).
#   GeoJSON  opendata.export_chunks(ds, 'geojson') and export_geojson(ds)
#            against the PostGIS idiom json_build_object('type',
#            'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*)::json))
#            and against ogr2ogr -f GeoJSON from the same table (PG: driver);
#            goal: >= 2x faster than both.
#   Memory   the backend's peak resident memory during each export
#            (VmHWM of /proc/<backend>/status, read by the backend itself,
#            minus its VmHWM after a warm-up: a scan of the table and a
#            whole export_chunks, which map into the backend the shared
#            buffers the exports read and the pages of opendata, PostGIS and
#            their libraries, none of which is memory the export allocates)
#            against the output size; goal: <= 1.5x.  The single-value functions are measured twice:
#            sending the value to psql, and alone (length() of the value),
#            since sending one text value costs two more copies of it in
#            the backend (the type's output function, the protocol message).
#
#   bash bench/export.sh              # 1,000,000 rows, best of 3 rounds
#   ROWS=100000 RUNS=1 bash bench/export.sh
#
# Prints a Markdown report, as copied into docs/performance.md.
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
bench_cluster bench-export 54362
conn=(-h "$dir" -p "$PORT" -U postgres -d postgres)
out="$dir/out"
mkdir -p "$out"

log "generating $ROWS points"
psql_q -v n="$ROWS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
CREATE TABLE public.bench_points (id int PRIMARY KEY, nom text, categorie text, valeur float8,
                                  mesure numeric, jour date, geom geometry(Point, 4326));
INSERT INTO bench_points
SELECT i, 'Point n°' || i, (ARRAY['arbre', 'borne', 'banc', 'fontaine', 'abri "vélo"'])[1 + i % 5],
       (i % 1000) / 7.0, round((i % 10000) / 3.0, 2), date '2000-01-01' + i % 9000,
       ST_SetSRID(ST_MakePoint(2.2 + (i % 1000) * 0.0003 + random() * 1e-4,
                               48.8 + (i / 1000) * 0.0001 + random() * 1e-4), 4326)
  FROM generate_series(1, :n) i;
VACUUM ANALYZE bench_points;
SELECT opendata.register('bench_points', 'bench-points', '{"title": "Points", "description": "Bench",
         "publisher": "bench", "license": "etalab-2.0"}');
SELECT opendata.publish('bench-points');
SQL

# Each round runs every export once, in turn, so that a burst of load from
# other processes on the machine does not fall on one export's runs only;
# each export keeps its fastest round, in seconds.
declare -A best=()
timed() {  # timed NAME CMD...
  local name="$1" t0 t1 s
  shift
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  s=$(echo "$t1 - $t0" | bc -l)
  if [ -z "${best[$name]:-}" ] || [ "$(echo "$s < ${best[$name]}" | bc -l)" = 1 ]; then best[$name]=$s; fi
}
size_of() { stat -c %s "$1"; }

cols="id, nom, categorie, valeur, mesure, jour, ST_AsGeoJSON(geom, 7) AS geom"
view='opendata_api."bench-points"'
csv_chunks() {
  psql_q -At -R '' -o "$out/chunks.csv" -c "SELECT * FROM opendata.export_chunks('bench-points', 'csv')"
}
csv_value() { psql_q -At -o "$out/value.csv" -c "SELECT opendata_api.export_csv('bench-points')"; }
csv_copy() { psql_q -c "\\copy (SELECT $cols FROM $view) TO '$out/copy.csv' (FORMAT csv, HEADER)"; }
geo_chunks() {
  psql_q -At -R '' -o "$out/chunks.geojson" -c "SELECT * FROM opendata.export_chunks('bench-points', 'geojson')"
}
geo_value() { psql_q -At -o "$out/value.geojson" -c "SELECT opendata_api.export_geojson('bench-points')"; }
geo_postgis() {
  psql_q -At -o "$out/postgis.geojson" -c "SELECT json_build_object('type', 'FeatureCollection', 'features',
    json_agg(ST_AsGeoJSON(t.*)::json)) FROM $view t"
}
geo_ogr() {
  rm -f "$out/ogr.geojson"
  ogr2ogr -f GeoJSON "$out/ogr.geojson" "PG:host=$dir port=$PORT dbname=postgres user=postgres" \
    -sql "SELECT * FROM $view" -lco COORDINATE_PRECISION=7 2>/dev/null
}

log "$RUNS rounds of the CSV and GeoJSON exports"
for ((round = 0; round < RUNS; round++)); do
  timed csv_chunks csv_chunks
  timed csv_value csv_value
  timed csv_copy csv_copy
  timed geo_chunks geo_chunks
  timed geo_value geo_value
  timed geo_postgis geo_postgis
  timed geo_ogr geo_ogr
done
for name in csv_chunks csv_value csv_copy geo_chunks geo_value geo_postgis geo_ogr; do
  printf -v "t_$name" '%.3f' "${best[$name]}"
done

# The same rows came out of every tool.
n_copy=$(($(wc -l <"$out/copy.csv") - 1))
n_geo=$(jq '.features | length' "$out/chunks.geojson")
n_ogr=$(ogrinfo -ro -so -al "$out/ogr.geojson" | sed -n 's/^Feature Count: //p')

# Peak backend memory: one session per export; the backend reads its own
# VmHWM after a warm-up scan and again after the export.
hwm_sql="(SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s*(\d+) kB'))[1]::bigint * 1024)"
peak() {  # peak SQL: bytes the backend's peak RSS grew by while running SQL
  psql_q -At <<SQL | tail -n 1
SELECT count(*) FROM $view \\g /dev/null
SELECT * FROM opendata.export_chunks('bench-points', 'geojson') \\g /dev/null
SELECT $hwm_sql AS base \\gset
$1 \\g /dev/null
SELECT $hwm_sql - :base;
SQL
}
log "memory"
m_csv_chunks=$(peak "SELECT * FROM opendata.export_chunks('bench-points', 'csv')")
m_csv_value=$(peak "SELECT opendata_api.export_csv('bench-points')")
m_csv_alone=$(peak "SELECT length(opendata_api.export_csv('bench-points'))")
m_geo_alone=$(peak "SELECT length(opendata_api.export_geojson('bench-points'))")
m_geo_chunks=$(peak "SELECT * FROM opendata.export_chunks('bench-points', 'geojson')")
m_geo_value=$(peak "SELECT opendata_api.export_geojson('bench-points')")
m_geo_postgis=$(peak "SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*)::json)) FROM $view t")

s_csv=$(size_of "$out/chunks.csv")
s_copy=$(size_of "$out/copy.csv")
s_geo=$(size_of "$out/chunks.geojson")
s_postgis=$(size_of "$out/postgis.geojson")
s_ogr=$(size_of "$out/ogr.geojson")
mb() { echo "scale=1; $1 / 1048576" | bc -l; }
mbps() { echo "scale=1; $1 / 1048576 / $2" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }

cat <<EOF

### Exports: $ROWS points, best of $RUNS rounds ($(date -u +%Y-%m-%d), $(nproc) CPUs, PostgreSQL $PG_MAJOR)

Command: \`ROWS=$ROWS RUNS=$RUNS bash bench/export.sh\`.  Wall time of psql writing the file
over the Unix socket; every output has the $ROWS rows (COPY: $n_copy, GeoJSON features: $n_geo, ogr2ogr: $n_ogr).

| export | time (s) | output (MB) | MB/s | ratio |
|---|---:|---:|---:|---|
| CSV, \`export_chunks\` | $t_csv_chunks | $(mb "$s_csv") | $(mbps "$s_csv" "$t_csv_chunks") | throughput $(ratio "$(mbps "$s_csv" "$t_csv_chunks")" "$(mbps "$s_copy" "$t_csv_copy")")x COPY's (goal >= 0.8) |
| CSV, \`export_csv\` (one value) | $t_csv_value | $(mb "$(size_of "$out/value.csv")") | $(mbps "$(size_of "$out/value.csv")" "$t_csv_value") | throughput $(ratio "$(mbps "$(size_of "$out/value.csv")" "$t_csv_value")" "$(mbps "$s_copy" "$t_csv_copy")")x COPY's |
| CSV, \`COPY (SELECT ...) TO STDOUT (FORMAT csv)\` | $t_csv_copy | $(mb "$s_copy") | $(mbps "$s_copy" "$t_csv_copy") | reference |
| GeoJSON, \`export_chunks\` | $t_geo_chunks | $(mb "$s_geo") | $(mbps "$s_geo" "$t_geo_chunks") | $(ratio "$t_geo_postgis" "$t_geo_chunks")x faster than json_agg, $(ratio "$t_geo_ogr" "$t_geo_chunks")x faster than ogr2ogr (goal >= 2) |
| GeoJSON, \`export_geojson\` (one value) | $t_geo_value | $(mb "$(size_of "$out/value.geojson")") | $(mbps "$(size_of "$out/value.geojson")" "$t_geo_value") | $(ratio "$t_geo_postgis" "$t_geo_value")x faster than json_agg, $(ratio "$t_geo_ogr" "$t_geo_value")x faster than ogr2ogr |
| GeoJSON, \`json_agg(ST_AsGeoJSON(t.*)::json)\` | $t_geo_postgis | $(mb "$s_postgis") | $(mbps "$s_postgis" "$t_geo_postgis") | reference |
| GeoJSON, \`ogr2ogr -f GeoJSON\` (PG: driver) | $t_geo_ogr | $(mb "$s_ogr") | $(mbps "$s_ogr" "$t_geo_ogr") | reference |

Peak backend memory (growth of VmHWM during the export) against the output size (goal <= 1.5x):

| export | peak (MB) | output (MB) | ratio |
|---|---:|---:|---:|
| CSV, \`export_chunks\` | $(mb "$m_csv_chunks") | $(mb "$s_csv") | $(ratio "$m_csv_chunks" "$s_csv") |
| CSV, \`export_csv\` (one value, sent to psql) | $(mb "$m_csv_value") | $(mb "$s_csv") | $(ratio "$m_csv_value" "$s_csv") |
| CSV, \`length(export_csv(...))\` (the function alone) | $(mb "$m_csv_alone") | $(mb "$s_csv") | $(ratio "$m_csv_alone" "$s_csv") |
| GeoJSON, \`export_chunks\` | $(mb "$m_geo_chunks") | $(mb "$s_geo") | $(ratio "$m_geo_chunks" "$s_geo") |
| GeoJSON, \`export_geojson\` (one value, sent to psql) | $(mb "$m_geo_value") | $(mb "$s_geo") | $(ratio "$m_geo_value" "$s_geo") |
| GeoJSON, \`length(export_geojson(...))\` (the function alone) | $(mb "$m_geo_alone") | $(mb "$s_geo") | $(ratio "$m_geo_alone" "$s_geo") |
| GeoJSON, \`json_agg\` idiom | $(mb "$m_geo_postgis") | $(mb "$s_postgis") | $(ratio "$m_geo_postgis" "$s_postgis") |
EOF
