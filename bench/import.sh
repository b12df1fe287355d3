#!/usr/bin/env bash
# Import benchmark: a CSV of ROWS rows (default 1,000,000) and 20 columns
# shaped like French open data (semicolons, INSEE codes with leading zeros
# and 2A/2B, postal codes, SIRET, decimal commas and points, dd/mm/yyyy and
# ISO dates, oui/non, quoted text with semicolons and quotes, latitude and
# longitude, NC and N/A sentinels, empty fields), generated with a fixed
# seed, loaded on a throwaway cluster in one run by:
#
#   import   opendata.import_csv_file(slug, path): sniffing, type inference
#            over the whole file, table creation, conversion and COPY, GiST
#            index on the point built from latitude/longitude, registration,
#            ANALYZE.
#   COPY     the reference: in one transaction, CREATE TABLE with the types
#            the import infers (checked), COPY FROM ... (FORMAT csv, FREEZE),
#            the same GiST index on the point, ANALYZE: the same end state.
#            COPY cannot read decimal commas, oui/non, NC/N/A sentinels or
#            build a point from two columns, so the generator writes the
#            same values a second time in COPY's CSV format (ISO dates, '.'
#            decimals, true/false, empty for NULL, the point as EWKT).
#   ogr2ogr  ogr2ogr -f PostgreSQL of the French file (CSV driver,
#            AUTODETECT_TYPE=YES, X/Y_POSSIBLE_NAMES for the point, its own
#            GiST index), then ANALYZE.
# and a GeoJSON FeatureCollection of FEATURES points (default 300,000):
#   import   opendata.import_geojson_file(slug, path)
#   ogr2ogr  ogr2ogr -f PostgreSQL (GeoJSON driver, its spatial index),
#            then ANALYZE.
# The import's table has planner statistics when the call returns (it runs
# ANALYZE); ogr2ogr leaves them to autovacuum, so its side runs ANALYZE
# after it, in the timed call: the same end state.  ogr2ogr's table also
# has a primary key on its ogc_fid column, which the import's has not:
# that is ogr2ogr's own end state, left as it is (its cost falls on the
# reference's side).
#
# Goals: the CSV import >= 0.7x the reference's throughput (time ratio <=
# 1.43) and >= 3x faster than ogr2ogr; the GeoJSON import >= 3x faster
# than ogr2ogr.  Each call is timed as the client waits for it (psql or
# ogr2ogr over the Unix socket, server-side files), the sides interleaved
# RUNS times after a warm-up, a CHECKPOINT and the previous table dropped
# before each call (untimed); medians and p10-p90.  The import's own split
# (its report's timings_ms) is printed beside, and the time of a psql call
# that does nothing (SELECT 1), which every side pays for its session.
#
# Answers: the imported table and the COPY table have the same types and
# the same rows (EXCEPT ALL both ways is empty); ogr2ogr's tables have the
# same number of rows with a geometry, and for GeoJSON the same sum of ids
# and of coordinates: else the script exits 1.
#
#   bash bench/import.sh              # 1,000,000 rows, 300,000 features
#   ROWS=100000 FEATURES=30000 RUNS=3 bash bench/import.sh
#
# Appends its lines to bench/results.tsv (scripts/bench_table.sh).
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
FEATURES="${FEATURES:-300000}"
SEED="${SEED:-20261128}"
bench_command ROWS FEATURES RUNS PARALLEL
bench_cluster bench-import 54363
conn="host=$dir port=$PORT dbname=postgres user=postgres"
french="$dir/french.csv"
canonical="$dir/canonical.csv"

log "generating $ROWS rows (seed $SEED)"
python3 - "$ROWS" "$SEED" "$french" "$canonical" <<'PY'
import random, sys

rows, seed, french_path, canonical_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(seed)
depts = ["%02d" % d for d in range(1, 96) if d != 20] + ["2A", "2B"]
cats = ["mairie", "école", "bibliothèque", "gymnase", "piscine", "crèche", "musée"]
places = ["Nord", "Sud", "de l'Est", "du Château", "Saint-Éloi", "des Lilas", "Jean-Jaurès"]
notes = ["", "", "", "à vérifier", "fermé le lundi; ouvert le dimanche", 'dit "la Halle"',
         "travaux prévus en 2025", "accès PMR"]

