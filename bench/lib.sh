# Shared set-up and measuring of the benchmark scripts.  Sourced, not run.
# shellcheck shell=bash
#
# bench_cluster NAME PORT: installs what is missing, builds and installs the
# extension (unless SKIP_BUILD is set), and starts a throwaway cluster that
# is stopped and removed on exit (kept when KEEP_CLUSTER is set).  Sets
# $dir (the cluster's directory, also its socket directory) and $PORT
# (BENCH_PORT overrides the default) and defines psql_q, a psql that stops
# on the first error.
#
# The rules every benchmark follows are in docs/performance.md ("Rules");
# the helpers below are how the scripts keep them:
#   - PARALLEL pins max_parallel_workers_per_gather for every client
#     (psql, pgbench, ogr2ogr, the PostgREST stand-in: all read PGOPTIONS);
#   - bench_interleave times both sides as the client receives them, A B A B;
#   - bench_stats gives the median and the spread of a side's samples;
#   - bench_same stops the script (exit 1) when two answers differ;
#   - bench_result appends one line to the machine-readable results file,
#     from which scripts/bench_table.sh renders docs/performance.md's table.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

PARALLEL="${PARALLEL:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$REPO_DIR/bench/results.tsv}"
BENCH_COMMAND="PARALLEL=$PARALLEL bash bench/$(basename "$0")"

# bench_command VAR...: the command line the results file shows, with the
# sizes and settings the run used (bench_command ROWS RUNS).
bench_command() {
  local v c=""
  for v in "$@"; do
    if [[ "${!v}" == *" "* ]]; then c+="$v=\"${!v}\" "; else c+="$v=${!v} "; fi
  done
  BENCH_COMMAND="${c}bash bench/$(basename "$0")"
}

bench_cluster() {
  local name="$1" default_port="$2"
  ensure_packages
  if [ "${SKIP_BUILD:-}" = "" ]; then build_and_install; fi
  PORT="${BENCH_PORT:-$default_port}"
  dir="$(owned_tmpdir "$name")"
  trap bench_cleanup EXIT
  start_cluster "$dir" "$PORT"
  export PGOPTIONS="-c client_min_messages=warning -c max_parallel_workers_per_gather=$PARALLEL"
  : >"$dir/samples"
  BENCH_LOAD_START="$(bench_load)"
}

# With KEEP_CLUSTER set, a script that generated its data stops here and
# leaves the cluster for queries by hand instead of timing anything.
bench_stop_if_kept() {
  if [ -n "${KEEP_CLUSTER:-}" ]; then
    echo "cluster kept: psql -h $dir -p $PORT -U postgres postgres (stop: pg_ctl -D $dir/data stop)"
    exit 0
  fi
}

bench_cleanup() {
  if [ -z "${KEEP_CLUSTER:-}" ]; then stop_cluster "$dir"; rm -rf "$dir"; fi
}

psql_q() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres -d postgres "$@"; }

# The machine's 1-minute load average.
bench_load() { cut -d' ' -f1 /proc/loadavg; }

