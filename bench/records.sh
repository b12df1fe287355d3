#!/usr/bin/env bash
# Record queries benchmark: opendata_api.records() and opendata_api.facets()
# on a generated dataset of 1,000,000 rows, against hand-written SQL giving
# the same answer (same total_count, same page of results as the same JSON,
# same facet counts) on the dataset's API view.  Both run as opendata_anon,
# inside the server, timed with clock_timestamp() (a query of a few
# milliseconds as a batch of calls of about 100 ms, per call); the
# hand-written statement is run with EXECUTE, so it is parsed and planned on
# every call, as a statement sent by a client would be.  Counts are exact on
# both sides (opendata.exact_count_threshold is raised above the row count).
#
#   bash bench/records.sh                 # 1,000,000 rows, 7 runs per query
#   ROWS=200000 RUNS=3 bash bench/records.sh
#
# Prints a Markdown report (per-query medians, their ratio, and whether both
# answers are equal), as copied into docs/performance.md.
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-7}"
bench_cluster bench 54371

log "generating $ROWS rows"
gen_start=$(date +%s)
psql_q -v n="$ROWS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE TABLE public.bench_rec (
  id int PRIMARY KEY, category text, city text, value numeric NOT NULL, amount int, created timestamptz, flag boolean,
  label text, geom geometry(Point, 4326));
INSERT INTO bench_rec
SELECT i, 'c' || (i % 20), (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes',
                                  'Strasbourg', 'Montpellier'])[1 + (i * 7) % 10] || ' ' || (i % 10),
       round(((i::bigint * 7919) % 100000) / 100.0, 2), (i * 31) % 1000,
       timestamptz '2015-01-01 00:00+00' + ((i::bigint * 104729) % 315360000) * interval '1 second', i % 3 = 0,
       'record ' || i || ' ' || (ARRAY['arbre', 'école', 'parking', 'piscine', 'musée'])[1 + i % 5],
       ST_SetSRID(ST_MakePoint(2.0 + ((i::bigint * 7919) % 10007) / 10007.0, 48.5 + ((i::bigint * 6151) % 9973) / 9973.0), 4326)
  FROM generate_series(1, :n) i;
CREATE INDEX ON bench_rec (category);
CREATE INDEX ON bench_rec (value);
CREATE INDEX ON bench_rec (created);
CREATE INDEX ON bench_rec USING gist (geom);
CREATE INDEX ON bench_rec USING gist ((geom::geography));
ANALYZE bench_rec;
SELECT opendata.create_organization('bench-org', 'Bench');
SELECT opendata.register('bench_rec', 'bench-rec', '{"title": "Bench", "description": "Bench", "publisher": "bench-org"}');
SELECT opendata.describe_field('bench-rec', 'category', '{"facet": true}');
SELECT opendata.describe_field('bench-rec', 'city', '{"facet": true}');
SELECT opendata.publish('bench-rec');

CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO opendata_anon;
-- JSON equality, numbers to 1e-9 relative (avg() may be numeric on one side,
-- double precision on the other).
CREATE FUNCTION bench.json_eq(a jsonb, b jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(a) IS DISTINCT FROM jsonb_typeof(b) THEN RETURN false; END IF;
  CASE jsonb_typeof(a)
  WHEN 'number' THEN RETURN abs(a::numeric - b::numeric) <= 1e-9 * greatest(1, abs(a::numeric));
  WHEN 'array' THEN
    RETURN jsonb_array_length(a) = jsonb_array_length(b)
       AND NOT EXISTS (SELECT 1 FROM generate_series(0, jsonb_array_length(a) - 1) i WHERE NOT bench.json_eq(a->i, b->i));
  WHEN 'object' THEN
    RETURN (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(a) k) IS NOT DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(b) k)
       AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(a) k WHERE NOT bench.json_eq(a->k, b->k));
  ELSE RETURN a = b;
  END CASE;
