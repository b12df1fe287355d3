#!/usr/bin/env bash
# Stops the demo cluster started by make demo.
source "$(dirname "$0")/lib.sh"
PG_BINDIR="$("${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}" --bindir)"
for d in "$REPO_DIR/.demo" "${TMPDIR:-/tmp}/opendata-demo"; do
  if [ -f "$d/data/postmaster.pid" ]; then stop_cluster "$d"; log "stopped the cluster in $d"; fi
done
