#!/usr/bin/env bash
# Load benchmark (issue #14): pgbench, CLIENTS clients (16) for DURATION
# seconds (60), on a weighted mix of anonymous API calls (bench/load/*.api.sql:
# records pages with filters, facets, search, small exports, near) against
# the same answers from hand-written SQL (bench/load/*.hand.sql, the fastest
# an expert would write against the API views).  Each script is a pgbench
# script: its \set lines draw the parameters, its first comment lines give
# its weight in the mix and the jq filter of what both answers must share.
#
# Before any timing, every query is run on both sides with SAMPLES random
# parameter sets (through psql) and the answers compared: the script exits
# non-zero when they differ.  Then the two mixes run ROUNDS times each,
# interleaved (API, hand, API, hand ...), as opendata_anon with prepared
# statements, as PostgREST would.  Any failed transaction fails the run.
#
#   bash bench/load.sh                           # 16 clients, 3 rounds of 60 s a side
#   DURATION=15 ROUNDS=2 bash bench/load.sh      # shorter, on a busy machine
#
# Prints a Markdown report: throughput (median and range over the rounds),
# latency percentiles p50/p95/p99 over every transaction of a side (pgbench
# --log), per-query mean latencies (pgbench -r), machine load and the command.
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-100000}"
CLIENTS="${CLIENTS:-16}"
DURATION="${DURATION:-60}"
ROUNDS="${ROUNDS:-3}"
SAMPLES="${SAMPLES:-5}"
QUERIES="$(cd "$(dirname "$0")/load" && pwd)"
bench_cluster bench-load 54391
ensure_command jq jq

log "generating $ROWS rows and a catalog of 60 datasets"
psql_q -v n="$ROWS" -f "$QUERIES/setup.sql" >/dev/null
bench_stop_if_kept
out="$dir/load"
mkdir -p "$out"   # pgbench's reports and per-transaction logs
names=$(basename -a -s .api.sql "$QUERIES"/*.api.sql)
header() { sed -n "s/^-- $2: //p" "$QUERIES/$1.api.sql"; }   # header NAME weight|compare

# psql as PostgREST's anonymous role.
anon() { PGOPTIONS="$PGOPTIONS -c role=opendata_anon" "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres -d postgres "$@"; }

# One random parameter set of a script, as psql -v arguments, from its
# "\set NAME random(LO, HI)" lines.
draw() {
  sed -n 's/^\\set \([a-z_]*\) random(\([0-9]*\), *\([0-9]*\)).*/\1 \2 \3/p' "$1" |
    while read -r name lo hi; do printf -- '-v %s=%s ' "$name" $((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1))); done
}
# Runs a script's statement (without its \set lines) with the given
# parameters; prints the answer reduced by the query's jq filter.
answer() {  # answer FILE FILTER PSQL-ARGS...
  local file="$1" filter="$2"; shift 2
  grep -v '^\\set' "$file" | anon "$@" -f - | jq -S -c "$filter"
}

log "comparing answers ($SAMPLES parameter sets per query)"
differ=0
for q in $names; do
  filter="$(header "$q" compare)"
  for _ in $(seq 1 "$SAMPLES"); do
    # shellcheck disable=SC2046  # one word per psql argument
    args=($(draw "$QUERIES/$q.api.sql"))
    a=$(answer "$QUERIES/$q.api.sql" "$filter" "${args[@]}")
    h=$(answer "$QUERIES/$q.hand.sql" "$filter" "${args[@]}")
    if [ -z "$a" ] || [ "$a" != "$h" ]; then
      differ=1
      echo "answers differ: $q ${args[*]}" >&2
      diff <(echo "$a" | jq .) <(echo "$h" | jq .) | head -20 >&2 || true
    fi
  done
done
if [ "$differ" -ne 0 ]; then echo "the API and the hand-written SQL answer differently" >&2; exit 1; fi
log "answers equal"

