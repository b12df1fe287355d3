# Shared shell helpers for make test / make demo / make unit.  Sourced, not run.
# shellcheck shell=bash

set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_MAJOR="${PG_MAJOR:-15}"

# Each line says how long since the script started (where CI time goes).
log() { printf '\033[1m==> [%dm%02ds] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

# sudo only when we are not root (CI and these machines run as root).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The packages every part of the project needs on Debian.  Installed only
# when missing, so a warm machine pays nothing.
DEBIAN_PACKAGES=(
  "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-$PG_MAJOR-postgis-3"
  postgresql-contrib nlohmann-json3-dev g++ make cmake clang libclang-rt-dev llvm
  libgtest-dev libbenchmark-dev gdal-bin jq python3 python3-psycopg2 clang-format zlib1g-dev
  libgdal-dev libxlsxwriter-dev libsimdjson-dev
)

ensure_packages() {
  local missing=()
  local p
  for p in "${DEBIAN_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  # A preset PG_CONFIG selects another PostgreSQL installation, such as the
  # private copy scripts/private-pg.sh makes so that two checkouts can build,
  # install and test at once without replacing each other's opendata.so.
  PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"
  PG_BINDIR="$("$PG_CONFIG" --bindir)"
  PGXS_DIR="$("$PG_CONFIG" --pkglibdir)/pgxs"
  export PG_CONFIG PG_BINDIR PGXS_DIR
}

# ensure_command CMD PACKAGE: installs PACKAGE when CMD is missing.  For
# tools a machine may already have from elsewhere (node and npm come from
# NodeSource on some images, where Debian's npm package would conflict).
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing Debian package $2 (for $1)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

build_and_install() {
  log "building and installing the extension"
  make -C "$REPO_DIR" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" "$@" >/dev/null
  as_root make -C "$REPO_DIR" -s PG_CONFIG="$PG_CONFIG" "$@" install >/dev/null
}

# initdb refuses root: clusters run as the postgres user when we are root,
# as ourselves otherwise.
as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A directory the cluster owner can write.
owned_tmpdir() {
  local d
  d="$(mktemp -d "${TMPDIR:-/tmp}/opendata-$1.XXXXXX")"
  chmod 755 "$d"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$d"; fi
  printf '%s\n' "$d"
}

# Starts a throwaway cluster in $1 listening on a Unix socket in $1 only.
start_cluster() {
  local dir="$1" port="$2"
  as_cluster_owner "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    -A trust >/dev/null
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=''" start >/dev/null
}

stop_cluster() {
  local dir="$1"
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_nginx DIR UPSTREAM LISTEN: Debian's nginx running from DIR with the
# shipped server block and every location file (deploy/nginx), placeholders
# replaced as a deployment replaces them; the browser assets are served
# from DIR/web (deploy/web/install.sh DIR/web puts them there).  Fails with
# nginx's message in DIR/start.err; stop_nginx DIR stops it.
start_nginx() {
  local d="$1" upstream="$2" listen="$3" f
  mkdir -p "$d/locations" "$d/tmp"
  chmod 1777 "$d/tmp"
  for f in "$REPO_DIR"/deploy/nginx/locations/*.conf; do
    bash "$REPO_DIR/deploy/nginx/render.sh" "$upstream" "$listen" "$d/locations" "$d/web" \
      <"$f" >"$d/locations/$(basename "$f")"
  done
  bash "$REPO_DIR/deploy/nginx/render.sh" "$upstream" "$listen" "$d/locations" "$d/web" \
    <"$REPO_DIR/deploy/nginx/opendata.conf" >"$d/opendata.conf"
  cat >"$d/nginx.conf" <<CONF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  include $d/opendata.conf;
}
CONF
  nginx -t -e "$d/error.log" -p "$d" -c "$d/nginx.conf" >"$d/start.err" 2>&1 &&
    nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" 2>>"$d/start.err"
}
stop_nginx() {
  if [ -f "$1/nginx.pid" ]; then kill "$(cat "$1/nginx.pid")" 2>/dev/null || true; fi
}
