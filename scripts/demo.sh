#!/usr/bin/env bash
# make demo: a throwaway cluster in .demo/ (no system service touched), the
# extension created, the sample data loaded, and what was done printed.
source "$(dirname "$0")/lib.sh"

DEMO_PORT="${DEMO_PORT:-54329}"
DEMO_DB=opendata_demo

ensure_packages
build_and_install

# The cluster lives in .demo/ when its owner (postgres, if we are root) can
# reach the checkout, else in a temporary folder.
DEMO_DIR="$REPO_DIR/.demo"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$REPO_DIR"; then
  DEMO_DIR="${TMPDIR:-/tmp}/opendata-demo"
fi
if [ -f "$DEMO_DIR/data/postmaster.pid" ]; then
  log "stopping the previous demo cluster"
  stop_cluster "$DEMO_DIR"
fi
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DEMO_DIR"; fi

log "starting a throwaway cluster in $DEMO_DIR (port $DEMO_PORT, Unix socket only)"
start_cluster "$DEMO_DIR" "$DEMO_PORT"

PSQL=(as_cluster_owner "$PG_BINDIR/psql" -X -q -h "$DEMO_DIR" -p "$DEMO_PORT" -U postgres
      -v ON_ERROR_STOP=1 -P pager=off)
as_cluster_owner "$PG_BINDIR/createdb" -h "$DEMO_DIR" -p "$DEMO_PORT" -U postgres "$DEMO_DB"

# The demo scenario is plain SQL, run in order; the sample files are read by
# psql from data/ (a copy is made where the cluster owner can read it).
cp -r "$REPO_DIR/demo" "$REPO_DIR/data" "$DEMO_DIR/"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$DEMO_DIR/demo" "$DEMO_DIR/data"; fi
for step in "$DEMO_DIR"/demo/[0-9]*.sql; do
  log "demo step $(basename "$step")"
  (cd "$DEMO_DIR" && "${PSQL[@]}" -d "$DEMO_DB" -v datadir="$DEMO_DIR/data" -f "$step")
done

cat <<INFO

The demo cluster is running.
  connect:  psql -h $DEMO_DIR -p $DEMO_PORT -U postgres $DEMO_DB
  stop:     make demo-stop   (or: pg_ctl -D $DEMO_DIR/data stop)
  PostgREST: see docs/postgrest.md; db-uri = postgres://authenticator@/$DEMO_DB?host=$DEMO_DIR&port=$DEMO_PORT
INFO
