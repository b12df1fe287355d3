#!/usr/bin/env bash
# render.sh UPSTREAM LISTEN LOCATIONS_DIR [WEB_DIR] < opendata.conf > out.conf
# Replaces the placeholders of deploy/nginx/opendata.conf (and of any
# location file that uses them).  WEB_DIR is where deploy/web/install.sh put
# the browser assets (default /usr/share/opendata/web).  Example:
#   deploy/nginx/render.sh 127.0.0.1:3000 80 /etc/nginx/opendata.d \
#     < deploy/nginx/opendata.conf > /etc/nginx/conf.d/opendata.conf
#   for f in deploy/nginx/locations/*.conf; do
#     deploy/nginx/render.sh 127.0.0.1:3000 80 /etc/nginx/opendata.d < "$f" > /etc/nginx/opendata.d/"$(basename "$f")"
#   done
#   bash deploy/web/install.sh /usr/share/opendata/web
set -euo pipefail
if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then
  echo "usage: $0 UPSTREAM LISTEN LOCATIONS_DIR [WEB_DIR] < opendata.conf > out.conf" >&2
  exit 2
fi
sed -e "s|@UPSTREAM@|$1|g" -e "s|@LISTEN@|$2|g" -e "s|@LOCATIONS_DIR@|$3|g" \
    -e "s|@WEB_DIR@|${4:-/usr/share/opendata/web}|g"