END
$$;
-- Each query: the records() (or facets()) call and the hand-written SQL
-- returning the same JSON.
CREATE TABLE bench.queries (id int PRIMARY KEY, label text, odsql text, hand text);
GRANT SELECT ON bench.queries TO opendata_anon;
INSERT INTO bench.queries VALUES
(1, 'filter + order + page',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, category, value', "where" => 'category = "c3" and value > 500', order_by => 'value desc, id', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE category = 'c3' AND value > 500),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'category', category, 'value', value) ORDER BY value DESC, id), '[]')
                        FROM (SELECT id, category, value FROM opendata_api."bench-rec" WHERE category = 'c3' AND value > 500
                               ORDER BY value DESC, id LIMIT 10) p))$q$),
(2, 'range filter, page 3 by id',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, amount, city', "where" => 'amount in [100..120] and flag', order_by => 'id', rows => 20, start => 40)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE amount BETWEEN 100 AND 120 AND flag),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'amount', amount, 'city', city) ORDER BY id), '[]')
                        FROM (SELECT id, amount, city FROM opendata_api."bench-rec" WHERE amount BETWEEN 100 AND 120 AND flag
                               ORDER BY id LIMIT 20 OFFSET 40) p))$q$),
(3, 'group_by field, count',
 $q$SELECT opendata_api.records('bench-rec', fields => 'category, count(*) as n', group_by => 'category', rows => 100)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM (SELECT 1 FROM opendata_api."bench-rec" WHERE category IS NOT NULL GROUP BY category) g),
          'results', (SELECT coalesce(json_agg(json_build_object('category', category, 'n', n) ORDER BY category), '[]')
                        FROM (SELECT category, count(*) n FROM opendata_api."bench-rec" WHERE category IS NOT NULL
                               GROUP BY category ORDER BY category LIMIT 100) p))$q$),
(4, 'group_by, avg, order by count desc',
 $q$SELECT opendata_api.records('bench-rec', fields => 'city, count(*) as n, avg(value) as v', "where" => 'value < 300', group_by => 'city', order_by => 'n desc, city', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM (SELECT 1 FROM opendata_api."bench-rec" WHERE value < 300 AND city IS NOT NULL GROUP BY city) g),
          'results', (SELECT coalesce(json_agg(json_build_object('city', city, 'n', n, 'v', v) ORDER BY n DESC, city), '[]')
                        FROM (SELECT city, count(*) n, avg(value) v FROM opendata_api."bench-rec" WHERE value < 300 AND city IS NOT NULL
                               GROUP BY city ORDER BY n DESC, city LIMIT 10) p))$q$),
(5, 'group_by year(datetime)',
 $q$SELECT opendata_api.records('bench-rec', fields => 'year(created) as y, count(*) as n', group_by => 'year(created) as y', rows => 100)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(DISTINCT extract(year FROM created AT TIME ZONE 'UTC')) FROM opendata_api."bench-rec"),
          'results', (SELECT coalesce(json_agg(json_build_object('y', y, 'n', n) ORDER BY y), '[]')
                        FROM (SELECT extract(year FROM created AT TIME ZONE 'UTC')::int y, count(*) n FROM opendata_api."bench-rec"
                               WHERE created IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 100) p))$q$),
(6, 'within_distance + order by distance',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, geom', "where" => 'within_distance(geom, geom''POINT(2.5 48.8)'', 1km)', order_by => 'distance(geom, geom''POINT(2.5 48.8)''), id', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE ST_DWithin(geom::geography, 'SRID=4326;POINT(2.5 48.8)'::geography, 1000)),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'geom', ST_AsGeoJSON(geom)::json) ORDER BY d, id), '[]')
                        FROM (SELECT id, geom, ST_Distance(geom::geography, 'SRID=4326;POINT(2.5 48.8)'::geography) d FROM opendata_api."bench-rec"
                               WHERE ST_DWithin(geom::geography, 'SRID=4326;POINT(2.5 48.8)'::geography, 1000)
                               ORDER BY d, id LIMIT 10) p))$q$),
