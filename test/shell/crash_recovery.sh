#!/usr/bin/env bash
# Crashes in the middle of a write (issue #14).  Each write is held at a
# known point inside its transaction, its backend is killed with SIGKILL,
# and the postmaster restarts the cluster (restart_after_crash, on by
# default) and replays the WAL.  Then:
#   - the whole catalog is as it was before the write: every table of schema
#     opendata, every relation of opendata_api and opendata_data (kind, ACL,
#     column ACLs, comment, view definition, rows) and no opendata_rebuild_%
#     relation anywhere: no half-made table, catalog row or grant;
#   - the dataset has its old rows (count and hash);
#   - the same call, made again, succeeds and leaves the new state.
# The points: import_csv (replace of a published dataset and a new dataset)
# half-way through its COPY (a row trigger waits, at the middle row, for an
# advisory lock another session holds; pg_stat_progress_copy shows half the
# rows copied); a new dataset's import after its table is loaded and
# registered, a publish
# after its view and grants are made, a refresh of a crossing after the new
# relation was swapped in, all three waiting for a lock on opendata.history
# held by another session; a drop_dataset(drop_data) after the view, the
# grants and the catalog rows are gone, waiting to drop the table a reader
# still reads.
source "$(dirname "$0")/lib.sh"
ensure_packages

ROWS="${CRASH_ROWS:-100000}"   # rows of the large file
shell_test_cluster crash "${CRASH_TEST_PORT:-54381}"
DB=crash
psql_db() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres -d "$DB" "$@"; }
"$PG_BINDIR/psql" -X -q -h "$dir" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"

csv() {  # csv ROWS VERSION: the SQL of a file of ROWS rows whose v is VERSION, as bytea
  echo "(SELECT convert_to('id,v,label' || chr(10) ||
           string_agg(g || ',$2,row ' || g || ' of version $2', chr(10)) || chr(10), 'UTF8')
          FROM generate_series(1, $1) g)"
}
meta() { echo "{\"metadata\": {\"title\": \"$1\", \"description\": \"$1, to be crashed.\"}}"; }
points() {  # points VERSION: 50 points as CSV lon/lat columns (a geometry on import), placed by VERSION
  echo "(SELECT convert_to('id,v,lon,lat' || chr(10) ||
           string_agg(g || ',$1,' || (2.30 + g * 0.001) || ',' || (48.80 + ($1 * 7 * g % 50) * 0.001), chr(10)) || chr(10), 'UTF8')
          FROM generate_series(1, 50) g)"
}

psql_db >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('crash', 'Crash');
SELECT opendata.set_catalog('{"publisher": "crash"}');
SELECT opendata.import_csv('big', $(csv "$ROWS" 1), '$(meta Big)');
SELECT opendata.publish('big');
SELECT opendata.import_csv('draft', $(csv 100 1), '$(meta Draft)');
SELECT opendata.set_metadata('draft', '{"key": ["id"]}');
SELECT opendata.import_csv('gone', $(csv 100 1), '$(meta Gone)');
SELECT opendata.publish('gone');
SELECT opendata.import_csv('stops', $(points 1), '$(meta Stops)');
SELECT opendata.import_csv('places', $(points 2), '$(meta Places)');
SELECT opendata.publish(s) FROM unnest(ARRAY['stops', 'places']) s;
SELECT opendata.cross('stops-places', 'stops', 'places', 'nearest', '$(meta 'Stops and places')');
SELECT opendata.publish('stops-places');

-- What the checks compare, in a schema of the test's own.
CREATE SCHEMA crash_test;
-- One line per catalog table, per relation of the extension's schemas (and
-- any opendata_rebuild_% left anywhere): everything a write may touch.
CREATE FUNCTION crash_test.state() RETURNS SETOF text LANGUAGE plpgsql AS \$\$
DECLARE
  r record;
  rows text;
