#!/usr/bin/env bash
# Maps through real clients: GDAL reads every OGC API - Features collection
# through nginx (deploy/nginx/opendata.conf with the location files of
# deploy/nginx/locations) and the PostgREST stand-in
# (test/postgrest/server.py), one of them over 10,000 features across
# pages, and compares rows and attributes with the source tables; GDAL's
# MVT driver decodes vector tiles fetched through nginx and finds the
# expected features.  Prints "ok NAME" / "not ok NAME" lines.
#
# Set KEEP_TMP=1 to keep the cluster directory (logs, nginx config, files).
source "$(dirname "$0")/lib.sh"

if [ ! -f "$REPO_DIR/test/postgrest/server.py" ]; then
  echo "ok maps_gdal # SKIP test/postgrest/server.py (the PostgREST stand-in) is absent"
  exit 0
fi
ensure_packages python3-psycopg2 gdal-bin
ensure_command nginx nginx

api_test_site maps "${MAPS_TEST_PORT:-54371}"
psql_su -d "$DB" >/dev/null <<SQL
-- Pages of 1,000 features (GDAL asks for what the OpenAPI document allows).
ALTER ROLE opendata_anon SET opendata.max_page_size = 1000;
SELECT opendata.create_organization('maps', 'Maps');

-- Over 10,000 points, one hidden field; coordinates with three decimals.
CREATE TABLE public.trees (id int PRIMARY KEY, name text NOT NULL, height int, kind text,
                           planted date, geom geometry(Point, 4326), secret text);
INSERT INTO public.trees
SELECT g, 'tree ' || g, g % 37, (ARRAY['oak', 'elm', 'ash'])[g % 3 + 1], date '2020-01-01' + g % 700,
       ST_SetSRID(ST_MakePoint(2 + (g % 150) / 1000.0, 48.7 + (g / 150) / 1000.0), 4326), 'secret ' || g
  FROM generate_series(1, 12345) g;
SELECT opendata.register('trees', 'trees', '{"title": "Trees", "description": "Trees", "publisher": "maps"}');
SELECT opendata.describe_field('trees', 'secret', '{"hidden": true}');

CREATE TABLE public.parks (id int PRIMARY KEY, label text, geom geometry(Polygon, 4326));
INSERT INTO public.parks
SELECT g, 'park ' || g, ST_MakeEnvelope(2 + g / 100.0, 48.7, 2.005 + g / 100.0, 48.705, 4326)
  FROM generate_series(1, 12) g;
SELECT opendata.register('parks', 'parks', '{"title": "Parks", "description": "Parks", "publisher": "maps"}');

CREATE TABLE public.paths (id int PRIMARY KEY, label text, geom geometry(LineString, 4326));
INSERT INTO public.paths
SELECT g, 'path ' || g, ST_MakeLine(ST_MakePoint(2, 48.7 + g / 1000.0), ST_MakePoint(2.1, 48.7 + g / 1000.0))
  FROM generate_series(1, 5) g;
UPDATE public.paths SET geom = ST_SetSRID(geom, 4326);
SELECT opendata.register('paths', 'paths', '{"title": "Paths", "description": "Paths", "publisher": "maps"}');

