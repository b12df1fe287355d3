-- opendata 0.1.0 -> 0.2.0 (ALTER EXTENSION opendata UPDATE; docs/upgrades.md).
--
-- The hand-written part of the upgrade: what running the release's
-- functions again cannot do.  The build replaces the line "-- @release-objects"
-- below with every function (CREATE OR REPLACE), comment and grant of the
-- 0.2.0 install script and its idempotent DO blocks (scripts/replaceable.awk),
-- then its finalize parts (src/sql/99*.sql: owners, search_path, grants), so
-- that an upgrade and an install share one source.  test/shell/upgrade.sh
-- compares an upgraded database with a fresh install, object by object.

-- Functions 0.2.0 no longer has: the SQL wrappers of the imports (their C++
-- entry points are now the functions themselves), emptying a table by
-- TRUNCATE (_empty_for_import deletes instead), and the definers that
-- stored a crossing's SQL text (a crossing is rebuilt from its lineage).
-- Dropped here, they leave the extension with them.
DROP FUNCTION opendata._import_csv(text, bytea, text);
DROP FUNCTION opendata._import_geojson(text, bytea, text);
DROP FUNCTION opendata._sniff_csv(bytea, text);
DROP FUNCTION opendata._read_server_file(text);
DROP FUNCTION opendata._truncate_for_import(text);
DROP FUNCTION opendata._set_derivation(text, jsonb, bigint[], text, text, jsonb);
DROP FUNCTION opendata._set_refreshed(text, jsonb);
-- The SQL of a crossing is written by the crossing compiler (src/core/cross):
-- the PL/pgSQL generator and its helpers go, and _cross_select() is a C
-- function whose result grew (the fields each side carries).
DROP FUNCTION opendata._cross_select(text, text[], text, int, text, text[], text, int, text, jsonb);
DROP FUNCTION opendata._cross_fields(jsonb, text, text, text[]);
DROP FUNCTION opendata._expand_m_sql(text, text);
-- API functions whose arguments grew: near() and cross() take fields and
-- order_by, as records() does (issue #24).
DROP FUNCTION opendata_api.cross(text, text, text, float8, int, text, text, int, int);
DROP FUNCTION opendata_api.near(text, float8, float8, float8, text, int);
-- API functions whose refine and exclude became opendata_api.facet_items,
-- which also reads the bare item an app sends by GET (refine=mode:Metro;
-- issue #21).  CREATE OR REPLACE cannot change an argument's type, and an
-- overload left beside the new one would make PostgREST's calls ambiguous.
DROP FUNCTION opendata_api.records(text, text, text, text, text, int, int, text[], text[], text, text, text);
DROP FUNCTION opendata_api.facets(text, text[], text, text[], text[], text, text);
DROP FUNCTION opendata_api.export_csv(text, text, text, text, text, int, int, text[], text[], text, text, jsonb);
DROP FUNCTION opendata_api.export_json(text, text, text, text, text, int, int, text[], text[], text, text, jsonb);
DROP FUNCTION opendata_api.export_jsonl(text, text, text, text, text, int, int, text[], text[], text, text, jsonb);
DROP FUNCTION opendata_api.export_geojson(text, text, text, text, text, int, int, text[], text[], text, text, jsonb);
DROP FUNCTION opendata_api.download(text, text, text, text, text, text, int, int, text[], text[], text, text, jsonb);
DROP FUNCTION opendata_api.search(text, text[], text[], text[], text, int, int, text);
-- The catalog's URLs answer whatever the Accept header (issue #17): their
-- functions return the "*/*" domain instead of a media type domain.
DROP FUNCTION opendata_api.catalog_dcat(text, int, int);
DROP FUNCTION opendata_api.catalog_jsonld(int, int);
DROP FUNCTION opendata_api.catalog_turtle(int, int);
DROP FUNCTION opendata_api.catalog_rdfxml(int, int);
-- download() answers files too (Parquet): it returns bytes, the domain
-- opendata."*/*" over bytea, created by the release objects below (its
-- 0.1.0 signature is dropped above).
-- explain_odsql() can show the plan too (plan => true, issue #20).
DROP FUNCTION opendata.explain_odsql(text, text, text, text, text, int, int, text[], text[], text, text, text);

-- organization_members.member: a role's name became the role (regrole, by
-- OID, dumped by name), so that a role dropped and created again under the
-- same name acts for no organization.  0.1.0 stored the role's regrole
-- output, which reads back as the same role.  A row naming a role that no
-- longer exists gave no right already: it is removed, with a warning.
DO $members$
DECLARE
  gone text;
BEGIN
  SELECT string_agg(format('%s (%s)', m.member, o.slug), ', ' ORDER BY o.slug, m.member) INTO gone
    FROM opendata.organization_members m JOIN opendata.organizations o ON o.id = m.organization_id
   WHERE to_regrole(m.member) IS NULL;
  IF gone IS NOT NULL THEN
    RAISE WARNING 'removing organization members whose role no longer exists: %', gone;
    DELETE FROM opendata.organization_members m WHERE to_regrole(m.member) IS NULL;
  END IF;
END
$members$;
ALTER TABLE opendata.organization_members
  ALTER COLUMN member TYPE regrole USING member::text::regrole;

-- derived_datasets.report_sql: 0.2.0 keeps no SQL text to run again.  A
-- refresh builds its statements from the crossing's lineage
-- (datasets.was_derived_from, which 0.1.0 wrote in the same form).
ALTER TABLE opendata.derived_datasets DROP COLUMN report_sql;

-- data_summaries (36_summaries.sql): new in 0.2.0.  Datasets published by
-- 0.1.0 get theirs at their next publication; until then their answers are
-- computed from the data, as before.
CREATE TABLE opendata.data_summaries (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,
  row_count    bigint NOT NULL,
  facet_types  jsonb NOT NULL,
  facets       json NOT NULL
);
CREATE TABLE opendata.data_writes (
  dataset_id   bigint NOT NULL
);
CREATE INDEX ON opendata.data_writes (dataset_id);
ALTER TABLE opendata.data_summaries ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.data_summaries FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
ALTER TABLE opendata.data_writes ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.data_writes FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

-- cluster_grids and cluster_tiles (37_cluster_grids.sql): new in 0.2.0.
-- Datasets published by 0.1.0 get theirs at their next publication; until
-- then their tiles are clustered as they are asked for.
CREATE TABLE opendata.cluster_grids (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,
  max_zoom     int NOT NULL
);
CREATE TABLE opendata.cluster_tiles (
  dataset_id   bigint NOT NULL REFERENCES opendata.cluster_grids (dataset_id) ON DELETE CASCADE,
  z            int NOT NULL,
  x            int NOT NULL,
  y            int NOT NULL,
  point_count  bigint NOT NULL,
  tile         bytea NOT NULL,
  PRIMARY KEY (dataset_id, z, x, y)
);
ALTER TABLE opendata.cluster_grids ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.cluster_grids FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
ALTER TABLE opendata.cluster_tiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.cluster_tiles FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

-- The grants on functions are the release's, not the sum of two releases':
-- the release objects below grant again what 0.2.0 grants.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA opendata, opendata_api
  FROM PUBLIC, opendata_anon, opendata_publisher, opendata_admin;

-- Usage analytics (issue #18, src/sql/85_usage.sql): the table the flush
-- worker writes; its functions come with the release objects.
CREATE TABLE opendata.usage_daily (
  day       date NOT NULL,       -- in UTC
  dataset   text NOT NULL,       -- the dataset's slug; '' for the portal's own pages and search
  endpoint  text NOT NULL,       -- records, facets, export_csv, ... (src/core/usage/counters.cpp)
  calls     bigint NOT NULL CHECK (calls >= 0),
  rows      bigint NOT NULL CHECK (rows >= 0),
  bytes     bigint NOT NULL CHECK (bytes >= 0),
  errors    bigint NOT NULL CHECK (errors >= 0),
  clients   bytea NOT NULL CHECK (length(clients) = 1024),  -- HyperLogLog registers
  PRIMARY KEY (day, dataset, endpoint)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.usage_daily', '');

-- Quotas (src/sql/86_quota.sql): API keys, stored hashed.
CREATE TABLE opendata.api_keys (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,32}$'),
  secret_sha256  bytea NOT NULL CHECK (length(secret_sha256) = 32),
  name           text NOT NULL,   -- what it is for
  owner          text NOT NULL,   -- whom it was given to
  per_minute     int CHECK (per_minute > 0),  -- null: no limit
  per_day        int CHECK (per_day > 0),
  role           regrole,         -- the role its requests run as; null: the request's own
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('opendata.api_keys', '');
ALTER TABLE opendata.api_keys ENABLE ROW LEVEL SECURITY;

-- Catalog search (issue #15, src/sql/60_search.sql, docs/search.md): the
-- facet and sort columns of search_index, the index of organizations with
-- non-public datasets, the public catalog's facet counts and the page
-- index of the whole catalog.  Filled after the release objects, by the
-- 0.2.0 refresh, once its functions and triggers exist.  _search_docs()
-- returns those columns too: a result that grew, dropped here.
DROP FUNCTION opendata._search_docs(bigint[]);
ALTER TABLE opendata.search_index
  ADD COLUMN slug text, ADD COLUMN title_text text, ADD COLUMN modified timestamptz,
  ADD COLUMN issued timestamptz, ADD COLUMN themes text[], ADD COLUMN keywords text[],
  ADD COLUMN license_id text, ADD COLUMN territory text, ADD COLUMN year int;
CREATE INDEX search_index_not_public ON opendata.search_index (organization_id) WHERE NOT visible_to_all;
CREATE TABLE opendata.search_facet_counts (
  facet  text NOT NULL,
  value  text NOT NULL,
  n      bigint NOT NULL
);
CREATE INDEX search_facet_counts_value ON opendata.search_facet_counts (facet, value);
-- The catalog's version for search()'s in-memory index; its trigger comes
-- with the counts' below.
CREATE TABLE opendata.search_version (
  n  bigint NOT NULL
);
CREATE INDEX datasets_modified_slug ON opendata.datasets (modified DESC, slug);

-- Web Mercator copies of line and polygon datasets for vector tiles
-- (38_mercator_copies.sql): new in 0.2.0.  Datasets published by 0.1.0
-- get theirs at their next publication; until then their tiles read the
-- API view.  The trigger functions come with the release objects below.
CREATE TABLE opendata.mercator_copies (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,
  modified     timestamptz NOT NULL,
  relation     regclass NOT NULL
);
ALTER TABLE opendata.mercator_copies ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.mercator_copies FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
GRANT SELECT ON opendata.mercator_copies TO opendata_anon;
CREATE FUNCTION opendata._set_aside_mercator_copy() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;  -- replaced below
CREATE TRIGGER set_aside_mercator_copy AFTER UPDATE OF version, modified, status, access ON opendata.datasets
  FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.modified IS DISTINCT FROM NEW.modified
                     OR OLD.status IS DISTINCT FROM NEW.status OR OLD.access IS DISTINCT FROM NEW.access)
  EXECUTE FUNCTION opendata._set_aside_mercator_copy();
CREATE TRIGGER revoke_copy AFTER DELETE ON opendata.mercator_copies
  FOR EACH ROW EXECUTE FUNCTION opendata._set_aside_mercator_copy();

-- @release-objects

-- Objects of the datasets that 0.1.0 made with the installing superuser's
-- rights, and that 0.2.0's definers, running as opendata_owner, replace and
-- drop:
--   * the API view of each published dataset goes to opendata_owner, which
--     owns the views 0.2.0's publish() creates.  The view itself stays: its
--     query names the source's columns and PostGIS's st_transform(), no
--     function of opendata, so it reads the same before and after and needs
--     no republication.
--   * opendata_owner must reach the schema of each dataset's source, which
--     0.2.0's register() ensures (granted by the schema's owner).
DO $datasets$
DECLARE
  api_view regclass;
  nsp name;
BEGIN
  FOR api_view IN
    SELECT to_regclass(format('opendata_api.%I', d.slug)) FROM opendata.datasets d
     WHERE to_regclass(format('opendata_api.%I', d.slug)) IS NOT NULL
  LOOP
    EXECUTE format('ALTER VIEW %s OWNER TO opendata_owner', api_view);
  END LOOP;
  FOR nsp IN
    SELECT DISTINCT n.nspname FROM opendata.datasets d
      JOIN pg_class c ON c.oid = d.source JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT has_schema_privilege('opendata_owner', n.oid, 'USAGE')
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO opendata_owner', nsp);
  END LOOP;
END
$datasets$;

-- The columns of published datasets' API views carry their fields'
-- descriptions (what publish() now writes; sql/api_comments.sql).
SELECT opendata._comment_view_columns(d) FROM opendata.datasets d
 WHERE d.status = 'published' AND to_regclass(format('opendata_api.%I', d.slug)) IS NOT NULL;

-- Catalog search (issue #15): the triggers that keep the public facet
-- counts, then every dataset's search row again (its new columns, and the
-- counts through those triggers).
CREATE TRIGGER search_counts_insert AFTER INSERT ON opendata.search_index
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();
CREATE TRIGGER search_counts_update AFTER UPDATE ON opendata.search_index
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();
CREATE TRIGGER search_counts_delete AFTER DELETE ON opendata.search_index
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();
CREATE TRIGGER search_version_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.search_index
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_changed();
DELETE FROM opendata.search_index;
DELETE FROM opendata.search_facet_counts;
SELECT opendata._search_refresh(ARRAY(SELECT id FROM opendata.datasets));

-- The invalidations that tell backends their copies of catalog rows are
-- stale (src/sql/23_catalog_changes.sql); the function comes with the
-- release objects.
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.datasets
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.fields
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.organization_members
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.catalog
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.cluster_grids
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.mercator_copies
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR DELETE ON opendata.data_writes
  FOR EACH ROW EXECUTE FUNCTION opendata._catalog_changed();