BEGIN
  FOR r IN SELECT c.oid::regclass AS rel, c.relkind, n.nspname, c.relacl, c.relname
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'v', 'm', 'p')
              AND (n.nspname IN ('opendata', 'opendata_api', 'opendata_data') OR c.relname LIKE 'opendata_rebuild_%')
            ORDER BY n.nspname, c.relname LOOP
    rows := '';
    IF r.relkind <> 'v' THEN
      EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(t::text, '','' ORDER BY t::text)), ''-'') FROM %s t', r.rel)
        INTO rows;
    END IF;
    RETURN NEXT format('%s.%s %s acl=%s cols=%s comment=%s view=%s rows=%s', r.nspname, r.relname, r.relkind, r.relacl,
                       (SELECT string_agg(a.attname || ':' || a.attacl::text, ',' ORDER BY a.attnum)
                          FROM pg_attribute a WHERE a.attrelid = r.rel AND a.attacl IS NOT NULL),
                       obj_description(r.rel, 'pg_class'),
                       CASE WHEN r.relkind IN ('v', 'm') THEN md5(pg_get_viewdef(r.rel)) END, rows);
  END LOOP;
END
\$\$;
-- Holds a COPY at its middle row: waits for an advisory lock the test's
-- blocker session holds.  Attached to a dataset's table before a replace
-- import; attached to the new table of an import by the event trigger.
CREATE FUNCTION crash_test.hold_middle_row() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  IF NEW.id = $ROWS / 2 THEN PERFORM pg_advisory_xact_lock(4242); END IF;
  RETURN NEW;
END
\$\$;
CREATE FUNCTION crash_test.hold_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
    EXECUTE format('CREATE TRIGGER hold_middle_row BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION crash_test.hold_middle_row()', t);
  END LOOP;