-- Never a collection: a draft, and a dataset without geometry.
CREATE TABLE public.drafts (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO public.drafts VALUES (1, 'SRID=4326;POINT(2 48.7)');
SELECT opendata.register('drafts', 'drafts', '{"title": "Draft", "description": "Draft", "publisher": "maps"}');
CREATE TABLE public.budget (id int PRIMARY KEY, amount int);
INSERT INTO public.budget VALUES (1, 10);
SELECT opendata.register('budget', 'budget', '{"title": "Budget", "description": "Budget", "publisher": "maps"}');

SELECT opendata.publish(s) FROM unnest(ARRAY['trees', 'parks', 'paths', 'budget']) s;
SQL

# The stand-in, as authenticator; nginx in front of it with the project's
# server block and every location file.
serve_api "$work" "$DB" maps_gdal

export GDAL_HTTP_TIMEOUT=120 CPL_VSIL_CURL_CHUNK_SIZE=1048576
OAPIF="OAPIF:$SITE/ogc"
# Pages of 1,000 features (GDAL asks for 10 by default); the trees take 13.
PAGE=(-oo PAGE_SIZE=1000)

# The collections GDAL finds: what anon can read, with a geometry.
layers="$(ogrinfo -ro -q "${PAGE[@]}" "$OAPIF" 2>"$work/ogrinfo.err" | sed -n 's/^[0-9]*: \([^ ]*\).*/\1/p' | sort | tr '\n' ' ')"
check maps_gdal_collections "parks paths trees " "$layers"

# Every collection read whole by ogr2ogr, compared with its source table:
# same rows, same attributes, same coordinates; no hidden field.
compare_layer() {  # NAME QUERY (the expected rows as CSV with a header)
  local name="$1" query="$2"
  rm -f "$work/$name.csv"
  if ! ogr2ogr -f CSV "$work/$name.csv" "${PAGE[@]}" "$OAPIF" "$name" -lco GEOMETRY=AS_WKT \
       2> "$work/$name.err"; then
    not_ok "maps_gdal_read_$name" "$(tail -5 "$work/$name.err")"
    return
  fi
  psql_su -d "$DB" -c "\\copy ($query) TO '$work/$name.expected.csv' WITH (FORMAT csv, HEADER)"
  local diff
  diff="$(/usr/bin/python3 - "$work/$name.csv" "$work/$name.expected.csv" <<'PY'
import csv, re, sys
def norm(v):
    v = v.strip()
    if re.fullmatch(r"\d{4}/\d\d/\d\d", v):  # GDAL writes dates with slashes
        v = v.replace("/", "-")
    try:
        return repr(round(float(v), 9))
    except ValueError:
        pass
    # WKT: numbers rounded, spaces normalised.
    return re.sub(r"-?\d+\.?\d*(e-?\d+)?", lambda m: repr(round(float(m.group(0)), 9)),
                  re.sub(r"\s+", " ", v.upper().replace(" (", "(")))
got = list(csv.DictReader(open(sys.argv[1], newline="")))
want = list(csv.DictReader(open(sys.argv[2], newline="")))
keys = list(want[0].keys()) if want else []
problems = []
if got and set(got[0].keys()) != set(keys):
    problems.append("columns %s, expected %s" % (sorted(got[0].keys()), sorted(keys)))
else:
    g = sorted(tuple(norm(r[k]) for k in keys) for r in got)
    w = sorted(tuple(norm(r[k]) for k in keys) for r in want)
    if g != w:
        missing = [x for x in w if x not in set(g)][:3]
        extra = [x for x in g if x not in set(w)][:3]
        problems.append("%d rows, expected %d; missing %s; unexpected %s" % (len(g), len(w), missing, extra))
print("\n".join(problems))
PY
)"
  if [ -z "$diff" ]; then ok "maps_gdal_read_$name"; else not_ok "maps_gdal_read_$name" "$diff"; fi
}
compare_layer trees "SELECT 'POINT (' || ST_X(geom) || ' ' || ST_Y(geom) || ')' AS \"WKT\", id, name, height, kind, planted FROM public.trees"
compare_layer parks "SELECT ST_AsText(geom) AS \"WKT\", id, label FROM public.parks"
compare_layer paths "SELECT ST_AsText(geom) AS \"WKT\", id, label FROM public.paths"
# Over 10,000 features came in several pages.
pages="$(grep -c 'GET /ogc/collections/trees/items' "$work/nginx/access.log" || true)"
if [ "${pages:-0}" -ge 13 ]; then ok maps_gdal_paged; else not_ok maps_gdal_paged "$pages item requests"; fi

