#!/usr/bin/env bash
# The file formats of the exports read back by real readers (issue #17):
#   - Parquet: DuckDB (npm @duckdb/node-api) and hyparquet (npm) read
#     export_parquet() and download(format => 'parquet') with the same rows,
#     the same column types and the same geometries (WKB) as the database,
#     GeoParquet 1.1 metadata included;
#   - GeoPackage, FlatGeobuf, KML and zipped Shapefile (download()): GDAL
#     (ogr2ogr) reads the same features, attributes and coordinates; the
#     Shapefile's zip holds .shp, .shx, .dbf, .prj and .cpg (Python's
#     zipfile);
#   - XLSX: GDAL's XLSX driver reads the labels as header and typed cells
#     (numbers, dates, date-times);
# each for a whole dataset and for a slice that uses where, fields and
# refine, the slice being what records() returns for the same arguments.
# Prints "ok NAME" / "not ok NAME" lines.  KEEP_TMP=1 keeps the files.
source "$(dirname "$0")/lib.sh"
ensure_packages
ensure_command npm npm

shell_test_cluster files "${EXPORT_FILES_TEST_PORT:-54391}"
chmod 755 "$dir"
work="$dir/files"
mkdir -p "$work"
READERS="$REPO_DIR/test/parquet-readers"

