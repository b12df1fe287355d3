#!/usr/bin/env bash
# Usage counting benchmark (issue #18): API throughput with counting on and
# off.  pgbench, 16 clients, each transaction a GET as PostgREST runs it
# (READ ONLY, SET LOCAL ROLE opendata_anon, request.headers with a client
# address) calling records() and export_csv() on a 1,000-row dataset; the
# library preloaded, counting switched per connection with
# opendata.usage_track (off: the call returns before touching shared
# memory).  Runs alternate on, off, on, off...; medians of tps, spread and
# the machine's load are printed.  Exits non-zero when the answers differ
# between on and off, or when the counters do not equal the calls made in
# the "on" runs.
#
#   bash bench/usage.sh                  # 5 runs of 10 s per side
#   RUNS=3 SECONDS_PER_RUN=5 bash bench/usage.sh
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-5}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
bench_cluster usage 54398
cat >>"$dir/data/postgresql.conf" <<'CONF'
shared_preload_libraries = 'opendata'
opendata.usage_flush_interval = '1h'
max_connections = 100
CONF
stop_cluster "$dir"
start_cluster_again() {
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $PORT -k $dir -c listen_addresses=''" start >/dev/null
}
start_cluster_again
psql_q >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('org', 'Org');
SELECT opendata.set_catalog('{"publisher": "org"}');
SELECT opendata.import_csv('things', convert_to('id,label,n' || chr(10) ||
         (SELECT string_agg(g || ',thing ' || g || ',' || g % 17, chr(10)) FROM generate_series(1, 1000) g) || chr(10), 'UTF8'),
         '{"metadata": {"title": "Things", "description": "Things to count."}}');
SELECT opendata.publish('things');
SQL

cat >"$dir/get.sql" <<'SQL'
BEGIN READ ONLY;
SET LOCAL ROLE opendata_anon;
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.' || :client_id || '"}', true);
SELECT opendata_api.records('things', "where" => 'n = 3', rows => 20);
SELECT opendata_api.export_csv('things', rows => 100);
COMMIT;
SQL
chmod 644 "$dir/get.sql"

# Same answers with counting on and off.
answer() {
  PGOPTIONS="-c opendata.usage_track=$1" psql_q -At -c "SET ROLE opendata_anon" \
    -c "SELECT md5(opendata_api.records('things', \"where\" => 'n = 3', rows => 20)::text || opendata_api.export_csv('things', rows => 100))"
}
a_on=$(answer on)
a_off=$(answer off)
status=0
if [ "$a_on" != "$a_off" ]; then echo "DIFFERENT answers with counting on ($a_on) and off ($a_off)"; status=1; fi
calls_before=$(psql_q -At -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_counters() WHERE endpoint = 'records'")

run() {  # run on|off: prints tps and the transactions made
  PGOPTIONS="-c opendata.usage_track=$1" "$PG_BINDIR/pgbench" -n -h "$dir" -p "$PORT" -U postgres \
    -c 16 -j 2 -T "$SECONDS_PER_RUN" -f "$dir/get.sql" postgres 2>&1 |
    awk '/^number of transactions actually processed/ {n = $NF} /^tps = / {t = $3} END {print t, n}'
}
on_tps=(); off_tps=(); on_done=0
for i in $(seq 1 "$RUNS"); do
  read -r t n < <(run on); on_tps+=("$t"); on_done=$((on_done + n))
  read -r t n < <(run off); off_tps+=("$t")
done
calls=$(( $(psql_q -At -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_counters() WHERE endpoint = 'records'") - calls_before ))
if [ "$calls" != "$on_done" ]; then echo "COUNTERS WRONG: $calls records() calls counted, $on_done made with counting on"; status=1; fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.0f-%.0f", lo, hi}'; }
m_on=$(median "${on_tps[@]}"); m_off=$(median "${off_tps[@]}")
echo
echo "## Usage counting: API throughput, counting on vs off"
echo
echo "pgbench 16 clients, $RUNS x ${SECONDS_PER_RUN}s per side, interleaved on/off; each transaction: records() + export_csv() as opendata_anon, READ ONLY"
echo
echo "| side | median tps | spread (min-max) |"
echo "|---|---|---|"
echo "| counting on | $m_on | $(spread "${on_tps[@]}") |"
echo "| counting off | $m_off | $(spread "${off_tps[@]}") |"
echo
awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "ratio on/off: %.3f (target >= 0.97)\n", a / b}'
echo "answers equal: $([ "$a_on" = "$a_off" ] && echo yes || echo NO); counted $calls records() calls of $on_done made"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "command: RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN bash bench/usage.sh"
exit $status
