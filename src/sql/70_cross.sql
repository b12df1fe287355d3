-- Crossing datasets: nearest, within_distance, contains, enrich and
-- attribute joins, as derived datasets (materialized views with lineage,
-- opendata.cross / opendata.refresh) and ad hoc over the API
-- (opendata_api.cross / opendata_api.near, in src/pg/cross.cpp).
-- See docs/crossings.md.
--
-- Distances are metres on the ground: geography (spheroid) distances on
-- WGS 84 coordinates, after a bounding-box pre-filter on the geometry column
-- that lets its GiST index work.  Geometries of other SRIDs are compared
-- through ST_Transform(g, 4326), which an expression index can serve
-- (opendata.ensure_spatial_index creates the right one).

-- Which derived datasets exist, from which sources, and whether a source was
-- republished since they were last computed.
CREATE TABLE opendata.derived_datasets (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  sources      bigint[] NOT NULL,       -- ids of the datasets crossed
  predicate    text NOT NULL,
  report       jsonb,                   -- unmatched rows and keys, at the last computation
  stale        boolean NOT NULL DEFAULT false,
  stale_since  timestamptz,
  refreshed    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON opendata.derived_datasets USING gin (sources);
SELECT pg_catalog.pg_extension_config_dump('opendata.derived_datasets', '');
ALTER TABLE opendata.derived_datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.derived_datasets FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
GRANT SELECT ON opendata.derived_datasets TO opendata_anon;

-- The datasets that read a relation: those registered on it, and those
-- registered on a view that reads it, directly or through other views
-- (each view's rewrite rule depends on the relations it reads, in
-- pg_depend).  A materialized view stops the walk: it holds its own copy,
-- which changes only when it is refreshed.
CREATE FUNCTION opendata._datasets_reading(relation regclass) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE readers(rel) AS (
    SELECT relation::oid
    UNION
    SELECT rw.ev_class
      FROM readers x
      JOIN pg_depend dep ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = x.rel
                        AND dep.classid = 'pg_rewrite'::regclass
      JOIN pg_rewrite rw ON rw.oid = dep.objid
      JOIN pg_class c ON c.oid = rw.ev_class
     WHERE c.relkind = 'v' AND rw.ev_class <> x.rel
  )
  SELECT coalesce(array_agg(d.id), '{}') FROM opendata.datasets d WHERE d.source IN (SELECT rel FROM readers)
$$;

-- A dataset's data changed (a new version, or an import into a draft):
-- every dataset derived from it, or from a registered view reading it, is
-- stale.  Looked up at each change rather than recorded at cross() time,
-- so that a view replaced since (CREATE OR REPLACE VIEW) is followed as it
-- is now.
CREATE FUNCTION opendata._mark_stale_derived_from(changed opendata.datasets) RETURNS void
LANGUAGE sql AS $$
  UPDATE opendata.derived_datasets
     SET stale = true, stale_since = coalesce(stale_since, now())
   WHERE sources && (changed.id || opendata._datasets_reading(changed.source))
$$;

-- Republishing a source (a new version) marks what was derived from it stale.
CREATE FUNCTION opendata._mark_derived_stale() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  PERFORM opendata._mark_stale_derived_from(NEW);
  RETURN NULL;
END
$$;
CREATE TRIGGER mark_derived_stale AFTER UPDATE OF version ON opendata.datasets
  FOR EACH ROW WHEN (NEW.version > OLD.version)
  EXECUTE FUNCTION opendata._mark_derived_stale();

-- The WGS 84 box around g (SRID 4326) that holds every point within d
-- metres of it on the ground.  Metres per degree are taken low (110 km for
-- a degree of latitude, 110 km x cos(latitude) for longitude), so the box
-- is a little too large, never too small.  Near a pole or across the
-- antimeridian the box spans every longitude.
CREATE FUNCTION opendata._expand_m(g geometry, d float8) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
           WHEN x.ymin IS NULL OR d IS NULL OR d < 0 THEN NULL
           WHEN x.lat >= 89.9 OR x.xmin - x.dx < -180 OR x.xmax + x.dx > 180 OR x.dx >= 180
             THEN ST_MakeEnvelope(-180, greatest(x.ymin - x.dy, -90), 180, least(x.ymax + x.dy, 90), 4326)
           ELSE ST_MakeEnvelope(x.xmin - x.dx, x.ymin - x.dy, x.xmax + x.dx, x.ymax + x.dy, 4326)
         END
    FROM (SELECT b.*, CASE WHEN b.lat < 89.9 THEN d / (110000.0 * cos(radians(b.lat))) END AS dx
            FROM (SELECT ST_XMin(g) AS xmin, ST_XMax(g) AS xmax, ST_YMin(g) AS ymin, ST_YMax(g) AS ymax,
                         d / 110000.0 AS dy,
                         greatest(abs(ST_YMin(g)), abs(ST_YMax(g))) + d / 110000.0 AS lat) b) x
$$;

-- A GiST index serving crossings on the geometry column of a relation: on
-- the column itself for SRID 4326, on ST_Transform(column, 4326) otherwise.
-- Created only when none exists, by the relation's owner when the caller
-- may act as it (tables and materialized views): index expressions run as
-- that role, never as a definer.  Returns the index created, or NULL.
CREATE FUNCTION opendata._ensure_spatial_index(source regclass, geom name, srid int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  expr text;
  wanted text;
  name text;
BEGIN
  IF geom IS NULL OR (SELECT relkind FROM pg_class WHERE oid = source) NOT IN ('r', 'm', 'p') THEN
    RETURN NULL;
  END IF;
  expr := CASE WHEN coalesce(srid, 4326) = 4326 THEN format('%I', geom)
               ELSE format('ST_Transform(%I, 4326)', geom) END;
  wanted := lower(expr);
  -- A definer's search_path has no PostGIS: its functions come out
  -- qualified there, and the same index must still be recognised.
  IF EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                                    JOIN pg_am am ON am.oid = c.relam
              WHERE i.indrelid = source AND am.amname = 'gist'
                AND replace(lower(pg_get_indexdef(i.indexrelid, 1, true)),
                            lower(quote_ident(opendata._postgis_schema())) || '.', '')
                    IN (lower(format('%I', geom)), wanted, '(' || wanted || ')')) THEN
    RETURN NULL;
  END IF;
  -- Only the owner may index, and only where it may create (CREATE INDEX
  -- asks for CREATE on the schema, which public no longer gives everyone).
  IF NOT pg_has_role(opendata._caller(), (SELECT relowner FROM pg_class WHERE oid = source), 'USAGE')
     OR NOT (SELECT has_schema_privilege(c.relowner, c.relnamespace, 'CREATE')
               FROM pg_class c WHERE c.oid = source) THEN
    RETURN NULL;
  END IF;
  PERFORM opendata._exec_as((SELECT relowner FROM pg_class WHERE oid = source)::regrole,
                            format('CREATE INDEX ON %s USING gist ((%s))', opendata._qualified(source), expr));
  SELECT c.relname INTO name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE i.indrelid = source ORDER BY c.oid DESC LIMIT 1;
  RETURN name;
END
$$;

CREATE FUNCTION opendata.ensure_spatial_index(slug text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := (opendata._cross_source(slug)).ds;
BEGIN
  RETURN opendata._ensure_spatial_index(ds.source, ds.geometry_field, ds.geometry_srid);
END
$$;
COMMENT ON FUNCTION opendata.ensure_spatial_index(text) IS
  'create the GiST index crossings need on a dataset''s geometry, if missing; returns its name, or NULL';

-- The same box as _expand_m, as SQL text to paste into a crossing: the
-- extension's functions carry a pinned search_path, which keeps PostgreSQL
-- from inlining them, and a function call per probed row costs more than
-- the probe.  g and d are trusted SQL expressions.  Where _expand_m spans
-- every longitude, this box is widened by 360 degrees, which is the same
-- for &&.  The expression is kept short because JIT compiles it: the
-- earlier one, with a second envelope, took 0.8 s of JIT per query against
-- 0.2 s for the hand-written ST_Expand.
CREATE FUNCTION opendata._expand_m_sql(g text, d text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    'ST_Expand(%1$s, CASE WHEN %2$s >= 89.9 OR ST_XMin(%1$s) - %4$s < -180 OR ST_XMax(%1$s) + %4$s > 180'
    ' THEN 360 ELSE %4$s END, %3$s)',
    g,
    format('(greatest(abs(ST_YMin(%s)), abs(ST_YMax(%s))) + %s / 110000.0)', g, g, d),
    format('(%s / 110000.0)', d),
    format('(%s / (110000.0 * cos(radians(least(greatest(abs(ST_YMin(%s)), abs(ST_YMax(%s))) + %s / 110000.0, 89.9)))))',
           d, g, g, d))
$$;

-- The nearest crossing of two point datasets: the right side's rows that
-- may be the k nearest to (lon, lat) on the ground, from an in-memory index
-- built on the first call of a statement (src/pg/nearest.cpp).  No SET
-- clause (99_finalize.sql leaves it out): it is called once per left row,
-- and the SQL it runs qualifies every name itself.
CREATE FUNCTION opendata._nearest_candidates(
  lon float8, lat float8, source regclass, geometry_column name, k int,
  max_distance_m float8 DEFAULT NULL)
RETURNS tid[]
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_nearest_candidates';
COMMENT ON FUNCTION opendata._nearest_candidates(float8, float8, regclass, name, int, float8) IS
  'internal: ctids of the rows of source that may be the k nearest to (lon, lat) on the WGS 84 ellipsoid';

-- Whether the right side of a nearest crossing is small enough for the
-- in-memory index: at most 5 million rows (about 200 MB for the statement,
-- 40 bytes a point); larger sides take the GiST passes, whose memory does
-- not grow with the table.  Never-analyzed tables are judged by their size
-- (a point row takes more than 32 bytes on disk, so this overestimates).
CREATE FUNCTION opendata._nearest_index_fits(rel regclass) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_relation_size(c.oid) / 32 END <= 5e6
    FROM pg_class c WHERE c.oid = rel
$$;

-- The side of a crossing as a relation whose rows _nearest_candidates can
-- name by ctid: a table or materialized view without children (not a view,
-- not a subquery), its geometry column declared as points.  NULL otherwise.
CREATE FUNCTION opendata._point_relation(from_text text, geom text) RETURNS regclass
LANGUAGE plpgsql STABLE AS $$
DECLARE
  rel regclass;
BEGIN
  IF from_text IS NULL OR geom IS NULL OR left(from_text, 1) = '(' THEN
    RETURN NULL;
  END IF;
  rel := to_regclass(from_text);
  IF rel IS NOT NULL AND EXISTS (
       SELECT FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.oid = rel AND c.relkind IN ('r', 'm') AND NOT c.relhassubclass
          AND a.attname = geom AND a.attnum > 0 AND NOT a.attisdropped
          AND a.atttypid = opendata._geometry_oid()
          AND opendata._geometry_typmod(a.atttypid, a.atttypmod) ->> 'type' LIKE 'POINT%') THEN
    RETURN rel;
  END IF;
  RETURN NULL;
END
$$;

-- The SQL of a crossing.  l_from and r_from are trusted relation texts (a
-- relation name, or a parenthesised subquery built by src/pg/cross.cpp);
-- fields and options come from the caller and are checked here.  Returns
-- the SELECT of the crossing and, when the predicate has one, a statement
-- returning the report of unmatched rows and keys as one jsonb value.
-- The fields a crossing option names, in its order, each checked against
-- the side's fields; all the side's fields when the option is absent.
CREATE FUNCTION opendata._cross_fields(options jsonb, option text, side text, available text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  chosen text[];
  bad text;
BEGIN
  IF NOT options ? option THEN
    RETURN available;
  END IF;
  IF jsonb_typeof(options->option) <> 'array' THEN
    RAISE EXCEPTION 'option "%" must be an array of field names', option USING ERRCODE = '22023';
  END IF;
  SELECT coalesce(array_agg(f ORDER BY o), '{}') INTO chosen
    FROM jsonb_array_elements_text(options->option) WITH ORDINALITY t(f, o);
  SELECT string_agg(f, ', ') INTO bad FROM unnest(chosen) f WHERE f <> ALL (available);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown field % in the % dataset', bad, side USING ERRCODE = '42703';
  END IF;
  RETURN chosen;
END
$$;

-- What a crossing outputs: "rows" (the pairs, with the right fields) or
-- "count" (each left row with counts and aggregates of the right rows).
CREATE FUNCTION opendata._cross_output(predicate text, options jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(options->>'output', CASE WHEN predicate = 'contains' THEN 'count' ELSE 'rows' END)
$$;

CREATE FUNCTION opendata._cross_select(
  l_from text, l_fields text[], l_geom text, l_srid int,
  r_from text, r_fields text[], r_geom text, r_srid int,
  predicate text, options jsonb,
  OUT select_sql text, OUT report_sql text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  known text[] := ARRAY['k', 'max_distance_m', 'distance_m', 'output', 'aggregates', 'border',
                        'fields', 'prefix', 'left_key', 'right_key', 'normalize', 'tie_break',
                        'metadata', 'left_fields', 'left_where', 'right_where'];
  bad text;
  prefix text := coalesce(options->>'prefix', 'right_');
  spatial boolean := predicate IN ('nearest', 'within_distance', 'contains', 'enrich');
  ga text;
  gb text;
  lcols text[];
  rfields text[];
  rin text[];
  rout text[];
  aggs_in text[] := '{}';
  aggs_out text[] := '{}';
  k int;
  d float8;
  maxd float8;
  outp text := opendata._cross_output(predicate, options);
  border text := coalesce(options->>'border', CASE WHEN predicate = 'enrich' THEN 'first' ELSE 'covers' END);
  cond text;
  tie text;
  a text;
  m text[];
  ka text;
  kb text;
  norm jsonb := coalesce(options->'normalize', '{}');
  right_points regclass;  -- nearest: the right side, when _nearest_candidates can serve it
BEGIN
  IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
    RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(key, ', ') INTO bad FROM jsonb_object_keys(options) key WHERE key <> ALL (known);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown crossing option %', bad
      USING ERRCODE = '22023', HINT = 'Known options: ' || array_to_string(known, ', ') || '.';
  END IF;
  IF predicate IS NULL OR predicate NOT IN ('nearest', 'within_distance', 'contains', 'enrich', 'attribute') THEN
    RAISE EXCEPTION 'unknown crossing predicate "%"', predicate
      USING ERRCODE = '22023', HINT = 'Predicates: nearest, within_distance, contains, enrich, attribute.';
  END IF;
  IF spatial AND l_geom IS NULL THEN
    RAISE EXCEPTION 'the left dataset has no geometry, which predicate "%" needs', predicate USING ERRCODE = '22023';
  END IF;
  IF spatial AND r_geom IS NULL THEN
    RAISE EXCEPTION 'the right dataset has no geometry, which predicate "%" needs', predicate USING ERRCODE = '22023';
  END IF;
  IF prefix !~ '^[a-z0-9_]{0,40}$' THEN
    RAISE EXCEPTION 'invalid prefix "%"', prefix
      USING ERRCODE = '22023', DETAIL = 'A prefix is at most 40 lower-case letters, digits and "_".';
  END IF;

  -- Left fields kept (all by default), right fields kept, prefixed.
  lcols := opendata._cross_fields(options, 'left_fields', 'left', l_fields);
  rfields := opendata._cross_fields(options, 'fields', 'right', r_fields);
  lcols := ARRAY(SELECT format('a.%I', f) FROM unnest(lcols) f);
  rin := ARRAY(SELECT format('b.%I AS %I', f, prefix || f) FROM unnest(rfields) f);
  rout := ARRAY(SELECT format('m.%I', prefix || f) FROM unnest(rfields) f);

  ga := CASE WHEN l_geom IS NULL THEN NULL
             WHEN l_srid IS NULL THEN format('ST_SetSRID(a.%I, 4326)', l_geom)
             WHEN l_srid = 4326 THEN format('a.%I', l_geom)
             ELSE format('ST_Transform(a.%I, 4326)', l_geom) END;
  gb := CASE WHEN r_geom IS NULL THEN NULL
             WHEN r_srid IS NULL THEN format('ST_SetSRID(b.%I, 4326)', r_geom)
             WHEN r_srid = 4326 THEN format('b.%I', r_geom)
             ELSE format('ST_Transform(b.%I, 4326)', r_geom) END;

  -- Numbers.
  IF options ? 'k' THEN
    IF jsonb_typeof(options->'k') <> 'number' OR (options->>'k')::numeric NOT BETWEEN 1 AND 1000
       OR (options->>'k')::numeric <> trunc((options->>'k')::numeric) THEN
      RAISE EXCEPTION 'k must be an integer from 1 to 1000, not %', options->'k' USING ERRCODE = '22023';
    END IF;
  END IF;
  k := coalesce((options->>'k')::int, 1);
  FOREACH a IN ARRAY ARRAY['distance_m', 'max_distance_m'] LOOP
    IF options ? a AND (jsonb_typeof(options->a) <> 'number' OR (options->>a)::float8 <= 0
                        OR (options->>a)::float8 = 'Infinity') THEN
      RAISE EXCEPTION '% must be a number of metres greater than 0, not %', a, options->a USING ERRCODE = '22023';
    END IF;
  END LOOP;
  d := (options->>'distance_m')::float8;
  maxd := (options->>'max_distance_m')::float8;
  IF outp NOT IN ('rows', 'count') THEN
    RAISE EXCEPTION 'option "output" must be "rows" or "count", not "%"', outp USING ERRCODE = '22023';
  END IF;

  -- Aggregates of right fields, for counts: ["sum(ptot)", "max(hauteur)"].
  IF options ? 'aggregates' THEN
    IF jsonb_typeof(options->'aggregates') <> 'array' THEN
      RAISE EXCEPTION 'option "aggregates" must be an array such as ["sum(field)"]' USING ERRCODE = '22023';
    END IF;
    FOR a IN SELECT jsonb_array_elements_text(options->'aggregates') LOOP
      m := regexp_match(a, '^\s*(sum|avg|min|max|count)\s*\(\s*([^()]+?)\s*\)\s*$', 'i');
      IF m IS NULL THEN
        RAISE EXCEPTION 'invalid aggregate "%"', a
          USING ERRCODE = '22023', HINT = 'Write sum(field), avg(field), min(field), max(field) or count(field).';
      END IF;
      IF m[2] <> ALL (r_fields) THEN
        RAISE EXCEPTION 'unknown field "%" in the right dataset', m[2] USING ERRCODE = '42703';
      END IF;
      aggs_in := aggs_in || format('%s(b.%I) AS %I', lower(m[1]), m[2], prefix || m[2] || '_' || lower(m[1]));
      aggs_out := aggs_out || format('m.%I', prefix || m[2] || '_' || lower(m[1]));
    END LOOP;
  END IF;

  IF predicate = 'nearest' THEN
    IF d IS NOT NULL THEN
      RAISE EXCEPTION 'nearest takes max_distance_m, not distance_m' USING ERRCODE = '22023';
    END IF;
    -- Two point datasets held in tables: the candidates come from an
    -- in-memory index of the right side (one search instead of a GiST
    -- descent per left row, see src/pg/nearest.cpp); each is measured on
    -- the ellipsoid here, and the k nearest kept.  The candidates are
    -- fetched one TID scan each: the subquery behind OFFSET 0 is not pulled
    -- up into a join, so it is a scan parameterized by the tid.  Written as
    -- b.ctid = ANY (candidates), a small right side was seq-scanned instead
    -- (cheaper on the planner's guess of 10 array elements), which called
    -- _nearest_candidates once per scanned row: 10 s instead of 0.4 s for
    -- 18,580 stops and 459 stations.
    right_points := opendata._point_relation(r_from, r_geom);
    IF opendata._point_relation(l_from, l_geom) IS NOT NULL AND right_points IS NOT NULL
       AND opendata._nearest_index_fits(right_points) THEN
      select_sql := format(
        'SELECT %s FROM %s a'
        ' LEFT JOIN LATERAL (SELECT %s ST_Distance((%s)::geography, (%s)::geography) AS distance_m'
        '   FROM unnest(opendata._nearest_candidates(ST_X(%s), ST_Y(%s), %L::regclass, %L, %s, %s)) c(tid)'
        '   CROSS JOIN LATERAL (SELECT * FROM %s b WHERE b.ctid = c.tid OFFSET 0) b%s'
        '   ORDER BY distance_m LIMIT %s) m ON true',
        array_to_string(lcols || rout || ARRAY['m.distance_m'], ', '), l_from,
        coalesce(nullif(array_to_string(rin, ', '), '') || ',', ''), ga, gb,
        ga, ga, right_points::text, r_geom, k,
        coalesce(maxd::text || '::float8', 'NULL'), r_from,
        CASE WHEN maxd IS NULL THEN ''
             ELSE format(' WHERE ST_DWithin((%s)::geography, (%s)::geography, %s)', ga, gb, maxd) END,
        k);
      RETURN;
    END IF;
    -- Otherwise (a view, a filtered side, shapes): two passes on the GiST
    -- index.  Pass 1: the k nearest by the index (planar KNN), whose farthest
    -- ground distance D bounds the true k nearest; pass 2: the rows in the
    -- box that holds every point within D, ranked by their ground distance.
    -- Pass 2 needs no ST_DWithin: a row of the box farther than D cannot
    -- displace one of the k within D, so the first k are exact.  A maximum
    -- distance is a filter, though.
    cond := CASE WHEN maxd IS NULL THEN '(kd.d * 1.000001 + 0.001)'
                 ELSE format('least(kd.d * 1.000001 + 0.001, %s)', maxd) END;
    select_sql := format(
      'SELECT %s FROM %s a'
      ' LEFT JOIN LATERAL (SELECT max(ST_Distance((%s)::geography, (k.g)::geography)) AS d'
      '   FROM (SELECT %s AS g FROM %s b WHERE %s IS NOT NULL ORDER BY %s <-> %s LIMIT %s) k) kd ON true'
      ' LEFT JOIN LATERAL (SELECT %s ST_Distance((%s)::geography, (%s)::geography) AS distance_m'
      '   FROM %s b WHERE %s && (%s)%s'
      '   ORDER BY distance_m LIMIT %s) m ON true',
      array_to_string(lcols || rout || ARRAY['m.distance_m'], ', '), l_from,
      ga, gb, r_from, gb, gb, ga, k,
      coalesce(nullif(array_to_string(rin, ', '), '') || ',', ''), ga, gb,
      r_from, gb, opendata._expand_m_sql(ga, cond),
      CASE WHEN maxd IS NULL THEN ''
           ELSE format(' AND ST_DWithin((%s)::geography, (%s)::geography, %s)', ga, gb, maxd) END,
      k);
    RETURN;
  END IF;

  IF predicate = 'within_distance' THEN
    IF d IS NULL THEN
      RAISE EXCEPTION 'within_distance needs distance_m' USING ERRCODE = '22023';
    END IF;
    cond := format('%s && (%s) AND ST_DWithin((%s)::geography, (%s)::geography, %s)',
                   gb, opendata._expand_m_sql(ga, d::text), ga, gb, d);
    IF outp = 'rows' THEN
      select_sql := format('SELECT %s FROM %s a JOIN LATERAL (SELECT %s ST_Distance((%s)::geography, (%s)::geography) AS distance_m FROM %s b WHERE %s) m ON true',
                           array_to_string(lcols || rout || ARRAY['m.distance_m'], ', '), l_from,
                           coalesce(nullif(array_to_string(rin, ', '), '') || ',', ''), ga, gb, r_from, cond);
    ELSE
      select_sql := format('SELECT %s FROM %s a CROSS JOIN LATERAL (SELECT %s FROM %s b WHERE %s) m',
                           array_to_string(lcols || format('m.%I', prefix || 'count') || aggs_out, ', '), l_from,
                           array_to_string(format('count(*) AS %I', prefix || 'count') || aggs_in, ', '), r_from, cond);
    END IF;
    RETURN;
  END IF;

  IF predicate = 'contains' THEN
    IF border NOT IN ('covers', 'interior') THEN
      RAISE EXCEPTION 'border rule of contains must be "covers" or "interior", not "%"', border USING ERRCODE = '22023';
    END IF;
    cond := format('%s(%s, %s)', CASE border WHEN 'covers' THEN 'ST_Covers' ELSE 'ST_Contains' END, ga, gb);
    IF outp = 'rows' THEN
      select_sql := format('SELECT %s FROM %s a JOIN LATERAL (SELECT %s FROM %s b WHERE %s) m ON true',
                           array_to_string(lcols || rout, ', '), l_from,
                           coalesce(nullif(array_to_string(rin, ', '), ''), 'NULL'), r_from, cond);
    ELSE
      select_sql := format('SELECT %s FROM %s a CROSS JOIN LATERAL (SELECT %s FROM %s b WHERE %s) m',
                           array_to_string(lcols || format('m.%I', prefix || 'count') || aggs_out, ', '), l_from,
                           array_to_string(format('count(*) AS %I', prefix || 'count') || aggs_in, ', '), r_from, cond);
    END IF;
    -- Right rows in no polygon.
    report_sql := format('SELECT jsonb_build_object(''unmatched_right'', count(*)) FROM %s b'
                         ' WHERE NOT EXISTS (SELECT FROM %s a WHERE %s)', r_from, l_from, cond);
    RETURN;
  END IF;

  IF predicate = 'enrich' THEN
    IF border NOT IN ('first', 'interior') THEN
      RAISE EXCEPTION 'border rule of enrich must be "first" or "interior", not "%"', border USING ERRCODE = '22023';
    END IF;
    tie := coalesce(options->>'tie_break', rfields[1], r_fields[1]);
    IF tie <> ALL (r_fields) THEN
      RAISE EXCEPTION 'unknown field "%" in the right dataset', tie USING ERRCODE = '42703';
    END IF;
    cond := format('%s(%s, %s)', CASE border WHEN 'first' THEN 'ST_Covers' ELSE 'ST_Contains' END, gb, ga);
    select_sql := format('SELECT %s FROM %s a LEFT JOIN LATERAL (SELECT %s FROM %s b WHERE %s ORDER BY b.%I LIMIT 1) m ON true',
                         array_to_string(lcols || rout, ', '), l_from,
                         coalesce(nullif(array_to_string(rin, ', '), ''), 'NULL'), r_from, cond, tie);
    report_sql := format('SELECT jsonb_build_object(''unmatched_left'', count(*) FILTER (WHERE c.n = 0),'
                         ' ''on_shared_border'', count(*) FILTER (WHERE c.n > 1))'
                         ' FROM %s a CROSS JOIN LATERAL (SELECT count(*) AS n FROM %s b WHERE %s) c',
                         l_from, r_from, cond);
    RETURN;
  END IF;

  -- attribute: a join on a code, both sides normalised alike.
  IF NOT (options ? 'left_key') OR NOT (options ? 'right_key') THEN
    RAISE EXCEPTION 'attribute crossings need left_key and right_key' USING ERRCODE = '22023',
      HINT = 'A key is a field name, or an array of field names concatenated: ["coddep", "codcom"].';
  END IF;
  IF jsonb_typeof(norm) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(norm) x WHERE x NOT IN ('trim', 'case', 'pad')) THEN
    RAISE EXCEPTION 'option "normalize" takes "trim" (true/false), "case" ("upper"/"lower") and "pad" (a width)'
      USING ERRCODE = '22023';
  END IF;
  IF norm ? 'case' AND norm->>'case' NOT IN ('upper', 'lower') THEN
    RAISE EXCEPTION 'normalize "case" must be "upper" or "lower"' USING ERRCODE = '22023';
  END IF;
  IF norm ? 'pad' AND (jsonb_typeof(norm->'pad') <> 'number' OR (norm->>'pad')::numeric NOT BETWEEN 1 AND 100) THEN
    RAISE EXCEPTION 'normalize "pad" must be a width from 1 to 100' USING ERRCODE = '22023';
  END IF;
  FOR a IN SELECT unnest(ARRAY['a', 'b']) LOOP
    DECLARE
      spec jsonb := options->(CASE a WHEN 'a' THEN 'left_key' ELSE 'right_key' END);
      names text[];
      e text;
    BEGIN
      names := CASE jsonb_typeof(spec) WHEN 'string' THEN ARRAY[spec #>> '{}']
                                       WHEN 'array' THEN ARRAY(SELECT jsonb_array_elements_text(spec)) END;
      IF coalesce(cardinality(names), 0) = 0 THEN
        RAISE EXCEPTION 'a key is a field name or an array of field names' USING ERRCODE = '22023';
      END IF;
      SELECT string_agg(f, ', ') INTO bad FROM unnest(names) f
       WHERE f <> ALL (CASE a WHEN 'a' THEN l_fields ELSE r_fields END);
      IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown field % in the % dataset', bad, CASE a WHEN 'a' THEN 'left' ELSE 'right' END
          USING ERRCODE = '42703';
      END IF;
      e := '(' || (SELECT string_agg(format('%s.%I::text', a, f), ' || ') FROM unnest(names) f) || ')';
      IF coalesce((norm->>'trim')::boolean, false) THEN e := format('btrim(%s)', e); END IF;
      IF norm ? 'case' THEN e := format('%s(%s)', norm->>'case', e); END IF;
      IF norm ? 'pad' THEN e := format('lpad(%s, greatest(%s, length(%s)), ''0'')', e, (norm->>'pad')::int, e); END IF;
      IF a = 'a' THEN ka := e; ELSE kb := e; END IF;
    END;
  END LOOP;
  select_sql := format('SELECT %s FROM %s a LEFT JOIN LATERAL (SELECT %s FROM %s b WHERE %s = %s) m ON true',
                       array_to_string(lcols || rout, ', '), l_from,
                       coalesce(nullif(array_to_string(rin, ', '), ''), 'NULL'), r_from, kb, ka);
  report_sql := format(
    'WITH lk AS (SELECT DISTINCT %s AS k FROM %s a), rk AS (SELECT DISTINCT %s AS k FROM %s b),'
    ' ul AS (SELECT k FROM lk WHERE k IS NOT NULL EXCEPT SELECT k FROM rk),'
    ' ur AS (SELECT k FROM rk WHERE k IS NOT NULL EXCEPT SELECT k FROM lk)'
    ' SELECT jsonb_build_object('
    '  ''unmatched_left'', (SELECT count(*) FROM ul),'
    '  ''unmatched_left_keys'', (SELECT coalesce(jsonb_agg(k ORDER BY k COLLATE "C"), ''[]'') FROM (SELECT k FROM ul ORDER BY k COLLATE "C" LIMIT 100) s),'
    '  ''unmatched_right'', (SELECT count(*) FROM ur),'
    '  ''unmatched_right_keys'', (SELECT coalesce(jsonb_agg(k ORDER BY k COLLATE "C"), ''[]'') FROM (SELECT k FROM ur ORDER BY k COLLATE "C" LIMIT 100) s),'
    '  ''left_without_key'', (SELECT count(*) FROM %s a WHERE %s IS NULL))',
    ka, l_from, kb, r_from, l_from, ka);
END
$$;

-- A registered dataset as the caller sees it, with its visible fields:
-- published and public, or managed by the caller (cross() is a definer,
-- which row-level security does not filter).
CREATE FUNCTION opendata._cross_source(slug text, OUT ds opendata.datasets, OUT fields text[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT * INTO ds FROM opendata.datasets d WHERE d.slug = _cross_source.slug
     AND ((d.status = 'published' AND d.access = 'public')
          OR opendata._can_manage(d.organization_id, opendata._caller()));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dataset "%" does not exist', slug USING ERRCODE = '42P01';
  END IF;
  IF to_regclass(ds.source::text) IS NULL THEN
    RAISE EXCEPTION 'the source of dataset "%" no longer exists', slug USING ERRCODE = '42P01';
  END IF;
  SELECT coalesce(array_agg(f.name::text ORDER BY f.position), '{}') INTO fields
    FROM opendata.fields f WHERE f.dataset_id = ds.id AND NOT f.hidden;
  IF ds.geometry_field IS NOT NULL AND ds.geometry_field::text <> ALL (fields) THEN
    ds.geometry_field := NULL;
  END IF;
END
$$;

-- A side's ODSQL filter (options left_where, right_where) as an SQL
-- condition with its values inlined (src/pg/odsql_condition.cpp).
CREATE FUNCTION opendata._odsql_condition(dataset text, parameter text, "where" text) RETURNS text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_odsql_condition';

-- A side of a derived dataset as a relation text for _cross_select(): its
-- source, or the source filtered by the option `option` (left_where or
-- right_where), compiled from the ODSQL each time, never stored as SQL.
CREATE FUNCTION opendata._cross_side(ds opendata.datasets, options jsonb, option text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cond text;
BEGIN
  IF options IS NULL OR jsonb_typeof(options) <> 'object' OR NOT options ? option THEN
    RETURN opendata._qualified(ds.source);
  END IF;
  IF jsonb_typeof(options->option) <> 'string' THEN
    RAISE EXCEPTION 'option "%" must be an ODSQL where clause (a string)', option USING ERRCODE = '22023';
  END IF;
  cond := opendata._odsql_condition(ds.slug, option, options->>option);
  IF cond IS NULL THEN
    RETURN opendata._qualified(ds.source);
  END IF;
  RETURN format('(SELECT * FROM %s WHERE %s)', opendata._qualified(ds.source), cond);
END
$$;

-- The statements of a derived dataset, from its stored definition (its
-- lineage): the same compiler builds them at creation and at each refresh,
-- so no SQL text is ever stored and run again.
CREATE FUNCTION opendata._derived_statements(lineage jsonb, OUT select_sql text, OUT report_sql text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  l record := opendata._cross_source(lineage->'datasets'->>0);
  r record := opendata._cross_source(lineage->'datasets'->>1);
  q record;
BEGIN
  q := opendata._cross_select(opendata._cross_side(l.ds, lineage->'options', 'left_where'),
                              l.fields, (l.ds).geometry_field, (l.ds).geometry_srid,
                              opendata._cross_side(r.ds, lineage->'options', 'right_where'),
                              r.fields, (r.ds).geometry_field, (r.ds).geometry_srid,
                              lineage->>'predicate', lineage->'options');
  select_sql := q.select_sql;
  report_sql := q.report_sql;
END
$$;

-- The unmatched counts of a derived dataset, computed by the role that
-- owns it.
CREATE FUNCTION opendata._derived_report(rel regclass, report_sql text) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT t.report FROM opendata._query_as(opendata._acting_role(rel), report_sql) AS t(report jsonb)
   WHERE report_sql IS NOT NULL
$$;

CREATE FUNCTION opendata._row_count(rel regclass) RETURNS bigint
LANGUAGE sql AS $$
  SELECT t.n FROM opendata._query_as(opendata._acting_role(rel), format('SELECT count(*) FROM %s', opendata._qualified(rel)))
                  AS t(n bigint)
$$;

-- The fields a derived dataset carries unchanged from its sources (the
-- left fields, the prefixed right fields) keep what their publisher said
-- of them: label, description, unit and facet flag.  A label is taken only
-- when it was given (a field's default label is its name, which the
-- derived field, perhaps prefixed, already has).  Measures (distance_m,
-- counts, aggregates) are new fields and get nothing.
CREATE FUNCTION opendata._inherit_field_metadata(derived bigint, l_id bigint, l_fields text[],
                                                 r_id bigint, r_fields text[], prefix text) RETURNS void
LANGUAGE sql AS $$
  UPDATE opendata.fields f
     SET label = CASE WHEN s.label <> s.name THEN s.label ELSE f.label END,
         description = s.description, unit = s.unit, facet = s.facet
    FROM (SELECT l.name::text AS carried, l.* FROM opendata.fields l
           WHERE l.dataset_id = l_id AND l.name = ANY (l_fields)
          UNION ALL
          SELECT prefix || r.name, r.* FROM opendata.fields r
           WHERE r.dataset_id = r_id AND r.name = ANY (r_fields)) s
   WHERE f.dataset_id = derived AND f.name = s.carried AND f.type = s.type
$$;

-- A SECURITY DEFINER function: it writes the lineage into the catalog.  The
-- materialized view is created by the role that acts on the left dataset
-- (its owner when the caller may act as it, else the caller), which owns it
-- and computes it: REFRESH then runs it as that owner, and no source's
-- functions ever run as an administrator or as the definer.
CREATE FUNCTION opendata.cross(slug text, "left" text, "right" text, predicate text,
                               options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_publisher', 'create crossings');
  l record;
  r record;
  opts jsonb := coalesce(options, '{}');
  lineage jsonb;
  q record;
  acting regrole;
  rel regclass;
  summary jsonb;
  derived_id bigint;
  report jsonb;
  indexes text[] := '{}';
  idx text;
BEGIN
  PERFORM opendata._check_slug(slug);
  IF EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = "cross".slug)
     OR to_regclass(format('opendata_data.%I', slug)) IS NOT NULL THEN
    RAISE EXCEPTION 'dataset "%" already exists', slug USING ERRCODE = '23505';
  END IF;
  l := opendata._cross_source("left");
  r := opendata._cross_source("right");
  IF jsonb_typeof(opts) = 'object' AND NOT opts ? 'prefix' THEN
    opts := opts || jsonb_build_object('prefix', left(regexp_replace(lower("right"), '[^a-z0-9_]', '_', 'g'), 39) || '_');
  END IF;
  lineage := jsonb_build_object('datasets', jsonb_build_array("left", "right"), 'predicate', predicate,
                                'options', opts - 'metadata');
  q := opendata._cross_select(opendata._cross_side(l.ds, opts, 'left_where'),
                              l.fields, (l.ds).geometry_field, (l.ds).geometry_srid,
                              opendata._cross_side(r.ds, opts, 'right_where'),
                              r.fields, (r.ds).geometry_field, (r.ds).geometry_srid,
                              predicate, opts - 'metadata');
  IF predicate <> 'attribute' THEN
    idx := opendata._ensure_spatial_index((l.ds).source, (l.ds).geometry_field, (l.ds).geometry_srid);
    IF idx IS NOT NULL THEN indexes := indexes || idx; END IF;
    idx := opendata._ensure_spatial_index((r.ds).source, (r.ds).geometry_field, (r.ds).geometry_srid);
    IF idx IS NOT NULL THEN indexes := indexes || idx; END IF;
  END IF;

  acting := opendata._acting_role((l.ds).source);
  PERFORM opendata._exec_as(acting, format('CREATE MATERIALIZED VIEW opendata_data.%I AS %s WITH NO DATA',
                                           slug, q.select_sql));
  rel := format('opendata_data.%I', slug)::regclass;
  PERFORM opendata._exec_as(acting, format('REFRESH MATERIALIZED VIEW %s', opendata._qualified(rel)));
  summary := opendata.register(rel, slug,
    jsonb_build_object('title', format('%s × %s (%s)', coalesce((l.ds).title, "left"), coalesce((r.ds).title, "right"), predicate))
      || coalesce(opts->'metadata', '{}'));
  -- register() indexed the view's geometry, if it has one.
  indexes := indexes || ARRAY(SELECT jsonb_array_elements_text(coalesce(summary->'indexes_created', '[]')));
  report := opendata._derived_report(rel, q.report_sql);
  derived_id := (SELECT d.id FROM opendata.datasets d WHERE d.slug = "cross".slug);
  PERFORM opendata._inherit_field_metadata(
    derived_id,
    (l.ds).id, opendata._cross_fields(opts, 'left_fields', 'left', l.fields),
    (r.ds).id, CASE WHEN predicate IN ('within_distance', 'contains') AND opendata._cross_output(predicate, opts) = 'count'
                    THEN '{}' ELSE opendata._cross_fields(opts, 'fields', 'right', r.fields) END,
    opts->>'prefix');
  summary := summary || jsonb_build_object('fields', opendata._dataset_summary(derived_id)->'fields');
  UPDATE opendata.datasets SET was_derived_from = lineage, modified = now() WHERE id = derived_id;
  INSERT INTO opendata.derived_datasets (dataset_id, sources, predicate, report)
  VALUES (derived_id, ARRAY[(l.ds).id, (r.ds).id], predicate, report);
  RETURN summary || jsonb_build_object('rows', opendata._row_count(rel), 'report', report,
                                       'indexes_created', to_jsonb(indexes),
                                       'was_derived_from', jsonb_build_array("left", "right"));
END
$$;
COMMENT ON FUNCTION opendata.cross(text, text, text, text, jsonb) IS
  'cross two datasets into a derived dataset (a materialized view), registered as a draft with its lineage';

-- Recomputes a derived dataset beside the relation readers read, then swaps
-- it in: readers of the API view keep reading the old rows while the new
-- ones are computed, and wait only for the swap at the end (the API view is
-- dropped, the old relation dropped and the new one renamed, in this
-- transaction; publish() then creates the view again).  The locks are taken
-- in the readers' order: the API view, then the relation.  Returns the new
-- relation, or NULL when another relation depends on the derived one (a
-- crossing of this crossing, a user's view): it cannot be dropped, and
-- REFRESH MATERIALIZED VIEW does the work instead.
CREATE FUNCTION opendata._rebuild_derived(ds opendata.datasets, select_sql text) RETURNS regclass
LANGUAGE plpgsql AS $$
DECLARE
  acting regrole := opendata._acting_role(ds.source);
  api_view regclass := to_regclass(format('opendata_api.%I', ds.slug));
  nsp name;
  rel_name name;
  next_name name := 'opendata_rebuild_' || ds.id;
  rebuilt regclass;
BEGIN
  IF EXISTS (SELECT FROM pg_depend d JOIN pg_rewrite rw ON rw.oid = d.objid
              WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                AND d.refobjid = ds.source
                AND rw.ev_class NOT IN (ds.source, coalesce(api_view, 0))) THEN
    RETURN NULL;
  END IF;
  SELECT n.nspname, c.relname INTO nsp, rel_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ds.source;
  PERFORM opendata._exec_as(acting, format('CREATE MATERIALIZED VIEW %I.%I AS %s WITH NO DATA',
                                           nsp, next_name, select_sql));
  PERFORM opendata._exec_as(acting, format('REFRESH MATERIALIZED VIEW %I.%I', nsp, next_name));
  IF api_view IS NOT NULL THEN
    EXECUTE format('DROP VIEW %s', api_view);
  END IF;
  PERFORM opendata._exec_as(acting, format('DROP MATERIALIZED VIEW %I.%I', nsp, rel_name));
  PERFORM opendata._exec_as(acting, format('ALTER MATERIALIZED VIEW %I.%I RENAME TO %I', nsp, next_name, rel_name));
  rebuilt := format('%I.%I', nsp, rel_name)::regclass;
  UPDATE opendata.datasets SET source = rebuilt WHERE id = ds.id;
  PERFORM opendata._ensure_spatial_index(rebuilt, ds.geometry_field, ds.geometry_srid);
  RETURN rebuilt;
END
$$;

CREATE FUNCTION opendata.refresh(slug text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  dd opendata.derived_datasets;
  statements record;
  rebuilt regclass;
  new_report jsonb;
  published jsonb;
BEGIN
  -- Locked first: a source republished concurrently marks this row stale
  -- (_mark_derived_stale) and holds it until it commits.  Waiting here, not
  -- at the final UPDATE, makes the rows below read that new version; else
  -- the crossing would be computed from the old one and marked fresh.
  SELECT * INTO dd FROM opendata.derived_datasets WHERE dataset_id = ds.id FOR UPDATE;
  IF NOT FOUND OR (SELECT relkind FROM pg_class WHERE oid = ds.source) <> 'm' THEN
    RAISE EXCEPTION 'dataset "%" is not a crossing', slug
      USING ERRCODE = '22023', HINT = 'Only datasets made by opendata.cross() can be refreshed.';
  END IF;
  statements := opendata._derived_statements(ds.was_derived_from);
  rebuilt := opendata._rebuild_derived(ds, statements.select_sql);
  IF rebuilt IS NULL THEN
    PERFORM opendata._exec_as(opendata._acting_role(ds.source),
                              format('REFRESH MATERIALIZED VIEW %s', opendata._qualified(ds.source)));
  ELSE
    ds.source := rebuilt;
  END IF;
  new_report := opendata._derived_report(ds.source, statements.report_sql);
  UPDATE opendata.derived_datasets
     SET stale = false, stale_since = NULL, refreshed = now(), report = new_report
   WHERE dataset_id = ds.id;
  IF ds.status = 'published' THEN
    published := opendata.publish(slug);  -- which marks the crossings of this one stale
  ELSE
    PERFORM opendata._mark_stale_derived_from(ds);
  END IF;
  RETURN jsonb_build_object('slug', slug, 'rows', opendata._row_count(ds.source), 'report', new_report, 'stale', false,
                            'version', coalesce(published->'version', to_jsonb(ds.version)));
END
$$;
COMMENT ON FUNCTION opendata.refresh(text) IS
  'recompute a crossing made by opendata.cross(); republishes it if it was published';

-- Ad hoc crossings over the API, in src/pg/cross.cpp.
CREATE FUNCTION opendata_api.cross(
  "left" text,
  "right" text,
  predicate text DEFAULT 'nearest',
  distance_m float8 DEFAULT NULL,
  k int DEFAULT NULL,
  "where" text DEFAULT NULL,
  right_where text DEFAULT NULL,
  rows int DEFAULT 10,
  start int DEFAULT 0,
  fields text DEFAULT NULL,
  order_by text DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'opendata_cross';
COMMENT ON FUNCTION opendata_api.cross(text, text, text, float8, int, text, text, int, int, text, text) IS
  'cross two published datasets (nearest, within_distance, contains, enrich), ODSQL filters on each side: {"total_count": n, "results": [...], "links": {"next"}}';

CREATE FUNCTION opendata_api.near(
  dataset text,
  lon float8,
  lat float8,
  distance_m float8 DEFAULT NULL,
  "where" text DEFAULT NULL,
  rows int DEFAULT 10,
  start int DEFAULT 0,
  fields text DEFAULT NULL,
  order_by text DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'opendata_near';
COMMENT ON FUNCTION opendata_api.near(text, float8, float8, float8, text, int, int, text, text) IS
  'records of a published dataset nearest to a point (within distance_m metres if given), each with its distance_m: {"total_count": n, "results": [...], "links": {"next"}}';
