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
-- metres of it on the ground: g's box widened by d / 110 km degrees of
-- latitude and d / (110 km x cos(latitude)) of longitude, taken at the
-- box's edge nearer the pole, so a little too large, never too small.  Near
-- a pole or across the antimeridian the box spans every longitude.  NULL
-- for an empty geometry or a negative distance.  In C
-- (src/pg/expand_m.cpp, src/core/cross/ground_box.hpp): the crossings
-- call it once per outer row, and the same box in SQL read g's bounds ten
-- times.  No SET clause (99_finalize.sql): it resolves PostGIS' functions
-- in the schema of its geometry argument's type, never by search_path.
CREATE FUNCTION opendata._expand_m(g geometry, d float8) RETURNS geometry
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_expand_m';

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

-- The statements of a derived dataset, from the crossing compiler
-- (src/core/cross, called in src/pg/cross_statements.cpp).  l_from and
-- r_from are trusted relation texts (a relation name, or a parenthesised
-- subquery from _cross_side()); fields and options come from the caller and
-- are checked there.  r_key is the right dataset's key (its key_fields):
-- nearest and enrich order the right rows they cannot tell apart by it
-- (docs/crossings.md, "Rows at the same distance").  Returns the SELECT of
-- the crossing, a statement
-- returning the report of unmatched rows and keys as one jsonb value (NULL
-- when the predicate has none), and the fields carried unchanged from each
-- side (the right ones without their prefix).
CREATE FUNCTION opendata._cross_select(
  l_from text, l_fields text[], l_geom text, l_srid int,
  r_from text, r_fields text[], r_geom text, r_srid int, r_key text[],
  predicate text, options jsonb,
  OUT select_sql text, OUT report_sql text, OUT left_fields text[], OUT right_fields text[])
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_cross_select';

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

-- A side of a derived dataset as a relation text for _cross_select(): its
-- source, or the source filtered by the ODSQL where clause of the option
-- `option` (left_where or right_where), compiled each time, never stored as
-- SQL: the filter's values inlined as typed literals, the subquery written
-- by src/core/cross/side.cpp (src/pg/cross_side.cpp).
CREATE FUNCTION opendata._cross_side(ds opendata.datasets, options jsonb, option text) RETURNS text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_cross_side';

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
                              r.fields, (r.ds).geometry_field, (r.ds).geometry_srid, (r.ds).key_fields,
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
-- counts, aggregates) are new fields and get nothing.  Only the fields
-- whose metadata changes are updated: fields described by nobody leave the
-- search index's trigger (60_search.sql) nothing to recompute.
CREATE FUNCTION opendata._inherit_field_metadata(derived bigint, l_id bigint, l_fields text[],
                                                 r_id bigint, r_fields text[], prefix text) RETURNS void
LANGUAGE sql AS $$
  UPDATE opendata.fields f
     SET label = coalesce(s.given_label, f.label), description = s.description, unit = s.unit, facet = s.facet
    FROM (SELECT l.name::text AS carried, l.type, nullif(l.label, l.name) AS given_label,
                 l.description, l.unit, l.facet
            FROM opendata.fields l WHERE l.dataset_id = l_id AND l.name = ANY (l_fields)
          UNION ALL
          SELECT prefix || r.name, r.type, nullif(r.label, r.name), r.description, r.unit, r.facet
            FROM opendata.fields r WHERE r.dataset_id = r_id AND r.name = ANY (r_fields)) s
   WHERE f.dataset_id = derived AND f.name = s.carried AND f.type = s.type
     AND (f.label, f.description, f.unit, f.facet)
         IS DISTINCT FROM (coalesce(s.given_label, f.label), s.description, s.unit, s.facet)
$$;

-- JIT is off in cross() and refresh(): a crossing's time goes into PostGIS'
-- functions, which JIT does not compile, and its statements (the box of
-- within_distance above all) cost far above jit_optimize_above_cost, so
-- compiling them took 0.4 s of the 1.9 s of CPU a within_distance crossing
-- of 100,000 x 10,000 points spent, and gained nothing back.
--
-- A SECURITY DEFINER function: it writes the lineage into the catalog.  The
-- materialized view is created by the role that acts on the left dataset
-- (its owner when the caller may act as it, else the caller), which owns it
-- and computes it: REFRESH then runs it as that owner, and no source's
-- functions ever run as an administrator or as the definer.
CREATE FUNCTION opendata.cross(slug text, "left" text, "right" text, predicate text,
                               options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET jit = off AS $$
DECLARE
  who name := opendata._require_role('opendata_publisher', 'create crossings');
  l record;
  r record;
  opts jsonb := coalesce(options, '{}');
  lineage jsonb;
  q record;
  acting regrole;
  rel regclass;
  registered record;
  report jsonb;
  indexes text[] := '{}';
  idx text;
  written bigint;
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
                              r.fields, (r.ds).geometry_field, (r.ds).geometry_srid, (r.ds).key_fields,
                              predicate, opts - 'metadata');
  IF predicate <> 'attribute' THEN
    idx := opendata._ensure_spatial_index((l.ds).source, (l.ds).geometry_field, (l.ds).geometry_srid);
    IF idx IS NOT NULL THEN indexes := indexes || idx; END IF;
    idx := opendata._ensure_spatial_index((r.ds).source, (r.ds).geometry_field, (r.ds).geometry_srid);
    IF idx IS NOT NULL THEN indexes := indexes || idx; END IF;
  END IF;

  -- Created and computed in one statement, by the acting role, which owns
  -- it (no empty view filled by a REFRESH: that wrote its rows into a new
  -- heap and swapped it in), its rows counted as they are written.
  acting := opendata._acting_role((l.ds).source);
  written := opendata._exec_as(acting, format('CREATE MATERIALIZED VIEW opendata_data.%I AS %s', slug, q.select_sql));
  rel := format('opendata_data.%I', slug)::regclass;
  registered := opendata._register(rel, slug,
    jsonb_build_object('title', format('%s × %s (%s)', coalesce((l.ds).title, "left"), coalesce((r.ds).title, "right"), predicate))
      || coalesce(opts->'metadata', '{}'), lineage);
  -- _register() indexed the view's geometry, if it has one.
  IF registered.index_created IS NOT NULL THEN
    indexes := indexes || registered.index_created;
  END IF;
  report := opendata._derived_report(rel, q.report_sql);
  PERFORM opendata._inherit_field_metadata(registered.dataset_id, (l.ds).id, q.left_fields,
                                           (r.ds).id, q.right_fields, opts->>'prefix');
  INSERT INTO opendata.derived_datasets (dataset_id, sources, predicate, report)
  VALUES (registered.dataset_id, ARRAY[(l.ds).id, (r.ds).id], predicate, report);
  RETURN opendata._dataset_summary(registered.dataset_id)
         || jsonb_build_object('rows', written, 'report', report,
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
  -- Empty, then filled by REFRESH: REFRESH writes its rows frozen, so a
  -- reader that waited for this transaction's locks with an older snapshot
  -- finds the new rows (rows written by CREATE ... AS would be invisible to
  -- it: an empty answer; test/isolation/specs/replace_readers.spec).
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
LANGUAGE plpgsql SECURITY DEFINER SET jit = off AS $$
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
