#!/usr/bin/env bash
# File export benchmark (issue #17): opendata_api.download(format) of a
# published dataset of ROWS points (default 200,000), against the tool an
# expert would use on the same rows:
#
#   gpkg, fgb, kml, shp   ogr2ogr -f <GPKG|FlatGeobuf|KML|"ESRI Shapefile">
#                         from the table (GDAL's PG: driver), same columns,
#                         same order; for shp, ogr2ogr writes x.shp.zip;
#   parquet               DuckDB's COPY t TO 'x.parquet' (FORMAT parquet),
#                         t being the same rows loaded into DuckDB (from a
#                         CSV dump, not timed), geometry as WKB; DuckDB's
#                         default codec (snappy), ours gzip.
#
# download() is timed end to end as a client sees it: the call through
# psycopg2 over the Unix socket and the file written; ogr2ogr as a process;
# DuckDB's COPY inside its process (its start and the load are not timed).
# Runs alternate (A B A B ...) RUNS times (default 5) after one warm-up of
# each; medians, the range (min-max) and the files' sizes are reported, with
# the machine's load before and after.  Answers: both files of each format
# are read back (GDAL's OGR SQL, DuckDB) and must have the same number of
# features, the same sum of ids and of `valeur`; a difference is printed
# and the script exits 1.  Appends one line per format to bench/results.tsv.
#
#   bash bench/export_files.sh                     # 200,000 rows
#   ROWS=20000 RUNS=3 bash bench/export_files.sh
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-200000}"
RUNS="${RUNS:-5}"
FORMATS="${FORMATS:-gpkg fgb kml shp parquet}"
bench_cluster bench-export-files 54363
ensure_packages gdal-bin python3-psycopg2
out="$dir/out"
mkdir -p "$out"
chmod 777 "$out"
READERS="$REPO_DIR/test/parquet-readers"
(cd "$READERS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log "generating $ROWS points"
psql_q -v n="$ROWS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
CREATE TABLE public.bench_points (id int PRIMARY KEY, nom text, categorie text, valeur float8,
                                  jour date, geom geometry(Point, 4326));
INSERT INTO bench_points
SELECT i, 'Point n°' || i, (ARRAY['arbre', 'borne', 'banc', 'fontaine', 'abri'])[1 + i % 5],
       (i % 1000) / 8.0, date '2000-01-01' + i % 9000,
       ST_SetSRID(ST_MakePoint(2.2 + (i % 1000) * 0.0003, 48.8 + (i / 1000) * 0.0001), 4326)
  FROM generate_series(1, :n) i;
VACUUM ANALYZE bench_points;
SELECT opendata.register('bench_points', 'bench-points', '{"title": "Points", "description": "Bench",
         "publisher": "bench", "license": "etalab-2.0"}');
SELECT opendata.publish('bench-points');
SQL
# DuckDB's rows: the same table, geometry as WKB hex.
psql_q -c "\\copy (SELECT id, nom, categorie, valeur, jour, encode(ST_AsBinary(geom), 'hex') AS geom FROM bench_points ORDER BY id) TO '$out/rows.csv' WITH (FORMAT csv, HEADER)"
bench_stop_if_kept

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "timing $FORMATS ($RUNS runs each side, alternately)"
status=0
DSN="host=$dir port=$PORT dbname=postgres user=postgres" OUT="$out" RUNS="$RUNS" FORMATS="$FORMATS" \
  READERS="$READERS" /usr/bin/python3 - >"$out/report.md" <<'PY' || status=$?
import json, os, statistics, subprocess, sys, time
import psycopg2

dsn, out, runs = os.environ["DSN"], os.environ["OUT"], int(os.environ["RUNS"])
readers = os.environ["READERS"]
drivers = {"gpkg": "GPKG", "fgb": "FlatGeobuf", "kml": "KML", "shp": "ESRI Shapefile"}
ext = {"shp": "shp.zip"}
conn = psycopg2.connect(dsn)
conn.autocommit = True
sql = "SELECT id, nom, categorie, valeur, jour, geom FROM public.bench_points ORDER BY id"

def ours(fmt):
    path = "%s/a.%s" % (out, ext.get(fmt, fmt))
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SELECT opendata_api.download('bench-points', %s)", (fmt,))
        data = cur.fetchone()[0]
    with open(path, "wb") as f:
        f.write(data)
    return (time.perf_counter() - t) * 1000, path

def reference(fmt):
    path = "%s/b.%s" % (out, ext.get(fmt, fmt))
    if os.path.exists(path):
        os.remove(path)
    if fmt == "parquet":
        r = subprocess.run(["node", os.path.join(readers, "bench_copy.mjs"), out + "/rows.csv", path],
                           check=True, capture_output=True, text=True)
        return float(r.stdout.strip()), path
    t = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", drivers[fmt], path, "PG:" + dsn, "-sql", sql, "-nln", "export"],
                   check=True, capture_output=True)
    return (time.perf_counter() - t) * 1000, path

