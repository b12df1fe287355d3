#!/usr/bin/env bash
# Crossings benchmark: the whole opendata.cross() call (the derived
# dataset, a materialized view, registered, indexed, with its report), as a
# client waits for it, against the fastest SQL an expert would write for
# the same end state, in one transaction: the same rows, the same GiST index
# on the result and the same report (CREATE TABLE AS ...; CREATE INDEX ...
# USING gist; the report's query).  No ANALYZE: cross() leaves the new
# relation to autovacuum, as CREATE TABLE AS does.  JIT is off on both
# sides (SET LOCAL jit = off in the reference's transaction; cross() is
# declared with it): compiling these statements costs more than it saves,
# so the reference is faster without it (100,000 x 10,000 points, backend
# CPU: 1.12 s against 1.31 s for within_distance's table).
#
#   within_distance  POINTS points x RIGHT_POINTS points, how many within
#                    500 m of each left point, two references, the faster
#                    one kept: (box) LATERAL count(*) with a latitude-aware
#                    box on the geometry index (ST_Expand by 500 m in
#                    degrees of longitude at the point's latitude and of
#                    latitude, never smaller than 500 m on the spheroid)
#                    and ST_DWithin(geography, geography); (geography)
#                    LATERAL count(*) with ST_DWithin(geography, geography)
#                    on a GiST index of the right side's geography.
#   contains         POLYGONS generated polygons x POINTS points: LATERAL
#                    count(*) of the points each polygon contains, and the
#                    report, the points in no polygon: the points less the
#                    distinct points the polygons contain, found polygon
#                    by polygon (faster than NOT EXISTS per point and than
#                    a plain join, see docs/crossings.md).  Measured
#                    against the table alone too (informative: the
#                    crossing computes its report).
#   nearest          POINTS x RIGHT_POINTS: the geography KNN (LATERAL
#                    ORDER BY geography <-> geography LIMIT 1 on the
#                    geography index, distance on the spheroid).
#
# The geography indexes are on copies of the right sides (same rows), built
# before any timing, so that the crossing, which does not build them, runs
# on the tables it would find.  Answers: within_distance and contains must
# be equal row for row (id and count, EXCEPT ALL both ways); nearest must
# have the same rows and the crossing's distance never longer than the
# KNN's (1 mm); contains' reports must be equal: else the script exits 1.
#
# Data are generated with a fixed seed over Essonne and Seine-et-Marne (lon
# 1.9-3.6, lat 48.1-49.1); the polygons are Voronoi cells of seeded points,
# densified to about 100 vertices each (bench/sql/zones.sql).  The issue's
# sizes are the defaults: 1,000,000 x 100,000 points, 1,300 polygons.
#
#   bash bench/cross.sh
#   POINTS=100000 RIGHT_POINTS=10000 POLYGONS=130 RUNS=3 bash bench/cross.sh
#
# Appends one line per case to bench/results.tsv (scripts/bench_table.sh).
source "$(dirname "$0")/lib.sh"

POINTS="${POINTS:-1000000}"
RIGHT_POINTS="${RIGHT_POINTS:-100000}"
POLYGONS="${POLYGONS:-1300}"
RUNS="${RUNS:-3}"
CASES="${CASES:-within_distance contains nearest}"
bench_command POINTS RIGHT_POINTS POLYGONS RUNS PARALLEL
bench_cluster bench-cross 54362

log "generating $POINTS + $RIGHT_POINTS random points and $POLYGONS polygons"
psql_q -v benchdir="$REPO_DIR/bench" -v n="$POINTS" -v m="$RIGHT_POINTS" -v polygons="$POLYGONS" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('bench', 'Bench');
SELECT opendata.set_catalog('{"publisher": "bench"}');
SELECT setseed(0.42);
CREATE TABLE opendata_data.points AS
  SELECT i AS id, ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326)::geometry(Point, 4326) AS geom
    FROM generate_series(1, :n) i;
CREATE TABLE opendata_data.targets AS
  SELECT i AS id, ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326)::geometry(Point, 4326) AS geom
    FROM generate_series(1, :m) i;
