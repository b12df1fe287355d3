#!/usr/bin/env bash
# Catalog search benchmark: opendata_api.search() with all six facets on a
# generated catalog of DATASETS published datasets (default 50,000), for
# the 20 queries below, against the fastest SQL an expert would write for
# the same answer: every query word matched (LIKE on the lower(unaccent())
# folded text, i.e. an accent-insensitive ILIKE) in the title, description
# and keywords through a pg_trgm GIN index, or in the publisher's name; the
# same refine/exclude filters; the same total, page of 10 and six facets.
#
# Each call is timed as a client receives it: pgbench over the Unix socket
# as opendata_anon (row-level security on), one call per sample, the two
# sides interleaved RUNS times per query after a warm-up; the median and
# p95 over every call (goal: search() p95 <= 20 ms on 50,000 datasets).
# Answers: the total and the page's datasets must be equal for the queries
# without words and the one matching nothing; for the others search(),
# which folds, stems, corrects typos and ranks by relevance, must find at
# least ILIKE's hits; else the script exits 1.
#
#   bash bench/search.sh                # 50,000 datasets, 15 calls per query and side
#   DATASETS=5000 RUNS=5 bash bench/search.sh
#   SEARCH_ANSWERS=DIR bash bench/search.sh   # also writes each query's answer to DIR
#   SEARCH_CACHE=off bash bench/search.sh     # search() without its in-memory index (all SQL)
#
# Every query's whole answer must be the same with search()'s in-memory
# index of the public catalog and without it (opendata.search_cache).  The
# first call of a session, which loads that index, is timed apart (fresh
# sessions, one call each) and reported on its own line.
#
# Appends its lines to bench/results.tsv (scripts/bench_table.sh).
source "$(dirname "$0")/lib.sh"

DATASETS="${DATASETS:-50000}"
RUNS="${RUNS:-15}"
SEARCH_CACHE="${SEARCH_CACHE:-on}"
bench_command DATASETS RUNS PARALLEL SEARCH_CACHE
bench_cluster bench-search 54352

log "generating $DATASETS datasets"
gen_start=$(date +%s)
psql_q -v n="$DATASETS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE TABLE public.bench_source (id int PRIMARY KEY, value text);
SELECT opendata.set_catalog('{"title": "Bench", "base_url": "https://bench.example/api"}');

-- 200 organizations.
INSERT INTO opendata.organizations (slug, name, homepage)
SELECT 'org-' || i, (ARRAY['Ville de', 'Métropole de', 'Communauté de communes de', 'Département de'])[1 + i % 4]
                    || ' ' || (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille',
                                     'Rennes', 'Strasbourg', 'Montpellier', 'Grenoble', 'Dijon', 'Angers',
                                     'Brest', 'Tours', 'Limoges', 'Amiens', 'Metz', 'Besançon', 'Orléans'])[1 + i % 20]
                    || ' ' || i,
       'https://org-' || i || '.example'
  FROM generate_series(1, 200) i;