# A bounding box, as GDAL sends it (bbox=), against SQL.
spat_count="$(ogrinfo -ro -so "${PAGE[@]}" "$OAPIF" trees -spat 2.05 48.72 2.08 48.74 2>/dev/null | sed -n 's/^Feature Count: //p')"
spat_features="$(ogrinfo -ro -q "${PAGE[@]}" "$OAPIF" trees -spat 2.05 48.72 2.08 48.74 2>/dev/null | grep -c '^OGRFeature' || true)"
expected="$(psql_su -d "$DB" -Atc "SELECT count(*) FROM public.trees WHERE geom && ST_MakeEnvelope(2.05, 48.72, 2.08, 48.74, 4326)")"
check maps_gdal_bbox "$expected" "$spat_features"
if [ -n "$spat_count" ] && [ "$spat_count" != "$expected" ] && [ "$spat_count" != "-1" ]; then
  not_ok maps_gdal_bbox_count "Feature Count: $spat_count, expected $expected"
fi

# One feature by id.
one="$(ogrinfo -ro -q "${PAGE[@]}" "$OAPIF" trees -fid 4242 2>/dev/null | grep -E '^  name \(String\) = ' | sed 's/^.* = //')"
check maps_gdal_feature "tree 4242" "$one"

# HTTP details through nginx: absolute next links, 404s, tiles' ETag/304/204.
http_checks="$(/usr/bin/python3 - "$SITE" <<'PY'
import json, sys, urllib.request, urllib.error
site = sys.argv[1]
def get(path, headers=None):
    req = urllib.request.Request(site + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()  # case-insensitive names
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
out = []
s, h, b = get("/ogc/collections/trees/items?limit=5&kind=oak&bbox=2,48.7,2.2,48.9")
page = json.loads(b)
nxt = [l["href"] for l in page["links"] if l["rel"] == "next"]
out.append("items %s %s %s %s" % (s, h.get("Content-Type", "").split(";")[0], page["numberReturned"],
                                   nxt[0].startswith(site + "/ogc/collections/trees/items?limit=5&kind=oak&bbox=") if nxt else None))
s, h, b = get(nxt[0][len(site):])
out.append("next %s %s" % (s, all(f["properties"]["kind"] == "oak" for f in json.loads(b)["features"])))
s, h, b = get("/ogc/collections/drafts/items")
out.append("draft %s" % s)
s, h, b = get("/ogc/collections/trees/items/99999999")
out.append("missing %s" % s)
s, h, b = get("/ogc/collections/trees/items?limit=0")
out.append("bad_limit %s" % s)
s, h, b = get("/ogc")
out.append("landing %s %s" % (s, sorted(l["rel"] for l in json.loads(b)["links"])))
s, h, b = get("/tiles/trees/14/8283/5646.mvt", {"Accept": "*/*"})
etag = h.get("ETag")
out.append("tile %s %s %s %s" % (s, h.get("Content-Type", "").split(";")[0], len(b) > 0, h.get("Cache-Control")))
s, h, b = get("/tiles/trees/14/8283/5646.mvt", {"If-None-Match": etag or "none"})
out.append("tile_again %s %d" % (s, len(b)))
s, h, b = get("/tiles/trees/14/0/0.mvt")
out.append("empty %s" % s)
s, h, b = get("/tiles/trees/3/9/0.mvt")
out.append("bad_tile %s" % s)
s, h, b = get("/tiles/drafts/0/0/0.mvt")
out.append("draft_tile %s" % s)
s, h, b = get("/tiles/trees.json")
tj = json.loads(b)
out.append("tilejson %s %s %s" % (s, tj["tiles"][0], sorted(tj["vector_layers"][0]["fields"])))
print("\n".join(out))
PY
)"
expected_http="items 200 application/geo+json 5 True
next 200 True
draft 404
missing 404
bad_limit 400
landing 200 ['conformance', 'data', 'self', 'service-desc']
tile 200 application/vnd.mapbox-vector-tile True public, max-age=300
tile_again 304 0
empty 204
bad_tile 400
draft_tile 404
tilejson 200 $SITE/tiles/trees/{z}/{x}/{y}.mvt ['_partial', '_thinned', 'cluster', 'height', 'id', 'kind', 'name', 'planted', 'point_count']"
check maps_gdal_http "$expected_http" "$http_checks"