# npm dependencies (versions pinned by test/parquet-readers/package-lock.json).
if (cd "$READERS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  ok export_files_npm_ci
else
  not_ok export_files_npm_ci; exit 1
fi

DB=files
psql_su -d postgres -c "CREATE DATABASE $DB"
psql_su -d "$DB" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('ville', 'Ville');
-- Every kind of field, NULLs in each, points and polygons.
CREATE TABLE public.lieux (id int PRIMARY KEY, nom text, genre text, hauteur float8, effectif bigint,
                           ouverture date, vu timestamptz, ouvert boolean, geom geometry(Geometry, 4326));
INSERT INTO public.lieux VALUES
  (1, 'Parc "Monceau"', 'parc', 12.5, 30, '1778-06-01', '2024-01-31 09:15:00.123456+01', true,
   'SRID=4326;POLYGON((2.30 48.87, 2.31 48.87, 2.31 48.88, 2.30 48.88, 2.30 48.87))'),
  (2, 'Fontaine à l''eau', 'fontaine', 2.25, NULL, NULL, '2023-07-14 12:00:00+00', false,
   'SRID=4326;POINT(2.3522219 48.856614)'),
  (3, 'Square Ø', 'parc', NULL, 4, '2001-02-03', NULL, NULL, NULL),
  (4, 'Jardin', 'parc', 25, 12000000000, '2020-02-29', '2020-02-29 23:59:59.5+00', true,
   'SRID=4326;POINT(4.8320114 45.7578137)'),
  (5, NULL, NULL, 0.1, 0, '1970-01-01', '1970-01-01 00:00:00+00', false, 'SRID=4326;POINT(-1.5 47.2)');
SELECT opendata.register('lieux', 'lieux', '{"title": "Lieux", "description": "Des lieux",
  "publisher": "ville", "license": "etalab-2.0"}');
SELECT opendata.describe_field('lieux', 'nom', '{"label": "Nom du lieu"}');
SELECT opendata.publish('lieux');
SQL

# FILE SQL: the bytea value of SQL, written to FILE byte for byte.
write_bytes() {
  psql_su -d "$DB" -Atc "SELECT encode(($2), 'base64')" | base64 -d > "$1"
}
# The rows SQL expects (WHERE clause $1, columns $2), normalised as read.mjs
# normalises what the readers give.
expected_rows() {
  psql_su -d "$DB" -Atc "SELECT coalesce(json_agg(r ORDER BY r.id::int), '[]') FROM (
    SELECT id::text AS id, nom, genre, hauteur, effectif::text AS effectif,
           to_char(ouverture, 'YYYY-MM-DD') AS ouverture,
           to_char(vu AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS vu, ouvert,
           encode(ST_AsBinary(geom), 'hex') AS geom, ST_AsGeoJSON(geom, 15)::json AS geojson
      FROM public.lieux WHERE $1) r" | /usr/bin/python3 -c "
import json, sys
keep = sys.argv[1].split(',')
print(json.dumps([dict({k: r[k] for k in keep}, geojson=r['geojson']) for r in json.load(sys.stdin)]))" "$2"
}

compare_parquet() {  # NAME FILE EXPECTED_JSON
  local name="$1" file="$2" expected="$3"
  if ! (cd "$READERS" && node read.mjs "$file") >"$file.read.json" 2>&1; then
    not_ok "$name" "$(cat "$file.read.json")"; return
  fi
  local diff
  diff="$(/usr/bin/python3 - "$expected" "$file.read.json" <<'PY'
import json, sys
expected = json.loads(sys.argv[1])
got = json.load(open(sys.argv[2]))
problems = []
# DuckDB reads the GeoParquet metadata: the column is a GEOMETRY in CRS84.
types = {"id": "BIGINT", "nom": "VARCHAR", "genre": "VARCHAR", "hauteur": "DOUBLE", "effectif": "BIGINT",
         "ouverture": "DATE", "vu": "TIMESTAMP WITH TIME ZONE", "ouvert": "BOOLEAN", "geom": "GEOMETRY('OGC:CRS84')"}
geojson = [r.pop("geojson") for r in expected]
keys = list(expected[0].keys()) if expected else []
want_types = {k: types[k] for k in keys}
if got["duckdb"]["types"] != want_types:
    problems.append("DuckDB types %s, expected %s" % (got["duckdb"]["types"], want_types))
if got["duckdb"]["rows"] != expected:
    problems.append("DuckDB rows %s\n expected %s" % (got["duckdb"]["rows"], expected))
# hyparquet gives timestamps in milliseconds, geometries as GeoJSON.
def rounded(x):
    return [rounded(y) for y in x] if isinstance(x, list) else round(x, 9)
ms = []
for r, g in zip(expected, geojson):
    r = dict(r)
    if r.get("vu"):
        r["vu"] = r["vu"][:23] + "Z"
    if "geom" in r:
        r["geom"] = None if g is None else (g["type"], rounded(g["coordinates"]))
    ms.append(r)
hy = []
for r in got["hyparquet"]["rows"]:
    r = dict(r)
    if r.get("geom"):
        g = json.loads(r["geom"])
        r["geom"] = (g["type"], rounded(g["coordinates"]))
    hy.append(r)
if hy != ms:
    problems.append("hyparquet rows %s\n expected %s" % (hy, ms))
geo = got["hyparquet"]["geo"]
if "geom" in keys:
    if not geo or geo.get("version") != "1.1.0" or geo.get("primary_column") != "geom" \
            or geo["columns"]["geom"].get("encoding") != "WKB":
        problems.append("GeoParquet metadata %s" % geo)
print("\n".join(problems))
PY
)"
  if [ -z "$diff" ]; then ok "$name"; else not_ok "$name" "$diff"; fi
}

ALL=id,nom,genre,hauteur,effectif,ouverture,vu,ouvert,geom
write_bytes "$work/all.parquet" "SELECT opendata_api.export_parquet('lieux')"
compare_parquet export_files_parquet_all "$work/all.parquet" "$(expected_rows true "$ALL")"

# where, fields and refine: the same slice as records().
write_bytes "$work/slice.parquet" "SELECT opendata_api.download('lieux', 'parquet', fields => 'id, nom, vu, geom',
  \"where\" => 'hauteur > 1 OR hauteur IS NULL', refine => ARRAY['genre:parc'])"
compare_parquet export_files_parquet_slice "$work/slice.parquet" \
  "$(expected_rows "(hauteur > 1 OR hauteur IS NULL) AND genre = 'parc'" id,nom,vu,geom)"
records_ids="$(psql_su -d "$DB" -Atc "SELECT string_agg(r->>'id', ',') FROM json_array_elements(
  opendata_api.records('lieux', fields => 'id', \"where\" => 'hauteur > 1 OR hauteur IS NULL',
                       refine => ARRAY['genre:parc'])->'results') r")"
check export_files_parquet_slice_is_records "1,3,4" "$records_ids"

