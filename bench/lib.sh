# Shared set-up of the benchmark scripts.  Sourced, not run.
# shellcheck shell=bash
#
# bench_cluster NAME PORT: installs what is missing, builds and installs the
# extension (unless SKIP_BUILD is set), and starts a throwaway cluster that
# is stopped and removed on exit (kept when KEEP_CLUSTER is set).  Sets
# $dir (the cluster's directory, also its socket directory) and $PORT
# (BENCH_PORT overrides the default) and defines psql_q, a psql that stops
# on the first error.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

bench_cluster() {
  local name="$1" default_port="$2"
  ensure_packages
  if [ "${SKIP_BUILD:-}" = "" ]; then build_and_install; fi
  PORT="${BENCH_PORT:-$default_port}"
  dir="$(owned_tmpdir "$name")"
  trap bench_cleanup EXIT
  start_cluster "$dir" "$PORT"
  export PGOPTIONS="-c client_min_messages=warning"
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
