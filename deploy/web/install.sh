#!/usr/bin/env bash
# install.sh DEST: installs the portal's browser assets into DEST, the
# directory nginx serves at /assets/map/ (deploy/nginx/locations/map.conf;
# deploy/nginx/render.sh's WEB_DIR).  Example:
#   bash deploy/web/install.sh /usr/share/opendata/web
#
# MapLibre GL JS comes from npm (version pinned by package-lock.json beside
# this script) and is served from the site's own origin, never a CDN: the
# pages' Content-Security-Policy allows scripts from 'self' only, a visitor's
# browser asks no third party, and a release keeps working when a CDN
# changes.  Copied: the ES module, its worker (a module worker loaded from
# the same directory), its stylesheet and licence, and the project's own
# dataset-map.mjs.
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: $0 DEST" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
dist="$here/node_modules/maplibre-gl/dist"
mkdir -p "$1"
cp "$dist/maplibre-gl.mjs" "$dist/maplibre-gl-worker.mjs" "$dist/maplibre-gl.css" "$1/"
cp "$here/node_modules/maplibre-gl/LICENSE.txt" "$1/maplibre-gl-LICENSE.txt"
cp "$here/dataset-map.mjs" "$1/"
# Without their source maps the bundles' last lines point nowhere: drop them
# so browsers' developer tools do not ask for files that are not there.
sed -i '/^\/\/# sourceMappingURL=/d' "$1/maplibre-gl.mjs" "$1/maplibre-gl-worker.mjs"
