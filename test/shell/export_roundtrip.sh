#!/usr/bin/env bash
# Exports read back by real tools.  On a throwaway cluster: the extension,
# the sample CSV files (and the communes GeoJSON when the GeoJSON importer is
# installed) imported and published, then every dataset exported to files in
# CSV, JSON, JSONL and GeoJSON, and read back with
#   - GDAL (ogrinfo / ogr2ogr): every CSV and GeoJSON export, same row count,
#     same field values as Python's csv module reads, coordinates equal to
#     the database's ST_X/ST_Y rounded to the precision asked;
#   - Python's csv module (delimiter ';', utf-8-sig): CSV, value by value
#     against the JSONL export, and both against the JSON export;
#   - jq: JSON, JSONL and GeoJSON counts and values against SQL.
# Prints "ok NAME" / "not ok NAME" per check, with "# " diagnostics.
#
# Exact bytes: `psql -XAtq -c "SELECT opendata_api.export_csv(...)" -o F`
# writes the value unescaped (unaligned, tuples only) followed by one record
# separator, a "\n" that psql always adds after the last row; `truncate -s
# -1 F` removes it.  COPY ... TO in text or csv format would escape
# backslashes, CR/LF (text) or quote the value (csv).  The large export goes
# through opendata.export_chunks with an empty record separator (-R ''), so
# the chunks are written back to back, then the same final "\n" is removed.
# Every file's md5 is checked against md5() of the export in the database.
#
# Set KEEP_TMP=1 to keep the cluster directory (exports, logs) after the run.
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster exprt "${EXPORT_TEST_PORT:-54361}"

conn=(-h "$dir" -p "$PORT" -U postgres -d postgres)
psql_in() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" "$@"; }
q() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "${conn[@]}" -c "$1" 2>&1 || true; }