def q(v):  # CSV quoting, for either delimiter
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ';,"\n') else v

header_fr = ["Code INSEE", "Code postal", "SIRET", "Identifiant", "Population", "Surface (km²)",
             "Montant (€)", "Date de création", "Date de mise à jour", "Actif", "Libellé",
             "Latitude", "Longitude", "Catégorie", "Nombre de places", "Taux", "Horodatage",
             "Commentaire", "Année", "Score"]
with open(french_path, "w", encoding="utf-8", newline="") as fr, \
        open(canonical_path, "w", encoding="utf-8", newline="") as ca:
    fr.write(";".join(header_fr) + "\r\n")
    ca.write(",".join("c%d" % i for i in range(1, 22)) + "\n")
    for i in range(1, rows + 1):
        r = rnd.random
        dept = depts[int(r() * len(depts))]
        insee = dept + "%03d" % int(r() * 999 + 1)
        cp = ("20%03d" % int(r() * 620)) if dept in ("2A", "2B") else dept + "%03d" % int(r() * 1000)
        siret = "%09d%05d" % (int(r() * 1e9), int(r() * 1e5))
        pop_nc = r() < 0.03
        pop = int(r() * 200000)
        surf = "%d,%02d" % (int(r() * 500), int(r() * 100))
        montant = "%d.%02d" % (int(r() * 1e6), int(r() * 100))
        y, m, d = 1950 + int(r() * 75), 1 + int(r() * 12), 1 + int(r() * 28)
        y2, m2, d2 = 2015 + int(r() * 11), 1 + int(r() * 12), 1 + int(r() * 28)
        actif = r() < 0.8
        lib = "%s %s; annexe \"%s\"" % (cats[int(r() * len(cats))].capitalize(), insee,
                                        places[int(r() * len(places))])
        lat = "%.6f" % (41.4 + r() * 9.6)
        lon = "%.6f" % (-4.7 + r() * 12.9)
        cat = cats[int(r() * len(cats))]
        nb_empty = r() < 0.1
        nb = int(r() * 500)
        taux_na = r() < 0.05
        taux = "%d,%d" % (int(r() * 100), int(r() * 10))
        hh, mi, ss = int(r() * 24), int(r() * 60), int(r() * 60)
        off = "+01:00" if m2 in (11, 12, 1, 2, 3) else "+02:00"
        ts = "%04d-%02d-%02dT%02d:%02d:%02d%s" % (y2, m2, d2, hh, mi, ss, off)
        note = notes[int(r() * len(notes))]
        annee = 1990 + int(r() * 35)
        score = "%.3f" % (r() * 200 - 100)
        fr.write(";".join([
            insee, cp, siret, str(i), "NC" if pop_nc else str(pop), surf, montant,
            "%02d/%02d/%04d" % (d, m, y), "%04d-%02d-%02d" % (y2, m2, d2), "oui" if actif else "non",
            q(lib), lat, lon, cat, "" if nb_empty else str(nb), "N/A" if taux_na else taux, ts,
            q(note), str(annee), score]) + "\r\n")
        ca.write(",".join([
            insee, cp, siret, str(i), "" if pop_nc else str(pop), surf.replace(",", "."), montant,
            "%04d-%02d-%02d" % (y, m, d), "%04d-%02d-%02d" % (y2, m2, d2), "true" if actif else "false",
            q(lib), lat, lon, cat, "" if nb_empty else str(nb), "" if taux_na else taux.replace(",", "."),
            ts, q(note), str(annee), score, "SRID=4326;POINT(%s %s)" % (lon, lat)]) + "\n")
PY
chmod 644 "$french" "$canonical"

# The table a DBA would write for the file, with the types the import infers.
ref_columns="code_insee text, code_postal text, siret text, identifiant integer, population integer,
  surface numeric, montant numeric, date_creation date, date_maj date, actif boolean, libelle text,
  latitude numeric, longitude numeric, categorie text, nombre_places integer, taux numeric,
  horodatage timestamp with time zone, commentaire text, annee integer, score numeric,
  geom geometry(Point,4326)"