# run SIDE ROUND: one pgbench run of a side's mix; prints "tps failed".
run() {
  local side="$1" round="$2" scripts=() q
  for q in $names; do scripts+=(-f "$QUERIES/$q.$side.sql@$(header "$q" weight)"); done
  (cd "$out" && PGOPTIONS="$PGOPTIONS -c role=opendata_anon" "$PG_BINDIR/pgbench" -n -M prepared -c "$CLIENTS" -j "$(nproc)" \
     -T "$DURATION" -r --log --log-prefix="$side.$round" -h "$dir" -p "$PORT" -U postgres postgres \
     "${scripts[@]}" >"$out/report.$side.$round.txt" 2>&1) || { cat "$out/report.$side.$round.txt" >&2; exit 1; }
  local tps failed
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out/report.$side.$round.txt")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out/report.$side.$round.txt")
  echo "$tps ${failed:-0}"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "timing: $ROUNDS rounds of $DURATION s a side, $CLIENTS clients, API and hand-written interleaved"
: >"$out/tps"
for r in $(seq 1 "$ROUNDS"); do
  for side in api hand; do
    read -r tps failed < <(run "$side" "$r")
    echo "$side $r $tps $failed" >>"$out/tps"
    log "round $r $side: $tps tps, $failed failed"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Latency percentiles over every transaction of a side: the third field of
# pgbench's per-transaction log, in microseconds.
percentile() {  # percentile SIDE P
  cat "$out/$1".* 2>/dev/null | awk '{print $3}' | sort -n |
    awk -v p="$2" '{v[NR] = $1} END {i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.1f", v[i] / 1000}'
}
failures=$(awk '{s += $4} END {print s}' "$out/tps")
tps_of() { awk -v s="$1" '$1 == s {print $3}' "$out/tps"; }
api_tps=$(tps_of api | median); hand_tps=$(tps_of hand | median)

echo
echo "| side | median tps | tps range over rounds | p50 ms | p95 ms | p99 ms | failed transactions |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for side in api hand; do
  printf '| %s | %.0f | %s–%s | %s | %s | %s | %s |\n' \
    "$([ "$side" = api ] && echo 'API (opendata_api.*)' || echo 'hand-written SQL')" \
    "$(tps_of "$side" | median)" "$(tps_of "$side" | sort -n | head -1 | cut -d. -f1)" "$(tps_of "$side" | sort -n | tail -1 | cut -d. -f1)" \
    "$(percentile "$side" 50)" "$(percentile "$side" 95)" "$(percentile "$side" 99)" \
    "$(awk -v s="$side" '$1 == s {n += $4} END {print n}' "$out/tps")"
done
echo
awk -v a="$api_tps" -v h="$hand_tps" 'BEGIN {printf "Throughput API / hand-written: %.2f.\n", a / h}'
echo
echo "Mean latency per query (pgbench -r, last round, ms): API / hand-written"
echo
echo "| query | weight | API ms | hand-written ms |"
echo "|---|---:|---:|---:|"
for q in $names; do
  # pgbench -r prints each script's statements after "SQL script N: FILE".
  stmt() { awk -v f="$QUERIES/$q.$1.sql" '/^SQL script/ {on = index($0, f) > 0} on && /^ +[0-9.]+ +[0-9]+ +[^ \\]/ {print $1}' "$out/report.$1.$ROUNDS.txt"; }
  echo "| $q | $(header "$q" weight) | $(stmt api) | $(stmt hand) |"
done
echo
echo "rows: $ROWS, $CLIENTS clients, $ROUNDS rounds of $DURATION s a side, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s), load average $load_before before, $load_after after"
echo "command: ROWS=$ROWS CLIENTS=$CLIENTS DURATION=$DURATION ROUNDS=$ROUNDS bash bench/load.sh"
# The results file's line: the time ratio is the hand-written mix's
# throughput over the API's (goal: API >= 0.9x the throughput, 0 failures).
bench_command ROWS CLIENTS DURATION ROUNDS PARALLEL
ratio=$(awk -v a="$api_tps" -v h="$hand_tps" 'BEGIN {printf "%.3f", h / a}')
met=no
awk -v r="$ratio" -v f="$failures" 'BEGIN {exit !(r <= 1.112 && f == 0)}' && met=yes
bench_record "API mix, $CLIENTS pgbench clients" "the same answers written by hand (bench/load/*.hand.sql)" "$ROWS rows" \
  "$(printf '%.0f' "$api_tps") tps" "$(printf '%.0f' "$hand_tps") tps" "$ratio" ">= 0.9x throughput, 0 failed" "$met" >/dev/null
[ "$failures" -eq 0 ]
