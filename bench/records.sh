#!/usr/bin/env bash
# Record queries benchmark: opendata_api.records() and opendata_api.facets()
# on a generated dataset of ROWS rows (default 1,000,000), against the
# fastest SQL an expert would write for the same answer (same total_count,
# same page of results as the same JSON, same facet counts) on the
# dataset's API view.  Each query's reference is written in two forms, both
# timed, the faster one being the reference:
#   window  one scan: the page with count(*) OVER () from the same statement;
#   short   the page alone, its count only when the page does not tell it
#           (a page shorter than the limit ends the result: total = start +
#           rows; otherwise a count sub-select, evaluated only then).
# Facets use GROUPING SETS (one scan), text search the same accent folding
# as records() (lower(unaccent('unaccent', x)) LIKE ALL (patterns)), a year
# date_part() (a float8: extract() builds a numeric per row, a fifth
# slower to group by), and every query matches rows (the script fails on a
# total of 0).
#
# Timing is what a client waits for: pgbench sends the statement over the
# Unix socket and reads the result, as opendata_anon; a sample is the mean
# of TX calls after a first one, not counted.  Prepared (pgbench -M
# prepared), as an application sends a statement it repeats and as
# PostgREST sends its own: the hand SQL is parsed and planned once per
# session, as records() keeps the plan of a request's values the second
# time they come (src/pg/value_plans.cpp); the sides
# are interleaved (records, window, short, records ...) RUNS times after a
# warm-up; medians and p10-p90.  Before timing, every query's three answers
# are compared (results in order, facets as sets, numbers to 1e-9) and the
# script exits 1 when they differ.  Counts are exact on both sides
# (opendata.exact_count_threshold is raised above the row count).
#
#   bash bench/records.sh                       # 1,000,000 rows
#   ROWS=100000 RUNS=3 TX=5 bash bench/records.sh
#
# With RECORDS_CPU=N, each query and side is also timed inside the server,
# in backend CPU (/proc/self/schedstat, read around N calls run by EXECUTE
# as opendata_anon; three rounds, the sides interleaved; medians): under a
# heavy load the clients' times are mostly waiting for a CPU, the backend's
# CPU much less so.
#
# Appends one line per query to bench/results.tsv (scripts/bench_table.sh).
source "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-7}"
TX="${TX:-10}"
bench_command ROWS RUNS TX PARALLEL ${RECORDS_CPU:+RECORDS_CPU}
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
-- Backend CPU per call of `q` (ms): N runs by EXECUTE as opendata_anon,
-- between two reads of the backend's own /proc/self/schedstat, after one
-- untimed run (the table's pages back in shared buffers if the previous
-- query pushed them out: else the first side timed after another query
-- would pay for it).  The kernel brings a running task's figure up to
-- date only at a tick or when it leaves the CPU: a short sleep before
-- each read makes it exact to the microsecond instead of to the tick.
CREATE FUNCTION bench.cpu_ms(q text, n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  before bigint;
  after bigint;
  answer text;
BEGIN
  -- Prepared, as the clients' timing sends it (pgbench -M prepared): the
  -- hand SQL is planned once, as records() keeps the plan of values it
  -- has seen.
  SET LOCAL ROLE opendata_anon;
  EXECUTE 'PREPARE bench_call AS ' || q;
  EXECUTE 'EXECUTE bench_call' INTO answer;
  RESET ROLE;
  PERFORM pg_sleep(0.001);
  before := split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
  SET LOCAL ROLE opendata_anon;
  FOR i IN 1..n LOOP
    EXECUTE 'EXECUTE bench_call' INTO answer;
  END LOOP;
  RESET ROLE;
  PERFORM pg_sleep(0.001);
  after := split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
  DEALLOCATE bench_call;
  RETURN (after - before) / n / 1e6;
END
$$;
-- Each query: the records() (or facets()) call, its timed form when the
-- call compared is wrapped to give the reference's shape (facets: the
-- client waits for facets() alone, not for its answer parsed back), and the parts of the
-- hand-written page (json_build_object's arguments, the select list, FROM
-- and WHERE (and GROUP BY), ORDER BY on the output names, LIMIT, OFFSET;
-- count_from when the total counts other rows than the page's, as after a
-- keyset token).  bench.reference() writes the two forms from them.
CREATE TABLE bench.queries (id int PRIMARY KEY, label text, odsql text, obj text, cols text, from_where text,
                            ord text, lim int, off int DEFAULT 0, count_from text, facets text, timed text);