-- Vocabulary for titles, descriptions and keywords.
CREATE TEMP TABLE vocab AS SELECT
  ARRAY['Arbres', 'Parkings', 'Écoles', 'Bibliothèques', 'Stations de vélos', 'Budget', 'Déchets',
        'Qualité de l''air', 'Population', 'Logements sociaux', 'Accidents de la route', 'Piscines',
        'Musées', 'Marchés', 'Horaires des transports', 'Résultats des élections', 'Subventions',
        'Équipements sportifs', 'Espaces verts', 'Bornes de recharge électrique', 'Fontaines',
        'Toilettes publiques', 'Aires de jeux', 'Défibrillateurs', 'Patrimoine protégé',
        'Consommation d''énergie', 'Permis de construire', 'Crèches', 'Voirie', 'Éclairage public'] AS subjects,
  ARRAY['remarquables', 'municipaux', 'publics', 'communaux', 'disponibles', 'géolocalisés',
        'par quartier', 'en temps réel', 'annuels', 'historiques', 'prévisionnels', 'accessibles'] AS qualifiers,
  ARRAY['arbre', 'patrimoine', 'mobilité', 'vélo', 'stationnement', 'éducation', 'culture', 'sport',
        'environnement', 'énergie', 'finances', 'budget', 'santé', 'sécurité', 'urbanisme', 'logement',
        'transport', 'déchets', 'eau', 'air', 'population', 'élections', 'tourisme', 'commerce',
        'social', 'jeunesse', 'handicap', 'voirie', 'éclairage', 'biodiversité', 'climat', 'bruit',
        'open data', 'temps réel', 'géographie', 'cadastre', 'réseau', 'service public', 'citoyenneté',
        'associations'] AS keywords,
  ARRAY['AGRI', 'ECON', 'EDUC', 'ENER', 'ENVI', 'GOVE', 'HEAL', 'INTR', 'JUST', 'REGI', 'SOCI', 'TECH', 'TRAN'] AS themes,
  ARRAY['etalab-2.0', 'ODbL-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0'] AS licenses,
  ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes', 'Strasbourg',
        'Montpellier', 'Grenoble', 'Dijon', 'Île-de-France', 'Bretagne', 'Occitanie', 'France'] AS places,
  ARRAY['Données mises à jour', 'Jeu de données publié', 'Inventaire complet', 'Liste détaillée',
        'Recensement', 'Localisation et caractéristiques', 'Statistiques', 'Données issues du système d''information',
        'Extraction quotidienne', 'Suivi pluriannuel'] AS lead_ins;

INSERT INTO opendata.datasets (slug, source, organization_id, status, access, title, description, themes,
                               keywords, license_id, language, spatial, accrual_periodicity, issued, modified, version)
SELECT 'ds-' || i, 'public.bench_source'::regclass, 1 + (i::bigint * 7919) % 200, 'published', 'public',
       v.subjects[1 + (i * 31) % 30] || ' ' || v.qualifiers[1 + (i * 17) % 12] || ' - ' || v.places[1 + (i * 13) % 16]
         || ' ' || (2010 + i % 16),
       v.lead_ins[1 + i % 10] || ' : ' || lower(v.subjects[1 + (i * 37) % 30]) || ', '
         || lower(v.subjects[1 + (i * 41) % 30]) || ' et ' || v.keywords[1 + (i * 43) % 40] || ' sur le territoire de '
         || v.places[1 + (i * 13) % 16] || '. Fichier ' || v.qualifiers[1 + (i * 47) % 12] || ', millésime '
         || (2010 + i % 16) || '.',
       ARRAY[v.themes[1 + i % 13]] || CASE WHEN i % 3 = 0 THEN ARRAY[v.themes[1 + (i * 7) % 13]] ELSE '{}' END,
       ARRAY[v.keywords[1 + (i * 3) % 40], v.keywords[1 + (i * 11) % 40], v.keywords[1 + (i * 29) % 40]],
       v.licenses[1 + i % 5], '{fr}',
       jsonb_build_object('label', v.places[1 + (i * 13) % 16]),
       'ANNUAL', timestamptz '2015-01-01' + (i % 3650) * interval '1 day',
       timestamptz '2016-01-01' + ((i * 97) % 3650) * interval '1 day', 1
  FROM generate_series(1, :n) i, vocab v;

-- Three described fields per dataset.
INSERT INTO opendata.fields (dataset_id, name, position, label, type, sql_type)
SELECT d.id, f.name, f.pos, f.label, 'text', 'text'
  FROM opendata.datasets d,
       (VALUES ('id', 1, 'Identifiant'), ('libelle', 2, 'Libellé'), ('commune', 3, 'Commune')) AS f(name, pos, label);
ANALYZE;

