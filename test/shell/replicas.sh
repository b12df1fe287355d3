#!/usr/bin/env bash
# Read replicas behind a load balancer (issue #20, docs/scaling.md): a
# primary and two streaming standbys on the loopback's Unix sockets, one
# PostgREST stand-in per standby, nginx in front with both in one
# `upstream` (round robin; a replica answering 502/503, or not at all, is
# skipped for the next one).  The API answers through nginx; reads are
# spread over both standbys; a dataset published on the primary is served
# by both once replayed; a standby stopped mid-test is routed around with
# no client error.
#
# nginx rather than pgpool2 in front of the databases: PostgREST holds its
# own pool and schema cache per database, so the replicas are scaled at the
# HTTP layer; nginx retries an idempotent GET on the next replica, where a
# pooler in front of the databases fails the sessions of a standby that
# went away (docs/scaling.md, "Read replicas").
source "$(dirname "$0")/lib.sh"
ensure_packages
ensure_command nginx nginx
ensure_command curl curl

shell_test_cluster replicas "${REPLICAS_TEST_PORT:-18565}"
primary="$dir"
DB=portal
NGINX_PORT="${REPLICAS_NGINX_PORT:-18568}"
replicas=(r1 r2)
sibling_dir r1 $((PORT + 1))
sibling_dir r2 $((PORT + 2))
replica_port() { echo "${SIBLING_PORT[$1]}"; }
start_replica() { sibling_start "$1" -c hot_standby=on; }
stand_in_pids=()
cleanup_replicas() {
  local p
  stop_nginx "$primary/nginx"
  for p in "${stand_in_pids[@]+"${stand_in_pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  shell_test_cleanup
}
trap cleanup_replicas EXIT
on() {  # on primary|r1|r2 psql-args...
  local name="$1"; shift
  psql_at "${name#primary}" "$DB" "$@"
}
# wait_replay: until both standbys have replayed the primary's WAL so far.
wait_replay() {
  local lsn r
  lsn="$(on primary -c 'SELECT pg_current_wal_lsn()')"
  for r in "${replicas[@]}"; do
    for _ in $(seq 1 100); do
      [ "$(on "$r" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'" 2>/dev/null)" = t ] && break
      sleep 0.1
    done
  done
}

psql_at "" postgres -c "CREATE DATABASE $DB"
on primary >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
SELECT opendata.create_organization('idf', 'Île-de-France');
SELECT opendata.set_catalog('{"publisher": "idf"}');
CREATE TABLE public.arbres (id int PRIMARY KEY, genre text, hauteur int, geom geometry(Point, 4326));
INSERT INTO arbres SELECT g, (ARRAY['Platanus', 'Quercus', 'Tilia'])[g % 3 + 1], g % 30,
       ST_SetSRID(ST_MakePoint(2.30 + g / 1000.0, 48.85 + g / 1000.0), 4326)
  FROM generate_series(1, 120) g;
SELECT opendata.register('arbres', 'arbres', '{"title": "Arbres", "description": "Des arbres."}');
SELECT opendata.publish('arbres');
SQL
for r in "${replicas[@]}"; do
  as_cluster_owner "$PG_BINDIR/pg_basebackup" -h "$primary" -p "$PORT" -U postgres -D "$primary/$r/data" -R -X stream -c fast
  start_replica "$r"
done
check "replicas: both standbys are in recovery" "t t" "$(on r1 -c 'SELECT pg_is_in_recovery()') $(on r2 -c 'SELECT pg_is_in_recovery()')"

# One stand-in per standby, nginx in front of both.
upstreams=""
for r in "${replicas[@]}"; do
  mkdir -p "$primary/http-$r"
  if ! start_stand_in "$primary/http-$r" "host=$primary/$r port=$(replica_port "$r") dbname=$DB user=authenticator" --no-channel; then
    not_ok "replicas: the stand-in of $r starts" "$(cat "$primary/http-$r/server.err")"
    exit 1
  fi
  stand_in_pids+=("$STAND_IN_PID")
  eval "STAND_IN_$r=$STAND_IN"
  upstreams+="    server $STAND_IN max_fails=1 fail_timeout=2s;"$'\n'
done
mkdir -p "$primary/nginx/tmp"
chmod 1777 "$primary/nginx/tmp"
cat >"$primary/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $primary/nginx/nginx.pid;
error_log $primary/nginx/error.log warn;
events { worker_connections 64; }
http {
  log_format upstream '\$upstream_addr \$status';
  access_log $primary/nginx/access.log upstream;
  client_body_temp_path $primary/nginx/tmp/body;
  proxy_temp_path $primary/nginx/tmp/proxy;
  fastcgi_temp_path $primary/nginx/tmp/fastcgi;
  uwsgi_temp_path $primary/nginx/tmp/uwsgi;
  scgi_temp_path $primary/nginx/tmp/scgi;
  upstream opendata_replicas {
$upstreams    keepalive 8;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /api/ {
      proxy_pass http://opendata_replicas/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A replica that is down, or whose database is (503), is skipped.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
    }
  }
}
CONF
if ! nginx -e "$primary/nginx/error.log" -p "$primary/nginx" -c "$primary/nginx/nginx.conf" 2>"$primary/nginx/start.err"; then
  not_ok "replicas: nginx starts" "$(cat "$primary/nginx/start.err")"
  exit 1
fi
API="http://127.0.0.1:$NGINX_PORT/api"
get() { curl -s -o "$primary/body" -w '%{http_code}' "$API/$1"; }

# Through nginx, as apps call it; the answer is the primary's.
expected="$(on primary -c "SET ROLE opendata_anon" -c "SELECT opendata_api.records('arbres', \"where\" => 'hauteur > 25', order_by => 'id', rows => 3)::jsonb->'results'")"
status="$(get 'rpc/records?dataset=arbres&where=hauteur%20%3E%2025&order_by=id&rows=3')"
check "replicas: records through nginx answers 200" 200 "$status"
check "replicas: the replica's answer is the primary's" "$(jq -cS . <<<"$expected")" "$(jq -cS '.results' "$primary/body")"

# Reads are spread: both stand-ins (so both standbys) answered.
: >"$primary/nginx/access.log"
for _ in $(seq 1 20); do get 'rpc/facets?dataset=arbres' >/dev/null; done
sleep 0.2
check "replicas: 20 reads are spread over both standbys" 2 \
  "$(awk '$2 == 200 {print $1}' "$primary/nginx/access.log" | sort -u | wc -l)"

# A publication on the primary reaches both replicas once replayed.
on primary >/dev/null <<'SQL'
CREATE TABLE public.gares (id int PRIMARY KEY, nom text);
INSERT INTO gares VALUES (1, 'Évry-Courcouronnes'), (2, 'Massy-Palaiseau');
SELECT opendata.register('gares', 'gares', '{"title": "Gares", "description": "Deux gares."}');
SELECT opendata.publish('gares');
SQL
wait_replay
seen=0
for _ in 1 2 3 4; do
  [ "$(get 'rpc/records?dataset=gares&order_by=id')" = 200 ] &&
    [ "$(jq -r '.results[1].nom' "$primary/body")" = Massy-Palaiseau ] && seen=$((seen + 1))
done
check "replicas: a dataset published on the primary is served by every replica after replay" 4 "$seen"
check "replicas: the catalog view lists it too" '["arbres","gares"]' \
  "$([ "$(get 'datasets?select=dataset_id&order=dataset_id')" = 200 ] && jq -c 'map(.dataset_id)' "$primary/body")"

# One standby stopped mid-test: no client sees an error.
sibling_stop r1
: >"$primary/nginx/access.log"
codes=""
for _ in $(seq 1 12); do codes+="$(get 'rpc/records?dataset=arbres&rows=2') "; done
check "replicas: with a standby stopped, 12 reads answer 200" "$(printf '200 %.0s' $(seq 1 12))" "$codes"
sleep 0.2
check "replicas: with a standby stopped, every read was answered by the other one" "$STAND_IN_r2" \
  "$(awk '{print $NF == 200 ? $(NF-1) : "error"}' "$primary/nginx/access.log" | sort -u | tr '\n' ' ' | sed 's/ $//')"
start_replica r1
wait_replay
ok=0
for _ in $(seq 1 10); do [ "$(get 'rpc/records?dataset=gares&rows=1')" = 200 ] && ok=$((ok + 1)); done
check "replicas: the standby back, reads keep answering" 10 "$ok"
[ "$FAILED" -eq 0 ]
