#!/usr/bin/env bash
# refine and exclude as apps send them over HTTP (issue #21, defect 9): a
# bare item on GET, an array literal on GET, a JSON array by POST, through
# the PostgREST stand-in and through Debian's nginx with the shipped
# configuration; a repeated refine, which PostgREST would reduce to its
# last value, is refused by nginx with a clear 400.  Prints "ok NAME" /
# "not ok NAME" lines.  KEEP_TMP=1 keeps the cluster directory.
source "$(dirname "$0")/lib.sh"

if [ ! -f "$REPO_DIR/test/postgrest/server.py" ]; then
  echo "ok refine_forms # SKIP test/postgrest/server.py (the PostgREST stand-in) is absent"
  exit 0
fi
ensure_packages python3-psycopg2 nginx curl

api_test_site refine "${REFINE_TEST_PORT:-54394}"
psql_su -d "$DB" >/dev/null <<SQL
SELECT opendata.create_organization('idfm', 'IDFM');
CREATE TABLE public.gares (id int PRIMARY KEY, nom text, mode text, accessible boolean);
INSERT INTO public.gares VALUES (1, 'Evry', 'RER', true), (2, 'Bercy', 'Metro', true),
  (3, 'Gare 5, quai "B"', 'RER', false), (4, 'Nation', 'Metro', false), (5, 'Melun', 'Train', true);
SELECT opendata.register('gares', 'gares', '{"title": "Gares", "description": "Gares", "publisher": "idfm"}');
SELECT opendata.describe_field('gares', 'mode', '{"facet": true}');
SELECT opendata.publish('gares');
SQL

serve_api "$work" "$DB" refine_forms

# ids NAME EXPECTED CURL-ARGS...: the ids of the records answered.
ids() {
  local name="$1" expected="$2"; shift 2
  local got
  got="$(curl -s "$@" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(str(r["id"]) for r in d["results"]) if "results" in d else d)')"
  check "refine_forms_$name" "$expected" "$got"
}
# status NAME EXPECTED-STATUS EXPECTED-CODE CURL-ARGS...: an error's status and code.
status() {
  local name="$1" want_status="$2" want_code="$3"; shift 3
  local got
  got="$(curl -s -o "$work/body" -w '%{http_code}' "$@")"
  check "refine_forms_${name}_status" "$want_status" "$got"
  check "refine_forms_${name}_code" "$want_code" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$work/body")"
}

for base in "http://$STAND_IN" "$SITE/api"; do
  via=$([ "$base" = "http://$STAND_IN" ] && echo stand_in || echo nginx)
  q="$base/rpc/records?dataset=gares&fields=id&order_by=id&rows=100"
  ids "${via}_bare" "1,3" "$q&refine=mode:RER"
  ids "${via}_bare_comma" "3" "$q&refine=nom:Gare%205,%20quai%20%22B%22"
  ids "${via}_list" "1" "$q&refine=%7Bmode:RER,accessible:true%7D"
  ids "${via}_exclude_bare" "1,2,3,4" "$q&exclude=mode:Train"
  ids "${via}_post_json" "2" -X POST -H 'Content-Type: application/json' \
    -d '{"dataset": "gares", "fields": "id", "refine": ["mode:Metro", "accessible:true"]}' "$base/rpc/records"
  ids "${via}_post_text" "2,4" -X POST -H 'Content-Type: application/json' \
    -d '{"dataset": "gares", "fields": "id", "order_by": "id", "refine": "mode:Metro"}' "$base/rpc/records"
  status "${via}_malformed" 400 22P02 "$q&refine=%7Bmode:RER"
done

# A repeated refine: PostgREST (and its stand-in) keep the last value; the
# shipped nginx refuses the request rather than drop an item silently.
ids stand_in_repeated_keeps_last "5" "http://$STAND_IN/rpc/records?dataset=gares&fields=id&refine=mode:RER&refine=mode:Train"
status nginx_repeated 400 22023 "$SITE/api/rpc/records?dataset=gares&fields=id&refine=mode:RER&refine=mode:Train"
status nginx_repeated_exclude 400 22023 "$SITE/api/rpc/records?dataset=gares&exclude=%7Bmode:RER%7D&rows=3&exclude=mode:Train"
# ... and lets everything else through: one refine and one exclude, or a
# parameter whose name merely ends like one.
ids nginx_refine_and_exclude "1" "$SITE/api/rpc/records?dataset=gares&fields=id&refine=mode:RER&exclude=accessible:false"

exit "$FAILED"