# download() answers the same bytes as export_parquet(), with its headers.
same="$(psql_su -d "$DB" -Atc "SELECT opendata_api.download('lieux', 'parquet') = opendata_api.export_parquet('lieux'),
  current_setting('response.headers')")"
check export_files_parquet_download "t|[{\"Content-Type\": \"application/vnd.apache.parquet\"}, {\"Content-Disposition\": \"attachment; filename=\\\"lieux.parquet\\\"\"}]" "$same"

# --- The GDAL formats and XLSX, through download(). ---------------------
ensure_packages gdal-bin
# GDAL's reading of a file as GeoJSON features, compared with the database:
# attributes normalised (numbers, booleans as 0/1, dates, date-times in UTC
# to the millisecond, as GDAL keeps them; NULL and "" alike: a Shapefile's
# text has no NULL), geometries to 7 decimals.
compare_gdal() {  # NAME FILE WHERE FIELDS [OGR2OGR OPTION...]
  local name="$1" file="$2" where="$3" fields="$4"
  shift 4
  rm -f "$file.json"
  if ! ogr2ogr -f GeoJSON "$file.json" "$file" "$@" 2>"$file.err"; then
    not_ok "$name" "$(cat "$file.err")"; return
  fi
  psql_su -d "$DB" -Atc "SELECT coalesce(json_agg(json_build_object(
      'id', id, 'nom', nom, 'genre', genre, 'hauteur', hauteur, 'effectif', effectif, 'ouverture', ouverture,
      'vu', to_char(vu AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'ouvert', ouvert,
      'geom', ST_AsGeoJSON(geom, 7)::json) ORDER BY id), '[]') FROM public.lieux WHERE $where" >"$file.expected.json"
  local diff
  diff="$(/usr/bin/python3 - "$file.json" "$file.expected.json" "$fields" <<'PY'
import datetime, json, re, sys
got = json.load(open(sys.argv[1]))["features"]
want = json.load(open(sys.argv[2]))
fields = sys.argv[3].split(",")
DT = re.compile(r"^(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d):(\d\d(?:\.\d+)?)(Z|[+-]\d\d(?::?\d\d)?)?$")
def norm(v):
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return repr(1.0 if v else 0.0)
    if v in ("true", "false"):
        return repr(1.0 if v == "true" else 0.0)
    if isinstance(v, (int, float)):
        return repr(round(float(v), 6))
    s = str(v)
    m = DT.match(s)
    if m:
        y, mo, d, h, mi, sec, off = m.groups()
        if not off and (h, mi, float(sec)) == ("00", "00", 0.0):
            return "%s-%s-%s" % (y, mo, d)  # a date as a date-time at midnight (FlatGeobuf)
        t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), tzinfo=datetime.timezone.utc)
        t += datetime.timedelta(seconds=round(float(sec), 3))
        if off and off != "Z":
            sign = 1 if off[0] == "+" else -1
            digits = off[1:].replace(":", "")
            t -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]
    if re.match(r"^\d{4}[-/]\d\d[-/]\d\d$", s):
        return s.replace("/", "-")
    try:
        return repr(round(float(s), 6))
    except ValueError:
        return s
def shape(g):
    if g is None:
        return None
    def r(x):
        return [r(y) for y in x] if isinstance(x, list) else round(x, 7)
    return (g["type"], r(g["coordinates"]))
problems = []
if len(got) != len(want):
    problems.append("%d features, expected %d" % (len(got), len(want)))
rows = sorted(got, key=lambda f: float(f["properties"].get("id") or 0))
for g, w in zip(rows, want):
    p = g["properties"]
    for k in fields:
        if k == "geom":
            if shape(g.get("geometry")) != shape(w["geom"]):
                problems.append("id %s geometry %s, expected %s" % (w["id"], g.get("geometry"), w["geom"]))
        elif norm(p.get(k)) != norm(w[k]):
            problems.append("id %s %s: %r, expected %r" % (w["id"], k, p.get(k), w[k]))
print("\n".join(problems[:20]))
PY
)"
  if [ -z "$diff" ]; then ok "$name"; else not_ok "$name" "$diff"; fi
}

