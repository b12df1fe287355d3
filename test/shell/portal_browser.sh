#!/usr/bin/env bash
# The portal's pages as people get them: a throwaway cluster with the test
# fixture (test/browser/fixture.sql), the PostgREST stand-in
# (test/postgrest/server.py) on 127.0.0.1, Debian's nginx in front with the
# shipped configuration (deploy/nginx), and Debian's chromium driven by npm
# playwright-core (test/browser/portal.mjs): every page type through nginx's
# pretty URLs, HTML5 parse errors (parse5), axe-core, hostile metadata,
# 404s, the dataset pages' MapLibre map (deploy/web, served by nginx from the
# same origin, on the tiles), and a walk home -> search -> dataset -> next
# page -> refine -> download without JavaScript.
#
# PORTAL_SCREENSHOTS=DIR also writes the screenshots of docs/portal.md.
# KEEP_TMP=1 keeps the cluster directory (logs of PostgreSQL, the stand-in
# and nginx).
source "$(dirname "$0")/lib.sh"
ensure_packages python3-psycopg2 nginx chromium fonts-dejavu-core
ensure_command node nodejs
ensure_command npm npm

shell_test_cluster portal "${PORTAL_TEST_PORT:-54371}"

STAND_IN_PID=""
portal_cleanup() {
  if [ -n "$STAND_IN_PID" ]; then kill "$STAND_IN_PID" 2>/dev/null || true; wait "$STAND_IN_PID" 2>/dev/null || true; fi
  stop_nginx "$dir/nginx"
  shell_test_cleanup
}
trap portal_cleanup EXIT

DB=portal

# npm dependencies (versions pinned by test/browser/package-lock.json).
if (cd "$REPO_DIR/test/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  ok "npm ci (playwright-core, axe-core, parse5)"
else
  not_ok "npm ci (playwright-core, axe-core, parse5)"; exit 1
fi

# The browser assets nginx serves at /assets/map/ (MapLibre GL JS, pinned
# by deploy/web/package-lock.json), installed as a deployment installs them.
if bash "$REPO_DIR/deploy/web/install.sh" "$dir/nginx/web" 2>"$dir/web-install.err"; then
  ok "deploy/web/install.sh (maplibre-gl)"
else
  not_ok "deploy/web/install.sh (maplibre-gl)" "$(cat "$dir/web-install.err")"; exit 1
fi

# The API's public root is nginx's /api/, set before publishing: the
# download links of the distributions are made from it.
NGINX_PORT="$(free_port)"
psql_su -d postgres -c "CREATE DATABASE $DB"
psql_su -d "$DB" >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
SELECT opendata.set_catalog('{"base_url": "http://127.0.0.1:$NGINX_PORT/api"}');
\i $REPO_DIR/test/browser/fixture.sql
SQL

# The stand-in, on a free port; nginx in front of it with the shipped
# configuration.
if ! start_stand_in "$dir" "host=$dir port=$PORT dbname=$DB"; then
  not_ok "stand-in server starts" "$(cat "$dir/server.err")"; exit 1
fi
ok "stand-in server starts"
if start_nginx "$dir/nginx" "$STAND_IN" "127.0.0.1:$NGINX_PORT"; then
  ok "nginx accepts deploy/nginx/opendata.conf"
else
  not_ok "nginx accepts deploy/nginx/opendata.conf" "$(cat "$dir/nginx/start.err")"; exit 1
fi

# Pretty URLs reach the functions, the API is under /api/.
status_of() { curl -s -o /dev/null -w '%{http_code} %{content_type}' "$@"; }
check "nginx: / is the home page" "200 text/html; charset=utf-8" "$(status_of "http://127.0.0.1:$NGINX_PORT/")"
check "nginx: /datasets/<slug> with Accept: */*" "200 text/html; charset=utf-8" \
  "$(status_of -H 'Accept: */*' "http://127.0.0.1:$NGINX_PORT/datasets/arbres?lang=en")"
check "nginx: a slug that is not one" "404 text/html" "$(status_of "http://127.0.0.1:$NGINX_PORT/datasets/a%3Cb")"
check "nginx: /api/ is PostgREST" "200 application/json; charset=utf-8" \
  "$(status_of "http://127.0.0.1:$NGINX_PORT/api/datasets?select=dataset_id&limit=1")"
check "nginx: MapLibre from /assets/map/" "200 text/javascript" \
  "$(status_of "http://127.0.0.1:$NGINX_PORT/assets/map/maplibre-gl.mjs")"
check "nginx: the dataset map module from /assets/map/" "200 text/javascript" \
  "$(status_of "http://127.0.0.1:$NGINX_PORT/assets/map/dataset-map.mjs")"
check "nginx: MapLibre's stylesheet" "200 text/css" \
  "$(status_of "http://127.0.0.1:$NGINX_PORT/assets/map/maplibre-gl.css")"

shots=""
if [ -n "${PORTAL_SCREENSHOTS:-}" ]; then mkdir -p "$PORTAL_SCREENSHOTS"; shots="$(cd "$PORTAL_SCREENSHOTS" && pwd)"; fi
node "$REPO_DIR/test/browser/portal.mjs" "http://127.0.0.1:$NGINX_PORT" $shots || FAILED=$((FAILED + 1))
exit $((FAILED > 0))
