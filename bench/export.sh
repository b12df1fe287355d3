#!/usr/bin/env bash
# Export benchmark: a published dataset of ROWS points (default 1,000,000),
# generated in SQL on a throwaway cluster, exported as a client receives it:
# psql over the Unix socket writing the file, and curl through the
# PostgREST stand-in (test/postgrest/server.py, on 127.0.0.1:API_PORT).
#
#   CSV      SELECT opendata.export_chunks(ds, 'csv') (in the SELECT list, where
#            each chunk goes to psql as it is written), opendata_api.export_csv(ds)
#            (psql, and GET /rpc/export_csv through the stand-in) against
#            COPY (SELECT <the same columns, geometry as ST_AsGeoJSON>) TO
#            STDOUT (FORMAT csv, HEADER, DELIMITER ';') through psql's \copy; goal: >= 0.8x
#            COPY's throughput (time ratio <= 1.25) through both.  Beside
#            them, the same bytes as export_csv's that nothing computes
#            (pg_read_file of the output), sent as one value through psql:
#            the time floor of any single value.
#   GeoJSON  export_chunks(ds, 'geojson'), export_geojson(ds) (psql, and
#            GET /rpc/export_geojson through the stand-in) against two
#            references: the json_agg idiom (json_build_object('type',
#            'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*)::json)))
#            and the streamed COPY (SELECT ST_AsGeoJSON(t.*) FROM ... t) TO
#            STDOUT, one feature per line; goals: >= 3x faster than the
#            idiom, as fast as the streamed COPY.
#   Memory   the backend's peak resident memory during each export (growth
#            of VmHWM in /proc/<backend>/status, read by the backend itself,
#            after a warm-up scan and export) against the output size: a
#            server-side figure, beside; goal <= 1.5x for a single value;
#            beside it, the same bytes as one value that nothing computes
#            (pg_read_file of the output): the floor of any single value.
#
# The sides are interleaved RUNS times after a warm-up (every export once
# per round, in turn); medians and p10-p90.  Answers: every output has the
# same rows (CSV: the same bytes as COPY's; GeoJSON: the same number of
# features and sum of ids, read back with jq), else the script exits 1.
#
#   bash bench/export.sh              # 1,000,000 rows
#   ROWS=100000 RUNS=3 bash bench/export.sh
#
# Appends its lines to bench/results.tsv (scripts/bench_table.sh).
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
API_PORT="${API_PORT:-18300}"
bench_command ROWS RUNS PARALLEL
bench_cluster bench-export 54362
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
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
SQL

# The PostgREST stand-in, stopped on exit with the cluster.
/usr/bin/python3 "$REPO_DIR/test/postgrest/server.py" --quiet --port "$API_PORT" \
  --dsn "host=$dir port=$PORT dbname=postgres user=authenticator" >"$dir/api.out" 2>"$dir/api.err" &
api_pid=$!
stop_api() { kill "$api_pid" 2>/dev/null; wait "$api_pid" 2>/dev/null; bench_cleanup; }
trap stop_api EXIT
for _ in $(seq 1 300); do grep -q '^listening on' "$dir/api.out" && break; sleep 0.1; done
grep -q '^listening on' "$dir/api.out" || { cat "$dir/api.err" >&2; exit 1; }
api="http://127.0.0.1:$API_PORT"

view='opendata_api."bench-points"'
cols="id, nom, categorie, valeur, mesure, jour, ST_AsGeoJSON(geom, 7) AS geom"
csv_chunks() { psql_q -At -R '' -o "$out/chunks.csv" -c "SELECT opendata.export_chunks('bench-points', 'csv')"; }
csv_value() { psql_q -At -o "$out/value.csv" -c "SELECT opendata_api.export_csv('bench-points')"; }
csv_api() { curl -sfS -o "$out/api.csv" -H 'Accept: text/csv' "$api/rpc/export_csv?dataset=bench-points"; }
csv_copy() { psql_q -c "\\copy (SELECT $cols FROM $view) TO '$out/copy.csv' (FORMAT csv, HEADER, DELIMITER ';')"; }
geo_chunks() {
  psql_q -At -R '' -o "$out/chunks.geojson" -c "SELECT opendata.export_chunks('bench-points', 'geojson')"
}
geo_value() { psql_q -At -o "$out/value.geojson" -c "SELECT opendata_api.export_geojson('bench-points')"; }
geo_api() {
  curl -sfS -o "$out/api.geojson" -H 'Accept: application/geo+json' "$api/rpc/export_geojson?dataset=bench-points"
}
json_agg_sql="SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*)::json)) FROM $view t"
geo_json_agg() { psql_q -At -o "$out/json_agg.geojson" -c "$json_agg_sql"; }
# CSV with delimiter and quote characters no feature holds: the features as
# they are, one a line (the text format would double their backslashes).
geo_copy() {
  psql_q -c "\\copy (SELECT ST_AsGeoJSON(t.*) FROM $view t) TO '$out/copy.geojsonl' (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"
}

