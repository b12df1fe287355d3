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
#   COPY     COPY FROM of the same rows into a table created by hand with
#            the types the import infers (checked), from a file COPY can
#            load as is: COPY cannot read decimal commas, oui/non, NC/N/A
#            sentinels or build a point from two columns, so the generator
#            writes the same values a second time in COPY's CSV format
#            (ISO dates, '.' decimals, true/false, empty for NULL, the point
#            as EWKT).
#   COPY+    the same COPY followed by what the import does after loading
#            (CREATE INDEX ... USING gist on the point, ANALYZE): the same
#            end state, an indexed and analysed table.
#
# Goals (>= 0.7x the reference's rows/s each): the whole import call
# against COPY+, the same end state; the import up to the loaded table
# (sniff + load, below) against bare COPY.
#   ogr2ogr  ogr2ogr -f PostgreSQL of the French file (CSV driver,
#            AUTODETECT_TYPE=YES, X/Y_POSSIBLE_NAMES for the point, its own
#            GiST index).
#
# The imported table and the COPY table must hold the same rows (EXCEPT ALL
# both ways is empty), so the reference does the same work.  The import's
# own split (its report's timings_ms: sniff, load, the rest) shows where its
# time goes; "sniff + load" is the import up to the loaded table, the part
# COPY does.
#
#   bash bench/import.sh              # 1,000,000 rows, best of 3 runs
#   ROWS=20000 RUNS=1 bash bench/import.sh
#
# Prints a Markdown report, as copied into docs/performance.md.
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
SEED="${SEED:-20261128}"
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

# best_of RESET CMD...: the fastest of RUNS runs of CMD, in seconds; RESET
# runs before each (untimed), then a checkpoint, so that one run's dirty
# buffers are not written during the next.
best_of() {
  local reset="$1" best="" t0 t1 s i
  shift
  for ((i = 0; i < RUNS; i++)); do
    "$reset"
    psql_q -c "CHECKPOINT"
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
  done
  printf '%.3f' "$best"
}

reset_import() { psql_q -c "SELECT opendata.drop_dataset(slug, true) FROM opendata.datasets WHERE slug = 'bench-import'" >/dev/null; }
run_import() {  # each run's report, for its timings
  psql_q -At -c "SELECT opendata.import_csv_file('bench-import', '$french')" >>"$dir/reports.jsonl"
}
reset_copy() { psql_q -c "DROP TABLE IF EXISTS public.bench_copy; CREATE TABLE public.bench_copy ($ref_columns)"; }
run_copy() { psql_q -c "COPY public.bench_copy FROM '$canonical' (FORMAT csv, HEADER)"; }
run_copy_plus() {
  psql_q -c "COPY public.bench_copy FROM '$canonical' (FORMAT csv, HEADER)" \
    -c "CREATE INDEX ON public.bench_copy USING gist (geom)" -c "ANALYZE public.bench_copy"
}
reset_ogr() { psql_q -c "DROP TABLE IF EXISTS public.bench_ogr"; }
run_ogr() {
  ogr2ogr -f PostgreSQL "PG:$conn" "$french" -nln bench_ogr -a_srs EPSG:4326 \
    -oo SEPARATOR=SEMICOLON -oo AUTODETECT_TYPE=YES -oo X_POSSIBLE_NAMES=Longitude \
    -oo Y_POSSIBLE_NAMES=Latitude -oo KEEP_GEOM_COLUMNS=YES -lco GEOMETRY_NAME=geom \
    -gt 65536 2>"$dir/ogr.err"
}

log "import ($RUNS runs)"
t_import=$(best_of reset_import run_import)
log "COPY ($RUNS runs)"
t_copy=$(best_of reset_copy run_copy)
log "COPY + index + ANALYZE ($RUNS runs)"
t_copy_plus=$(best_of reset_copy run_copy_plus)
log "ogr2ogr ($RUNS runs)"
t_ogr=$(best_of reset_ogr run_ogr)

# The reference did the same work: same types, same rows.
types() {
  psql_q -At -c "SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                   FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"
}
t_imp_types=$(types 'opendata_data."bench-import"')
t_ref_types=$(types public.bench_copy)
if [ "$t_imp_types" != "$t_ref_types" ]; then
  echo "the import inferred other types than the reference table:" >&2
  echo "  import:    $t_imp_types" >&2
  echo "  reference: $t_ref_types" >&2
  exit 1