END
\$\$;
-- A dataset's rows, as its API view shows them to anyone.
CREATE FUNCTION crash_test.rows(slug text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
  answer text;
BEGIN
  EXECUTE format('SELECT count(*) || '' '' || md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) FROM opendata_api.%I t', slug)
    INTO answer;
  RETURN answer;
END
\$\$;
SQL
ok "crash_recovery: the catalog is set up ($ROWS rows in the big dataset)"

out="$dir/crash"
mkdir -p "$out"
restarts() { grep -c 'terminated by signal 9' "$dir/server.log" || true; }

# wait_for SQL: polls until SQL returns a non-empty answer (60 s at most).
wait_for() {
  local answer deadline=$(($(date +%s) + 60))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    answer=$(psql_db -c "$1" 2>/dev/null || true)
    if [ -n "$answer" ]; then printf '%s\n' "$answer"; return 0; fi
    sleep 0.1
  done
  return 1
}

# hold_lock NAME SQL: a session that runs SQL in a transaction and keeps it
# open; it dies with the crash (or is killed by the caller).
hold_lock() {
  PGAPPNAME="crash_blocker" psql_db -c "BEGIN" -c "$2" -c "SELECT pg_sleep(120)" \
    >/dev/null 2>"$out/$1.blocker.err" &
  blocker=$!
  wait_for "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_blocker' AND query LIKE '%pg_sleep%'" >/dev/null
}

# crash_during NAME WRITE WHEN: runs the statement WRITE in its own session,
# waits until WHEN (SQL about pg_stat_activity row `a` of the writer) holds,
# kills that backend with SIGKILL, and waits for the cluster to accept
# connections again.  Fails when the write finished before the kill, or the
# cluster did not restart.
crash_during() {
  local name="$1" write="$2" when="$3" before pid status=0
  before=$(restarts)
  PGAPPNAME="crash_writer" psql_db -c "$write" >"$out/$name.out" 2>"$out/$name.err" &
  local writer=$!
  pid=$(wait_for "SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = 'crash_writer' AND ($when)") || {
    not_ok "crash_recovery: $name: the write reached the point of the crash" "$(cat "$out/$name.err")"
    kill "$writer" 2>/dev/null || true
    return 1
  }
  as_cluster_owner kill -KILL "$pid"
  wait "$writer" || status=$?
  if [ -n "${blocker:-}" ]; then wait "$blocker" || true; blocker=; fi
  if [ "$status" -eq 0 ]; then
    not_ok "crash_recovery: $name: the write was killed before it committed" "$(cat "$out/$name.out")"
    return 1
  fi
  wait_for "SELECT 'up'" >/dev/null || { not_ok "crash_recovery: $name: the cluster accepts connections again"; return 1; }
  check "crash_recovery: $name: the backend was killed and the cluster restarted" $((before + 1)) "$(restarts)"
}

# The writer, waiting for opendata.history (another session holds it).
WAITS_FOR_HISTORY="a.wait_event_type = 'Lock' AND EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.relation = 'opendata.history'::regclass)"
# The writer, half-way through the COPY of its rows, held by hold_middle_row.
HALF_COPIED="a.wait_event = 'advisory' AND EXISTS (SELECT FROM pg_stat_progress_copy p WHERE p.pid = a.pid AND p.tuples_processed = $ROWS / 2 - 1)"

state() { psql_db -c "SELECT crash_test.state()"; }
check_state() {  # check_state NAME BEFORE
  local after
  after=$(state)
  if [ "$after" = "$2" ]; then ok "crash_recovery: $1: the catalog, relations and grants are as before"
  else not_ok "crash_recovery: $1: the catalog, relations and grants are as before" "$(diff <(echo "$2") <(echo "$after") | head -20)"; fi
}
version() { psql_db -c "SELECT version FROM opendata.datasets WHERE slug = '$1'"; }

# 1. import_csv, replace mode, of a published dataset, half-way through the COPY.
psql_db -c "CREATE TRIGGER hold_middle_row BEFORE INSERT ON opendata_data.big FOR EACH ROW EXECUTE FUNCTION crash_test.hold_middle_row()"
before=$(state)
old_rows=$(psql_db -c "SELECT crash_test.rows('big')")
old_version=$(version big)
hold_lock "import_csv replace" "SELECT pg_advisory_xact_lock(4242)"
crash_during "import_csv replace" \
  "SELECT opendata.import_csv('big', $(csv "$ROWS" 2), '{\"mode\": \"replace\"}')" "$HALF_COPIED"
check_state "import_csv replace" "$before"
check "crash_recovery: import_csv replace: the dataset has its old rows" "$old_rows" "$(psql_db -c "SELECT crash_test.rows('big')")"
psql_db -c "DROP TRIGGER hold_middle_row ON opendata_data.big"
psql_db -c "SELECT opendata.import_csv('big', $(csv "$ROWS" 2), '{\"mode\": \"replace\"}')" >/dev/null
check "crash_recovery: import_csv replace: the import made again succeeds" \
  "$ROWS 2 2 $((old_version + 1))" "$(psql_db -c "SELECT count(*) || ' ' || min(v) || ' ' || max(v) FROM opendata_api.big") $(version big)"

# 2. import_csv of a new dataset, half-way through the COPY.
psql_db -c "CREATE EVENT TRIGGER hold_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION crash_test.hold_new_tables()"
before=$(state)
hold_lock "import_csv new, loading" "SELECT pg_advisory_xact_lock(4242)"
crash_during "import_csv new, loading" \
  "SELECT opendata.import_csv('fresh', $(csv "$ROWS" 1), '$(meta Fresh)')" "$HALF_COPIED"
check_state "import_csv new, loading" "$before"
psql_db -c "DROP EVENT TRIGGER hold_new_tables"

# 3. import_csv of a new dataset, loaded and registered, before its history line.
hold_lock "import_csv new, registered" "LOCK TABLE opendata.history IN SHARE MODE"
crash_during "import_csv new, registered" \
  "SELECT opendata.import_csv('fresh', $(csv 1000 1), '$(meta Fresh)')" "$WAITS_FOR_HISTORY"
check_state "import_csv new, registered" "$before"
check "crash_recovery: import_csv new: no trace of the dataset" "0 " \
  "$(psql_db -c "SELECT count(*) FROM opendata.datasets WHERE slug = 'fresh'") $(psql_db -c "SELECT to_regclass('opendata_data.fresh')")"
psql_db -c "SELECT opendata.import_csv('fresh', $(csv 1000 1), '$(meta Fresh)')" >/dev/null
check "crash_recovery: import_csv new: the import made again succeeds" "1000 draft" \
  "$(psql_db -c "SELECT count(*) FROM opendata_data.fresh") $(psql_db -c "SELECT status FROM opendata.datasets WHERE slug = 'fresh'")"

# 4. publish of a draft, its view made and granted, before its history line.
before=$(state)
hold_lock publish "LOCK TABLE opendata.history IN SHARE MODE"
crash_during publish "SELECT opendata.publish('draft')" "$WAITS_FOR_HISTORY"
check_state publish "$before"
check "crash_recovery: publish: the dataset is still a draft without a view" "draft " \
  "$(psql_db -c "SELECT status FROM opendata.datasets WHERE slug = 'draft'") $(psql_db -c "SELECT to_regclass('opendata_api.draft')")"
psql_db -c "SELECT opendata.publish('draft')" >/dev/null
check "crash_recovery: publish: publishing again succeeds, anonymous readers read it" "100 published" \
  "$(psql_db -c "SET ROLE opendata_anon" -c "SELECT count(*) FROM opendata_api.draft") $(psql_db -c "SELECT status FROM opendata.datasets WHERE slug = 'draft'")"

# 5. refresh of a crossing whose source changed, after the rebuilt relation
# replaced the old one, before its history line.
psql_db -c "UPDATE opendata_data.places SET geom = ST_Translate(geom, 0.0003 * (id % 7), 0)" \
        -c "SELECT opendata.publish('places')" >/dev/null
before=$(state)
old_rows=$(psql_db -c "SELECT crash_test.rows('stops-places')")
hold_lock refresh "LOCK TABLE opendata.history IN SHARE MODE"
crash_during refresh "SELECT opendata.refresh('stops-places')" "$WAITS_FOR_HISTORY"
check_state refresh "$before"
check "crash_recovery: refresh: the crossing has its old rows and is still stale" "$old_rows t" \
  "$(psql_db -c "SELECT crash_test.rows('stops-places')") $(psql_db -c "SELECT stale FROM opendata.derived_datasets dd JOIN opendata.datasets d ON d.id = dd.dataset_id WHERE d.slug = 'stops-places'")"
psql_db -c "SELECT opendata.refresh('stops-places')" >/dev/null
new_rows=$(psql_db -c "SELECT crash_test.rows('stops-places')")
check "crash_recovery: refresh: refreshing again succeeds, no rebuild relation left" "f 0" \
  "$(psql_db -c "SELECT stale FROM opendata.derived_datasets dd JOIN opendata.datasets d ON d.id = dd.dataset_id WHERE d.slug = 'stops-places'") $(psql_db -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'opendata_rebuild_%'")"
