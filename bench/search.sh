#!/usr/bin/env bash
# Catalog search benchmark: opendata_api.search() with all six facets on a
# generated catalog of 50,000 published datasets, against a plain ILIKE scan
# that does the equivalent filtering (every query word in the title,
# description, keywords or publisher name; same refine/exclude filters; same
# total count, page of 10 and six facet counts).  Both run as opendata_anon
# (row-level security on), inside the server: each call is timed with
# clock_timestamp(), so the figures exclude client round trips.
#
#   bash bench/search.sh                # 50,000 datasets, 15 runs per query
#   DATASETS=10000 RUNS=5 bash bench/search.sh
#
# Prints a Markdown report (per-query medians, overall median and p95, and
# the ILIKE/search ratio), as copied into docs/performance.md.
source "$(dirname "$0")/lib.sh"

DATASETS="${DATASETS:-50000}"
RUNS="${RUNS:-15}"
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
SELECT 'ds-' || i, 'public.bench_source'::regclass, 1 + (i * 7919) % 200, 'published', 'public',
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

-- The reference: the same answer from ILIKE scans.
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO opendata_anon;
CREATE FUNCTION bench.ilike_search(q text, refine_theme text DEFAULT NULL, refine_publisher text DEFAULT NULL,
                                   refine_year int DEFAULT NULL, exclude_theme text DEFAULT NULL)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
  words text[] := CASE WHEN q IS NULL THEN '{}' ELSE regexp_split_to_array(btrim(q), '\s+') END;
  result json;
BEGIN
  WITH hits AS MATERIALIZED (
    SELECT d.id, d.slug, d.title, d.modified, d.themes, d.keywords, d.license_id, o.slug AS publisher,
           o.name AS publisher_name, d.spatial->>'label' AS territory,
           date_part('year', d.modified AT TIME ZONE 'UTC')::int AS year
      FROM opendata.datasets d LEFT JOIN opendata.organizations o ON o.id = d.organization_id
     WHERE NOT EXISTS (SELECT FROM unnest(words) w
                        WHERE NOT (d.title ILIKE '%' || w || '%' OR d.description ILIKE '%' || w || '%'
                                   OR array_to_string(d.keywords, ' ') ILIKE '%' || w || '%'
                                   OR o.name ILIKE '%' || w || '%'))
       AND (refine_theme IS NULL OR refine_theme = ANY (d.themes))
       AND (refine_publisher IS NULL OR o.slug = refine_publisher)
       AND (refine_year IS NULL OR date_part('year', d.modified AT TIME ZONE 'UTC')::int = refine_year)
       AND (exclude_theme IS NULL OR NOT exclude_theme = ANY (d.themes)))
  SELECT json_build_object(
    'total_count', (SELECT count(*) FROM hits),
    'results', (SELECT json_agg(p) FROM (SELECT * FROM hits ORDER BY modified DESC LIMIT 10) p),
    'facets', json_build_array(
      (SELECT json_agg(x) FROM (SELECT t, count(*) FROM hits, unnest(themes) t GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT lower(k), count(*) FROM hits, unnest(keywords) k GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT publisher, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT license_id, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT territory, count(*) FROM hits GROUP BY 1 ORDER BY 2 DESC LIMIT 50) x),
      (SELECT json_agg(x) FROM (SELECT year, count(*) FROM hits GROUP BY 1 ORDER BY 1 DESC LIMIT 50) x)))
    INTO result;
  RETURN result;
END
$$;
GRANT EXECUTE ON FUNCTION bench.ilike_search(text, text, text, int, text) TO opendata_anon;

-- The queries: q, refine (theme, publisher, year), exclude theme.
CREATE TABLE bench.queries (id int PRIMARY KEY, label text, q text, theme text, publisher text, year int, exclude_theme text);
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
GRANT SELECT ON bench.queries TO opendata_anon;
SQL
log "catalog generated in $(( $(date +%s) - gen_start )) s"
bench_stop_if_kept

log "timing $RUNS runs per query and per method"
PGOPTIONS="$PGOPTIONS -c bench.runs=$RUNS" psql_q -At <<'SQL'
SET ROLE opendata_anon;
CREATE TEMP TABLE timings (query int, method text, ms float8, total bigint);
DO $bench$
DECLARE
  r record;
  t0 timestamptz;
  res json;
  runs int := current_setting('bench.runs')::int;
BEGIN
  FOR i IN 0 .. runs LOOP   -- run 0 warms the caches and is not kept
    FOR r IN SELECT * FROM bench.queries ORDER BY id LOOP
      t0 := clock_timestamp();
      res := opendata_api.search(q => r.q,
               refine => array_remove(ARRAY['theme:' || r.theme, 'publisher:' || r.publisher, 'modified:' || r.year], NULL),
               exclude => array_remove(ARRAY['theme:' || r.exclude_theme], NULL));
      IF i > 0 THEN
        INSERT INTO timings VALUES (r.id, 'search', 1000 * extract(epoch FROM clock_timestamp() - t0),
                                    (res->>'total_count')::bigint);
      END IF;
      t0 := clock_timestamp();
      res := bench.ilike_search(r.q, r.theme, r.publisher, r.year, r.exclude_theme);
      IF i > 0 THEN
        INSERT INTO timings VALUES (r.id, 'ilike', 1000 * extract(epoch FROM clock_timestamp() - t0),
                                    (res->>'total_count')::bigint);
      END IF;
    END LOOP;
  END LOOP;
END
$bench$;
\echo '| query | search hits | search median ms | search p95 ms | ILIKE hits | ILIKE median ms | ILIKE/search |'
\echo '|---|---:|---:|---:|---:|---:|---:|'
SELECT format('| %s | %s | %s | %s | %s | %s | %s |', q.label, s.total, round(s.med::numeric, 1), round(s.p95::numeric, 1),
              i.total, round(i.med::numeric, 1), round((i.med / nullif(s.med, 0))::numeric, 1))
  FROM bench.queries q
  JOIN (SELECT query, max(total) AS total, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS med,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
          FROM timings WHERE method = 'search' GROUP BY query) s ON s.query = q.id
  JOIN (SELECT query, max(total) AS total, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS med
          FROM timings WHERE method = 'ilike' GROUP BY query) i ON i.query = q.id
 ORDER BY q.id;
\echo ''
\echo '| all queries | median ms | p95 ms |'
\echo '|---|---:|---:|'
SELECT format('| %s | %s | %s |', method, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
              round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1))
  FROM timings GROUP BY method ORDER BY method DESC;
\echo ''
SELECT format('ILIKE / search, ratio of the overall medians: %s', round((
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timings WHERE method = 'ilike')
         / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timings WHERE method = 'search'))::numeric, 1));
SQL
echo
echo "datasets: $DATASETS, runs per query: $RUNS, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s)"
