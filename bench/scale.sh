#!/usr/bin/env bash
# Scaling benchmark (issue #20, docs/scaling.md).
#
# 1. Partitioned against unpartitioned: the same rows in a table partitioned
#    by département (DEPS partitions) and in one plain table, both
#    published; records() and export_csv() with the same arguments on each,
#    as opendata_anon.  Both tables have the same primary key
#    (departement, id) and nothing else.  Each call is timed inside the
#    server (clock_timestamp() around it); A and B alternate (A B A B ...),
#    RUNS times; medians and spread (min-max) are reported, with the
#    machine's load.  Both answers are compared (JSON without links, CSV
#    byte for byte): the script exits non-zero when they differ.
# 2. Read throughput with 0, 1 and 2 streaming standbys: pgbench -S style
#    calls of records() (-f, SELECT only), CLIENTS clients for DURATION
#    seconds, spread over the primary and the standbys (one pgbench per
#    server, started together; the sum of their transactions per second).
#    Clients are spread by the benchmark, as a load balancer would: no
#    pooler in between (docs/scaling.md says why).
#
#   bash bench/scale.sh                      # ROWS=2000000, RUNS=5
#   ROWS=20000000 RUNS=7 bash bench/scale.sh # the issue's size (disk: ~4 GB)
#   ROWS=200000 RUNS=3 DURATION=5 bash bench/scale.sh
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-2000000}"
RUNS="${RUNS:-5}"
DEPS="${DEPS:-20}"
CLIENTS="${CLIENTS:-4}"
DURATION="${DURATION:-10}"
bench_cluster scale "${BENCH_PORT:-18580}"

log "generating $ROWS rows in $DEPS partitions and in one table"
psql_q -v n="$ROWS" -v deps="$DEPS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SET opendata.exact_count_threshold = 0;
CREATE TABLE public.scale_part (id int NOT NULL, departement text NOT NULL, commune text, annee int, valeur numeric,
                                PRIMARY KEY (departement, id)) PARTITION BY LIST (departement);
SELECT format('CREATE TABLE public.scale_part_%s PARTITION OF scale_part FOR VALUES IN (%L)', d, 'd' || d)
  FROM generate_series(1, :deps) d \gexec
CREATE TABLE public.scale_flat (id int NOT NULL, departement text NOT NULL, commune text, annee int, valeur numeric,
                                PRIMARY KEY (departement, id));
INSERT INTO scale_part
SELECT i, 'd' || (1 + i % :deps), 'commune ' || (i % 97), 2000 + (i * 7) % 25, round(((i::bigint * 7919) % 100000) / 100.0, 2)
  FROM generate_series(1, :n) i;
INSERT INTO scale_flat SELECT * FROM scale_part;
VACUUM ANALYZE scale_part, scale_flat;
SELECT opendata.create_organization('bench-org', 'Bench');
SELECT opendata.register('scale_part', 'scale-part', '{"title": "Partitioned", "description": "Bench", "publisher": "bench-org"}');
SELECT opendata.register('scale_flat', 'scale-flat', '{"title": "One table", "description": "Bench", "publisher": "bench-org"}');
SELECT opendata.publish('scale-part'), opendata.publish('scale-flat');
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO opendata_anon;
-- One call, timed in the server; its answer, for the comparison.
CREATE FUNCTION bench.timed(call text, OUT ms float8, OUT answer text) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE call INTO answer;
  ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
GRANT EXECUTE ON FUNCTION bench.timed(text) TO opendata_anon;
SQL
bench_stop_if_kept

# The calls, with @ for the dataset.  Exact counts on both sides.
CALLS=(
  "records, a filter on the partition key|SELECT opendata_api.records('@', \"where\" => 'departement = \"d3\" and annee = 2010', order_by => 'id', rows => 20)::jsonb - 'links'"
  "records, aggregate of one département|SELECT opendata_api.records('@', fields => 'annee, count(*) as n, avg(valeur) as v', \"where\" => 'departement = \"d3\"', group_by => 'annee', order_by => 'annee')::jsonb - 'links'"
  "records, a filter elsewhere|SELECT opendata_api.records('@', \"where\" => 'annee = 2010 and valeur > 999', order_by => 'id', rows => 20)::jsonb - 'links'"
  "export_csv of one département|SELECT md5(opendata_api.export_csv('@', \"where\" => 'departement = \"d3\"', order_by => 'id')::text)"
)
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
spread() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1f-%.1f", lo, hi}'; }
timed() {  # timed DATASET CALL: "ms<TAB>answer"
  psql_q -At -F $'\t' -c "SET opendata.exact_count_threshold = 0" -c "SET ROLE opendata_anon" \
    -c "SELECT * FROM bench.timed(\$q\$${2//@/$1}\$q\$)"
}