# The time floor of one value: the same bytes as export_csv's, computed by
# nothing (read from a file the server has in its page cache), sent as one
# text value and received by psql as export_csv's are (docs/export.md,
# "Speed").  The file is written once, before the rounds, by export_chunks,
# less the line end psql writes after its output.  Beside it, the export's
# own work: export_csv's value computed and not sent (octet_length reads
# its header only).
psql_q -At -R '' -o "$out/floor_source.csv" -c "SELECT opendata.export_chunks('bench-points', 'csv')"
truncate -s -1 "$out/floor_source.csv"
chmod a+r "$out/floor_source.csv"
csv_floor() { psql_q -At -o "$out/floor.csv" -c "SELECT pg_read_file('$out/floor_source.csv')"; }
csv_unsent() { psql_q -At -o /dev/null -c "SELECT octet_length(opendata_api.export_csv('bench-points'))"; }

log "$RUNS rounds of the CSV and GeoJSON exports"
bench_interleave "$RUNS" csv_chunks csv_chunks csv_value csv_value csv_floor csv_floor csv_unsent csv_unsent csv_api csv_api csv_copy csv_copy \
  geo_chunks geo_chunks geo_value geo_value geo_api geo_api geo_json_agg geo_json_agg geo_copy geo_copy

# The same answers: CSV byte for byte but for what COPY cannot write (the
# export's UTF-8 byte order mark, which spreadsheets need, and its CRLF line
# ends, RFC 4180's) and the line end psql adds after the value; GeoJSON the
# same features (count, ids).
for f in chunks value floor api; do
  sed -i -e '1s/^\xEF\xBB\xBF//' -e 's/\r$//' -e '${/^$/d}' "$out/$f.csv"
  if ! cmp -s "$out/$f.csv" "$out/copy.csv"; then  # the first lines that differ, for the reader
    diff "$out/$f.csv" "$out/copy.csv" | head -n 12 >&2 || true
  fi
  bench_same "CSV export ($f) against COPY's file" "$(md5sum <"$out/$f.csv")" "$(md5sum <"$out/copy.csv")"
done
features() { jq -c '[(.features | length), ([.features[].properties.id] | add)]' "$1"; }
reference_features="$(jq -sc '[length, (map(.properties.id) | add)]' "$out/copy.geojsonl")"
bench_same "GeoJSON json_agg idiom against the streamed COPY" "$(features "$out/json_agg.geojson")" "$reference_features"
for f in chunks value api; do
  bench_same "GeoJSON export ($f) against the streamed COPY" "$(features "$out/$f.geojson")" "$reference_features"
done

echo "| work | fair reference | size | work, ms median (p10-p90) | reference, ms median (p10-p90) | work / reference | goal | met |"
echo "|---|---|---:|---:|---:|---:|---|---|"
copy_ref="COPY (SELECT ...) TO STDOUT (FORMAT csv) through psql"
bench_result "CSV export_chunks, through psql" "$copy_ref" "$ROWS rows" csv_chunks csv_copy 1.25 ">= 0.8x throughput"
bench_result "CSV export_csv (one value), through psql" "$copy_ref" "$ROWS rows" csv_value csv_copy 1.25 ">= 0.8x throughput"
bench_result "a text value of the CSV's size (pg_read_file), through psql" "$copy_ref" "$ROWS rows" csv_floor csv_copy - \
  "- (the floor of one value, for comparison)"
bench_result "CSV export_csv computed, not sent (octet_length), through psql" "$copy_ref" "$ROWS rows" csv_unsent csv_copy - \
  "- (the export's own work, for comparison)"