# bench_interleave RUNS NAME FUNC [NAME FUNC ...]: one untimed warm-up call
# (FUNC: a function or command, with its arguments, as one word)
# of each FUNC, then RUNS rounds calling each in turn (A B A B ...), so that
# a burst of load from elsewhere falls on every side alike.  A sample is the
# wall time of the call in ms, appended to $dir/samples as "NAME ms"; a FUNC
# that times itself (pgbench) prints "ms=<milliseconds>" as its last line,
# which then is the sample.  Output other than that goes nowhere.  When
# BENCH_RESET names a function, it runs before every call (untimed), given
# the side's FUNC: to drop what the previous call made, checkpoint...
bench_interleave() {
  local runs="$1" i k
  shift
  for ((k = 1; k < $#; k += 2)); do bench_sample "" "${@:k+1:1}"; done
  for ((i = 0; i < runs; i++)); do
    for ((k = 1; k < $#; k += 2)); do bench_sample "${@:k:1}" "${@:k+1:1}"; done
  done
}
bench_sample() {  # bench_sample NAME FUNC (NAME empty: not kept)
  local t0 t1 said
  if [ -n "${BENCH_RESET:-}" ]; then "$BENCH_RESET" "$2" >/dev/null; fi
  # $EPOCHREALTIME, not date: no process started inside the timed part.
  t0=$EPOCHREALTIME
  eval "$2" >"$dir/said"
  t1=$EPOCHREALTIME
  [ -z "$1" ] && return 0
  said="$(tail -n 1 "$dir/said")"
  if [[ "$said" == ms=* ]]; then
    echo "$1 ${said#ms=}" >>"$dir/samples"
  else
    echo "$1 $(echo "scale=3; ($t1 - $t0) * 1000 / 1" | bc)" >>"$dir/samples"
  fi
}

# bench_stats NAME: "median p10 p90 min max n" of NAME's samples, in ms
# (nearest-rank percentiles).
bench_stats() {
  awk -v n="$1" '$1 == n { print $2 }' "$dir/samples" | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "NaN NaN NaN NaN NaN 0"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      p10 = v[int(0.1 * (NR - 1)) + 1]; p90 = v[NR - int(0.1 * (NR - 1))]
      printf "%.2f %.2f %.2f %.2f %.2f %d\n", m, p10, p90, v[1], v[NR], NR
    }'
}
bench_median() { bench_stats "$1" | cut -d' ' -f1; }
# "median (p10-p90)" of NAME, for reports.
bench_spread() { bench_stats "$1" | awk '{ printf "%s (%s-%s)", $1, $2, $3 }'; }

# pgbench_ms FILE TX [pgbench option...]: runs the pgbench script FILE TX
# times in one session over the socket (simple protocol: parsed and planned
# every time, as a client's statement) and prints ms=<mean latency>, for
# bench_interleave.  pgbench reads every result, as a client does.  One
# more call comes first and is not counted: a pooled connection (PostgREST)
# has loaded the libraries and filled its caches before, a new session not.
pgbench_ms() {
  local file="$1" tx="$2" log
  shift 2
  rm -f "$dir"/pgbench_log.*
  "$PG_BINDIR/pgbench" -n -h "$dir" -p "$PORT" -U postgres -t "$((tx + 1))" -f "$file" \
    -l --log-prefix="$dir/pgbench_log" "$@" postgres >"$dir/pgbench.out" 2>&1 || { cat "$dir/pgbench.out" >&2; return 1; }
  log="$(ls "$dir"/pgbench_log.*)"
  awk '$2 > 1 { t += $3; n++ } END { printf "ms=%.3f\n", t / n / 1000 }' "$log"
}

# bench_same WHAT A B: exits 1, saying so, unless the answers A and B (counts,
# checksums, row-set digests) are equal.
bench_same() {
  if [ "$2" != "$3" ]; then
    echo "DIFFERENT ANSWERS for $1: '$2' against the reference's '$3'" >&2
    exit 1
  fi
}

# bench_result WORK REFERENCE SIZE SIDE REF MAX_RATIO GOAL: one line of the
# results file for the work's samples (named SIDE in bench_interleave)
# against the fair reference's (named REF; REFERENCE says what it is): ratio of the medians (side / reference time), met
# when it is at most MAX_RATIO (a goal stated as throughput or "N times
# faster" is given as its time ratio, "-" for none; GOAL is its words), with the spreads,
# the load at the start and now, and the command.  Prints the line's
# Markdown form too.
bench_result() {
  local work="$1" reference="$2" size="$3" side="$4" ref="$5" max="$6" goal="$7" s r ratio met
  s="$(bench_median "$side")"
  r="$(bench_median "$ref")"
  ratio="$(printf "%.3f" "$(echo "scale=4; $s / $r" | bc)")"
  met=no
  if [ "$max" = - ]; then met=-; elif [ "$(echo "$ratio <= $max" | bc)" = 1 ]; then met=yes; fi
  bench_record "$work" "$reference" "$size" "$(bench_spread "$side")" "$(bench_spread "$ref")" "$ratio" "$goal" "$met"
}
# bench_record WORK REFERENCE SIZE SIDE_FIGURE REF_FIGURE RATIO GOAL MET: the
# line itself (the figures: "median (p10-p90)" in ms, or what the work's goal
# is stated in).
bench_record() {
  local line
  line="$(printf '%s\t' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(basename "$0" .sh)" "$@" \
            "$BENCH_LOAD_START-$(bench_load)" "$BENCH_COMMAND")"
  if [ ! -s "$BENCH_RESULTS" ]; then
    printf '# %s\n' "date script work reference size work_figure reference_figure ratio goal met load command" |
      tr ' ' '\t' >"$BENCH_RESULTS"
  fi
  printf '%s\n' "${line%$'\t'}" >>"$BENCH_RESULTS"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"
}