mismatch=0
echo
echo "## Partitioned ($DEPS partitions) against one table, $ROWS rows, $RUNS runs each, interleaved"
echo
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); command: ROWS=$ROWS RUNS=$RUNS DEPS=$DEPS bash bench/scale.sh"
echo
echo "| call | partitioned median ms (spread) | one table median ms (spread) | ratio | same answer |"
echo "|---|---|---|---|---|"
for c in "${CALLS[@]}"; do
  name="${c%%|*}"; call="${c#*|}"
  a_ms=(); b_ms=(); same=yes
  timed scale-part "$call" >/dev/null; timed scale-flat "$call" >/dev/null   # warm both
  for _ in $(seq 1 "$RUNS"); do
    IFS=$'\t' read -r ams aans <<<"$(timed scale-part "$call")"
    IFS=$'\t' read -r bms bans <<<"$(timed scale-flat "$call")"
    a_ms+=("$ams"); b_ms+=("$bms")
    [ "$aans" = "$bans" ] || same=NO
  done
  am="$(printf '%s\n' "${a_ms[@]}" | median)"; bm="$(printf '%s\n' "${b_ms[@]}" | median)"
  printf '| %s | %.1f (%s) | %.1f (%s) | %.2f | %s |\n' "$name" "$am" "$(printf '%s\n' "${a_ms[@]}" | spread)" \
    "$bm" "$(printf '%s\n' "${b_ms[@]}" | spread)" "$(awk -v a="$am" -v b="$bm" 'BEGIN {print a / b}')" "$same"
  [ "$same" = yes ] || mismatch=1
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# 2. Standbys.
log "starting two standbys"
standby_dirs=()
cleanup_standbys() {
  local s
  for s in "${standby_dirs[@]+"${standby_dirs[@]}"}"; do
    as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$s/data" -m fast -w stop >/dev/null 2>&1 || true
  done
  bench_cleanup
}
trap cleanup_standbys EXIT
for i in 1 2; do
  s="$dir/standby$i"
  mkdir -p "$s"; chown postgres: "$s" 2>/dev/null || true
  as_cluster_owner "$PG_BINDIR/pg_basebackup" -h "$dir" -p "$PORT" -U postgres -D "$s/data" -R -X stream -c fast
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$s/data" -l "$s/server.log" -w \
    -o "-p $((PORT + i)) -k $s -c listen_addresses='' -c hot_standby=on" start >/dev/null
  standby_dirs+=("$s")
done
script="$dir/read.sql"
cat >"$script" <<'SQL'
\set d random(1, 20)
SET ROLE opendata_anon;
SELECT opendata_api.records('scale-part', "where" => 'departement = "d' || :d || '" and annee = 2010', order_by => 'id', rows => 20);
RESET ROLE;
SQL
chmod 644 "$script"
# Each server answers the same call alike (a standby is a copy).
ref="$(psql_q -At -c "SET ROLE opendata_anon" -c "SELECT md5(opendata_api.records('scale-part', \"where\" => 'departement = \"d3\"', rows => 5)::text)")"
for i in 1 2; do
  got="$("$PG_BINDIR/psql" -X -q -At -h "$dir/standby$i" -p $((PORT + i)) -U postgres -d postgres \
    -c "SET ROLE opendata_anon" -c "SELECT md5(opendata_api.records('scale-part', \"where\" => 'departement = \"d3\"', rows => 5)::text)")"
  [ "$got" = "$ref" ] || { echo "standby $i answers differently"; mismatch=1; }
done
throughput() {  # throughput STANDBYS: total transactions per second
  local n="$1" hosts=("$dir") ports=("$PORT") i per pids=() out=()
  for i in $(seq 1 "$n"); do hosts+=("$dir/standby$i"); ports+=($((PORT + i))); done
  per=$(( (CLIENTS + n) / (n + 1) ))
  for i in "${!hosts[@]}"; do
    out+=("$dir/pgbench.$i")
    as_cluster_owner "$PG_BINDIR/pgbench" -n -h "${hosts[$i]}" -p "${ports[$i]}" -U postgres -c "$per" -j 1 \
      -T "$DURATION" -f "$script" postgres >"$dir/pgbench.$i" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "${out[@]}" | awk '{s += $1} END {printf "%.0f", s}'
}
echo
echo "## Read throughput, records() on one département, $CLIENTS clients, ${DURATION}s, interleaved 0 1 2 0 1 2"
echo
echo "| standbys | median tps (spread) |"
echo "|---|---|"
declare -A tps
for _ in 1 2; do for n in 0 1 2; do tps[$n]+="$(throughput "$n") "; done; done
for n in 0 1 2; do
  # shellcheck disable=SC2086
  printf '| %s | %s (%s) |\n' "$n" "$(printf '%s\n' ${tps[$n]} | median)" "$(printf '%s\n' ${tps[$n]} | spread)"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
if [ "$mismatch" -ne 0 ]; then echo "ANSWERS DIFFER"; exit 1; fi
