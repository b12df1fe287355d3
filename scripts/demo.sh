#!/usr/bin/env bash
# make demo: the Grand Paris Sud portal in miniature.  A throwaway cluster
# in .demo/ (no system service touched), the extension created, the sample
# files of data/ loaded, crossed and published (demo/*.sql, printed as it
# goes), then the portal served over HTTP on 127.0.0.1: by the PostgREST
# stand-in (test/postgrest/server.py), and by nginx in front of it when
# Debian's nginx is installed.  make demo-stop stops all of it.
#
# Ports (environment): DEMO_PORT the cluster (127.0.0.1 and a Unix socket
# in the demo folder), DEMO_HTTP_PORT the stand-in, DEMO_NGINX_PORT nginx.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/demo-lib.sh"

ensure_packages curl
build_and_install

if [ -f "$DEMO_DIR/data/postmaster.pid" ] || [ -f "$DEMO_DIR/standin.pid" ] || [ -f "$DEMO_DIR/nginx/nginx.pid" ]; then
  log "stopping the previous demo"
  demo_stop
fi
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DEMO_DIR"; fi

log "starting a throwaway cluster in $DEMO_DIR (port $DEMO_PORT: 127.0.0.1 for the authenticator, a Unix socket there)"
demo_start_cluster

PSQL=(as_cluster_owner "$PG_BINDIR/psql" -X -q -h "$DEMO_DIR" -p "$DEMO_PORT" -U postgres
      -v ON_ERROR_STOP=1 -P pager=off)
as_cluster_owner "$PG_BINDIR/createdb" -h "$DEMO_DIR" -p "$DEMO_PORT" -U postgres "$DEMO_DB"

# The front the pages and download links are served from: nginx when it is
# installed, else the stand-in's own pretty URLs.  Download links are made
# from the catalog's base_url when a dataset is published, so it is set
# first (demo/10_catalog.sql).
if command -v nginx >/dev/null 2>&1; then
  FRONT="http://127.0.0.1:$DEMO_NGINX_PORT"
else
  FRONT="http://127.0.0.1:$DEMO_HTTP_PORT"
fi

# The demo scenario is plain SQL, run in order; the sample files are read by
# psql from data/ (a copy is made where the cluster owner can read it).
cp -r "$REPO_DIR/demo" "$REPO_DIR/data" "$DEMO_DIR/"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$DEMO_DIR/demo" "$DEMO_DIR/data"; fi
for step in "$DEMO_DIR"/demo/[0-9]*.sql; do
  log "demo step $(basename "$step")"
  (cd "$DEMO_DIR" && "${PSQL[@]}" -d "$DEMO_DB" -v datadir="$DEMO_DIR/data" -v base_url="$FRONT/api" \
     -v authenticator_password="$DEMO_AUTH_PASSWORD" -f "$step")
done

demo_write_postgrest_conf
log "serving the portal: the PostgREST stand-in on 127.0.0.1:$DEMO_HTTP_PORT"
demo_start_standin
if command -v nginx >/dev/null 2>&1; then
  log "serving the pretty URLs through nginx (deploy/nginx) on 127.0.0.1:$DEMO_NGINX_PORT"
  demo_start_nginx
fi

# What a visitor gets, over HTTP: the home page, the fibre page, and the
# nearest accessible station from a point through the API.
log "checking the portal over HTTP"
for url in "$FRONT/" "$FRONT/datasets/fibre-grand-paris-sud" "$FRONT/assets/portal.css"; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
  printf '  GET %s -> %s\n' "$url" "$code"
  [ "$code" = 200 ] || { log "$url answered $code (logs: $DEMO_DIR/standin.log)"; exit 1; }
done
near_url="$FRONT/api/rpc/near?dataset=gares-accessibles&lon=2.4286&lat=48.6245&rows=1"
printf "  The nearest accessible station to the town hall of Évry-Courcouronnes:\n  curl '%s'\n" "$near_url"
curl -s "$near_url" | sed 's/^/  /'
echo

cat <<INFO

The Grand Paris Sud demo portal is running.  Open its home page:

  $FRONT/

$(if command -v nginx >/dev/null 2>&1; then
  echo "  served by nginx (deploy/nginx, config in $DEMO_DIR/nginx) in front of the PostgREST"
  echo "  stand-in ($STANDIN_URL, which answers the same URLs, and /rpc/portal)."
else
  echo "  served by the PostgREST stand-in (test/postgrest/server.py, a test and demo"
  echo "  server, not for production), which maps the pretty URLs as deploy/nginx does"
  echo "  (/, /search, /datasets/<slug>, /organizations/<id>, /reuses) and the API under /api/."
  echo "  nginx is not installed: apt-get install nginx and run make demo again to put it in"
  echo "  front (docs/portal.md, \"nginx\")."
fi)
  The fibre in each commune:  $FRONT/datasets/fibre-grand-paris-sud
  Accessible stations/stops:  $FRONT/datasets/accessibilite-par-commune

With PostgREST (not needed for the demo; where it is installed):
  postgrest $DEMO_DIR/postgrest.conf
  then open http://127.0.0.1:18102/rpc/portal, or point nginx's upstream at it
  (demo/postgrest.conf with this cluster's port; it logs in as authenticator, a
  LOGIN NOINHERIT role that may become opendata_anon only, from 127.0.0.1 only).

  psql:  psql -h $DEMO_DIR -p $DEMO_PORT -U postgres $DEMO_DB
  stop:  make demo-stop   (stand-in, nginx and the cluster)
INFO