-- The reference: the same answer from ILIKE on a trigram index.  Every
-- query word must be in the folded (lower(unaccent())) title, description
-- and keywords, matched through a GIN trigram index on that text, or in
-- the folded name of the publisher, matched on the organizations and taken
-- through the organization_id index (a BitmapOr of both).  bench.ilike_sql
-- writes the statement with the words as literals, as a client would send
-- it, so that the planner can use the index.
CREATE SCHEMA bench;
-- PUBLIC: the index expressions run as whoever writes or analyses the
-- catalog (opendata_owner's functions too).
GRANT USAGE ON SCHEMA bench TO PUBLIC;
DO $fold$
BEGIN
  EXECUTE format($f$CREATE FUNCTION bench.fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
                      AS $b$ SELECT lower(%1$I.unaccent(%2$L::regdictionary, t)) $b$$f$,
                 (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'),
                 (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent') || '.unaccent');
END
$fold$;
CREATE FUNCTION bench.doc(title text, description text, keywords text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT bench.fold(concat_ws(' ', title, description, array_to_string(keywords, ' '))) $$;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX datasets_doc_trgm ON opendata.datasets USING gin (bench.doc(title, description, keywords) gin_trgm_ops);
CREATE INDEX organizations_name_trgm ON opendata.organizations USING gin (bench.fold(name) gin_trgm_ops);
ANALYZE opendata.datasets, opendata.organizations;
GRANT EXECUTE ON FUNCTION bench.fold(text), bench.doc(text, text, text[]) TO PUBLIC;

CREATE FUNCTION bench.ilike_sql(q text, refine_theme text DEFAULT NULL, refine_publisher text DEFAULT NULL,
                                refine_year int DEFAULT NULL, exclude_theme text DEFAULT NULL)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT format($s$
  WITH hits AS MATERIALIZED (
    SELECT d.id, d.slug, d.title, d.modified, d.themes, d.keywords, d.license_id, o.slug AS publisher,
           o.name AS publisher_name, d.spatial->>'label' AS territory,
           date_part('year', d.modified AT TIME ZONE 'UTC')::int AS year
      FROM opendata.datasets d LEFT JOIN opendata.organizations o ON o.id = d.organization_id
     WHERE %s %s %s %s %s)
  SELECT json_build_object(
    'total_count', (SELECT count(*) FROM hits),
    'results', (SELECT json_agg(p) FROM (SELECT * FROM hits ORDER BY modified DESC, slug LIMIT 10) p),
    'facets', json_build_array(
      (SELECT json_agg(x) FROM (SELECT t, count(*) FROM hits, unnest(themes) t GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT lower(k), count(*) FROM hits, unnest(keywords) k GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT publisher, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT license_id, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT territory, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT year, count(*) FROM hits GROUP BY 1 ORDER BY 1 DESC LIMIT 50) x)))$s$,
    coalesce((SELECT string_agg(format(
               '(bench.doc(d.title, d.description, d.keywords) LIKE %1$L
                 OR d.organization_id = ANY (ARRAY(SELECT id FROM opendata.organizations WHERE bench.fold(name) LIKE %1$L)))',
               '%' || bench.fold(w) || '%'), ' AND ')
                FROM regexp_split_to_table(btrim(q), '\s+') w WHERE w <> ''), 'true'),
    CASE WHEN refine_theme IS NOT NULL THEN format('AND %L = ANY (d.themes)', refine_theme) ELSE '' END,
    CASE WHEN refine_publisher IS NOT NULL THEN format('AND o.slug = %L', refine_publisher) ELSE '' END,
    CASE WHEN refine_year IS NOT NULL THEN format($y$AND d.modified >= make_timestamptz(%1$s, 1, 1, 0, 0, 0, 'UTC')
                                                   AND d.modified < make_timestamptz(%1$s + 1, 1, 1, 0, 0, 0, 'UTC')$y$, refine_year) ELSE '' END,
    CASE WHEN exclude_theme IS NOT NULL THEN format('AND NOT %L = ANY (d.themes)', exclude_theme) ELSE '' END)
$$;

-- The queries: q, refine (theme, publisher, year), exclude theme.
CREATE TABLE bench.queries (id int PRIMARY KEY, label text, q text, theme text, publisher text, year int, exclude_theme text,
                            fuzzy boolean DEFAULT false);
INSERT INTO bench.queries VALUES
  (1, 'arbres', 'arbres', NULL, NULL, NULL, NULL),
  (2, 'arbres remarquables', 'arbres remarquables', NULL, NULL, NULL, NULL),
  (3, 'stationnement vélo', 'stationnement vélo', NULL, NULL, NULL, NULL),
  (4, 'qualité air', 'qualité air', NULL, NULL, NULL, NULL),
  (5, 'budget 2023', 'budget 2023', NULL, NULL, NULL, NULL),
  (6, 'écoles publiques', 'écoles publiques', NULL, NULL, NULL, NULL),
  (7, 'bibliotheques (no accent)', 'bibliotheques', NULL, NULL, NULL, NULL),
  (8, 'bornes de recharge électrique', 'bornes de recharge électrique', NULL, NULL, NULL, NULL),
  (9, 'park (prefix)', 'park', NULL, NULL, NULL, NULL),
  (10, 'patrimonie (typo)', 'patrimonie', NULL, NULL, NULL, NULL),
  (11, 'piscines Lyon', 'piscines Lyon', NULL, NULL, NULL, NULL),
  (12, 'défibrillateurs', 'défibrillateurs', NULL, NULL, NULL, NULL),
  (13, 'population par quartier', 'population par quartier', NULL, NULL, NULL, NULL),
  (14, 'arbres + theme:ENVI', 'arbres', 'ENVI', NULL, NULL, NULL),
  (15, 'déchets + modified:2020', 'déchets', NULL, NULL, 2020, NULL),
  (16, 'transports - theme:TRAN', 'transports', NULL, NULL, NULL, 'TRAN'),
  (17, 'no q, publisher:org-42', NULL, NULL, 'org-42', NULL, NULL),
  (18, 'no q, theme:EDUC + modified:2021', NULL, 'EDUC', NULL, 2021, NULL),
  (19, 'no q, whole catalog', NULL, NULL, NULL, NULL, NULL),
  (20, 'zzzz (no match)', 'zzzz', NULL, NULL, NULL, NULL);
-- search() folds, stems and corrects typos, and orders by relevance: for a
-- query with words it may find more than ILIKE, and orders its page otherwise.
UPDATE bench.queries SET fuzzy = true WHERE q IS NOT NULL AND id <> 20;
GRANT SELECT ON bench.queries TO opendata_anon;
SQL
log "catalog generated in $(( $(date +%s) - gen_start )) s"
bench_stop_if_kept

export PGOPTIONS="$PGOPTIONS -c role=opendata_anon -c opendata.search_cache=$SEARCH_CACHE"
# The pgbench script of each query and side.
search_call="SELECT opendata_api.search(q => q.q,
  refine => array_remove(ARRAY['theme:' || q.theme, 'publisher:' || q.publisher, 'modified:' || q.year], NULL),
  exclude => array_remove(ARRAY['theme:' || q.exclude_theme], NULL)) FROM bench.queries q WHERE id ="
ids=$(psql_q -At -c "SELECT id FROM bench.queries ORDER BY id")
for id in $ids; do
  psql_q -At -c "SELECT format('SELECT opendata_api.search(q => %L, refine => %L::text[], exclude => %L::text[]);', q,
                   array_remove(ARRAY['theme:' || theme, 'publisher:' || publisher, 'modified:' || year], NULL),
                   array_remove(ARRAY['theme:' || exclude_theme], NULL))
                   FROM bench.queries WHERE id = $id" >"$dir/q$id.search.sql"
  psql_q -At -c "SELECT bench.ilike_sql(q, theme, publisher, year, exclude_theme) || ';' FROM bench.queries WHERE id = $id" \
    >"$dir/q$id.ilike.sql"
done

# The same answer: total count and the page's datasets (in order) for the
# queries without words and the one matching nothing; for the others,
# search() (which folds, stems, corrects typos and ranks by relevance) must
# find at least ILIKE's hits.
log "comparing the answers"
for id in $ids; do
  a="$(psql_q -At -f "$dir/q$id.search.sql" | jq -c '[.total_count, [.results[].dataset_id]]')"
  b="$(psql_q -At -f "$dir/q$id.ilike.sql" | jq -c '[.total_count, [(.results // [])[].slug]]')"
  if [ "$(psql_q -At -c "SELECT fuzzy FROM bench.queries WHERE id = $id")" = t ]; then
    bench_same "search query $id (at least ILIKE's hits)" \
      "$(jq -n --argjson a "$a" --argjson b "$b" '$a[0] >= $b[0]')" true
  else
    bench_same "search query $id (total, page)" "$a" "$b"
  fi
  echo "query $id: $a" >&2
done

# The in-memory index answers byte for byte as SQL does.
log "comparing the in-memory index's answers with SQL's"
for id in $ids; do
  bench_same "search query $id (whole answer, in-memory index against SQL)" \
    "$(PGOPTIONS="$PGOPTIONS -c opendata.search_cache=on" psql_q -At -f "$dir/q$id.search.sql" | md5sum)" \
    "$(PGOPTIONS="$PGOPTIONS -c opendata.search_cache=off" psql_q -At -f "$dir/q$id.search.sql" | md5sum)"
done

# Every query's whole answer, to compare two versions byte for byte
# (SEARCH_ANSWERS=DIR).
if [ -n "${SEARCH_ANSWERS:-}" ]; then
  mkdir -p "$SEARCH_ANSWERS"
  for id in $ids; do psql_q -At -f "$dir/q$id.search.sql" >"$SEARCH_ANSWERS/q$id.json"; done
fi

log "timing: $RUNS rounds per query and side"
for id in $ids; do
  bench_interleave "$RUNS" search "pgbench_ms $dir/q$id.search.sql 1" ilike "pgbench_ms $dir/q$id.ilike.sql 1"
  awk '{ print $1, $2 }' "$dir/samples" >>"$dir/all_samples"
  : >"$dir/samples"
done
mv "$dir/all_samples" "$dir/samples"
p95() { awk -v n="$1" '$1 == n { print $2 }' "$dir/samples" | sort -g | awk '{ v[NR] = $1 } END { print v[int(0.95 * NR + 0.999)] }'; }
p95_search="$(p95 search)"
met=no
[ "$(echo "$p95_search <= 20" | bc)" = 1 ] && met=yes

# Inside the server: each search() call under EXPLAIN ANALYZE (median of
# three, in one session after a first call, as pgbench's samples are),
# beside the client's figures above; the total_count says how many
# datasets the call matched.
echo "| query | matches | search() inside the server, ms |"
echo "|---|---:|---:|"
for id in $ids; do
  server_ms=$({ cat "$dir/q$id.search.sql"
                for r in 1 2 3; do sed 's/^SELECT /EXPLAIN (ANALYZE, TIMING OFF) SELECT /' "$dir/q$id.search.sql"; done
              } | psql_q -At | sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' | sort -g | sed -n 2p)
  echo "| $(psql_q -At -c "SELECT label FROM bench.queries WHERE id = $id") |" \
       "$(psql_q -At -f "$dir/q$id.search.sql" | jq .total_count) | $server_ms |"
done
echo

echo "| work | fair reference | size | search(), ms | reference, ms | ratio | goal | met |"
echo "|---|---|---:|---:|---:|---:|---|---|"
bench_result "catalog search(), 20 queries, every call" "ILIKE (folded LIKE) on a pg_trgm GIN index, same filters and facets" \
  "$DATASETS datasets" search ilike 1.0 "<= 1.0x (median)"
bench_record "catalog search(), 20 queries: p95" "the same reference's p95: $(p95 ilike) ms" "$DATASETS datasets" \
  "p95 $p95_search ms" "p95 $(p95 ilike) ms" "$(printf '%.3f' "$(echo "$p95_search / $(p95 ilike)" | bc -l)")" "p95 <= 20 ms" "$met"

# The first call of a session: what the warm-up above leaves out (with the
# in-memory index, its load).  Fresh sessions, one call each, of query 3,
# against the reference's first call.
first_ms() {
  rm -f "$dir"/first_log.*
  "$PG_BINDIR/pgbench" -n -h "$dir" -p "$PORT" -U postgres -t 1 -f "$1" -l --log-prefix="$dir/first_log" \
    postgres >"$dir/pgbench.out" 2>&1 || { cat "$dir/pgbench.out" >&2; return 1; }
  awk '{ printf "ms=%.3f\n", $3 / 1000 }' "$(ls "$dir"/first_log.*)"
}
: >"$dir/samples"
bench_interleave "$RUNS" search "first_ms $dir/q3.search.sql" ilike "first_ms $dir/q3.ilike.sql"
bench_result "catalog search(), first call of a session (index load)" \
  "the same ILIKE query, first call of a session" "$DATASETS datasets" search ilike - "-"

echo
echo "datasets: $DATASETS, $RUNS calls per query and side, PARALLEL=$PARALLEL, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s), load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "command: $BENCH_COMMAND"