if [ "$new_rows" != "$old_rows" ]; then ok "crash_recovery: refresh: the crossing has new rows"
else not_ok "crash_recovery: refresh: the crossing has new rows" "still $old_rows"; fi

# 6. drop_dataset(drop_data) of a published dataset: view, grants and
# catalog rows gone, waiting to drop the table a reader holds.
before=$(state)
hold_lock drop_dataset "SELECT count(*) FROM opendata_data.gone"
crash_during drop_dataset "SELECT opendata.drop_dataset('gone', drop_data => true)" \
  "a.wait_event_type = 'Lock' AND EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.mode = 'AccessExclusiveLock' AND l.relation = 'opendata_data.gone'::regclass)"
check_state drop_dataset "$before"
check "crash_recovery: drop_dataset: the dataset is still published with its rows" "100 published" \
  "$(psql_db -c "SET ROLE opendata_anon" -c "SELECT count(*) FROM opendata_api.gone") $(psql_db -c "SELECT status FROM opendata.datasets WHERE slug = 'gone'")"
psql_db -c "SELECT opendata.drop_dataset('gone', drop_data => true)" >/dev/null
check "crash_recovery: drop_dataset: dropping again succeeds and leaves nothing" "0   0" \
  "$(psql_db -c "SELECT count(*) FROM opendata.datasets WHERE slug = 'gone'") $(psql_db -c "SELECT to_regclass('opendata_data.gone')") $(psql_db -c "SELECT to_regclass('opendata_api.gone')") $(psql_db -c "SELECT count(*) FROM opendata.history h WHERE NOT EXISTS (SELECT FROM opendata.datasets d WHERE d.id = h.dataset_id)")"
[ "$FAILED" -eq 0 ]