bench_result "CSV export_csv, through the PostgREST stand-in" "$copy_ref" "$ROWS rows" csv_api csv_copy 1.25 ">= 0.8x throughput"
agg_ref="json_agg(ST_AsGeoJSON(t.*)::json) idiom through psql"
stream_ref="COPY (SELECT ST_AsGeoJSON(t.*) ...) TO STDOUT, streamed, through psql"
for side in geo_chunks geo_value geo_api; do
  case $side in
    geo_chunks) work="GeoJSON export_chunks, through psql" ;;
    geo_value) work="GeoJSON export_geojson (one value), through psql" ;;
    geo_api) work="GeoJSON export_geojson, through the PostgREST stand-in" ;;
  esac
  bench_result "$work" "$agg_ref" "$ROWS rows" $side geo_json_agg 0.333 ">= 3x faster"
  bench_result "$work" "$stream_ref" "$ROWS rows" $side geo_copy 1.0 "as fast (<= 1.0x)"
done

# Peak backend memory: one session per export; the backend reads its own
# VmHWM after a warm-up scan and export, and again after the export.
hwm_sql="(SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s*(\d+) kB'))[1]::bigint * 1024)"
peak() {  # peak SQL: bytes the backend's peak RSS grew by while running SQL
  psql_q -At <<SQL | tail -n 1
SELECT count(*) FROM $view \\g /dev/null
SELECT opendata.export_chunks('bench-points', 'geojson') \\g /dev/null
SELECT $hwm_sql AS base \\gset
$1 \\g /dev/null
SELECT $hwm_sql - :base;
SQL
}
# MAX is the goal: a ratio to the output's size, "MB:n" for a peak of at
# most n MB whatever the output's size (bounded), or "-" for none.
memory() {  # memory WORK SQL OUTPUT_FILE MAX GOAL
  local peak_b size ratio met=no
  peak_b="$(peak "$2")"
  size="$(stat -c %s "$3")"
  ratio="$(printf '%.3f' "$(echo "scale=4; $peak_b / $size" | bc)")"
  case "$4" in
    -) met=- ;;
    MB:*) [ "$(echo "$peak_b <= ${4#MB:} * 1048576" | bc)" = 1 ] && met=yes ;;
    *) [ "$(echo "$ratio <= $4" | bc)" = 1 ] && met=yes ;;
  esac
  bench_record "peak backend memory: $1" "the output's size" "$ROWS rows" \
    "$(printf '%.1f' "$(echo "$peak_b / 1048576" | bc -l)") MB" "$(printf '%.1f' "$(echo "$size / 1048576" | bc -l)") MB" \
    "$ratio" "$5" "$met"
}
log "memory"
memory "CSV export_chunks" "SELECT opendata.export_chunks('bench-points', 'csv')" "$out/chunks.csv" MB:1 "bounded (<= 1 MB at any size)"
memory "CSV export_csv, sent" "SELECT opendata_api.export_csv('bench-points')" "$out/chunks.csv" 1.5 "<= 1.5x"
memory "GeoJSON export_chunks" "SELECT opendata.export_chunks('bench-points', 'geojson')" "$out/chunks.geojson" MB:1 "bounded (<= 1 MB at any size)"
memory "GeoJSON export_geojson, sent" "SELECT opendata_api.export_geojson('bench-points')" "$out/chunks.geojson" 1.5 "<= 1.5x"
memory "GeoJSON json_agg idiom, sent" "$json_agg_sql" "$out/json_agg.geojson" - "- (the idiom, for comparison)"
# The floor for any single text value: the same bytes read from a file,
# computed by nothing, sent as one value (docs/export.md, "Memory").
chmod a+r "$out/chunks.csv" "$out/chunks.geojson"
memory "a text value of the CSV's size (pg_read_file), sent" "SELECT pg_read_file('$out/chunks.csv')" \
  "$out/chunks.csv" - "- (the floor of one value, for comparison)"
memory "a text value of the GeoJSON's size (pg_read_file), sent" "SELECT pg_read_file('$out/chunks.geojson')" \
  "$out/chunks.geojson" - "- (the floor of one value, for comparison)"
echo
echo "PARALLEL=$PARALLEL, PostgreSQL $PG_MAJOR, $(nproc) CPU(s), load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "command: $BENCH_COMMAND"