\i :benchdir/sql/zones.sql
-- Keyed as tables are: the references count distinct points by id, which
-- the key says is unique for the crossing too.
ALTER TABLE opendata_data.points ADD PRIMARY KEY (id);
ALTER TABLE opendata_data.targets ADD PRIMARY KEY (id);
-- register() creates the geometry GiST indexes.
SELECT opendata.register('opendata_data.points', 'points'), opendata.register('opendata_data.targets', 'targets'),
       opendata.register('opendata_data.zones', 'zones');
-- The geography references' right side: the same rows with a GiST index on
-- their geography.
CREATE TABLE public.targets_g AS TABLE opendata_data.targets;
CREATE INDEX ON public.targets_g USING gist ((geom::geography));
VACUUM ANALYZE;
SQL
bench_stop_if_kept

# The reference's statements, in one transaction with the crossing's end
# state: the table, a GiST index on its geometry, and the report's number
# when there is one (written to $dir/ref_report).
reference() {  # reference SELECT [REPORT_QUERY]
  psql_q -1 -At -c "SET LOCAL jit = off" -c "CREATE TABLE public.ref AS $1" \
    -c "CREATE INDEX ON public.ref USING gist (geom)" ${2:+-c "$2"} >"$dir/ref_report"
}
crossing() {  # crossing LEFT RIGHT PREDICATE OPTIONS
  psql_q -At -c "SELECT opendata.cross('crossed', '$1', '$2', '$3', '$4')" >/dev/null
}
# Before each call, what the previous call of the same side made is dropped
# (the other side's result stays, for the comparison after the last round).
reset() {  # reset [FUNC]: both sides' results without FUNC
  if [[ "${1:-crossing}" == crossing* ]]; then
    psql_q -c "SELECT opendata.drop_dataset('crossed', true) FROM opendata.datasets WHERE slug = 'crossed'" >/dev/null
  fi
  if [[ "${1:-reference}" == reference* ]]; then psql_q -c "DROP TABLE IF EXISTS public.ref"; fi
}
BENCH_RESET=reset

# Row differences between the crossing's (id, count) and the reference's.
count_differences() {  # count_differences COUNT_COLUMN
  psql_q -At -c "SELECT count(*) FROM ((SELECT id, $1 FROM opendata_data.crossed EXCEPT ALL SELECT id, c FROM public.ref)
                  UNION ALL (SELECT id, c FROM public.ref EXCEPT ALL SELECT id, $1 FROM opendata_data.crossed)) d"
}

echo "| work | fair reference | size | crossing, ms median (p10-p90) | reference, ms median (p10-p90) | crossing / reference | goal | met |"
echo "|---|---|---:|---:|---:|---:|---|---|"

# 500 m in degrees: of latitude, at least 1/110,574 m (the shortest degree,
# at the equator); of longitude at latitude phi, at least 1/(111,319.49 m *
# cos(phi)), taken at the box's pole-side edge.
box="ST_Expand(p.geom, 500 / (111319.49 * cos(radians(abs(ST_Y(p.geom)) + 500 / 110574.0))), 500 / 110574.0)"
within_box="SELECT p.id, p.geom, n.c FROM opendata_data.points p CROSS JOIN LATERAL (
  SELECT count(*) AS c FROM opendata_data.targets t
   WHERE t.geom && $box AND ST_DWithin(p.geom::geography, t.geom::geography, 500)) n"
within_geography="SELECT p.id, p.geom, n.c FROM opendata_data.points p CROSS JOIN LATERAL (
  SELECT count(*) AS c FROM public.targets_g t WHERE ST_DWithin(p.geom::geography, t.geom::geography, 500)) n"
contains_lateral="SELECT z.id, z.geom, n.c FROM opendata_data.zones z CROSS JOIN LATERAL (
  SELECT count(*) AS c FROM opendata_data.points p WHERE ST_Contains(z.geom, p.geom)) n"
# The report: the points less the distinct points the polygons hold, found
# polygon by polygon (OFFSET 0 keeps the planner from flattening the LATERAL
# into a join driven by the points, which at 1,000,000 points probes the
# polygons a million times and took 23 s instead of 3.8), counted by hashing.
contains_unmatched="SELECT (SELECT count(*) FROM opendata_data.points) - count(*) FROM (
  SELECT DISTINCT m.id FROM opendata_data.zones z CROSS JOIN LATERAL (
    SELECT p.id FROM opendata_data.points p WHERE ST_Contains(z.geom, p.geom) OFFSET 0) m) matched"
