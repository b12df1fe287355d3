# Shared set-up of the shell tests.  Sourced, not run.
# shellcheck shell=bash
#
# shell_test_cluster NAME PORT: starts a throwaway cluster in a directory
# the cluster owner can write ($dir, also its socket directory), stopped and
# removed on exit; KEEP_TMP=1 keeps the directory (logs, dumps, exports).
#
# ok / not_ok / check print the "ok NAME" / "not ok NAME" lines that
# scripts/test.sh counts, with "#   " diagnostics; FAILED counts the
# failures for the script's exit status.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

shell_test_cluster() {
  local name="$1" port="$2"
  PORT="$port"
  dir="$(owned_tmpdir "$name")"
  trap shell_test_cleanup EXIT
  start_cluster "$dir" "$PORT"
  export PGOPTIONS="-c client_min_messages=warning"
}

shell_test_cleanup() {
  local name
  for name in "${!SIBLING_PORT[@]}"; do sibling_stop "$name"; done
  stop_cluster "$dir"
  if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$dir"; else echo "# kept $dir" >&2; fi
}

# api_test_site NAME PORT: a throwaway cluster (shell_test_cluster) with a
# database NAME ($DB) holding the extension, the authenticator role
# PostgREST logs in as, and a catalog whose base URL is the nginx site the
# test serves on 127.0.0.1:$NGINX_PORT ($SITE; a preset NGINX_PORT is
# kept).  $work ($dir/NAME) is the test's own directory.  The test adds its
# datasets, then calls serve_api "$work" "$DB" TEST_NAME.
api_test_site() {
  local name="$1"
  shell_test_cluster "$name" "$2"
  chmod 755 "$dir"
  work="$dir/$name"
  mkdir -p "$work"
  chmod 777 "$work"
  DB="$name"
  NGINX_PORT="${NGINX_PORT:-$(free_port)}"
  SITE="http://127.0.0.1:$NGINX_PORT"
  psql_su -d postgres -c "CREATE DATABASE $DB" >/dev/null
  psql_su -d "$DB" >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
SELECT opendata.set_catalog('{"base_url": "$SITE/api"}');
SQL
}

# serve_api WORK DB NAME [STAND-IN OPTION...]: the PostgREST stand-in as authenticator on a free
# port (STAND_IN is its host:port) and Debian's nginx with the shipped
# configuration in front of it on 127.0.0.1:$NGINX_PORT, both stopped on
# exit with the cluster.  Prints "ok NAME_servers", or "not ok" with the
# servers' messages and exits.
serve_api() {
  SERVE_API_WORK="$1"
  local db="$2" name="$3"
  STAND_IN_PID=""
  trap serve_api_cleanup EXIT
  if ! start_stand_in "$SERVE_API_WORK" "host=$dir port=$PORT dbname=$db user=authenticator" "${@:4}" ||
     ! start_nginx "$SERVE_API_WORK/nginx" "$STAND_IN" "127.0.0.1:$NGINX_PORT"; then
    not_ok "${name}_servers" "stand-in: '$STAND_IN'" \
      "$(cat "$SERVE_API_WORK/server.err" "$SERVE_API_WORK/nginx/start.err" 2>/dev/null)"
    exit 1
  fi
  ok "${name}_servers"
}
serve_api_cleanup() {
  stop_nginx "$SERVE_API_WORK/nginx"
  if [ -n "$STAND_IN_PID" ]; then kill "$STAND_IN_PID" 2>/dev/null && wait "$STAND_IN_PID" 2>/dev/null; fi
  shell_test_cleanup
}

# Clusters beside the test's own, for tests of several servers (standbys,
# shards): cluster NAME lives in $dir/NAME, its socket directory too, and
# listens on the port given to sibling_dir; shell_test_cleanup stops it.
# Its data directory is made by the test (initdb, pg_basebackup).
declare -A SIBLING_PORT=()
sibling_dir() {  # sibling_dir NAME PORT
  SIBLING_PORT[$1]=$2
  mkdir -p "$dir/$1"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/$1"; fi
}
sibling_start() {  # sibling_start NAME [SERVER OPTION...]
  local name="$1"; shift
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/$name/data" -l "$dir/$name/server.log" -w \
    -o "-p ${SIBLING_PORT[$name]} -k $dir/$name -c listen_addresses='' $*" start >/dev/null
}
sibling_stop() {  # sibling_stop NAME
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/$1/data" -m fast -w stop >/dev/null 2>&1 || true
}
# psql_at NAME DB PSQL-ARGS...: unaligned psql as the superuser, stopping on
# the first error, on sibling NAME, or on the test's own cluster for "".
psql_at() {
  local host="$dir" port="$PORT"
  if [ -n "$1" ]; then host="$dir/$1"; port="${SIBLING_PORT[$1]}"; fi
  "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -d "$2" "${@:3}"
}

FAILED=0
ok() { echo "ok $1"; }
not_ok() {  # not_ok NAME [DIAGNOSTIC...]
  echo "not ok $1"; FAILED=$((FAILED + 1))
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# psql_su ARGS...: psql as the superuser on the test's cluster.
psql_su() {
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres "$@"
}

# free_port: a TCP port of 127.0.0.1 free at the time of the call.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_stand_in OUT_DIR DSN [OPTION...]: the PostgREST stand-in
# (test/postgrest/server.py) on a free port of 127.0.0.1, connected with DSN,
# with the server's other options (--max-rows N...).  Sets STAND_IN_PID and
# STAND_IN (host:port, empty when it did not start: OUT_DIR/server.err says why).
start_stand_in() {
  local out="$1" dsn="$2"
  /usr/bin/python3 "$REPO_DIR/test/postgrest/server.py" --quiet --port 0 --dsn "$dsn" "${@:3}" \
    >"$out/server.out" 2>"$out/server.err" &
  STAND_IN_PID=$!
  STAND_IN=""
  for _ in $(seq 1 300); do
    STAND_IN="$(sed -n 's|^listening on http://||p' "$out/server.out")"
    [ -n "$STAND_IN" ] && return 0
    kill -0 "$STAND_IN_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