# Vector tiles decoded by GDAL's MVT driver (CLIP=NO: the features in the
# tile's buffer too, as PostGIS placed them; GDAL adds an mvt_id field).
fetch_tile() {  # PATH FILE
  /usr/bin/python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1]).read())' \
    "$SITE$1" "$2"
}
# A tile of points: the features PostGIS places in it, with their names.
fetch_tile /tiles/trees/14/8283/5646.mvt "$work/points.mvt"
mvt_count="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=14 -oo X=8283 -oo Y=5646 "$work/points.mvt" -al 2>/dev/null | grep -c '^OGRFeature' || true)"
expected="$(psql_su -d "$DB" -Atc "SELECT count(*) FROM public.trees WHERE ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(14, 8283, 5646), 4096, 64, true) IS NOT NULL")"
if [ "$expected" -gt 0 ] && [ "$mvt_count" = "$expected" ]; then ok maps_gdal_mvt_points; else not_ok maps_gdal_mvt_points "decoded $mvt_count, expected $expected"; fi
probe="$(psql_su -d "$DB" -Atc "SELECT id FROM public.trees WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope(14, 8283, 5646), 4326)) ORDER BY id LIMIT 1")"
found="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=14 -oo X=8283 -oo Y=5646 "$work/points.mvt" -al -where "name = 'tree $probe'" 2>/dev/null | grep -cE '^  (kind|height|planted) ' || true)"
hidden="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=14 -oo X=8283 -oo Y=5646 "$work/points.mvt" -al 2>/dev/null | grep -c 'secret' || true)"
check maps_gdal_mvt_feature "3 0" "$found $hidden"
# Filtered in ODSQL through the query string.
fetch_tile "/tiles/trees/14/8283/5646.mvt?where=kind%3D%22oak%22&fields=name,kind" "$work/oaks.mvt"
kinds="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=14 -oo X=8283 -oo Y=5646 "$work/oaks.mvt" -al 2>/dev/null | sed -n 's/^  kind (String) = //p' | sort -u | tr '\n' ' ')"
fields="$(ogrinfo -ro -so -oo CLIP=NO -oo Z=14 -oo X=8283 -oo Y=5646 "$work/oaks.mvt" -al 2>/dev/null | sed -n 's/^\([a-z_]*\): .*/\1/p' | grep -v '^mvt_id$' | sort | tr '\n' ' ')"
check maps_gdal_mvt_where "oak |kind name " "$kinds|$fields"
# The world tile of 12,345 points: clusters whose counts add up.
fetch_tile /tiles/trees/0/0/0.mvt "$work/world.mvt"
total="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=0 -oo X=0 -oo Y=0 "$work/world.mvt" -al 2>/dev/null | sed -n 's/^  point_count (Integer[0-9]*) = //p' | awk '{ s += $1 } END { print s }')"
check maps_gdal_mvt_clusters "12345" "$total"
# Polygons and lines.
fetch_tile /tiles/parks/10/517/352.mvt "$work/parks.mvt"
parks="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=10 -oo X=517 -oo Y=352 "$work/parks.mvt" -al 2>/dev/null | grep -cE '^  (MULTI)?POLYGON' || true)"
expected="$(psql_su -d "$DB" -Atc "SELECT count(*) FROM public.parks WHERE ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(10, 517, 352), 4096, 64, true) IS NOT NULL")"
check maps_gdal_mvt_polygons "$expected" "$parks"
fetch_tile /tiles/paths/10/517/352.mvt "$work/paths.mvt"
paths="$(ogrinfo -ro -q -oo CLIP=NO -oo Z=10 -oo X=517 -oo Y=352 "$work/paths.mvt" -al 2>/dev/null | grep -cE '^  (MULTI)?LINESTRING' || true)"
expected="$(psql_su -d "$DB" -Atc "SELECT count(*) FROM public.paths WHERE ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(10, 517, 352), 4096, 64, true) IS NOT NULL")"
check maps_gdal_mvt_lines "$expected" "$paths"

exit "$FAILED"