# The samples, where the cluster owner can read them.
mkdir -p "$dir/in" "$dir/out"
cp "$REPO_DIR"/data/*.csv "$REPO_DIR"/data/*.geojson "$dir/in/"
chmod 755 "$dir/in" && chmod 644 "$dir"/in/*
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir/in"; fi
out="$dir/out"

psql_in >/dev/null <<SQL
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('exp-org', 'Export org');
SELECT opendata.import_csv_file('gares', '$dir/in/idfm_emplacement_des_gares_idf.csv',
  '{"metadata": {"title": "Gares", "description": "Emplacement des gares", "publisher": "exp-org",
                 "license": "ODbL-1.0", "key": ["objectid"]}}');
SELECT opendata.import_csv_file('arbres', '$dir/in/paris_arbres_remarquables.csv',
  '{"metadata": {"title": "Arbres", "description": "Arbres remarquables", "publisher": "exp-org",
                 "license": "ODbL-1.0"}}');
SELECT opendata.import_csv_file('populations', '$dir/in/insee_populations_legales_communes.csv',
  '{"metadata": {"title": "Populations", "description": "Populations légales", "publisher": "exp-org",
                 "license": "etalab-2.0"}}');
SELECT opendata.publish(s) FROM unnest(ARRAY['gares', 'arbres', 'populations']) s;
SQL
ok "sample CSV files imported and published"

# Each dataset with an order that makes its exports comparable row by row.
declare -A ORDER=([gares]="objectid" [arbres]="idbase, id_arbre, adresse" [populations]="coddep, codcom")
DATASETS=(gares arbres populations)
GEO=(gares arbres)

if [ "$(q "SELECT count(*) FROM pg_proc WHERE proname = 'import_geojson_file' AND pronamespace = 'opendata'::regnamespace")" != 0 ]; then
  if psql_in >/dev/null 2>"$out/geojson_import.err" <<SQL
SELECT opendata.import_geojson_file('communes', '$dir/in/communes_91_essonne.geojson');
SELECT opendata.set_metadata('communes', '{"title": "Communes de l''Essonne", "description": "Limites communales",
                                          "publisher": "exp-org", "license": "etalab-2.0"}');
SELECT opendata.publish('communes');
SQL
  then
    ok "communes GeoJSON imported and published"
    ORDER[communes]="$(q "SELECT string_agg(quote_ident(name), ', ' ORDER BY position) FROM opendata.fields
                           WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'communes')
                             AND type NOT IN ('geo_point', 'geo_shape') AND position <= 3")"
    DATASETS+=(communes)
    GEO+=(communes)
  else
    not_ok "communes GeoJSON imported and published" "$(cat "$out/geojson_import.err")"
  fi
else
  echo "# opendata.import_geojson_file is not installed: the communes GeoJSON is skipped"
fi

# export FILE SQL: the value of SQL, byte for byte.
export_to() {
  "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "${conn[@]}" -c "$2" -o "$1"
  truncate -s -1 "$1"
}
sql_lit() { printf "'%s'" "${1//\'/\'\'}"; }

PRECISION=6
for ds in "${DATASETS[@]}"; do
  o="$(sql_lit "${ORDER[$ds]}")"
  args="$(sql_lit "$ds"), order_by => $o"
  fmts=(csv json jsonl)
  for g in "${GEO[@]}"; do [ "$g" == "$ds" ] && fmts+=(geojson); done
  for f in "${fmts[@]}"; do
    opts="NULL"
    [ "$f" == geojson ] && opts="'{\"precision\": $PRECISION}'"
    if [ "$ds" == populations ]; then
      # The chunked path, as a client downloads a large export.
      "$PG_BINDIR/psql" -X -q -At -R '' -v ON_ERROR_STOP=1 "${conn[@]}" -o "$out/$ds.$f" \
        -c "SELECT opendata.export_chunks($(sql_lit "$ds"), '$f', order_by => $o, options => $opts)"
      truncate -s -1 "$out/$ds.$f"
    else
      export_to "$out/$ds.$f" "SELECT opendata_api.export_$f($args, options => $opts)"
    fi
    want="$(q "SELECT md5(convert_to(opendata_api.export_$f($args, options => $opts)::text, 'UTF8'))")"
    check "$ds.$f written byte for byte (md5)" "$want" "$(md5sum <"$out/$ds.$f" | cut -d' ' -f1)"
  done
done

for ds in "${DATASETS[@]}"; do
  n="$(q "SELECT count(*) FROM opendata_api.$(printf '"%s"' "$ds")")"
  # jq: counts.
  check "$ds.json: jq counts $n objects" "$n" "$(jq length "$out/$ds.json")"
  check "$ds.jsonl: jq reads $n lines" "$n" "$(jq -c . "$out/$ds.jsonl" | wc -l)"
  check "$ds.jsonl equals $ds.json (jq -s)" "true" \
    "$(jq -n --slurpfile a "$out/$ds.json" --slurpfile b <(jq -c . "$out/$ds.jsonl") '$a[0] == $b')"
  # GDAL reads the CSV: the same number of features.  GDAL 3.6's CSV driver
# has no SEPARATOR open option: it recognises ';' from the header line.
  gdal_n="$(ogrinfo -ro -so -al "$out/$ds.csv" 2>&1 | sed -n 's/^Feature Count: //p')"
  check "$ds.csv: ogrinfo counts $n features" "$n" "$gdal_n"
  # GDAL's values (all as strings) against Python's csv module, and Python's
  # against the JSONL export, value by value.
  ogr2ogr -f GeoJSON "$out/$ds.csv.gdal.geojson" "$out/$ds.csv" \
    -oo AUTODETECT_TYPE=NO -oo KEEP_GEOM_COLUMNS=YES >/dev/null 2>"$out/$ds.ogr.err" || true
  res="$(/usr/bin/python3 - "$out/$ds.csv" "$out/$ds.jsonl" "$out/$ds.csv.gdal.geojson" "$n" <<'PY' 2>&1 || true
import csv, json, sys
csv_path, jsonl_path, gdal_path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(csv_path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f, delimiter=";"))
header, rows = rows[0], rows[1:]
assert len(rows) == n, "python csv read %d records, not %d" % (len(rows), n)
keep = dict(parse_float=str, parse_int=str, parse_constant=str)
objs = [json.loads(line, object_pairs_hook=list, **keep) for line in open(jsonl_path, encoding="utf-8")]
assert header == [k for k, _ in objs[0]], "header %r is not the JSON keys" % header
def as_csv(v):
    if v is None: return ""
    if v is True: return "true"
    if v is False: return "false"
    if isinstance(v, str): return v
    return None  # a geometry: compared as JSON
for i, (row, obj) in enumerate(zip(rows, objs)):
    for (k, v), cell in zip(obj, row):
        want = as_csv(v)
        if want is None:
            ok = json.loads(cell, object_pairs_hook=list, **keep) == v
        else:
            ok = cell == want
        assert ok, "record %d field %s: csv %r, jsonl %r" % (i + 1, k, cell, v)
gdal = json.load(open(gdal_path, encoding="utf-8"))["features"]
assert len(gdal) == n, "ogr2ogr wrote %d features, not %d" % (len(gdal), n)
for i, (row, feat) in enumerate(zip(rows, gdal)):
    props = feat["properties"]
    for h, cell in zip(header, row):
        g = props.get(h)
        if isinstance(g, (dict, list)):  # GDAL hands a JSON text back as JSON
            ok = json.loads(cell) == g
        else:
            ok = ("" if g is None else g) == cell
        assert ok, "record %d field %s: GDAL %r, python csv %r" % (i + 1, h, g, cell)
print("ok")
PY
)"
  check "$ds.csv: python csv and GDAL read the JSONL export's values, record by record" "ok" "$res"
done

# GeoJSON: GDAL reads every feature, the coordinates are the database's
# rounded to the precision asked, the properties those of the JSONL export.
for ds in "${GEO[@]}"; do
  n="$(q "SELECT count(*) FROM opendata_api.$(printf '"%s"' "$ds")")"
  gdal_n="$(ogrinfo -ro -so -al "$out/$ds.geojson" 2>&1 | sed -n 's/^Feature Count: //p')"
  check "$ds.geojson: ogrinfo counts $n features" "$n" "$gdal_n"
  check "$ds.geojson: jq counts $n features" "$n" "$(jq '.features | length' "$out/$ds.geojson")"
  check "$ds.geojson: no crs member (RFC 7946)" "false" "$(jq 'has("crs")' "$out/$ds.geojson")"
  geom="$(q "SELECT geometry_field FROM opendata.datasets WHERE slug = $(sql_lit "$ds")")"
  o="${ORDER[$ds]}"
  # The database's vertices, rounded, in export order.
  q "SELECT coalesce(string_agg(round(ST_X(p.geom)::numeric, $PRECISION)::text || ' ' || round(ST_Y(p.geom)::numeric, $PRECISION)::text, ' ' ORDER BY p.path), 'null')
       FROM (SELECT row_number() OVER (ORDER BY $o) AS r, $(printf '"%s"' "$geom") AS g
               FROM opendata_api.$(printf '"%s"' "$ds")) t
       LEFT JOIN LATERAL ST_DumpPoints(t.g) p ON true
      GROUP BY t.r ORDER BY t.r" >"$out/$ds.db_points"
  ogr2ogr -f GeoJSONSeq "$out/$ds.gdal.geojsonl" "$out/$ds.geojson" -oo DATE_AS_STRING=YES \
    -lco RS=NO -lco COORDINATE_PRECISION=15 \
    >/dev/null 2>"$out/$ds.ogr.err" || true
  res="$(/usr/bin/python3 - "$out/$ds.gdal.geojsonl" "$out/$ds.db_points" "$out/$ds.jsonl" "$geom" "$PRECISION" <<'PY' 2>&1 || true
import json, sys
from decimal import Decimal
gdal_path, db_path, jsonl_path, geom, precision = sys.argv[1:6]
tol = Decimal(1).scaleb(-int(precision)) / 2
feats = [json.loads(l) for l in open(gdal_path, encoding="utf-8") if l.strip()]
db = [l.split() for l in open(db_path, encoding="utf-8")]
objs = [json.loads(l) for l in open(jsonl_path, encoding="utf-8")]
assert len(feats) == len(db) == len(objs), "%d GDAL features, %d database rows, %d JSONL rows" % (len(feats), len(db), len(objs))
def flat(c):
    if isinstance(c, (int, float)): return None
    if c and isinstance(c[0], (int, float)): return [c[:2]]
    return [p for x in c for p in flat(x)]
checked = 0
for i, (f, want, obj) in enumerate(zip(feats, db, objs)):
    g = f.get("geometry")
    if want == ["null"]:
        assert g is None, "feature %d: geometry %r, database NULL" % (i + 1, g)
        continue
    got = flat(g["coordinates"]) if g["type"] != "Point" else [g["coordinates"][:2]]
    want = [want[j:j + 2] for j in range(0, len(want), 2)]
    assert len(got) == len(want), "feature %d: %d positions, database %d" % (i + 1, len(got), len(want))
    # GDAL's GeoJSONSeq driver (RFC 7946) rewinds polygon rings
    # counterclockwise: compare the positions, whatever their order.
    got = sorted((Decimal(repr(x)), Decimal(repr(y))) for x, y in got)
    want = sorted((Decimal(x), Decimal(y)) for x, y in want)
    for (x, y), (wx, wy) in zip(got, want):
        for a, b in ((x, wx), (y, wy)):
            assert abs(a - b) <= Decimal("1e-12"), \
                "feature %d: %r, database rounded to %s decimals %s" % (i + 1, a, precision, b)
            checked += 1
    props = f["properties"]
    for k, v in obj.items():
        if k == geom or isinstance(v, dict):
            continue
        pv = props.get(k)
        if isinstance(v, float) or isinstance(pv, float):
            ok = v is None and pv is None or abs(float(pv) - float(v)) <= 1e-9 * max(1, abs(float(v)))
        else:
            ok = pv == v
        assert ok, "feature %d property %s: GDAL %r, JSONL %r" % (i + 1, k, pv, v)
print("ok %d coordinates" % checked)
PY
)"
  case "$res" in
    "ok "*) ok "$ds.geojson: GDAL reads the database's coordinates at $PRECISION decimals and the JSONL properties ($res)";;
    *) not_ok "$ds.geojson: GDAL reads the database's coordinates at $PRECISION decimals and the JSONL properties" "$res" "$(cat "$out/$ds.ogr.err")";;
  esac
  # The feature id comes from the dataset key.
  key="$(q "SELECT coalesce(key_fields[1], '') FROM opendata.datasets WHERE slug = $(sql_lit "$ds")")"
  if [ -n "$key" ]; then
    check "$ds.geojson: feature ids are the key $key" "0" \
      "$(jq --arg k "$key" '[.features[] | select(.id != .properties[$k])] | length' "$out/$ds.geojson")"
  fi
done

# Values against SQL, through jq.
check "populations.jsonl: jq sums ptot as SQL does" \
  "$(q 'SELECT sum(ptot) FROM opendata_api.populations')" "$(jq -s 'map(.ptot) | add' "$out/populations.jsonl")"
check "populations.json: codes keep their leading zeros" \
  "$(q "SELECT count(*) FROM opendata_api.populations WHERE coddep = '01'")" \
  "$(jq '[.[] | select(.coddep == "01")] | length' "$out/populations.json")"
check "gares.json: the station of objectid 1" \
  "$(q 'SELECT nom_gare FROM opendata_api.gares WHERE objectid = 1')" \
  "$(jq -r '.[] | select(.objectid == 1) | .nom_gare' "$out/gares.json")"
check "gares.csv: GDAL reads the metro stations" \
  "$(q 'SELECT count(*) FROM opendata_api.gares WHERE metro')" \
  "$(ogrinfo -ro -q -sql "SELECT COUNT(*) AS n FROM gares WHERE metro = 'true'" "$out/gares.csv" | sed -n 's/^ *n (Integer[0-9]*) = //p')"
check "arbres.csv: accents read back by GDAL" \
  "$(q "SELECT count(*) FROM opendata_api.arbres WHERE libelle_francais LIKE '%é%'")" \
  "$(ogrinfo -ro -q -sql "SELECT COUNT(*) AS n FROM arbres WHERE libelle_francais LIKE '%é%'" "$out/arbres.csv" | sed -n 's/^ *n (Integer[0-9]*) = //p')"

# Options survive the tools: a comma-separated CSV without BOM, with labels.
export_to "$out/gares_comma.csv" \
  "SELECT opendata_api.export_csv('gares', fields => 'objectid, nom_gare, geo_point', order_by => 'objectid',
                                  options => '{\"delimiter\": \",\", \"bom\": false, \"geometry_format\": \"wkt\"}')"
check "gares_comma.csv: GDAL reads WKT geometries from a ',' CSV without BOM" \
  "$(q 'SELECT count(*) FROM opendata_api.gares WHERE geo_point IS NOT NULL')" \
  "$(ogrinfo -ro -so -al -oo GEOM_POSSIBLE_NAMES=geo_point -oo KEEP_GEOM_COLUMNS=NO "$out/gares_comma.csv" 2>&1 | sed -n 's/^Feature Count: //p')"
empty="$(q "SELECT opendata_api.export_geojson('gares', \"where\" => 'objectid < 0')")"
check "an empty GeoJSON export is an empty FeatureCollection GDAL opens" "0" \
  "$(printf '%s' "$empty" >"$out/empty.geojson"; ogrinfo -ro -so -al "$out/empty.geojson" 2>&1 | sed -n 's/^Feature Count: //p')"

[ "$FAILED" -eq 0 ]