nearest_knn="SELECT p.id, p.geom, n.id AS t_id, n.d FROM opendata_data.points p LEFT JOIN LATERAL (
  SELECT t.id, ST_Distance(p.geom::geography, t.geom::geography) AS d
    FROM public.targets_g t ORDER BY t.geom::geography <-> p.geom::geography LIMIT 1) n ON true"

within_options='{"fields": [], "prefix": "t_", "distance_m": 500, "output": "count"}'
contains_options='{"fields": [], "prefix": "p_", "border": "interior"}'
nearest_options='{"fields": ["id"], "prefix": "t_"}'

for case in $CASES; do
  log "$case: $RUNS rounds"
  case "$case" in
    within_distance)
      bench_interleave "$RUNS" crossing "crossing points targets within_distance '$within_options'" \
        box "reference \"\$within_box\"" geography "reference \"\$within_geography\""
      bench_same "within_distance (geography reference)" "$(count_differences t_count)" 0
      reset reference; reference "$within_box"
      bench_same "within_distance (box reference)" "$(count_differences t_count)" 0
      ref=box
      [ "$(echo "$(bench_median geography) < $(bench_median box)" | bc)" = 1 ] && ref=geography
      bench_result "cross(): within_distance 500 m, count" \
        "LATERAL count(*), ST_DWithin(geography, geography), $([ $ref = box ] && echo "latitude-aware box on the geometry index" || echo "geography index")" \
        "$POINTS x $RIGHT_POINTS" crossing "$ref" 1.05 "<= 1.05x"
      # The two expert forms against each other: which one is the reference.
      bench_result "expert within_distance: latitude-aware box on the geometry index" "the geography index" \
        "$POINTS x $RIGHT_POINTS" box geography - "- (the faster is the reference)"

      ;;
    contains)
      bench_interleave "$RUNS" crossing "crossing zones points contains '$contains_options'" \
        report "reference \"\$contains_lateral\" \"\$contains_unmatched\"" \
        lateral "reference \"\$contains_lateral\""
      bench_same "contains" "$(count_differences p_count)" 0
      reset reference; reference "$contains_lateral" "$contains_unmatched"
      bench_same "contains' report (points in no polygon)" "$(psql_q -At -c "
        SELECT d.report->>'unmatched_right' FROM opendata.derived_datasets d
          JOIN opendata.datasets s ON s.id = d.dataset_id WHERE s.slug = 'crossed'")" "$(cat "$dir/ref_report")"
      bench_result "cross(): contains, count" \
        "LATERAL count(*) per polygon, ST_Contains; report: points less the distinct points in a polygon" \
        "$POLYGONS x $POINTS" crossing report 1.05 "<= 1.05x"
      bench_result "cross(): contains, count (against the table alone, without the report)" \
        "LATERAL count(*) per polygon, ST_Contains" "$POLYGONS x $POINTS" crossing lateral - "-"
      ;;
    nearest)
      bench_interleave "$RUNS" crossing "crossing points targets nearest '$nearest_options'" \
        knn "reference \"\$nearest_knn\""
      bench_same "nearest (rows, and the crossing never farther than the KNN)" "$(psql_q -At -c "
        SELECT (SELECT count(*) FROM opendata_data.crossed), count(*) FILTER (WHERE c.distance_m > r.d + 0.001)
          FROM opendata_data.crossed c JOIN public.ref r USING (id)")" "$(psql_q -At -c "SELECT count(*), 0 FROM public.ref")"
      bench_result "cross(): nearest (k = 1)" "LATERAL geography KNN on a geography index" \
        "$POINTS x $RIGHT_POINTS" crossing knn 1.0 "keeps its lead (<= 1.0x)"
      ;;
  esac
  reset
  : >"$dir/samples"
done
echo
echo "PARALLEL=$PARALLEL, PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'), $(nproc) CPU(s), load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "command: $BENCH_COMMAND"
