#!/usr/bin/env bash
# Reference tables of the docs checked against a fresh install, so that they
# cannot drift from the code:
# - docs/catalog.md, "The API views": the columns of every opendata_api
#   view, in order, with their types, against information_schema.columns
#   (and no view undocumented);
# - docs/coordinates.md: every API function taking coordinates is in the
#   table, and each row's order is what the code does, on one point at
#   longitude 2.35, latitude 48.85.
# Prints "ok NAME" / "not ok NAME".
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster docs-ref "${DOCS_REF_TEST_PORT:-54393}"
psql_su -d postgres -c 'CREATE EXTENSION opendata CASCADE' >/dev/null
q() { psql_su -At -F ' ' -d postgres -c "$1" 2>&1 || true; }

# The views and their columns, as the page lists them: "name: col type, ...".
documented="$(awk '
  /^## / { inside = ($0 ~ /^## The API views/) }
  inside && /^### `opendata_api\.[a-z_]+`$/ { if (view) print view ":" cols; view = substr($2, 15, length($2) - 15); cols = "" }
  inside && view && /^\| `[a-z_]+` \|/ { split($0, c, "|"); gsub(/[` ]/, "", c[2]); t = c[3]; gsub(/^ +| +$/, "", t); cols = cols " " c[2] " " t "," }
  END { if (view) print view ":" cols }' "$REPO_DIR/docs/catalog.md" | sort)"
installed="$(q "SELECT table_name || ':' || string_agg(' ' || column_name || ' ' || data_type || ',', '' ORDER BY ordinal_position)
                  FROM information_schema.columns WHERE table_schema = 'opendata_api'
                 GROUP BY table_name ORDER BY table_name")"
if [ -z "$installed" ] || [ -z "$documented" ]; then
  not_ok "docs_reference: catalog.md lists the API views' columns" "nothing to compare" "installed: $installed" "documented: $documented"
elif [ "$installed" = "$documented" ]; then
  ok "docs_reference: catalog.md lists the columns of the $(printf '%s\n' "$installed" | wc -l) API views, in order, with their types"
else
  not_ok "docs_reference: catalog.md lists the API views' columns" \
    "$(diff <(printf '%s\n' "$installed" | tr ',' '\n') <(printf '%s\n' "$documented" | tr ',' '\n') | head -n 20)"
fi

# Every API function with a coordinate argument has its row.
coords="$REPO_DIR/docs/coordinates.md"
missing=""
for f in $(q "SELECT DISTINCT p.proname FROM pg_proc p WHERE p.pronamespace = 'opendata_api'::regnamespace
                AND p.proargnames && ARRAY['lon', 'lat', 'x', 'y', 'z', 'bbox']::text[] ORDER BY 1"); do
  grep -q "^|[^|]*\`opendata_api\.$f(" "$coords" || missing="$missing $f"
done
check "docs_reference: coordinates.md has a row for every API function taking coordinates" "" "$missing"

# One point, imported with a "lat,lon" column, lat and lon columns and WKT.
psql_su -d postgres >/dev/null <<'SQL'
SELECT opendata.create_organization('ref', 'Ref');
SELECT opendata.import_csv('pts', convert_to(E'id;lat;lon;latlon;wkt\n1;48.85;2.35;48.85,2.35;POINT(2.35 48.85)\n', 'UTF8'),
                           '{"metadata": {"publisher": "ref", "title": "Points", "description": "One point.", "license": "etalab-2.0"}}');
SELECT opendata.publish('pts');
SQL
check "docs_reference: coordinates: import of \"lat,lon\" text, lat/lon columns and WKT" \
  "POINT(2.35 48.85) POINT(2.35 48.85) POINT(2.35 48.85)" \
  "$(q "SELECT ST_AsText(latlon), ST_AsText(geom), ST_AsText(wkt) FROM opendata_data.pts")"
anon() { q "SET ROLE opendata_anon; $1"; }
check "docs_reference: coordinates: near(lon, lat)" "0" \
  "$(anon "SELECT opendata_api.near('pts', lon => 2.35, lat => 48.85)->'results'->0->'distance_m'")"
check "docs_reference: coordinates: in_bbox takes latitude first" "1 0" \
  "$(anon "SELECT opendata_api.records('pts', \"where\" => 'in_bbox(geom, 48.8, 2.3, 48.9, 2.4)')->'total_count',
                   opendata_api.records('pts', \"where\" => 'in_bbox(geom, 2.3, 48.8, 2.4, 48.9)')->'total_count'")"
check "docs_reference: coordinates: a geom'' literal is lon lat" "1 0" \
  "$(anon "SELECT opendata_api.records('pts', \"where\" => 'within_distance(geom, geom''POINT(2.35 48.85)'', 1m)')->'total_count',
                   opendata_api.records('pts', \"where\" => 'within_distance(geom, geom''POINT(48.85 2.35)'', 1m)')->'total_count'")"
check "docs_reference: coordinates: records are GeoJSON [lon, lat], the export's bbox west, south, east, north" \
  '[2.35,48.85] [2.35,48.85,2.35,48.85]' \
  "$(anon "SELECT opendata_api.records('pts')->'results'->0->'geom'->'coordinates',
                   opendata_api.export_geojson('pts', options => '{\"bbox\": true}')::json->'bbox'")"
check "docs_reference: coordinates: OGC bbox is minlon,minlat,maxlon,maxlat" "1 0" \
  "$(anon "SELECT opendata_api.ogc_items('pts', 'bbox=2.3,48.8,2.4,48.9')::json->'numberMatched',
                   opendata_api.ogc_items('pts', 'bbox=48.8,2.3,48.9,2.4')::json->'numberMatched'")"
check "docs_reference: coordinates: tile x is the column, y the row from the north" "t 0" \
  "$(anon "SELECT length(opendata_api.tile('pts', 10, 518, 352)) > 0, length(opendata_api.tile('pts', 10, 352, 518))")"

exit "$FAILED"