fi
diff_rows=$(psql_q -At -c "SELECT (SELECT count(*) FROM (TABLE opendata_data.\"bench-import\" EXCEPT ALL
                                    TABLE public.bench_copy) a)
                                + (SELECT count(*) FROM (TABLE public.bench_copy EXCEPT ALL
                                    TABLE opendata_data.\"bench-import\") b)")
if [ "$diff_rows" != 0 ]; then
  echo "the imported table and the COPY table differ by $diff_rows rows" >&2
  exit 1
fi
n_import=$(psql_q -At -c 'SELECT count(*) FROM opendata_data."bench-import"')
n_ogr=$(psql_q -At -c 'SELECT count(*) FROM public.bench_ogr WHERE geom IS NOT NULL')
ogr_types=$(psql_q -At -c "SELECT string_agg(format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                   FROM pg_attribute WHERE attrelid = 'public.bench_ogr'::regclass AND attnum > 1 AND NOT attisdropped")
# The import's own split (report timings_ms) of its fastest run: sniffing
# and inference, then conversion and COPY, then the rest (index, register,
# ANALYZE).
best_timings=$(jq -sc 'map(.timings_ms) | min_by(.total)' "$dir/reports.jsonl")
t_sniff=$(jq -r '.sniff / 1000' <<<"$best_timings")
t_load=$(jq -r '.load / 1000' <<<"$best_timings")
t_rest=$(jq -r '(.total - .sniff - .load) / 1000' <<<"$best_timings")
t_sniff_load=$(echo "$t_sniff + $t_load" | bc -l)

s_fr=$(stat -c %s "$french")
s_ca=$(stat -c %s "$canonical")
mb() { printf '%.1f' "$(echo "$1 / 1048576" | bc -l)"; }
mbps() { printf '%.1f' "$(echo "$1 / 1048576 / $2" | bc -l)"; }
rps() { printf '%.0f' "$(echo "$ROWS / $1" | bc -l)"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

cat <<EOF

### Import: $ROWS rows x 20 columns, best of $RUNS runs ($(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $PG_MAJOR)

Command: \`ROWS=$ROWS RUNS=$RUNS bash bench/import.sh\` (seed $SEED).  Wall time of one psql
or ogr2ogr call over the Unix socket, server-side files.  French file $(mb "$s_fr") MB, COPY's
equivalent file $(mb "$s_ca") MB; the imported and COPY tables hold the same $n_import rows
(EXCEPT ALL both ways is empty) with the same types: $t_imp_types.

| load | time (s) | file (MB) | MB/s | rows/s | ratio |
|---|---:|---:|---:|---:|---|
| \`opendata.import_csv_file\` (sniff, infer, COPY, index, register, ANALYZE) | $t_import | $(mb "$s_fr") | $(mbps "$s_fr" "$t_import") | $(rps "$t_import") | $(ratio "$t_copy_plus" "$t_import")x COPY+'s rows/s (goal >= 0.7), $(ratio "$t_copy" "$t_import")x bare COPY's |
| of which sniffing and inference (report \`timings_ms.sniff\`) | $(printf '%.3f' "$t_sniff") | | | | $(ratio "$t_sniff" "$t_copy")x COPY's time |
| of which conversion and COPY (\`timings_ms.load\`) | $(printf '%.3f' "$t_load") | | | | $(ratio "$t_load" "$t_copy")x COPY's time |
| of which index, registration, ANALYZE (the rest of \`timings_ms.total\`) | $(printf '%.3f' "$t_rest") | | | | $(ratio "$t_rest" "$(echo "$t_copy_plus - $t_copy" | bc -l)")x COPY+'s index and ANALYZE |
| import up to the loaded table (sniff + load) | $(printf '%.3f' "$t_sniff_load") | $(mb "$s_fr") | $(mbps "$s_fr" "$t_sniff_load") | $(rps "$t_sniff_load") | $(ratio "$t_copy" "$t_sniff_load")x COPY's rows/s (goal >= 0.7) |
| \`COPY FROM\` (FORMAT csv), table created by hand | $t_copy | $(mb "$s_ca") | $(mbps "$s_ca" "$t_copy") | $(rps "$t_copy") | reference |
| COPY+: \`COPY FROM\`, GiST index, ANALYZE | $t_copy_plus | $(mb "$s_ca") | $(mbps "$s_ca" "$t_copy_plus") | $(rps "$t_copy_plus") | reference |
| \`ogr2ogr -f PostgreSQL\` (CSV driver, AUTODETECT_TYPE) | $t_ogr | $(mb "$s_fr") | $(mbps "$s_fr" "$t_ogr") | $(rps "$t_ogr") | $(ratio "$t_ogr" "$t_import")x the import's time |

ogr2ogr loaded $n_ogr points, as: $ogr_types.
EOF