GRANT SELECT ON bench.queries TO opendata_anon;
INSERT INTO bench.queries (id, label, odsql, obj, cols, from_where, ord, lim, off) VALUES
(1, 'filter + order + page',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, category, value', "where" => 'category = "c3" and value > 500', order_by => 'value desc, id', rows => 10)$q$,
 $q$'id', id, 'category', category, 'value', value$q$, 'id, category, value',
 $q$FROM opendata_api."bench-rec" WHERE category = 'c3' AND value > 500$q$, 'value DESC, id', 10, 0),
(2, 'range filter, page 3 by id',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, amount, city', "where" => 'amount in [100..120] and flag', order_by => 'id', rows => 20, start => 40)$q$,
 $q$'id', id, 'amount', amount, 'city', city$q$, 'id, amount, city',
 $q$FROM opendata_api."bench-rec" WHERE amount BETWEEN 100 AND 120 AND flag$q$, 'id', 20, 40),
(3, 'group_by field, count',
 $q$SELECT opendata_api.records('bench-rec', fields => 'category, count(*) as n', group_by => 'category', rows => 100)$q$,
 $q$'category', category, 'n', n$q$, 'category, count(*) AS n',
 $q$FROM opendata_api."bench-rec" WHERE category IS NOT NULL GROUP BY category$q$, 'category', 100, 0),
(4, 'group_by, avg, order by count desc',
 $q$SELECT opendata_api.records('bench-rec', fields => 'city, count(*) as n, avg(value) as v', "where" => 'value < 300', group_by => 'city', order_by => 'n desc, city', rows => 10)$q$,
 $q$'city', city, 'n', n, 'v', v$q$, 'city, count(*) AS n, avg(value) AS v',
 $q$FROM opendata_api."bench-rec" WHERE value < 300 AND city IS NOT NULL GROUP BY city$q$, 'n DESC, city', 10, 0),
(5, 'group_by year(datetime)',
 $q$SELECT opendata_api.records('bench-rec', fields => 'year(created) as y, count(*) as n', group_by => 'year(created) as y', rows => 100)$q$,
 $q$'y', y, 'n', n$q$, $q$date_part('year', created AT TIME ZONE 'UTC')::int AS y, count(*) AS n$q$,
 $q$FROM opendata_api."bench-rec" WHERE created IS NOT NULL GROUP BY date_part('year', created AT TIME ZONE 'UTC')$q$, 'y', 100, 0),
(6, 'within_distance + order by distance',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id, geom', "where" => 'within_distance(geom, geom''POINT(2.5 48.8)'', 1km)', order_by => 'distance(geom, geom''POINT(2.5 48.8)''), id', rows => 10)$q$,
 $q$'id', id, 'geom', ST_AsGeoJSON(geom, 7)::json$q$,
 $q$id, geom, ST_Distance(geom::geography, 'SRID=4326;POINT(2.5 48.8)'::geography) AS d$q$,
 $q$FROM opendata_api."bench-rec" WHERE ST_DWithin(geom::geography, 'SRID=4326;POINT(2.5 48.8)'::geography, 1000)$q$, 'd, id', 10, 0),
(7, 'in_bbox',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', "where" => 'in_bbox(geom, 48.6, 2.1, 48.62, 2.13)', order_by => 'id', rows => 10)$q$,
 $q$'id', id$q$, 'id',
 $q$FROM opendata_api."bench-rec" WHERE ST_Intersects(geom, ST_MakeEnvelope(2.1, 48.6, 2.13, 48.62, 4326))$q$, 'id', 10, 0),
(8, 'deep page start=ROWS/2',
 format($q$SELECT opendata_api.records('bench-rec', fields => 'id, value', order_by => 'id', rows => 10, start => %s)$q$, :n / 2),
 $q$'id', id, 'value', value$q$, 'id, value', $q$FROM opendata_api."bench-rec"$q$, 'id', 10, :n / 2),