psql_q >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
SQL

# Before each call: a checkpoint, so that one call's dirty buffers are not
# written during the next, and the table the same side made last dropped.
reset() {
  case "$1" in
    run_import) psql_q -c "SELECT opendata.drop_dataset(slug, true) FROM opendata.datasets WHERE slug = 'bench-import'" ;;
    run_copy) psql_q -c "DROP TABLE IF EXISTS public.bench_copy" ;;
    run_ogr) psql_q -c "DROP TABLE IF EXISTS public.bench_ogr" ;;
    run_geo_import) psql_q -c "SELECT opendata.drop_dataset(slug, true) FROM opendata.datasets WHERE slug = 'bench-geo'" ;;
    run_geo_ogr) psql_q -c "DROP TABLE IF EXISTS public.bench_geo_ogr" ;;
  esac
  psql_q -c "CHECKPOINT"
}
BENCH_RESET=reset

run_import() {  # each run's report, for its timings
  psql_q -At -c "SELECT opendata.import_csv_file('bench-import', '$french')" >>"$dir/reports.jsonl"
}
run_copy() {
  psql_q -1 -c "CREATE TABLE public.bench_copy ($ref_columns)" \
    -c "COPY public.bench_copy FROM '$canonical' (FORMAT csv, HEADER, FREEZE)" \
    -c "CREATE INDEX ON public.bench_copy USING gist (geom)" -c "ANALYZE public.bench_copy"
}
run_ogr() {
  ogr2ogr -f PostgreSQL "PG:$conn" "$french" -nln bench_ogr -a_srs EPSG:4326 \
    -oo SEPARATOR=SEMICOLON -oo AUTODETECT_TYPE=YES -oo X_POSSIBLE_NAMES=Longitude \
    -oo Y_POSSIBLE_NAMES=Latitude -oo KEEP_GEOM_COLUMNS=YES -lco GEOMETRY_NAME=geom \
    -gt 65536 2>"$dir/ogr.err" && psql_q -c "ANALYZE public.bench_ogr"
}
run_psql() {  # what every side pays for starting a client and a session
  psql_q -c "SELECT 1"
}
run_geo_import() {
  psql_q -At -c "SELECT opendata.import_geojson_file('bench-geo', '$geojson')" >>"$dir/geo-reports.jsonl"
}
run_geo_ogr() {
  ogr2ogr -f PostgreSQL "PG:$conn" "$geojson" -nln bench_geo_ogr -lco GEOMETRY_NAME=geom -gt 65536 2>"$dir/ogr-geo.err" &&
    psql_q -c "ANALYZE public.bench_geo_ogr"
}

log "CSV: $RUNS rounds of import, COPY reference, ogr2ogr"
bench_interleave "$RUNS" import run_import copy run_copy ogr run_ogr psql run_psql

