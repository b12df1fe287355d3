#!/usr/bin/env bash
# Usage counters with shared_preload_libraries = 'opendata' (issue #18):
#   - 16 + 16 pgbench clients calling records() and export_csv() in READ
#     ONLY transactions as opendata_anon: the counters equal the calls made,
#     exactly, and the distinct clients (one address each) are estimated;
#   - a flush writes them to opendata.usage_daily, dataset_stats() shows them;
#   - a clean restart flushes what was left; a SIGKILL of a backend (crash
#     restart) and of the postmaster lose only what was not flushed, and the
#     module's shared memory starts again empty and counting;
#   - on a hot standby, reads are counted in its memory, nothing is written.
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster usage "${USAGE_TEST_PORT:-54391}"
DB=portal
standby="$dir/standby"
STANDBY_PORT=$((PORT + 1))
on() {  # on primary|standby psql-args...
  local host="$dir" port="$PORT"
  if [ "$1" = standby ]; then host="$standby"; port="$STANDBY_PORT"; fi
  shift
  "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -d "$DB" "$@"
}
cleanup_usage() {
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$standby/data" -m fast -w stop >/dev/null 2>&1 || true
  shell_test_cleanup
}
trap cleanup_usage EXIT
pg_ctl_primary() { as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@" >/dev/null; }
start_primary() { pg_ctl_primary -o "-p $PORT -k $dir -c listen_addresses=''" start; }
calls() {  # calls primary|standby ENDPOINT: the live calls of dataset things
  on "$1" -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_counters() WHERE dataset = 'things' AND endpoint = '$2'"
}
stored() {  # stored ENDPOINT: the calls in usage_daily
  on primary -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_daily WHERE dataset = 'things' AND endpoint = '$1'"
}
anon_records() {  # anon_records primary|standby N: N records() calls, as a GET runs them
  local i sql=""
  for i in $(seq 1 "$2"); do
    sql+="BEGIN READ ONLY; SET LOCAL ROLE opendata_anon; SELECT opendata_api.records('things') IS NOT NULL; COMMIT;"
  done
  on "$1" -c "$sql" >/dev/null
}

"$PG_BINDIR/psql" -X -q -h "$dir" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
cat >>"$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'opendata'
opendata.usage_database = '$DB'
opendata.usage_flush_interval = '1h'
opendata.usage_max_keys = 100
CONF
pg_ctl_primary -m fast stop
start_primary
on primary >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('org', 'Org');
SELECT opendata.set_catalog('{"publisher": "org"}');
SELECT opendata.import_csv('things', convert_to('id,label' || chr(10) ||
         (SELECT string_agg(g || ',thing ' || g, chr(10)) FROM generate_series(1, 50) g) || chr(10), 'UTF8'),
         '{"metadata": {"title": "Things", "description": "Things to count."}}');
SELECT opendata.publish('things');
CREATE TABLE spots (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO spots VALUES (1, ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326));
SELECT opendata.register('spots', 'spots', '{"title": "Spots", "description": "A point.", "publisher": "org"}');
SELECT opendata.publish('spots');
SQL
check "usage: status is on with the library preloaded" on "$(on primary -c "SELECT opendata.usage_status() ->> 'status'")"
for _ in $(seq 1 100); do
  [ "$(on primary -c "SELECT opendata.usage_status() ->> 'flush_worker'")" = true ] && break
  sleep 0.1
done
check "usage: the flush worker runs on the primary" true "$(on primary -c "SELECT opendata.usage_status() ->> 'flush_worker'")"

# pgbench: each client is one address (X-Forwarded-For, as nginx sets it).
cat >"$dir/records.sql" <<'SQL'
BEGIN READ ONLY;
SET LOCAL ROLE opendata_anon;
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.' || :client_id || '"}', true);
SELECT opendata_api.records('things', rows => 5);
COMMIT;
SQL
cat >"$dir/export.sql" <<'SQL'
BEGIN READ ONLY;
SET LOCAL ROLE opendata_anon;
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.' || :client_id || '"}', true);
SELECT opendata_api.export_csv('things');
COMMIT;
SQL
chmod 644 "$dir"/*.sql
bench() { "$PG_BINDIR/pgbench" -n -h "$dir" -p "$PORT" -U postgres -c 16 -j 2 -t "$2" -f "$1" "$DB"; }
bench "$dir/records.sql" 100 >"$dir/bench_records.out" 2>&1 &
p1=$!
bench "$dir/export.sql" 50 >"$dir/bench_export.out" 2>&1 &
p2=$!
wait $p1 && wait $p2 || not_ok "usage: pgbench ran" "$(tail -3 "$dir"/bench_*.out)"
done_records=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/bench_records.out")
done_export=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/bench_export.out")
check "usage: pgbench made 1600 records() calls" 1600 "$done_records"
check "usage: pgbench made 800 export_csv() calls" 800 "$done_export"
check "usage: records() calls counted exactly under 32 clients" 1600 "$(calls primary records)"
check "usage: export_csv() calls counted exactly under 32 clients" 800 "$(calls primary export_csv)"
check "usage: rows served by records() (5 a call)" 8000 \
  "$(on primary -c "SELECT rows FROM opendata.usage_counters() WHERE dataset = 'things' AND endpoint = 'records'")"
check "usage: bytes served by export_csv() (every byte of each answer, this one's too)" \
  "$(on primary -c "SELECT 801 * octet_length(opendata_api.export_csv('things'))")" \
  "$(on primary -c "SELECT bytes FROM opendata.usage_counters() WHERE dataset = 'things' AND endpoint = 'export_csv'")"
check "usage: 16 distinct clients estimated" 16 \
  "$(on primary -c "SELECT round(clients) FROM opendata.usage_counters() WHERE dataset = 'things' AND endpoint = 'records'")"

check "usage: usage_flush() waits for the worker" t "$(on primary -c "SELECT opendata.usage_flush()")"
check "usage: the flush wrote the records() calls" 1600 "$(stored records)"
check "usage: the flush wrote the export_csv() calls" 801 "$(stored export_csv)"
check "usage: the flush wrote the client sketch" 16 \
  "$(on primary -c "SELECT opendata._hll_estimate(clients) FROM opendata.usage_daily WHERE dataset = 'things' AND endpoint = 'records'")"
# 2,401 calls: 1,600 records() and 801 export_csv(); the facets() call
# publish() makes to count the unfiltered facets once is the extension's,
# not a client's, and is not counted.
check "usage: publish()'s own facets() call is not counted" 0 "$(calls primary facets)"
check "usage: dataset_stats() counts each call once (table + unflushed)" '2401|{"csv": 801}' \
  "$(on primary -c "SELECT d -> 'calls', d -> 'downloads' FROM json_array_elements(opendata_api.dataset_stats('things') -> 'days') d")"
anon_records primary 5
check "usage: dataset_stats() includes calls not flushed yet" 2406 \
  "$(on primary -c "SELECT d -> 'calls' FROM json_array_elements(opendata_api.dataset_stats('things') -> 'days') d")"

anon() {  # anon SQL: one GET's transaction running SQL as opendata_anon
  on primary -c "BEGIN READ ONLY" -c "SET LOCAL ROLE opendata_anon" -c "$1" -c "COMMIT"
}
portal() {  # portal ENDPOINT: the live calls of the portal's own ('') counter
  on primary -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_counters() WHERE dataset = '' AND endpoint = '$1'"
}
errors() {  # errors DATASET ENDPOINT: the live errors of a counter
  on primary -c "SELECT coalesce(sum(errors), 0) FROM opendata.usage_counters() WHERE dataset = '$1' AND endpoint = '$2'"
}
records_before=$(calls primary records)
anon "SELECT opendata_api.dataset_page('things') IS NOT NULL" >/dev/null
check "usage: a dataset page (plpgsql) is counted" 1 "$(calls primary pages)"
check "usage: the dataset page's records() preview is part of it, not a client's call" \
  "$records_before" "$(calls primary records)"
anon "SELECT opendata_api.search('things') IS NOT NULL" >/dev/null
check "usage: a catalog search is counted, on the portal (dataset '')" 1 "$(portal search)"
anon "SELECT opendata_api.search_page(q => 'things') IS NOT NULL" >/dev/null
check "usage: the search page counts as a page of the portal" 1 "$(portal pages)"
check "usage: the search page's search() is part of it" 1 "$(portal search)"
anon "SELECT opendata_api.portal() IS NOT NULL" >/dev/null
check "usage: the home page is counted" 2 "$(portal pages)"
anon "SELECT opendata_api.catalog_dcat('turtle') IS NOT NULL" >/dev/null
anon "SELECT opendata_api.catalog_jsonld() IS NOT NULL" >/dev/null
check "usage: the DCAT catalog is counted (every format)" 2 "$(portal dcat)"
anon "SELECT opendata_api.ogc_landing() IS NOT NULL" >/dev/null
anon "SELECT opendata_api.ogc_collections() IS NOT NULL" >/dev/null
check "usage: the OGC API endpoints are counted" 2 "$(portal ogc)"

# Tiles: a tile, its 304 (the client asked, the answer is that its copy is
# good) and an empty tile's 204 are calls of the dataset, as its TileJSON.
spot_calls() {
  on primary -c "SELECT coalesce(sum(calls), 0) FROM opendata.usage_counters() WHERE dataset = 'spots' AND endpoint = 'tiles'"
}
anon "SELECT length(opendata_api.tile('spots', 0, 0, 0)) > 0" >/dev/null
check "usage: a tile is counted on its dataset" 1 "$(spot_calls)"
etag=$(on primary -c "SELECT etag FROM opendata._dataset_cache_headers('spots')")
check "usage: a tile asked with its ETag is a 304" 304 "$(anon "SELECT set_config('request.headers', json_build_object('if-none-match', '$etag')::text, true) IS NOT NULL, opendata_api.tile('spots', 0, 0, 0) IS NOT NULL, current_setting('response.status')" | tail -1 | cut -d'|' -f3)"
check "usage: a 304 is counted as a tiles call of the dataset" 2 "$(spot_calls)"
check "usage: an empty tile is a 204" 204 "$(anon "SELECT opendata_api.tile('spots', 1, 0, 1) IS NOT NULL, current_setting('response.status')" | tail -1 | cut -d'|' -f2)"
check "usage: a 204 is counted as a tiles call of the dataset" 3 "$(spot_calls)"
anon "SELECT opendata_api.tilejson('spots') IS NOT NULL" >/dev/null
check "usage: a TileJSON is counted as a tiles call of its dataset" 4 "$(spot_calls)"
check "usage: no tiles call is counted on the portal" 0 "$(portal tiles)"

# Errors: a call that fails is an error of its endpoint, on its dataset
# once the function has found it published, else on the portal ('').
anon "SELECT opendata_api.records('things', \"where\" => 'no_such_field = 1')" >/dev/null 2>&1 || true
check "usage: a failed call is counted as an error of its dataset" 1 "$(errors things records)"
check "usage: a failed call is not counted as a call" "$records_before" "$(calls primary records)"
anon "SELECT opendata_api.records('made-up-name')" >/dev/null 2>&1 || true
check "usage: a call on no dataset is an error of the portal" 1 "$(errors '' records)"
check "usage: a made-up name takes no counter" 0 \
  "$(on primary -c "SELECT count(*) FROM opendata.usage_counters() WHERE dataset = 'made-up-name'")"
# An error caught inside the transaction: counted, and the next call of
# that transaction is a client's call again.
anon "DO \$\$ BEGIN PERFORM opendata_api.facets('things', \"where\" => 'no_such_field = 1');
        EXCEPTION WHEN others THEN NULL; END \$\$;
      SELECT opendata_api.facets('things') IS NOT NULL" >/dev/null
check "usage: an error caught by an exception block is counted" 1 "$(errors things facets)"
check "usage: the call after it in the same transaction is counted" 1 "$(calls primary facets)"
on primary -c "SELECT opendata.usage_flush()" >/dev/null
check "usage: the flush writes the errors" 1 \
  "$(on primary -c "SELECT errors FROM opendata.usage_daily WHERE dataset = 'things' AND endpoint = 'records'")"

# A clean stop flushes (the worker's last flush on SIGTERM).
pg_ctl_primary -m fast stop
start_primary
check "usage: a clean restart flushed what was left" 1605 "$(stored records)"
check "usage: after a restart shared memory starts empty" 0 "$(calls primary records)"

# SIGKILL of a backend: the postmaster reinitialises shared memory.
anon_records primary 3
on primary -c "SELECT opendata.usage_flush()" >/dev/null
anon_records primary 2   # counted, not flushed: lost by the crash
on primary -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 1 100); do
  victim=$(on primary -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")
  [ -n "$victim" ] && break
  sleep 0.1
done
kill -9 "$victim"
wait "$sleeper" 2>/dev/null || true
for _ in $(seq 1 100); do on primary -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
check "usage: after a backend's SIGKILL the flushed calls are there" 1608 "$(stored records)"
check "usage: after a backend's SIGKILL shared memory starts empty" 0 "$(calls primary records)"
anon_records primary 4
check "usage: after a backend's SIGKILL counting works" 4 "$(calls primary records)"
on primary -c "SELECT opendata.usage_flush()" >/dev/null
check "usage: after a backend's SIGKILL the worker flushes" 1612 "$(stored records)"

# SIGKILL of the postmaster: its children notice and exit; a new start
# finds the flushed rows, and fresh shared memory.
anon_records primary 1
postmaster=$(head -1 "$dir/data/postmaster.pid")
children=$(pgrep -P "$postmaster" | tr '\n' ' ')
kill -9 "$postmaster"
for _ in $(seq 1 150); do
  alive=""
  for c in $children; do kill -0 "$c" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && break
  sleep 0.2
done
start_primary
check "usage: after the postmaster's SIGKILL the flushed calls are there" 1612 "$(stored records)"
anon_records primary 2
check "usage: after the postmaster's SIGKILL counting works" 2 "$(calls primary records)"
on primary -c "SELECT opendata.usage_flush()" >/dev/null
check "usage: after the postmaster's SIGKILL the worker flushes" 1614 "$(stored records)"

# The portal's usage as a dataset of its own, read through the API as any
# other; nothing personal in it.
usage_calls() {  # usage_calls DATASET ENDPOINT: calls in the usage dataset, read as opendata_anon
  anon "SELECT coalesce(sum((r ->> 'calls')::bigint), 0) FROM json_array_elements(
          opendata_api.records('portal-usage', rows => 100) -> 'results') r
         WHERE r ->> 'dataset' = '$1' AND r ->> 'endpoint' = '$2'"
}
on primary -c "SELECT opendata.refresh_usage_dataset()" >/dev/null
check "usage: the usage dataset is published" published \
  "$(on primary -c "SELECT status FROM opendata.datasets WHERE slug = 'portal-usage'")"
check "usage: the usage dataset has totals only (no address, no key, no sketch)" \
  "day,dataset,endpoint,calls,rows,bytes,errors,clients" \
  "$(on primary -c "SELECT string_agg(name, ',' ORDER BY position) FROM opendata.fields f JOIN opendata.datasets d ON d.id = f.dataset_id WHERE d.slug = 'portal-usage'")"
check "usage: the usage dataset holds the flushed calls" 1614 "$(usage_calls things records)"
anon_records primary 3
on primary -c "SELECT opendata.usage_flush()" -c "SELECT opendata.refresh_usage_dataset()" >/dev/null
check "usage: a refresh of the usage dataset brings the new calls" 1617 "$(usage_calls things records)"

# Quotas through the PostgREST stand-in with db-pre-request: a key over
# its per-minute limit gets 429 with the headers, and passes again once its
# bucket has a token (the test waits for that: the limit is 5 a minute, a
# token every 12 s); anonymous clients are limited per address; an unknown or
# revoked key gets 401.
on primary -c "SELECT opendata.usage_flush()" >/dev/null
before_quota=$(stored records)
on primary >/dev/null <<'SQL'
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
ALTER SYSTEM SET opendata.quota_anonymous_per_minute = 2;
SELECT pg_reload_conf();
SQL
key=$(on primary -c "SELECT opendata.create_api_key('test', 'the test', per_minute => 5)")
revoked=$(on primary -c "SELECT opendata.create_api_key('gone', 'the test', per_minute => 60)")
on primary -c "CREATE ROLE tram_app NOLOGIN" -c "GRANT tram_app TO authenticator" >/dev/null
role_key=$(on primary -c "SELECT opendata.create_api_key('tram', 'the test', role => 'tram_app')")
on primary -c "SELECT opendata.revoke_api_key('${revoked%%.*}')" >/dev/null
check "usage: keys are stored hashed, never in clear" 0 \
  "$(on primary -c "SELECT count(*) FROM opendata.api_keys WHERE position(convert_to('${key#*.}', 'UTF8') IN secret_sha256) > 0 OR name = '${key#*.}'")"
if start_stand_in "$dir" "host=$dir port=$PORT dbname=$DB" --pre-request opendata.check_request; then
  http() {  # http HEADER...: status and the rate-limit headers of GET records
    local args=() h
    for h in "$@"; do args+=(-H "$h"); done
    curl -s -o /dev/null -D - "${args[@]}" "http://$STAND_IN/rpc/records?dataset=things&rows=1" |
      tr -d '\r' | awk 'NR == 1 {s = $2} tolower($1) ~ /^(x-ratelimit-limit|x-ratelimit-remaining|retry-after):$/ {h[tolower($1)] = $2}
                        END {print s, h["x-ratelimit-limit:"], h["x-ratelimit-remaining:"], (h["retry-after:"] == "" ? "-" : "r")}'
  }
  got=""
  for _ in $(seq 1 5); do got+="$(http "X-Api-Key: $key") / "; done
  check "usage: a key within its limit is served, the headers counting down" \
    "200 5 4 - / 200 5 3 - / 200 5 2 - / 200 5 1 - / 200 5 0 - / " "$got"
  check "usage: a key over its per-minute limit gets 429 with the headers" "429 5 0 r" "$(http "Authorization: Apikey $key")"
  check "usage: the 429 is PostgREST's JSON error" OD429 \
    "$(curl -s -H "X-Api-Key: $key" "http://$STAND_IN/rpc/records?dataset=things" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
  sleep 12
  check "usage: the key recovers once its bucket refills" "200 5 0 -" "$(http "X-Api-Key: $key")"
  check "usage: an anonymous address has its own limit (1 of 2 left)" "200 2 1 -" "$(http "X-Forwarded-For: 203.0.113.1")"
  check "usage: an anonymous address has its own limit (0 left)" "200 2 0 -" "$(http "X-Forwarded-For: 203.0.113.1")"
  check "usage: an anonymous address over its limit gets 429" "429 2 0 r" "$(http "X-Forwarded-For: 203.0.113.1")"
  check "usage: another address is not limited by the first" "200 2 1 -" "$(http "X-Forwarded-For: 203.0.113.2")"
  check "usage: an unknown key gets 401" "401   -" "$(http "X-Api-Key: ${key%%.*}.wrong")"
  # A key's role: the request runs as it.  tram_app may not call records()
  # (it is not opendata_anon) until it is granted opendata_anon.
  check "usage: the key's role is the request's (denied as tram_app)" "42501" \
    "$(curl -s -H "X-Api-Key: $role_key" "http://$STAND_IN/rpc/records?dataset=things&rows=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
  on primary -c "GRANT opendata_anon TO tram_app" >/dev/null
  check "usage: the key's role is the request's (served once granted)" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $role_key" "http://$STAND_IN/rpc/records?dataset=things&rows=1")"
  check "usage: a malformed key gets 401" "401   -" "$(http "Authorization: Apikey nodot")"
  check "usage: a revoked key gets 401" "401   -" "$(http "X-Api-Key: $revoked")"
  kill "$STAND_IN_PID"
else
  not_ok "usage: the stand-in starts" "$(cat "$dir/server.err")"
fi
on primary -c "ALTER SYSTEM RESET opendata.quota_anonymous_per_minute" -c "SELECT pg_reload_conf()" >/dev/null
on primary -c "SELECT opendata.usage_flush()" >/dev/null
served=$(($(stored records) - before_quota))
check "usage: the calls served through the stand-in were counted, not those refused" 10 "$served"

# A hot standby counts its reads in its own memory and writes nothing.
mkdir -p "$standby"
chown postgres: "$standby" 2>/dev/null || true
as_cluster_owner "$PG_BINDIR/pg_basebackup" -h "$dir" -p "$PORT" -U postgres -D "$standby/data" -R -X stream
as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$standby/data" -l "$standby/server.log" -w \
  -o "-p $STANDBY_PORT -k $standby -c listen_addresses='' -c hot_standby=on" start >/dev/null
check "usage: the standby is in recovery" t "$(on standby -c 'SELECT pg_is_in_recovery()')"
before=$(on standby -c "SELECT pg_last_wal_replay_lsn()")
stats_primary=$(on primary -c "SELECT d -> 'calls' FROM json_array_elements(opendata_api.dataset_stats('things') -> 'days') d")
stored_primary=$(stored records)
live_primary=$(calls primary records)
anon_records standby 7
check "usage: reads on the standby are counted there" 7 "$(calls standby records)"
check "usage: the primary did not count them" "$live_primary" "$(calls primary records)"
check "usage: no flush worker on the standby" f "$(on standby -c "SELECT opendata.usage_flush()")"
check "usage: the standby's dataset_stats() adds its own calls" "$((stats_primary + 7))" \
  "$(on standby -c "SELECT d -> 'calls' FROM json_array_elements(opendata_api.dataset_stats('things') -> 'days') d")"
check "usage: nothing was written on the standby (replay position unchanged)" "$before" \
  "$(on standby -c "SELECT pg_last_wal_replay_lsn()")"
check "usage: the primary's table is unchanged" "$stored_primary" "$(stored records)"
[ "$FAILED" -eq 0 ]