(9, 'text search in one field (1 category)',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', "where" => 'category = "c8" and search(label, "Piscine 42")', order_by => 'id', rows => 10)$q$,
 $q$'id', id$q$, 'id',
 $q$FROM opendata_api."bench-rec" WHERE category = 'c8' AND lower(unaccent('unaccent'::regdictionary, label)) LIKE ALL ('{%piscine%,%42%}')$q$,
 'id', 10, 0),
-- (The colons written \x3a: pgbench -M prepared takes ':name' for a variable,
-- even inside a string.)
(10, 'refine + exclude',
 $q$SELECT opendata_api.records('bench-rec', fields => 'id', refine => E'{category\x3ac5}', exclude => E'{flag\x3atrue}', order_by => 'id', rows => 10)$q$,
 $q$'id', id$q$, 'id', $q$FROM opendata_api."bench-rec" WHERE category = 'c5' AND flag IS DISTINCT FROM true$q$, 'id', 10, 0);
-- Deep page by token (keyset paging): the page of query 8, reached with the
-- next_after token of the page before it instead of start; the hand-written
-- side is the keyset query a developer would write, its total the table's.
INSERT INTO bench.queries (id, label, odsql, obj, cols, from_where, ord, lim, count_from)
SELECT 12, 'deep page via token (after row ROWS/2)',
       format($q$SELECT opendata_api.records('bench-rec', fields => 'id, value', order_by => 'id', rows => 10, after => %L)$q$,
              opendata_api.records('bench-rec', fields => 'id', order_by => 'id', rows => 10, start => :n / 2 - 10)->>'next_after'),
       $q$'id', id, 'value', value$q$, 'id, value', format($q$FROM opendata_api."bench-rec" WHERE id > %s$q$, :n / 2), 'id', 10,
       $q$FROM opendata_api."bench-rec"$q$;
-- Facets: both fields' counts from one scan (GROUPING SETS); compared as
-- sets.  facets()' answer is turned into the reference's shape to be
-- compared; what is timed is the call alone (its column timed).
INSERT INTO bench.queries (id, label, timed, odsql, facets)
SELECT 11, 'facets (2 fields) under a filter', 'SELECT ' || call,
 format($q$SELECT json_build_object('total_count', 0, 'results', (SELECT json_agg(json_build_object('facet', x->>'name', 'name', f->>'name', 'count', (f->>'count')::int))
          FROM json_array_elements((%s)->'facets') x, json_array_elements(x->'facets') f))$q$, call),
 $q$SELECT json_build_object('total_count', 0, 'results', json_agg(json_build_object('facet', CASE WHEN by_category THEN 'category' ELSE 'city' END,
                                                             'name', coalesce(category, city), 'count', n)))
     FROM (SELECT category, city, GROUPING(category) = 0 AS by_category, count(*)::int AS n
             FROM opendata_api."bench-rec" WHERE value > 900
            GROUP BY GROUPING SETS ((category), (city))
           HAVING (GROUPING(category) = 0 AND category IS NOT NULL) OR (GROUPING(city) = 0 AND city IS NOT NULL)) s$q$
  FROM (VALUES ($c$opendata_api.facets('bench-rec', "where" => 'value > 900')$c$)) v(call);

