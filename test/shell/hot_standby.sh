#!/usr/bin/env bash
# Read scaling on a hot standby (issue #14): a primary and a streaming
# standby on Unix sockets (pg_basebackup -R), the real sample data imported,
# published and crossed on the primary, then every read API answered on the
# standby exactly as on the primary, as opendata_anon (what PostgREST's
# replicas run as): catalog views, records (filters, facets, geo_cluster,
# keyset pages), search, every export, DCAT in every format, ad hoc
# crossings.  A write on the standby fails cleanly with 25006.  Pages and
# tiles are checked too when the installed extension has them.
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster standby "${STANDBY_TEST_PORT:-54361}"
primary="$dir"
standby="$dir/standby"
STANDBY_PORT=$((PORT + 1))
DB=portal
DATA="$(cd "$(dirname "$0")/../../data" && pwd)"
on() {  # on primary|standby psql-args...
  local host="$primary" port="$PORT"
  if [ "$1" = standby ]; then host="$standby"; port="$STANDBY_PORT"; fi
  shift
  "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -d "$DB" "$@"
}
cleanup_standby() {
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$standby/data" -m fast -w stop >/dev/null 2>&1 || true
  shell_test_cleanup
}
trap cleanup_standby EXIT

"$PG_BINDIR/psql" -X -q -h "$primary" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
# The files are read by the server: copies the cluster owner can read.
cp "$DATA"/paris_arbres_remarquables.csv "$DATA"/idfm_emplacement_des_gares_idf.csv \
   "$DATA"/communes_91_essonne.geojson "$primary/"
