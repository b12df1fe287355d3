#!/usr/bin/env bash
# docs/postgrest.md, run: every ```sh block of the page, in order, as one
# script, on a throwaway cluster (the "old" one) with a second cluster to
# restore into, as a deployment would type them.  Then what the page
# claims is checked: the publisher's data readable as anon, the token a
# valid HS256 JWT for the publisher role that has not expired, exports not
# cut by db-max-rows (the PostgREST stand-in with --max-rows 2), and the
# portal whole in the other cluster.  Prints "ok NAME" / "not ok NAME".
#
# Set KEEP_TMP=1 to keep the clusters' directories (logs, the script run).
source "$(dirname "$0")/lib.sh"
ensure_packages python3-psycopg2 curl
ensure_command openssl openssl

shell_test_cluster docs "${DOCS_TEST_PORT:-54391}"
# The cluster the page restores into.
dir2="$(owned_tmpdir docs-new)"
PORT2="${DOCS_TEST_PORT2:-54392}"
start_cluster "$dir2" "$PORT2"
work="$(mktemp -d "${TMPDIR:-/tmp}/opendata-docs-work.XXXXXX")"
cleanup_all() {
  [ -n "${STAND_IN_PID:-}" ] && kill "$STAND_IN_PID" 2>/dev/null
  stop_cluster "$dir2"
  if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$dir2" "$work"; else echo "# kept $dir2 $work" >&2; fi
  shell_test_cleanup
}
trap cleanup_all EXIT

# The sh blocks, in order; the variables the checks need are saved at the end.
doc="$REPO_DIR/docs/postgrest.md"
{
  echo 'set -euo pipefail'
  awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0 } inside' "$doc"
  echo 'printf "%s\n" "$JWT_SECRET" > jwt.secret; printf "%s\n" "$TOKEN" > jwt.token'
} >"$work/postgrest_md.sh"
blocks="$(grep -c '^```sh$' "$doc")"
if [ "$blocks" -ge 6 ]; then ok "docs_postgrest: the page has its $blocks sh blocks"
else not_ok "docs_postgrest: the page has its sh blocks" "found $blocks, expected at least 6"; fi

if (cd "$work" && env PATH="$PG_BINDIR:$PATH" PGHOST="$dir" PGPORT="$PORT" PGUSER=postgres \
      NEW_CLUSTER="-h $dir2 -p $PORT2 -U postgres" bash postgrest_md.sh >run.out 2>&1); then
  ok "docs_postgrest: every sh block runs"
else
  not_ok "docs_postgrest: every sh block runs" "$(tail -n 20 "$work/run.out")"
fi

q() {  # q SQL [psql args...]: unaligned, tuples only, on the page's database
  local sql="$1"; shift
  "$PG_BINDIR/psql" -X -q -At -F " " -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres -d portal "$@" -c "$sql" 2>&1 || true
}
check "docs_postgrest: alice's import belongs to the team's role, anon reads it" "ville_a_sig 3" \
  "$(q "SELECT (SELECT relowner::regrole FROM pg_class WHERE oid = 'opendata_data.arbres'::regclass),
               (SELECT count(*) FROM opendata_api.arbres)" -c 'SET ROLE opendata_anon')"
check "docs_postgrest: the authenticator switches to the publisher's role" "ville_a_sig" \
  "$("$PG_BINDIR/psql" -X -q -At -h "$dir" -p "$PORT" -U authenticator -d portal \
       -c 'SET ROLE ville_a_sig' -c 'SELECT current_user' 2>&1)"

# The token, checked by another implementation than the page's (Python's
# hmac): signature, algorithm, role, and an expiry in the future.
token_check="$(/usr/bin/python3 - "$work/jwt.secret" "$work/jwt.token" <<'PY' 2>&1
import base64, hashlib, hmac, json, sys, time
secret = open(sys.argv[1]).read().strip().encode()
header, payload, signature = open(sys.argv[2]).read().strip().split(".")
unb64 = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
expected = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
claims = json.loads(unb64(payload))
print(hmac.compare_digest(expected, unb64(signature)), json.loads(unb64(header))["alg"],
      claims["role"], claims["exp"] > time.time() + 600, len(secret) >= 32)
PY
)"
check "docs_postgrest: the token is an HS256 JWT for ville_a_sig, not expired, with a 32+ character secret" \
  "True HS256 ville_a_sig True True" "$token_check"

# db-max-rows cuts the rows of a view, not an export.
if start_stand_in "$work" "host=$dir port=$PORT dbname=portal" --max-rows 2; then
  check "docs_postgrest: db-max-rows 2: GET /arbres gives 2 records" "2" \
    "$(curl -s "http://$STAND_IN/arbres" | /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>&1)"
  check "docs_postgrest: db-max-rows 2: /rpc/export_csv gives the 3 records" "4" \
    "$(curl -s -H 'Accept: text/csv' "http://$STAND_IN/rpc/export_csv?dataset=arbres" | wc -l)"
  check "docs_postgrest: db-max-rows 2: /rpc/download gives the 3 records" "4" \
    "$(curl -s "http://$STAND_IN/rpc/download?format=csv&dataset=arbres" | wc -l)"
else
  not_ok "docs_postgrest: the stand-in starts" "$(cat "$work/server.err")"
fi

# The other cluster: the portal and the roles' settings came along.
q2() { "$PG_BINDIR/psql" -X -q -At -h "$dir2" -p "$PORT2" -U postgres -d portal -c "$1" 2>&1 || true; }
check "docs_postgrest: restored into another cluster: the dataset, its owner, alice's role setting" \
  "3 ville_a_sig {role=ville_a_sig}" \
  "$(q2 "SELECT (SELECT count(*) FROM opendata_data.arbres), (SELECT relowner::regrole FROM pg_class WHERE oid = 'opendata_data.arbres'::regclass),
               (SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'alice'::regrole)" | tr '|' ' ')"

exit "$FAILED"
