#!/usr/bin/env bash
# The apps contract (issue #24), as an app developer meets it: the official
# PostgREST JavaScript client (npm @supabase/postgrest-js) and fetch against
# the PostgREST stand-in (test/postgrest/server.py) on 127.0.0.1.
# test/apps/contract.mjs checks that records, the view, the exports, near
# and cross give the same rows in the same order with the same encodings,
# that links.next walks every row exactly once for datasets with and
# without a key (records, search, near, cross), and that a token reused
# with another filter is refused;
# test/apps/doc_examples.mjs runs every example of docs/apps.md.
#
# KEEP_TMP=1 keeps the cluster directory (logs of PostgreSQL and the stand-in).
source "$(dirname "$0")/lib.sh"
ensure_packages python3-psycopg2
ensure_command node nodejs
ensure_command npm npm

shell_test_cluster apps "${APPS_TEST_PORT:-54381}"

STAND_IN_PID=""
apps_cleanup() {
  if [ -n "$STAND_IN_PID" ]; then kill "$STAND_IN_PID" 2>/dev/null || true; wait "$STAND_IN_PID" 2>/dev/null || true; fi
  shell_test_cleanup
}
trap apps_cleanup EXIT

# npm dependencies (versions pinned by test/apps/package-lock.json).
if (cd "$REPO_DIR/test/apps" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  ok "npm ci (@supabase/postgrest-js)"
else
  not_ok "npm ci (@supabase/postgrest-js)"; exit 1
fi

DB=apps
psql_su -d postgres -c "CREATE DATABASE $DB"
# As docs/postgrest.md sets it: the views' datetimes in UTC, as records()
# writes them by default.
psql_su -d postgres -c "ALTER DATABASE $DB SET timezone = 'UTC'"
psql_su -d "$DB" >/dev/null -f "$REPO_DIR/test/apps/fixture.sql"

if ! start_stand_in "$dir" "host=$dir port=$PORT dbname=$DB"; then
  not_ok "stand-in server starts" "$(cat "$dir/server.err")"; exit 1
fi
ok "stand-in server starts"
# links.next and the download links are made from the API's public root.
psql_su -d "$DB" >/dev/null -c "SELECT opendata.set_catalog('{\"base_url\": \"http://$STAND_IN\"}')"

node "$REPO_DIR/test/apps/contract.mjs" "http://$STAND_IN" || FAILED=$((FAILED + 1))
node "$REPO_DIR/test/apps/doc_examples.mjs" "http://$STAND_IN" "$REPO_DIR/docs/apps.md" || FAILED=$((FAILED + 1))
exit $((FAILED > 0))
