# What make demo starts and make demo-stop stops: the cluster, the
# PostgREST stand-in, nginx.  Sourced after lib.sh, not run.
# shellcheck shell=bash

DEMO_PORT="${DEMO_PORT:-54329}"
DEMO_HTTP_PORT="${DEMO_HTTP_PORT:-18100}"
DEMO_NGINX_PORT="${DEMO_NGINX_PORT:-18101}"
DEMO_DB=opendata_demo
STANDIN_URL="http://127.0.0.1:$DEMO_HTTP_PORT"

# The authenticator's password is the one of demo/postgrest.conf (public:
# the cluster accepts it from 127.0.0.1 only, see demo_start_cluster).
DEMO_AUTH_PASSWORD="$(sed -n 's|^db-uri = "postgres://authenticator:\([^@]*\)@.*|\1|p' "$REPO_DIR/demo/postgrest.conf")"

# The demo lives in .demo/ when its cluster's owner (postgres, if we are
# root) can reach the checkout, else in a temporary folder.
DEMO_DIR="$REPO_DIR/.demo"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$REPO_DIR"; then
  DEMO_DIR="${TMPDIR:-/tmp}/opendata-demo"
fi

# A cluster whose Unix socket (in $DEMO_DIR) trusts local users, as the
# test clusters do, and whose TCP port on 127.0.0.1 admits one role, the
# authenticator, with its password: what PostgREST and the stand-in use.
demo_start_cluster() {
  as_cluster_owner "$PG_BINDIR/initdb" -D "$DEMO_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    -A trust >/dev/null
  as_cluster_owner tee "$DEMO_DIR/data/pg_hba.conf" >/dev/null <<HBA
# make demo (scripts/demo-lib.sh): the socket in $DEMO_DIR for local users,
# TCP on 127.0.0.1 for the authenticator of demo/postgrest.conf only.
local  all  all                          trust
host   all  authenticator  127.0.0.1/32  scram-sha-256
HBA
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$DEMO_DIR/data" -l "$DEMO_DIR/server.log" -w \
    -o "-p $DEMO_PORT -k $DEMO_DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

# demo/postgrest.conf with this run's database port.
demo_write_postgrest_conf() {
  sed "s|@127.0.0.1:54329/|@127.0.0.1:$DEMO_PORT/|" "$REPO_DIR/demo/postgrest.conf" >"$DEMO_DIR/postgrest.conf"
}

# The stand-in, logged in as the authenticator over TCP as PostgREST would
# be, answering the pretty URLs of deploy/nginx/locations/portal.conf too.
demo_start_standin() {
  setsid /usr/bin/python3 "$REPO_DIR/test/postgrest/server.py" --port "$DEMO_HTTP_PORT" \
    --dsn "host=127.0.0.1 port=$DEMO_PORT dbname=$DEMO_DB user=authenticator password=$DEMO_AUTH_PASSWORD" \
    --locations "$REPO_DIR/deploy/nginx/locations/portal.conf" \
    </dev/null >"$DEMO_DIR/standin.out" 2>"$DEMO_DIR/standin.log" &
  echo $! >"$DEMO_DIR/standin.pid"
  local _
  for _ in $(seq 1 100); do
    grep -q '^listening on ' "$DEMO_DIR/standin.out" 2>/dev/null && return 0
    kill -0 "$(cat "$DEMO_DIR/standin.pid")" 2>/dev/null || break
    sleep 0.1
  done
  log "the stand-in did not start:"
  cat "$DEMO_DIR/standin.log" >&2
  return 1
}

# nginx in front of the stand-in (scripts/lib.sh: the shipped server block
# and location files, placeholders replaced as a deployment replaces them).
demo_start_nginx() {
  # The dataset pages' map (MapLibre GL JS, served by nginx at /assets/map/);
  # without it the pages keep their SVG maps.
  bash "$REPO_DIR/deploy/web/install.sh" "$DEMO_DIR/nginx/web" ||
    log "deploy/web/install.sh failed: the dataset pages show their SVG maps only"
  start_nginx "$DEMO_DIR/nginx" "127.0.0.1:$DEMO_HTTP_PORT" "127.0.0.1:$DEMO_NGINX_PORT" ||
    { cat "$DEMO_DIR/nginx/start.err" >&2; return 1; }
}

# Stops what a demo in $1 started, by the ids it recorded.
demo_stop() {
  local dir="${1:-$DEMO_DIR}" pid
  if [ -f "$dir/standin.pid" ]; then
    pid="$(cat "$dir/standin.pid")"
    if grep -q 'server.py' "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid"; log "stopped the stand-in (pid $pid)"
    fi
    rm -f "$dir/standin.pid"
  fi
  if [ -f "$dir/nginx/nginx.pid" ]; then
    pid="$(cat "$dir/nginx/nginx.pid")"
    if grep -q 'nginx' "/proc/$pid/cmdline" 2>/dev/null; then
      kill -QUIT "$pid"; log "stopped nginx (pid $pid)"
    fi
    rm -f "$dir/nginx/nginx.pid"
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    stop_cluster "$dir"; log "stopped the cluster in $dir"
  fi
}