chmod 644 "$primary"/*.csv "$primary"/*.geojson
on primary >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('idf', 'Île-de-France');
SELECT opendata.set_catalog('{"publisher": "idf"}');
SELECT opendata.import_csv_file('arbres', '$primary/paris_arbres_remarquables.csv',
         '{"metadata": {"title": "Arbres remarquables", "description": "Les arbres remarquables de Paris."}}');
SELECT opendata.import_csv_file('gares', '$primary/idfm_emplacement_des_gares_idf.csv',
         '{"metadata": {"title": "Gares", "description": "Les gares d''Île-de-France."}}');
SELECT opendata.import_geojson_file('communes', '$primary/communes_91_essonne.geojson',
         '{"metadata": {"title": "Communes", "description": "Les communes de l''Essonne."}}');
SELECT opendata.publish(s) FROM unnest(ARRAY['arbres', 'gares', 'communes']) s;
SELECT opendata.cross('gares-communes', 'gares', 'communes', 'enrich',
         '{"metadata": {"description": "Les gares et leur commune."}}');
SELECT opendata.publish('gares-communes');
SQL
ok "hot_standby: the primary has the published and crossed datasets"

mkdir -p "$standby"
chown postgres: "$standby" 2>/dev/null || true
as_cluster_owner "$PG_BINDIR/pg_basebackup" -h "$primary" -p "$PORT" -U postgres -D "$standby/data" -R -X stream
as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$standby/data" -l "$standby/server.log" -w \
  -o "-p $STANDBY_PORT -k $standby -c listen_addresses='' -c hot_standby=on" start >/dev/null
check "hot_standby: the standby is in recovery" t "$(on standby -c 'SELECT pg_is_in_recovery()')"

# Waits (up to 20 s) until the standby has replayed the primary's WAL so far.
wait_for_replay() {
  local lsn
  lsn=$(on primary -c "SELECT pg_current_wal_lsn()")
  for _ in $(seq 1 100); do
    [ "$(on standby -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
    sleep 0.2
  done
}

# A change made after the base backup reaches the standby by replay.
on primary -c "SELECT opendata.set_metadata('arbres', '{\"keywords\": [\"replayed\"]}') IS NOT NULL" >/dev/null
wait_for_replay
check "hot_standby: a change on the primary is replayed on the standby" \
  '["replayed"]' "$(on standby -c "SELECT keywords FROM opendata_api.datasets WHERE dataset_id = 'arbres'")"

# Every read API, as anon; the answer is compared byte for byte.
while IFS='|' read -r name query; do
  [ -z "$name" ] && continue
  a=$(on primary -c "SET ROLE opendata_anon" -c "$query" 2>&1 | md5sum)
  b=$(on standby -c "SET ROLE opendata_anon" -c "$query" 2>&1 | md5sum)
  err=$(on standby -c "SET ROLE opendata_anon" -c "$query" 2>&1 >/dev/null | head -1)
  if [ -n "$err" ]; then not_ok "hot_standby: $name answers on the standby" "$err"
  elif [ "$a" = "$b" ]; then ok "hot_standby: $name answers on the standby as on the primary"
  else not_ok "hot_standby: $name answers on the standby as on the primary"; fi
done <<'QUERIES'
catalog views|SELECT (SELECT json_agg(d ORDER BY dataset_id) FROM opendata_api.datasets d), (SELECT json_agg(t ORDER BY theme_id) FROM opendata_api.themes t), (SELECT json_agg(o ORDER BY organization_id) FROM opendata_api.organizations o)
a dataset's view|SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM opendata_api.arbres t
records with a filter|SELECT opendata_api.records('arbres', "where" => 'hauteur_en_m > 20', order_by => 'hauteur_en_m DESC', rows => 5)
records by keyset|SELECT opendata_api.records('gares', fields => 'nom_gare', order_by => 'nom_gare', rows => 3, after => (opendata_api.records('gares', fields => 'nom_gare', order_by => 'nom_gare', rows => 3)->>'next_after'))
records grouped by geo_cluster|SELECT opendata_api.records('gares', fields => 'c, count(*) as gares', group_by => 'geo_cluster(geo_point, 9) as c', order_by => 'gares desc', rows => 5)
facets|SELECT opendata_api.facets('gares')
search|SELECT opendata_api.search('gares')
export_csv|SELECT opendata_api.export_csv('arbres')
export_json|SELECT opendata_api.export_json('arbres')
export_jsonl|SELECT opendata_api.export_jsonl('gares')
export_geojson|SELECT opendata_api.export_geojson('communes')
download|SELECT opendata_api.download('arbres', 'csv')
DCAT JSON-LD|SELECT opendata_api.catalog_jsonld()
DCAT Turtle|SELECT opendata_api.catalog_turtle()
DCAT RDF/XML|SELECT opendata_api.catalog_rdfxml()
schema.org|SELECT opendata_api.dataset_schema_org('arbres')
near|SELECT opendata_api.near('gares', 2.35, 48.85, rows => 3)
cross ad hoc|SELECT opendata_api.cross('arbres', 'gares', 'nearest', rows => 5)
a crossing's view|SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM opendata_api."gares-communes" t
QUERIES

# Pages and tiles, where this build has them.
for fn in "portal|SELECT opendata_api.portal()" \
          "dataset_page|SELECT opendata_api.dataset_page('arbres')" \
          "tile|SELECT md5(opendata_api.tile('gares', 10, 518, 352)::bytea)"; do
  name="${fn%%|*}"; query="${fn#*|}"
  [ "$(on primary -c "SELECT to_regproc('opendata_api.$name') IS NOT NULL")" = t ] || continue
  a=$(on primary -c "SET ROLE opendata_anon" -c "$query" 2>&1 | md5sum)
  b=$(on standby -c "SET ROLE opendata_anon" -c "$query" 2>&1 | md5sum)
  check "hot_standby: $name answers on the standby as on the primary" "$a" "$b"
done

# A standby session keeps a dataset's fields between calls; a change on the
# primary reaches it with the replayed commit's invalidations
# (src/pg/catalog_changes.hpp): the same session's next call sees it.
coproc STANDBY_SESSION { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$standby" -p "$STANDBY_PORT" -U postgres -d "$DB" 2>&1; }
standby_session() {  # standby_session SQL: its one line of output, from the session kept open
  local line=""
  echo "$1" >&"${STANDBY_SESSION[1]}"
  read -r -t 30 line <&"${STANDBY_SESSION[0]}" || true
  printf '%s' "$line"
}
facets_query="SET ROLE opendata_anon; SELECT string_agg(f->>'name', ',' ORDER BY f->>'name' COLLATE \"C\") FROM json_array_elements(opendata_api.facets('gares')->'facets') f; RESET ROLE;"
before=$(standby_session "$facets_query")
field=$(on primary -c "SELECT f.name FROM opendata.fields f JOIN opendata.datasets d ON d.id = f.dataset_id
                        WHERE d.slug = 'gares' AND NOT f.facet AND f.type = 'text' ORDER BY f.position LIMIT 1")
on primary -c "SELECT opendata.describe_field('gares', '$field', '{\"facet\": true}') IS NOT NULL" >/dev/null
wait_for_replay
after=$(standby_session "$facets_query")
expected=$(printf '%s\n' $(echo "$before" | tr ',' ' ') "$field" | grep -v '^$' | LC_ALL=C sort | paste -sd, -)
check "hot_standby: a session on the standby sees a field made a facet on the primary at its next call" \
  "$expected" "$after"
eval "exec ${STANDBY_SESSION[1]}>&-"
wait "$STANDBY_SESSION_PID" 2>/dev/null || true

# Writes fail cleanly: 25006, the catalog untouched.
state=$(on standby -c "SELECT 1" -c "DO \$\$ BEGIN PERFORM opendata.publish('arbres'); EXCEPTION WHEN OTHERS THEN RAISE WARNING 'state %', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*state \([0-9A-Z]*\).*/\1/p')
check "hot_standby: publishing on the standby fails with 25006" 25006 "$state"
state=$(on standby -c "DO \$\$ BEGIN PERFORM opendata.import_csv('x', convert_to('a' || chr(10) || '1', 'UTF8')); EXCEPTION WHEN OTHERS THEN RAISE WARNING 'state %', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*state \([0-9A-Z]*\).*/\1/p')
check "hot_standby: importing on the standby fails with 25006" 25006 "$state"
[ "$FAILED" -eq 0 ]