(7, 'in_bbox',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', "where" => 'in_bbox(geom, 48.6, 2.1, 48.62, 2.13)', order_by => 'id', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE ST_Intersects(geom, ST_MakeEnvelope(2.1, 48.6, 2.13, 48.62, 4326))),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id) ORDER BY id), '[]')
                        FROM (SELECT id FROM opendata_api."bench-rec" WHERE ST_Intersects(geom, ST_MakeEnvelope(2.1, 48.6, 2.13, 48.62, 4326))
                               ORDER BY id LIMIT 10) p))$q$),
(8, 'deep page start=500000',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, value', order_by => 'id', rows => 10, start => 500000)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec"),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'value', value) ORDER BY id), '[]')
                        FROM (SELECT id, value FROM opendata_api."bench-rec" ORDER BY id LIMIT 10 OFFSET 500000) p))$q$),
(9, 'text search in one field (1 category)',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', "where" => 'category = "c7" and search(label, "piscine 4242")', order_by => 'id', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE category = 'c7' AND unaccent(lower(label)) LIKE '%piscine%' AND unaccent(lower(label)) LIKE '%4242%'),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id) ORDER BY id), '[]')
                        FROM (SELECT id FROM opendata_api."bench-rec" WHERE category = 'c7' AND unaccent(lower(label)) LIKE '%piscine%' AND unaccent(lower(label)) LIKE '%4242%'
                               ORDER BY id LIMIT 10) p))$q$),
(10, 'refine + exclude',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', refine => '{category:c5}', exclude => '{flag:true}', order_by => 'id', rows => 10)$q$,
 $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec" WHERE category = 'c5' AND flag IS DISTINCT FROM true),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id) ORDER BY id), '[]')
                        FROM (SELECT id FROM opendata_api."bench-rec" WHERE category = 'c5' AND flag IS DISTINCT FROM true
                               ORDER BY id LIMIT 10) p))$q$),
(11, 'facets (2 fields) under a filter',
 $q$SELECT json_build_object('results', (SELECT json_agg(json_build_object('facet', x->>'name', 'name', f->>'name', 'count', (f->>'count')::int))
          FROM json_array_elements(opendata_api.facets('bench-rec', "where" => 'value > 900')->'facets') x, json_array_elements(x->'facets') f))$q$,
 $q$SELECT json_build_object('results', (SELECT json_agg(j) FROM (
          SELECT json_build_object('facet', 'category', 'name', category, 'count', count(*)) j FROM opendata_api."bench-rec" WHERE value > 900 AND category IS NOT NULL GROUP BY category
          UNION ALL
          SELECT json_build_object('facet', 'city', 'name', city, 'count', count(*)) FROM opendata_api."bench-rec" WHERE value > 900 AND city IS NOT NULL GROUP BY city) s))$q$);
-- Deep page by token (keyset paging): the page of query 8, reached with the
-- next_after token of the page before it instead of start; the hand-written
-- side is the keyset query a developer would write.
INSERT INTO bench.queries
SELECT 12, 'deep page via token (after row 500000)',
       format($q$SELECT opendata_api.records('bench-rec', fields => 'id, value', order_by => 'id', rows => 10, after => %L)$q$,
              opendata_api.records('bench-rec', fields => 'id', order_by => 'id', rows => 10, start => 499990)->>'next_after'),
       $q$SELECT json_build_object('total_count', (SELECT count(*) FROM opendata_api."bench-rec"),
          'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'value', value) ORDER BY id), '[]')
                        FROM (SELECT id, value FROM opendata_api."bench-rec" WHERE id > 500000 ORDER BY id LIMIT 10) p))$q$;
SQL
log "dataset generated in $(( $(date +%s) - gen_start )) s"
bench_stop_if_kept

log "timing $RUNS runs per query and per method"
PGOPTIONS="$PGOPTIONS -c bench.runs=$RUNS" psql_q -At <<'SQL'
SET opendata.exact_count_threshold = 100000000;
SET ROLE opendata_anon;
CREATE TEMP TABLE timings (query int, method text, ms float8, answer jsonb);
-- A query of a few milliseconds is at the mercy of the scheduler on a
-- shared machine: each timed sample of it is a batch of calls lasting about
-- 100 ms (the batch size is set from the warm-up run), divided by the calls.
CREATE TEMP TABLE batch (query int PRIMARY KEY, calls int);
DO $bench$
DECLARE
  r record;
  t0 timestamptz;
  res json;
  runs int := current_setting('bench.runs')::int;
  n int;
  slowest float8;
