#!/usr/bin/env bash
# Issue #23's soak: one writer replaces a published dataset again and again
# for SOAK_SECONDS (20 by default) while four readers read it, two through
# the API view and two through records().  Every version has ROWS rows whose
# column v is the version's number, so a complete version has ROWS rows and
# a single v.  Passes when no reader got an error and every read saw one
# complete version, and the writer replaced it more than once.
source "$(dirname "$0")/lib.sh"
ensure_packages

SOAK_SECONDS="${SOAK_SECONDS:-20}"
ROWS=2000
shell_test_cluster soak "${SOAK_TEST_PORT:-54351}"
DB=soak
psql_db() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres -d "$DB" "$@"; }
"$PG_BINDIR/psql" -X -q -h "$dir" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"

version_csv() {  # the SQL of version $1's file, as bytea
  echo "(SELECT convert_to('id,v' || chr(10) || string_agg(g || ',$1', chr(10)) || chr(10), 'UTF8')
          FROM generate_series(1, $ROWS) g)"
}
psql_db >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('soak', 'Soak');
SELECT opendata.set_catalog('{"publisher": "soak"}');
SELECT opendata.import_csv('soak', $(version_csv 1),
         '{"metadata": {"title": "Soak", "description": "Replaced again and again."}}');
SELECT opendata.set_metadata('soak', '{"key": ["id"]}');
SELECT opendata.publish('soak');
SQL

out="$dir/soak"
mkdir -p "$out"
deadline=$(( $(date +%s) + SOAK_SECONDS ))

writer() {
  local v=2
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if psql_db -c "SELECT opendata.import_csv('soak', $(version_csv $v), '{\"mode\": \"replace\"}') IS NOT NULL" \
         >/dev/null 2>>"$out/writer.err"; then
      echo "$v" >>"$out/writer.ok"
    fi
    v=$((v + 1))
  done
}

# Each read prints "rows min max"; the reader runs as opendata_anon, as
# PostgREST would.
read_view="SET ROLE opendata_anon; SELECT count(*) || ' ' || min(v) || ' ' || max(v) FROM opendata_api.soak;"
read_records="SET ROLE opendata_anon;
  SELECT (r->>'total_count') || ' ' || min((x->>'v')::int) || ' ' || max((x->>'v')::int)
    FROM opendata_api.records('soak', rows => 100) r, json_array_elements(r->'results') x GROUP BY r->>'total_count';"
reader() {  # reader NAME SQL
  while [ "$(date +%s)" -lt "$deadline" ]; do
    psql_db -c "$2" >>"$out/$1.reads" 2>>"$out/$1.err" || echo "error" >>"$out/$1.reads"
  done
}

writer &
pids=($!)
reader view1 "$read_view" & pids+=($!)
reader view2 "$read_view" & pids+=($!)
reader records1 "$read_records" & pids+=($!)
reader records2 "$read_records" & pids+=($!)
wait "${pids[@]}"

replaced=$(wc -l <"$out/writer.ok" 2>/dev/null || echo 0)
if [ "$replaced" -gt 1 ]; then ok "replace_soak: the writer replaced the dataset $replaced times"
else not_ok "replace_soak: the writer replaced the dataset more than once" "$(cat "$out/writer.err" 2>/dev/null)"; fi

for r in view1 view2 records1 records2; do
  reads=$(grep -c . "$out/$r.reads" || true)
  errors=$(cat "$out/$r.err" 2>/dev/null | grep -c . || true)
  if [ "$errors" -eq 0 ] && ! grep -q '^error$' "$out/$r.reads"; then
    ok "replace_soak: reader $r got no error in $reads reads"
  else
    not_ok "replace_soak: reader $r got no error" "$(head -5 "$out/$r.err")"
  fi
  # A view read counts the rows; a records() read gives total_count and the
  # v of its page: either way ROWS and a single v.
  torn=$(awk -v n="$ROWS" '$1 != n || $2 != $3' "$out/$r.reads" | grep -vc '^error$' || true)
  check "replace_soak: reader $r saw only complete versions" 0 "$torn"
done
versions=$(cat "$out"/*.reads | awk '{print $2}' | sort -un | wc -l)
if [ "$versions" -gt 1 ]; then ok "replace_soak: readers saw $versions versions"
else not_ok "replace_soak: readers saw more than one version" "saw $versions"; fi
[ "$FAILED" -eq 0 ]
