#!/usr/bin/env bash
# render.sh UPSTREAM LISTEN LOCATIONS_DIR < opendata.conf > out.conf
# Replaces the placeholders of deploy/nginx/opendata.conf (and of any
# location file that uses them).  Example:
#   deploy/nginx/render.sh 127.0.0.1:3000 80 /etc/nginx/opendata.d \
#     < deploy/nginx/opendata.conf > /etc/nginx/conf.d/opendata.conf
#   cp deploy/nginx/locations/*.conf /etc/nginx/opendata.d/
set -euo pipefail
if [ "$#" -ne 3 ]; then
  echo "usage: $0 UPSTREAM LISTEN LOCATIONS_DIR < opendata.conf > out.conf" >&2
  exit 2
fi
sed -e "s|@UPSTREAM@|$1|g" -e "s|@LISTEN@|$2|g" -e "s|@LOCATIONS_DIR@|$3|g"