-- The reference of query q in form 'window' or 'short' (NULL where the form
-- does not give the answer: window when the total counts other rows).
CREATE FUNCTION bench.reference(q bench.queries, form text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN q.facets IS NOT NULL THEN CASE WHEN form = 'short' THEN q.facets END
    WHEN form = 'window' AND q.count_from IS NULL THEN
      format($f$SELECT json_build_object('total_count', coalesce(max(p.total_count_), 0),
                  'results', coalesce(json_agg(json_build_object(%s) ORDER BY %s), '[]'))
                  FROM (SELECT %s, count(*) OVER () AS total_count_ %s ORDER BY %s LIMIT %s OFFSET %s) p$f$,
             q.obj, q.ord, q.cols, q.from_where, q.ord, q.lim, q.off)
    WHEN form = 'short' THEN
      format($f$SELECT json_build_object('total_count',
                  CASE WHEN %s THEN %s + count(*)
                       ELSE (SELECT count(*) FROM (SELECT 1 %s) g) END,
                  'results', coalesce(json_agg(json_build_object(%s) ORDER BY %s), '[]'))
                  FROM (SELECT %s %s ORDER BY %s LIMIT %s OFFSET %s) p$f$,
             CASE WHEN q.count_from IS NULL THEN format('count(*) < %s AND (%s = 0 OR count(*) > 0)', q.lim, q.off)
                  ELSE 'false' END,
             q.off, coalesce(q.count_from, q.from_where),
             q.obj, q.ord, q.cols, q.from_where, q.ord, q.lim, q.off)
  END
$$;
-- One line per query and side: its answer, or DIFFERENT and why.
CREATE FUNCTION bench.check() RETURNS TABLE (id int, sides text, total text, verdict text) LANGUAGE plpgsql AS $$
DECLARE
  q bench.queries;
  a jsonb;
  b jsonb;
  ref text;
BEGIN
  FOR q IN SELECT * FROM bench.queries ORDER BY 1 LOOP
    EXECUTE q.odsql INTO a;
    FOREACH ref IN ARRAY ARRAY['window', 'short'] LOOP
      CONTINUE WHEN bench.reference(q, ref) IS NULL;
      EXECUTE bench.reference(q, ref) INTO b;
      id := q.id; sides := 'records/' || ref; total := a->>'total_count';
      verdict := CASE
        WHEN q.facets IS NULL AND (a->>'total_count')::bigint = 0 THEN 'DIFFERENT: the query matches no row'
        WHEN q.facets IS NOT NULL AND jsonb_array_length(a->'results') = 0 THEN 'DIFFERENT: no facet value'
        WHEN (a->'total_count') IS DISTINCT FROM (b->'total_count') THEN format('DIFFERENT: total %s against %s', a->'total_count', b->'total_count')
        WHEN NOT bench.json_eq(CASE WHEN q.facets IS NULL THEN a->'results' ELSE (SELECT jsonb_agg(e ORDER BY e::text) FROM jsonb_array_elements(a->'results') e) END,
                               CASE WHEN q.facets IS NULL THEN b->'results' ELSE (SELECT jsonb_agg(e ORDER BY e::text) FROM jsonb_array_elements(b->'results') e) END)
          THEN 'DIFFERENT: results ' || left((a->'results')::text, 200) || ' against ' || left((b->'results')::text, 200)
        ELSE 'same' END;
      -- The window form loses the total on a page past the last row: it is
      -- then no reference for this query, which the short form answers.
      IF ref = 'window' AND verdict <> 'same' AND (b->>'total_count')::bigint = 0 AND q.off > 0 THEN
        verdict := 'unfit: the page is past the last row';
      END IF;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$;
SQL
log "dataset generated in $(( $(date +%s) - gen_start )) s"
bench_stop_if_kept

# Every client below runs as the API's anonymous role, with exact counts.
export PGOPTIONS="$PGOPTIONS -c role=opendata_anon -c opendata.exact_count_threshold=100000000"

log "comparing the answers"
psql_q -At -F ' ' -c "SELECT * FROM bench.check()" >"$dir/check"
cat "$dir/check" >&2
if grep -q DIFFERENT "$dir/check"; then echo "records: DIFFERENT ANSWERS (above)" >&2; exit 1; fi

# The pgbench script of each query and side.
for id in $(psql_q -At -c "SELECT id FROM bench.queries ORDER BY id"); do
  psql_q -At -c "SELECT coalesce(timed, odsql) || ';' FROM bench.queries WHERE id = $id" >"$dir/q$id.records.sql"
  for form in window short; do
    psql_q -At -c "SELECT bench.reference(q, '$form') || ';' FROM bench.queries q WHERE id = $id" >"$dir/q$id.$form.sql"
  done
  if grep -q "^$id records/window .* unfit" "$dir/check"; then : >"$dir/q$id.window.sql"; fi
done

has_sql() { [ -n "$(tr -d '[:space:];' <"$1")" ]; }

log "timing: $RUNS rounds of $TX calls per query and side"
echo "| work | fair reference | size | records(), ms median (p10-p90) | reference, ms median (p10-p90) | records / reference | goal | met |"
echo "|---|---|---:|---:|---:|---:|---|---|"
while IFS='|' read -r id label; do
  sides=()
  for side in records window short; do
    if has_sql "$dir/q$id.$side.sql"; then sides+=("q$id-$side" "pgbench_ms $dir/q$id.$side.sql $TX -M prepared"); fi
  done
  bench_interleave "$RUNS" "${sides[@]}"
  ref=short
  if has_sql "$dir/q$id.window.sql" &&
     [ "$(echo "$(bench_median "q$id-window") < $(bench_median "q$id-short")" | bc)" = 1 ]; then ref=window; fi
  reference="hand SQL, $ref form"
  [ "$id" = 11 ] && reference="hand SQL, GROUPING SETS"
  bench_result "records: $label" "$reference" "$ROWS rows" "q$id-records" "q$id-$ref" 1.05 "<= 1.05x"
done < <(psql_q -At -c "SELECT id, label FROM bench.queries ORDER BY id")

if [ -n "${RECORDS_CPU:-}" ]; then
  log "backend CPU: 3 rounds of $RECORDS_CPU calls per query and side"
  # As superuser (pg_read_file); bench.cpu_ms() runs the calls as opendata_anon.
  PGOPTIONS="-c client_min_messages=warning -c max_parallel_workers_per_gather=$PARALLEL -c opendata.exact_count_threshold=100000000" \
  psql_q -At -F '|' -v n="$RECORDS_CPU" >"$dir/cpu" <<'SQL'
-- In this order (the sub-select is sorted before the calls run): round
-- by round, query by query, the sides in turn.
CREATE TEMP TABLE cpu AS
SELECT id, side, bench.cpu_ms(sql, :n) AS ms
  FROM (SELECT q.id, s.side, CASE s.side WHEN 'records' THEN coalesce(q.timed, q.odsql) ELSE bench.reference(q, s.side) END AS sql
          FROM generate_series(1, 3) r, bench.queries q,
               unnest(ARRAY['records', 'window', 'short']) WITH ORDINALITY s(side, o)
         WHERE s.side = 'records' OR bench.reference(q, s.side) IS NOT NULL
         ORDER BY r, q.id, s.o OFFSET 0) calls;
SELECT id, side, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM cpu GROUP BY 1, 2 ORDER BY 1, 2;
SQL
  echo
  echo "| work | fair reference | size | records(), backend CPU ms median | reference, backend CPU ms median | records / reference | goal | met |"
  echo "|---|---|---:|---:|---:|---:|---|---|"
  while IFS='|' read -r id label; do
    rec="$(awk -F'|' -v id="$id" '$1 == id && $2 == "records" {printf "%.3f", $3}' "$dir/cpu")"
    # The faster form that gives the answer (the window form is unfit past the last row).
    unfit=none
    has_sql "$dir/q$id.window.sql" || unfit=window
    best="$(awk -F'|' -v id="$id" -v unfit="$unfit" '$1 == id && $2 != "records" && $2 != unfit {print $2, $3}' \
              "$dir/cpu" | sort -k2 -g | head -1)"
    form="${best%% *}"
    ref="$(printf "%.3f" "${best##* }")"
    ratio="$(printf "%.3f" "$(echo "scale=4; $rec / $ref" | bc)")"
    met=no
    if [ "$(echo "$ratio <= 1.05" | bc)" = 1 ]; then met=yes; fi
    reference="hand SQL, $form form"
    [ "$id" = 11 ] && reference="hand SQL, GROUPING SETS"
    bench_record "records: $label, backend CPU" "$reference" "$ROWS rows" "$rec" "$ref" "$ratio" "<= 1.05x" "$met"
  done < <(psql_q -At -c "SELECT id, label FROM bench.queries ORDER BY id")
fi
echo
echo "rows: $ROWS, $RUNS rounds of $TX calls, PARALLEL=$PARALLEL, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s), load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "command: $BENCH_COMMAND"