def answer(fmt, path):
    """(features, sum of id, sum of valeur) as the file's reader sees them."""
    if fmt == "parquet":
        r = subprocess.run(["node", os.path.join(readers, "bench_copy.mjs"), "--sums", path],
                           check=True, capture_output=True, text=True)
        return tuple(json.loads(r.stdout))
    src = "/vsizip/" + path if fmt == "shp" else path
    layer = subprocess.run(["ogrinfo", "-ro", "-q", src], check=True, capture_output=True, text=True).stdout
    name = layer.split(":", 1)[1].strip().split(" (")[0]
    # SQLite's dialect: OGR SQL sums columns, not expressions, and KML
    # keeps 64-bit integers as text (CAST).
    r = subprocess.run(["ogrinfo", "-ro", "-q", src, "-dialect", "SQLite", "-sql",
                        'SELECT COUNT(*) AS n, SUM(CAST(id AS REAL)) AS i, SUM(CAST(valeur AS REAL)) AS v '
                        'FROM "%s"' % name],
                       check=True, capture_output=True, text=True).stdout
    vals = {}
    for line in r.splitlines():
        line = line.strip()
        for key in ("n", "i", "v"):
            if line.startswith(key + " (") and "=" in line:
                vals[key] = round(float(line.split("=", 1)[1]), 3)
    return (vals.get("n"), vals.get("i"), vals.get("v"))

print("| format | download() ms: median (min-max) | download() bytes | reference | reference ms: median (min-max) | reference bytes | time ratio | size ratio |")
print("|---|---:|---:|---|---:|---:|---:|---:|")
bad = 0
for fmt in os.environ["FORMATS"].split():
    ours(fmt), reference(fmt)  # warm-up
    a_ms, b_ms = [], []
    for _ in range(runs):
        ms, a_path = ours(fmt)
        a_ms.append(ms)
        ms, b_path = reference(fmt)
        b_ms.append(ms)
    a_size, b_size = os.path.getsize(a_path), os.path.getsize(b_path)
    a_ans, b_ans = answer(fmt, a_path), answer(fmt, b_path)
    ref = "DuckDB COPY TO parquet" if fmt == "parquet" else "ogr2ogr -f %s" % drivers[fmt]
    fmt_ms = lambda xs: "%.0f (%.0f-%.0f)" % (statistics.median(xs), min(xs), max(xs))
    print("| %s | %s | %d | %s | %s | %d | %.2fx | %.2fx |" % (
        fmt, fmt_ms(a_ms), a_size, ref, fmt_ms(b_ms), b_size,
        statistics.median(a_ms) / statistics.median(b_ms), a_size / b_size))
    with open(out + "/results.lines", "a") as f:  # for bench_record
        f.write("%s\t%s\t%s\t%s\t%.3f\n" % (fmt, ref, fmt_ms(a_ms), fmt_ms(b_ms),
                                              statistics.median(a_ms) / statistics.median(b_ms)))
    if a_ans != b_ans or a_ans[0] is None:
        print("DIFFERENCE %s: download() %s, reference %s" % (fmt, a_ans, b_ans), file=sys.stderr)
        bad = 1
sys.exit(bad)
PY
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$out/report.md"
echo
echo "$ROWS rows, $RUNS runs each side after a warm-up, alternately; load average before: $load_before, after: $load_after"
echo "command: ROWS=$ROWS RUNS=$RUNS FORMATS=\"$FORMATS\" bash bench/export_files.sh"
# The results file's lines (spread: min-max); issue #17 set no time goal.
bench_command ROWS RUNS FORMATS PARALLEL
if [ "$status" = 0 ]; then
  while IFS=$'\t' read -r fmt ref a b ratio; do
    bench_record "download() $fmt, through psycopg2" "$ref" "$ROWS rows" "$a" "$b" "$ratio" "-" "-" >/dev/null
  done <"$out/results.lines"
fi
exit "$status"
