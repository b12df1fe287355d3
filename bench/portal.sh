#!/usr/bin/env bash
# Portal pages benchmark: the server time of each page type (home, search,
# dataset, the dataset refined by one facet value, organization, reuses;
# src/sql/80_pages.sql) against the sum of
# the API calls the page is made of, as a JavaScript front-end would make
# them over PostgREST: for the dataset page on a dataset of 1,000,000
# points, records() (a page of 20, with its count), facets(), and the map's
# features as the API gives them (records() grouped by geo_cluster(), with
# counts); for the other pages the catalog views and search().  Then the
# map preview alone (opendata._page_map: SVG size and time), and the
# dataset page's API calls one by one.
#
# Everything runs as opendata_anon inside the server, timed with
# clock_timestamp(), page and API calls interleaved (page, calls, page,
# calls...).  The answers are compared where they meet: the page shows the
# API's counts (records total, facet counts, datasets, results), its table
# has the API's rows, its map caption counts what the clusters hold; any
# difference fails the run (exit 1).  The API's totals and facet counts
# are also checked against the data itself (count(*) and GROUP BY on the
# table), for the whole dataset and under the refined page's filter.
#
#   bash bench/portal.sh                   # 1,000,000 points, 15 runs each
#   POINTS=100000 RUNS=5 bash bench/portal.sh
#
# Prints a Markdown report (medians, spread, ratio, load), as copied into
# docs/portal.md.
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-1000000}"
RUNS="${RUNS:-15}"
bench_cluster bench-portal "${BENCH_PORT:-54391}"

log "generating $POINTS points and a catalog of 30 small datasets"
psql_q -v n="$POINTS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.set_catalog('{"title": "Bench portal", "description": "A catalog for the pages benchmark.",
                              "base_url": "http://127.0.0.1/api"}');
SELECT opendata.create_organization('bench-org', 'Bench');
-- 1,000,000 points over Île-de-France, two facet fields.
CREATE TABLE public.bench_points (id int PRIMARY KEY, category text, city text, value int, label text,
                                  geom geometry(Point, 4326));
INSERT INTO public.bench_points
SELECT i, 'c' || (i % 20),
       (ARRAY['Paris', 'Évry', 'Melun', 'Meaux', 'Corbeil', 'Massy', 'Créteil', 'Nanterre', 'Cergy', 'Versailles'])[1 + (i * 7) % 10],
       (i * 31) % 1000, 'point ' || i,
       ST_SetSRID(ST_MakePoint(1.8 + ((i::bigint * 7919) % 10007) / 10007.0 * 1.4,
                               48.4 + ((i::bigint * 6151) % 9973) / 9973.0 * 0.7), 4326)
  FROM generate_series(1, :n) i;
CREATE INDEX ON public.bench_points USING gist (geom);
ANALYZE public.bench_points;
SELECT opendata.register('bench_points', 'bench-points', $${"title": "Points", "publisher": "bench-org",
  "description": "Un million de points.", "themes": ["REGI"], "keywords": ["points"], "license": "etalab-2.0"}$$);
SELECT opendata.describe_field('bench-points', 'category', '{"facet": true}');
SELECT opendata.describe_field('bench-points', 'city', '{"facet": true}');
-- Publishing counts the facet values and the records once for the version
-- (the data summary, src/sql/36_summaries.sql): its time is reported.
CREATE TEMP TABLE publish_time AS SELECT clock_timestamp() AS t0;
SELECT opendata.publish('bench-points');
CREATE TABLE public.bench_publish_ms AS SELECT extract(epoch FROM clock_timestamp() - t0) * 1000 AS ms FROM publish_time;
-- Small datasets, so that home, search and the organization list things.
DO $$
BEGIN
  FOR i IN 1 .. 30 LOOP
    EXECUTE format('CREATE TABLE public.bench_small_%s AS SELECT g AS id, %L || g AS name FROM generate_series(1, 10) g', i, 'ligne ');
    PERFORM opendata.register(format('public.bench_small_%s', i)::regclass, 'petit-' || i, jsonb_build_object(
      'title', 'Petit jeu de données ' || i, 'publisher', 'bench-org', 'description', 'Données de test numéro ' || i,
      'themes', jsonb_build_array((ARRAY['ENVI', 'TRAN', 'ECON', 'SOCI', 'REGI'])[1 + i % 5]),
      'keywords', jsonb_build_array('test', 'mot' || (i % 7))));
    PERFORM opendata.publish('petit-' || i);
  END LOOP;
