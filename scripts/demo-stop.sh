#!/usr/bin/env bash
# make demo-stop: stops what make demo started (the PostgREST stand-in,
# nginx, the cluster), wherever the demo lived.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/demo-lib.sh"
PG_BINDIR="$("${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}" --bindir)"
for d in "$REPO_DIR/.demo" "${TMPDIR:-/tmp}/opendata-demo"; do
  [ -d "$d" ] && demo_stop "$d"
done
exit 0