FIELDS=id,nom,genre,hauteur,effectif,ouverture,vu,ouvert,geom
# A Shapefile holds one geometry type (docs/export.md): its whole export
# leaves the polygon out (the whole dataset is refused, below).  The slice has points only (and a NULL geometry).
for fmt in gpkg fgb kml shp; do
  ext="$fmt" where_odsql="" where_sql=true slice_sql=true
  if [ "$fmt" = shp ]; then ext=shp.zip where_odsql=", \"where\" => 'id > 1'" where_sql="id > 1"; fi
  # FlatGeobuf holds only the features with a geometry (docs/export.md).
  if [ "$fmt" = fgb ]; then where_sql="geom IS NOT NULL" slice_sql="geom IS NOT NULL"; fi
  write_bytes "$work/all.$ext" "SELECT opendata_api.download('lieux', '$fmt'$where_odsql)"
  compare_gdal "export_files_${fmt}_all" "$work/all.$ext" "$where_sql" "$FIELDS"
  write_bytes "$work/slice.$ext" "SELECT opendata_api.download('lieux', '$fmt', fields => 'id, nom, vu, geom',
    \"where\" => 'hauteur > 20 OR hauteur IS NULL', refine => ARRAY['genre:parc'])"
  compare_gdal "export_files_${fmt}_slice" "$work/slice.$ext" \
    "(hauteur > 20 OR hauteur IS NULL) AND genre = 'parc' AND $slice_sql" id,nom,vu,geom
done
# The whole dataset as a Shapefile mixes a polygon and points: refused
# through download() with 22023, naming the row and both types.
shp_mix="$(psql_su -d "$DB" -v VERBOSITY=verbose -Atc "SELECT opendata_api.download('lieux', 'shp')" 2>&1 \
  | sed -n 's/^ERROR: *//p' || true)"
check export_files_shp_mixed_types_22023 \
  "22023: a Shapefile holds one geometry type: row 2 is a Point in a file of Polygon" "$shp_mix"
members="$(/usr/bin/python3 -c 'import sys, zipfile; print(" ".join(sorted(n.rsplit(".", 1)[1] for n in zipfile.ZipFile(sys.argv[1]).namelist())))' "$work/all.shp.zip" 2>&1)"
check export_files_shp_zip_members "cpg dbf prj shp shx" "$members"
cpg="$(/usr/bin/python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read([n for n in z.namelist() if n.endswith(".cpg")][0]).decode().strip())' "$work/all.shp.zip" 2>&1)"
check export_files_shp_cpg "UTF-8" "$cpg"

# XLSX: the header is the labels; GDAL finds typed columns (the rows
# from 1900 on: an earlier date stays text, docs/export.md) and the values.
write_bytes "$work/all.xlsx" "SELECT opendata_api.download('lieux', 'xlsx', \"where\" => 'id > 1')"
xlsx_types="$(OGR_XLSX_HEADERS=FORCE ogrinfo -ro -so -al "$work/all.xlsx" 2>&1 | sed -n 's/^\([^:]*\): \([A-Za-z0-9()]*\) (.*/\1 \2/p' | tr '\n' ',')"
check export_files_xlsx_types "id Integer,Nom du lieu String,genre String,hauteur Real,effectif Integer64,ouverture Date,vu DateTime,ouvert Integer(Boolean),geom String," "$xlsx_types"
OGR_XLSX_HEADERS=FORCE ogr2ogr -f GeoJSON "$work/all.xlsx.json" "$work/all.xlsx" 2>/dev/null || true
# An empty cell is an unset field (no key in GDAL's GeoJSON).
xlsx_values="$(/usr/bin/python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["features"]:
    p = f["properties"]
    print(*(p.get(k) for k in ("id", "Nom du lieu", "hauteur", "effectif", "ouverture", "vu", "ouvert")))' \
  "$work/all.xlsx.json" 2>&1 || true)"
check export_files_xlsx_values "2 Fontaine à l'eau 2.25 None None 2023-07-14T12:00:00 False
3 Square Ø None 4 2001-02-03 None None
4 Jardin 25.0 12000000000 2020-02-29 2020-02-29T23:59:59.500 True
5 None 0.1 0 1970-01-01 1970-01-01T00:00:00 False" "$xlsx_values"

exit "$FAILED"