END
$$;
SELECT opendata.add_reuse('Réutilisation ' || i, 'https://reuse.example/' || i, 'application',
                          ARRAY['bench-points', 'petit-' || i], 'Auteur ' || i, 'Description ' || i)
  FROM generate_series(1, 5) i;

CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO opendata_anon;

-- The answers as the data gives them, by GROUP BY and count(*) on the
-- table, for the whole dataset and under the refined page's filter: the
-- API's facets and totals must be these (exact, whatever they are read
-- from).
CREATE TABLE bench.truth AS
SELECT w.filter, jsonb_build_object(
         'total', (SELECT count(*) FROM public.bench_points p WHERE w.filter = '' OR p.city = 'Évry'),
         'category', (SELECT jsonb_object_agg(v, n) FROM (SELECT category AS v, count(*) AS n FROM public.bench_points p
                                                          WHERE w.filter = '' OR p.city = 'Évry' GROUP BY 1) g),
         'city', (SELECT jsonb_object_agg(v, n) FROM (SELECT city AS v, count(*) AS n FROM public.bench_points p
                                                      WHERE w.filter = '' OR p.city = 'Évry' GROUP BY 1) g)) AS answer
  FROM (VALUES (''), ('city:Évry')) w(filter);

-- The zoom of geo_cluster() whose tiles are closest to the map's grid
-- cells (about a hundredth of the extent's larger side).
CREATE FUNCTION bench.map_zoom(ds text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT floor(ln(360 / greatest(ST_XMax(e) - ST_XMin(e), ST_YMax(e) - ST_YMin(e)) * 100) / ln(2))::int
    FROM (SELECT ST_Extent(geom) AS e FROM opendata_api."bench-points") s
$$;

-- One page type: the page, and the API calls it is made of, in one
-- statement each (what PostgREST runs for each GET).
CREATE FUNCTION bench.page(kind text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE kind
    WHEN 'home' THEN opendata_api.portal()
    WHEN 'search' THEN opendata_api.search_page('données')
    WHEN 'dataset' THEN opendata_api.dataset_page('bench-points')
    WHEN 'dataset refined' THEN opendata_api.dataset_page('bench-points', refine => '{city:Évry}')
    WHEN 'organization' THEN opendata_api.organization_page('bench-org')
    WHEN 'reuses' THEN opendata_api.reuses_page() END
$$;
CREATE FUNCTION bench.api(kind text, zoom int) RETURNS json[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  CASE kind
  WHEN 'home' THEN RETURN ARRAY[
    -- GET /datasets?status=eq.published&order=modified.desc,dataset_id&limit=6 (Prefer: count=exact)
    (SELECT json_build_object('count', (SELECT count(*) FROM opendata_api.datasets WHERE status = 'published'),
                              'rows', json_agg(d)) FROM (SELECT * FROM opendata_api.datasets WHERE status = 'published'
                                                         ORDER BY modified DESC, dataset_id LIMIT 6) d),
    (SELECT json_agg(t) FROM opendata_api.themes t WHERE datasets_count > 0),         -- GET /themes?datasets_count=gt.0
    (SELECT json_agg(o) FROM opendata_api.organizations o WHERE datasets_count > 0)];  -- GET /organizations?datasets_count=gt.0
  WHEN 'search' THEN RETURN ARRAY[opendata_api.search('données', rows => 10)];
  WHEN 'dataset' THEN RETURN ARRAY[
    (SELECT to_json(d) FROM opendata_api.datasets d WHERE dataset_id = 'bench-points'),  -- GET /datasets?dataset_id=eq.
    opendata_api.records('bench-points', rows => 20),
    opendata_api.facets('bench-points'),
    opendata_api.records('bench-points', fields => 'c, count(*) as n', group_by => format('geo_cluster(geom, %s) as c', zoom),
                         rows => 10000)];  -- the map's features: about 100 x 100 clusters
  WHEN 'dataset refined' THEN RETURN ARRAY[
    (SELECT to_json(d) FROM opendata_api.datasets d WHERE dataset_id = 'bench-points'),
    opendata_api.records('bench-points', rows => 20, refine => '{city:Évry}'),
    opendata_api.facets('bench-points', refine => '{city:Évry}'),
    -- the page's map shows the whole dataset, whatever the filter
    opendata_api.records('bench-points', fields => 'c, count(*) as n', group_by => format('geo_cluster(geom, %s) as c', zoom),
                         rows => 10000)];
  WHEN 'organization' THEN RETURN ARRAY[
    (SELECT to_json(o) FROM opendata_api.organizations o WHERE organization_id = 'bench-org'),
    (SELECT json_agg(d ORDER BY title) FROM opendata_api.datasets d WHERE publisher_id = 'bench-org' AND status = 'published')];
  WHEN 'reuses' THEN RETURN ARRAY[
    (SELECT json_agg(r ORDER BY created DESC) FROM opendata_api.reuses r),
    (SELECT json_agg(d) FROM opendata_api.datasets d WHERE status = 'published')];
  END CASE;
END
$$;

-- Interleaved runs: page, API calls, page, API calls...  Returns the
-- times, the last page and the last answers, for the comparison.
CREATE FUNCTION bench.run(kind text, runs int, OUT page_ms float8[], OUT api_ms float8[], OUT html text, OUT answers json[])
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  z int := bench.map_zoom('bench-points');
BEGIN
  page_ms := '{}'; api_ms := '{}';
  FOR i IN 1 .. runs LOOP
    t0 := clock_timestamp();
    html := bench.page(kind);
    page_ms := page_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
    t0 := clock_timestamp();
    answers := bench.api(kind, z);
    api_ms := api_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
END
$$;

-- What the page shows must be what the API answered: returns the list of
-- differences (empty when they agree).
CREATE FUNCTION bench.differences(kind text, html text, a json[]) RETURNS text[] LANGUAGE plpgsql STABLE AS $$
DECLARE
  diffs text[] := '{}';
  v json;
  f json;
  truth jsonb;
BEGIN
  CASE kind
  WHEN 'home' THEN
    IF html NOT LIKE format('%%(%s jeux de données)%%', opendata._page_num((a[1]->>'count')::bigint, 'fr')) THEN
      diffs := array_append(diffs, 'home: dataset count');
    END IF;
    FOR v IN SELECT * FROM json_array_elements(a[1]->'rows') LOOP
      IF html NOT LIKE '%' || opendata._h(v->>'title') || '%' THEN diffs := array_append(diffs, 'home: latest ' || (v->>'title')); END IF;
    END LOOP;
    IF (SELECT count(*) FROM regexp_matches(html, '<li class="dataset">', 'g')) <> json_array_length(a[1]->'rows') THEN
      diffs := array_append(diffs, 'home: latest count');
    END IF;
  WHEN 'search' THEN
    IF html NOT LIKE format('%%<p class="total" role="status">%s jeux de données</p>%%',
                            opendata._page_num((a[1]->>'total_count')::bigint, 'fr')) THEN
      diffs := array_append(diffs, 'search: total');
    END IF;
    FOR v IN SELECT * FROM json_array_elements(a[1]->'results') LOOP
      IF html NOT LIKE '%' || opendata._h(v->>'title') || '%' THEN diffs := array_append(diffs, 'search: ' || (v->>'title')); END IF;
    END LOOP;
  WHEN 'dataset', 'dataset refined' THEN
    -- The API's answers are the data's.
    SELECT t.answer INTO truth FROM bench.truth t WHERE t.filter = CASE kind WHEN 'dataset' THEN '' ELSE 'city:Évry' END;
    IF (a[2]->>'total_count')::bigint <> (truth->>'total')::bigint OR (a[2]->>'total_count_estimated')::boolean THEN
      diffs := array_append(diffs, format('%s: API total %s, data %s', kind, a[2]->>'total_count', truth->>'total'));
    END IF;
    FOR f IN SELECT * FROM json_array_elements(a[3]->'facets') LOOP
      IF (SELECT jsonb_object_agg(x->>'value', (x->>'count')::bigint) FROM json_array_elements(f->'facets') x)
         IS DISTINCT FROM truth->(f->>'name') THEN
        diffs := array_append(diffs, format('%s: API facet %s differs from GROUP BY', kind, f->>'name'));
      END IF;
    END LOOP;
    IF html NOT LIKE format('%%<p class="total" role="status">20 enregistrements affichés sur %s enregistrements</p>%%',
                            opendata._page_num((a[2]->>'total_count')::bigint, 'fr')) THEN
      diffs := array_append(diffs, 'dataset: records total');
    END IF;
    IF (SELECT count(*) FROM regexp_matches(substring(html FROM '<h2 id="h-preview">.*?</table>'), '<tr><td>', 'g'))
       <> json_array_length(a[2]->'results') THEN
      diffs := array_append(diffs, 'dataset: preview rows');
    END IF;
    FOR f IN SELECT * FROM json_array_elements(a[3]->'facets') LOOP
      FOR v IN SELECT * FROM json_array_elements(f->'facets') LOOP
        IF html NOT LIKE format('%%>%s</a> <span class="count">(%s)</span>%%', opendata._h(v->>'value'),
                                opendata._page_num((v->>'count')::bigint, 'fr'))
           AND html NOT LIKE format('%%<span>%s</span> <span class="count">(%s)</span>%%', opendata._h(v->>'value'),
                                    opendata._page_num((v->>'count')::bigint, 'fr')) THEN
          diffs := array_append(diffs, format('dataset: facet %s = %s', f->>'name', v->>'value'));
        END IF;
      END LOOP;
    END LOOP;
    -- The map samples the features: the total it says it sampled from is
    -- the number the API's clusters hold, to 2 % (an estimate from the
    -- planner's statistics).
    IF NOT coalesce(abs(replace((regexp_match(html, '<figcaption>[^<]* sur environ ([0-9\u202F]+)'))[1], U&'\202F', '')::numeric
                        / (SELECT sum((c->>'n')::bigint) FROM json_array_elements(a[4]->'results') c) - 1) <= 0.02, false) THEN
      diffs := array_append(diffs, 'dataset: map features');
    END IF;
  WHEN 'organization' THEN
    IF html NOT LIKE format('%%<p>%s jeux de données · %%', opendata._page_num(json_array_length(a[2]), 'fr')) THEN
      diffs := array_append(diffs, 'organization: dataset count');
    END IF;
  WHEN 'reuses' THEN
    FOR v IN SELECT * FROM json_array_elements(a[1]) LOOP
      IF html NOT LIKE '%' || opendata._h(v->>'title') || '%' THEN diffs := array_append(diffs, 'reuses: ' || (v->>'title')); END IF;
    END LOOP;
  END CASE;
  RETURN diffs;
END
$$;

-- The map preview alone, interleaved with nothing: median time and size.
CREATE FUNCTION bench.map(runs int, OUT ms float8[], OUT svg text) LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
BEGIN
  ms := '{}';
  FOR i IN 1 .. runs LOOP
    t0 := clock_timestamp();
    svg := opendata._page_map('bench-points', 'geom', 'fr');
    ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
END
$$;

-- The dataset page's API calls one by one: where its time goes.
CREATE FUNCTION bench.parts(runs int, OUT part text, OUT ms float8[]) RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  z int := bench.map_zoom('bench-points');
  r json;
BEGIN
  FOREACH part IN ARRAY ARRAY['records', 'facets', 'facets refined', 'clusters'] LOOP
    ms := '{}';
    FOR i IN 1 .. runs LOOP
      t0 := clock_timestamp();
      r := CASE part
             WHEN 'records' THEN opendata_api.records('bench-points', rows => 20)
             WHEN 'facets' THEN opendata_api.facets('bench-points')
             WHEN 'facets refined' THEN opendata_api.facets('bench-points', refine => '{city:Évry}')
             ELSE opendata_api.records('bench-points', fields => 'c, count(*) as n',
                                       group_by => format('geo_cluster(geom, %s) as c', z), rows => 10000) END;
      ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN NEXT;
  END LOOP;
END
$$;

CREATE FUNCTION bench.q(v float8[], p float8) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT round(percentile_cont(p) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(v) x
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bench TO opendata_anon;
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO opendata_anon;
SQL
bench_stop_if_kept

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log "timing the pages ($RUNS interleaved runs each)"
report="$(psql_q -At -F '|' -v runs="$RUNS" <<'SQL'
-- Pages of clusters as large as the map's grid (ALTER ROLE ... SET in a
-- deployment: docs/odsql.md).  JIT off for the API calls as for the pages
-- (which set it themselves): with it, each catalog query pays 50 to 250 ms
-- of compilation at every call (docs/portal.md).
SET opendata.max_page_size = 10000;
SET jit = off;
SET ROLE opendata_anon;
-- One warm-up of each, outside the figures.
SELECT count(bench.page(k)) FROM unnest(ARRAY['home', 'search', 'dataset', 'dataset refined', 'organization', 'reuses']) k \g /dev/null
SELECT k, bench.q(r.page_ms, 0.5), bench.q(r.page_ms, 0.1) || '–' || bench.q(r.page_ms, 0.9),
       bench.q(r.api_ms, 0.5), bench.q(r.api_ms, 0.1) || '–' || bench.q(r.api_ms, 0.9),
       round((bench.q(r.page_ms, 0.5) / nullif(bench.q(r.api_ms, 0.5), 0))::numeric, 2),
       octet_length(r.html), cardinality(r.answers),
       coalesce(array_to_string(bench.differences(k, r.html, r.answers), '; '), '')
  FROM unnest(ARRAY['home', 'search', 'dataset', 'dataset refined', 'organization', 'reuses']) WITH ORDINALITY AS kk(k, i),
       LATERAL bench.run(k, :runs) r
 ORDER BY i;
SQL
)"
map="$(psql_q -At -F '|' -v runs="$RUNS" <<'SQL'
SET jit = off;
SET ROLE opendata_anon;
SELECT bench.q(m.ms, 0.5), bench.q(m.ms, 0.1) || '–' || bench.q(m.ms, 0.9), octet_length(m.svg),
       (SELECT count(*) FROM regexp_matches(m.svg, '<circle ', 'g')), (regexp_match(m.svg, '<figcaption>([^<]*)</figcaption>'))[1]
  FROM bench.map(:runs) m;
SQL
)"
parts="$(psql_q -At -v runs="$RUNS" <<'SQL'
SET opendata.max_page_size = 10000;
SET jit = off;
SET ROLE opendata_anon;
SELECT string_agg(format('%s %s ms', part, bench.q(ms, 0.5)), ', ') FROM bench.parts(:runs);
SQL
)"
publish_ms="$(psql_q -At -c 'SELECT round(ms::numeric) FROM public.bench_publish_ms')"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "Command: \`POINTS=$POINTS RUNS=$RUNS bash bench/portal.sh\`; $(nproc) cores, load average $load_before before, $load_after after; PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}')."
echo
echo "| page | page ms (median) | p10–p90 | API calls | sum of API calls ms (median) | p10–p90 | page / API | page bytes | answers |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
status=0
while IFS='|' read -r kind pm pspread am aspread ratio bytes calls diffs; do
  if [ -n "$diffs" ]; then status=1; verdict="DIFFER: $diffs"; else verdict="same"; fi
  echo "| $kind | $pm | $pspread | $calls | $am | $aspread | $ratio | $bytes | $verdict |"
done <<<"$report"
IFS='|' read -r mm mspread msize mcircles mcaption <<<"$map"
echo
echo "Map preview alone (opendata._page_map, $POINTS points): median $mm ms (p10–p90 $mspread), SVG $msize bytes, $mcircles circles; caption: \"$mcaption\""
echo
echo "The dataset page's API calls alone (medians): $parts."
echo
echo "Publishing the $POINTS points (once, with their data summary): $publish_ms ms."
exit "$status"
