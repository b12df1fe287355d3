#!/usr/bin/env bash
# Makes a private, relocated copy of the machine's PostgreSQL (with PostGIS
# and contrib) under DIR and prints the PG_CONFIG to use with it:
#
#   export PG_CONFIG="$(scripts/private-pg.sh /root/pg-a)"
#   make test
#
# PostgreSQL finds its share and lib directories relative to its binaries,
# so the copy loads extensions from DIR only: several checkouts can then run
# `make install` and `make test` side by side without overwriting each
# other's opendata.so in the system directories.
source "$(dirname "$0")/lib.sh"

dir="${1:?usage: scripts/private-pg.sh DIR}"
PG_CONFIG="" ensure_packages
system_bindir="$PG_BINDIR"
system_sharedir="$("$system_bindir/pg_config" --sharedir)"
system_libdir="$(dirname "$system_bindir")"

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ ! -x "$dir$system_bindir/postgres" ]; then
  mkdir -p "$dir$(dirname "$system_libdir")" "$dir$(dirname "$system_sharedir")"
  cp -a "$system_libdir" "$dir$(dirname "$system_libdir")/"
  cp -a "$system_sharedir" "$dir$(dirname "$system_sharedir")/"
  # Headers are only read: the system's serve every copy.
  ln -sfn /usr/include "$dir/usr/include"
  # The cluster owner must reach the copy's binaries and libraries.
  chmod 755 "$dir"
fi
printf '%s\n' "$dir$system_bindir/pg_config"