BEGIN
  FOR i IN 0 .. runs LOOP   -- run 0 warms the caches and sizes the batches; it is not kept
    FOR r IN SELECT * FROM bench.queries ORDER BY id LOOP
      n := coalesce((SELECT calls FROM batch WHERE query = r.id), 1);
      slowest := 0;
      -- Alternate which goes first, so neither always gets the warmer cache.
      FOR k IN 0 .. 1 LOOP
        t0 := clock_timestamp();
        FOR c IN 1 .. n LOOP
          EXECUTE CASE WHEN (k + i) % 2 = 0 THEN r.odsql ELSE r.hand END INTO res;
        END LOOP;
        IF i > 0 THEN
          INSERT INTO timings VALUES (r.id, CASE WHEN (k + i) % 2 = 0 THEN 'records' ELSE 'hand' END,
                                      1000 * extract(epoch FROM clock_timestamp() - t0) / n, res::jsonb);
        ELSE
          slowest := greatest(slowest, 1000 * extract(epoch FROM clock_timestamp() - t0));
        END IF;
      END LOOP;
      IF i = 0 THEN
        INSERT INTO batch VALUES (r.id, greatest(1, least(100, ceil(100 / greatest(slowest, 0.01))))::int);
      END IF;
    END LOOP;
  END LOOP;
END
$bench$;
CREATE TEMP TABLE med AS
SELECT query, method, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS med, (array_agg(answer))[1] AS answer
  FROM timings GROUP BY query, method;
-- Same answer: results compared in order (as sets for facets, whose order
-- the hand-written side does not reproduce), numbers to 1e-9.
CREATE TEMP TABLE same AS
SELECT o.query,
       bench.json_eq(CASE WHEN o.query = 11 THEN (SELECT coalesce(jsonb_agg(e ORDER BY e::text), '[]') FROM jsonb_array_elements(o.answer->'results') e)
                          ELSE o.answer->'results' END,
                     CASE WHEN o.query = 11 THEN (SELECT coalesce(jsonb_agg(e ORDER BY e::text), '[]') FROM jsonb_array_elements(h.answer->'results') e)
                          ELSE h.answer->'results' END)
       AND (o.answer->'total_count') IS NOT DISTINCT FROM (h.answer->'total_count') AS same,
       o.answer->'total_count' AS total
  FROM med o JOIN med h ON h.query = o.query AND h.method = 'hand' WHERE o.method = 'records';
\echo '| # | query shape | total_count | calls per sample | records() median ms | hand-written SQL median ms | records / hand | same answer |'
\echo '|---:|---|---:|---:|---:|---:|---:|---|'
SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s |', q.id, q.label, coalesce(s.total::text, '-'), b.calls,
              round(o.med::numeric, 1), round(h.med::numeric, 1), round((o.med / nullif(h.med, 0))::numeric, 2),
              CASE WHEN s.same THEN 'yes' ELSE 'NO' END)
  FROM bench.queries q
  JOIN batch b ON b.query = q.id
  JOIN med o ON o.query = q.id AND o.method = 'records'
  JOIN med h ON h.query = q.id AND h.method = 'hand'
  JOIN same s ON s.query = q.id
 ORDER BY q.id;
\echo ''
SELECT format('Sum of medians: records() %s ms, hand-written %s ms, ratio %s; geometric mean of the per-query ratios %s.',
              round(sum(o.med)::numeric, 1), round(sum(h.med)::numeric, 1), round((sum(o.med) / sum(h.med))::numeric, 3),
              round(exp(avg(ln(o.med / h.med)))::numeric, 3))
  FROM med o JOIN med h ON h.query = o.query AND h.method = 'hand' WHERE o.method = 'records';
SQL
echo
echo "rows: $ROWS, runs per query: $RUNS, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