# The reference did the same work: same types, same rows.
types() {
  psql_q -At -c "SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                   FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"
}
t_imp_types=$(types 'opendata_data."bench-import"')
t_ref_types=$(types public.bench_copy)
bench_same "the import's inferred types" "$t_imp_types" "$t_ref_types"
bench_same "rows of the imported table and of the COPY table (EXCEPT ALL both ways)" \
  "$(psql_q -At -c "SELECT (SELECT count(*) FROM (TABLE opendata_data.\"bench-import\" EXCEPT ALL TABLE public.bench_copy) a)
                         + (SELECT count(*) FROM (TABLE public.bench_copy EXCEPT ALL TABLE opendata_data.\"bench-import\") b)")" 0
bench_same "rows with a point, imported and by ogr2ogr" \
  "$(psql_q -At -c 'SELECT count(*) FROM opendata_data."bench-import" WHERE geom IS NOT NULL')" \
  "$(psql_q -At -c 'SELECT count(*) FROM public.bench_ogr WHERE geom IS NOT NULL')"
# The import's own split (report timings_ms) of its median run, step by
# step in the order they run: the file read, sniffing and inference, the
# table's creation, conversion and loading, the GiST index, registration,
# ANALYZE, the history line; then the total inside the call.
median_split() {
  jq -sr 'map(.timings_ms) | sort_by(.total) | .[length / 2 | floor] as $t
          | [("read", "sniff", "table", "load", "index", "register", "analyze", "history", "total")
             | select($t[.] != null) | "\(.) \($t[.] | round) ms"] | join(", ")' "$1"
}
split=$(median_split "$dir/reports.jsonl")
mb() { printf '%.1f' "$(echo "$(stat -c %s "$1") / 1048576" | bc -l)"; }

echo "| work | fair reference | size | work, ms median (p10-p90) | reference, ms median (p10-p90) | work / reference | goal | met |"
echo "|---|---|---:|---:|---:|---:|---|---|"
bench_result "import_csv_file (sniff, infer, load, index, register, ANALYZE)" \
  "one transaction: CREATE TABLE, COPY FREEZE, GiST index, ANALYZE" "$ROWS rows" import copy 1.43 ">= 0.7x throughput (<= 1.43x time)"
bench_result "import_csv_file" "ogr2ogr -f PostgreSQL (CSV, AUTODETECT_TYPE, GiST index), ANALYZE" "$ROWS rows" import ogr 0.333 ">= 3x faster"
echo
echo "French file $(mb "$french") MB, COPY's file $(mb "$canonical") MB; the import's split (median run): $split."
echo "A psql call doing nothing (SELECT 1, a new session) takes $(bench_spread psql) ms."

log "generating a FeatureCollection of $FEATURES points"
geojson="$dir/points.geojson"
python3 - "$FEATURES" "$SEED" "$geojson" <<'PY'
import json, random, sys
n, seed, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
cats = ["mairie", "école", "bibliothèque", "gymnase", "piscine", "crèche", "musée"]
with open(path, "w", encoding="utf-8") as f:
    f.write('{"type": "FeatureCollection", "features": [\n')
    for i in range(1, n + 1):
        feature = {"type": "Feature",
                   "geometry": {"type": "Point", "coordinates": [round(-4.7 + rnd.random() * 12.9, 6),
                                                                 round(41.4 + rnd.random() * 9.6, 6)]},
                   "properties": {"ident": i, "nom": "Équipement n°%d" % i, "categorie": rnd.choice(cats),
                                  "capacite": rnd.randrange(0, 2000), "taux": round(rnd.random() * 100, 2),
                                  "ouverture": "%04d-%02d-%02d" % (1950 + rnd.randrange(75), 1 + rnd.randrange(12),
                                                                    1 + rnd.randrange(28)),
                                  "accessible": rnd.random() < 0.5}}
        f.write(("" if i == 1 else ",\n") + json.dumps(feature, ensure_ascii=False))
    f.write("\n]}\n")
PY
chmod 644 "$geojson"

log "GeoJSON: $RUNS rounds of import, ogr2ogr"
: >"$dir/samples"
bench_interleave "$RUNS" import run_geo_import ogr run_geo_ogr
# The same features: count, sum of ids, sum of coordinates.
digest='SELECT count(*), sum(ident), round(sum(ST_X(geom) + ST_Y(geom))::numeric, 3) FROM'
bench_same "GeoJSON features (count, ids, coordinates) imported and by ogr2ogr" \
  "$(psql_q -At -c "$digest opendata_data.\"bench-geo\"")" "$(psql_q -At -c "$digest public.bench_geo_ogr")"
bench_result "import_geojson_file" "ogr2ogr -f PostgreSQL (GeoJSON, its spatial index), ANALYZE" "$FEATURES features" \
  import ogr 0.333 ">= 3x faster"
echo
echo "FeatureCollection $(mb "$geojson") MB; the import's split (median run): $(median_split "$dir/geo-reports.jsonl")."
echo "PARALLEL=$PARALLEL, PostgreSQL $PG_MAJOR, $(nproc) CPU(s), load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "command: $BENCH_COMMAND"
