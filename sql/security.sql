-- The privilege model under attack (docs/security.md).  One publisher per
-- organization, an administrator who is not a superuser, a plain login
-- role, and a probe: a function any publisher can write, which logs the
-- role it runs as and tries to make its author superuser.  After every
-- route below, the probe must have run as its author or not at all, never
-- as the superuser running the test nor as the extension's definer owner.
\set VERBOSITY terse
CREATE ROLE regress_sec_a LOGIN IN ROLE opendata_publisher;
CREATE ROLE regress_sec_b LOGIN IN ROLE opendata_publisher;
CREATE ROLE regress_sec_admin LOGIN IN ROLE opendata_admin;
CREATE ROLE regress_sec_plain LOGIN;
SELECT opendata.create_organization('sec-a', 'Ville A') > 0 AS a,
       opendata.create_organization('sec-b', 'Ville B') > 0 AS b;
SELECT opendata.add_member('sec-a', 'regress_sec_a'), opendata.add_member('sec-b', 'regress_sec_b');
CREATE SCHEMA sec_a AUTHORIZATION regress_sec_a;
CREATE TABLE regress.sec_log (tag text, ran_as name, became_superuser boolean);
GRANT USAGE ON SCHEMA regress TO PUBLIC;
GRANT INSERT, SELECT ON regress.sec_log TO PUBLIC;

SET ROLE regress_sec_a;
CREATE FUNCTION sec_a.probe(tag text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  escalated boolean := false;
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE regress_sec_a SUPERUSER';
    escalated := true;
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  INSERT INTO regress.sec_log VALUES (tag, current_user, escalated);
  RETURN true;
END
$$;
-- Route 1: a view whose WHERE clause runs the probe, registered and
-- published by its author; a geometry column without a declared SRID makes
-- register() read a row to find it.
CREATE TABLE sec_a.places (id int PRIMARY KEY, name text, geom geometry);
INSERT INTO sec_a.places VALUES (1, 'a', 'SRID=4326;POINT(2.35 48.85)'), (2, 'b', 'SRID=4326;POINT(2.4 48.8)');
CREATE VIEW sec_a.places_view AS SELECT * FROM sec_a.places WHERE sec_a.probe('view');
SELECT (opendata.register('sec_a.places_view', 'sec-view',
          '{"title": "t", "description": "d", "publisher": "sec-a"}'))->'geometry' AS geometry;
SELECT opendata.set_metadata('sec-view', '{"key": ["id"]}') IS NOT NULL AS keyed;
SELECT (opendata.publish('sec-view'))->'row_count' AS row_count;
-- Variant: a key of a composite type whose cast to text runs the probe
-- (publish fingerprints rows by key).
CREATE TYPE sec_a.code AS (n int);
CREATE FUNCTION sec_a.code_text(sec_a.code) RETURNS text
LANGUAGE sql AS $$ SELECT CASE WHEN sec_a.probe('cast') THEN ($1).n::text END $$;
CREATE CAST (sec_a.code AS text) WITH FUNCTION sec_a.code_text(sec_a.code);
CREATE TABLE sec_a.coded (k sec_a.code PRIMARY KEY, v text);
INSERT INTO sec_a.coded VALUES (ROW(1), 'x');
SELECT (opendata.register('sec_a.coded', 'sec-coded',
          '{"title": "t", "description": "d", "publisher": "sec-a", "key": ["k"]}'))->>'slug' AS slug;
RESET ROLE;
-- Published by the superuser: the source's code still runs as its owner.
SELECT (opendata.publish('sec-coded'))->'row_count' AS row_count;
SELECT tag, ran_as, became_superuser FROM regress.sec_log GROUP BY 1, 2, 3 ORDER BY 1, 2;
TRUNCATE regress.sec_log;

-- Route 2: triggers on the publisher's table, fired by a replace import
-- run by a superuser (which empties the table with DELETE, then loads it).
SET ROLE regress_sec_a;
SELECT (opendata.import_csv('sec-import', convert_to(E'id,name\n1,a\n2,b\n', 'UTF8'),
          '{"metadata": {"title": "t", "description": "d", "publisher": "sec-a"}}'))->'rows_loaded' AS loaded;
CREATE FUNCTION sec_a.on_delete() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN PERFORM sec_a.probe('delete trigger'); RETURN NULL; END $$;
CREATE TRIGGER probe BEFORE DELETE ON opendata_data."sec-import"
  FOR EACH STATEMENT EXECUTE FUNCTION sec_a.on_delete();
CREATE TRIGGER probe_truncate BEFORE TRUNCATE ON opendata_data."sec-import"
  FOR EACH STATEMENT EXECUTE FUNCTION sec_a.on_delete();
-- The rows loaded fire row triggers and check constraints: as the owner
-- too.
CREATE FUNCTION sec_a.on_insert() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN PERFORM sec_a.probe('insert trigger'); RETURN NEW; END $$;
CREATE TRIGGER probe_rows BEFORE INSERT ON opendata_data."sec-import"
  FOR EACH ROW EXECUTE FUNCTION sec_a.on_insert();
ALTER TABLE opendata_data."sec-import" ADD CONSTRAINT probe_check CHECK (sec_a.probe('check'));
RESET ROLE;
TRUNCATE regress.sec_log;
SELECT (opendata.import_csv('sec-import', convert_to(E'id,name\n3,c\n', 'UTF8'), '{"mode": "replace"}'))->'rows_loaded' AS replaced_by_superuser;
SELECT tag, ran_as, became_superuser FROM regress.sec_log GROUP BY 1, 2, 3 ORDER BY 1, 2;
TRUNCATE regress.sec_log;

-- Route 3: no SQL text is stored for a crossing, so none can be planted;
-- the helper that stored it is gone.
SELECT count(*) AS report_sql_columns FROM pg_attribute
 WHERE attrelid = 'opendata.derived_datasets'::regclass AND attname = 'report_sql' AND NOT attisdropped;
SELECT to_regprocedure('opendata._set_derivation(text, jsonb, bigint[], text, text, jsonb)') AS set_derivation;

-- Route 5: a superuser crosses the publisher's view (and refreshes it): the
-- view's probe runs as the publisher, who owns the derived relation.
CREATE TABLE regress.sec_communes (code text PRIMARY KEY, geom geometry(Polygon, 4326));
INSERT INTO regress.sec_communes VALUES ('91001', 'SRID=4326;POLYGON((2.3 48.8,2.5 48.8,2.5 48.9,2.3 48.9,2.3 48.8))');
SELECT (opendata.register('regress.sec_communes', 'sec-communes',
          '{"title": "c", "description": "d", "publisher": "sec-b"}'))->>'slug' AS registered;
SELECT opendata.publish('sec-communes') IS NOT NULL AS published;
SELECT (opendata.cross('sec-crossed', 'sec-view', 'sec-communes', 'enrich'))->'rows' AS crossed_rows;
SELECT pg_get_userbyid(relowner) AS derived_owner FROM pg_class WHERE oid = 'opendata_data."sec-crossed"'::regclass;
SELECT (opendata.refresh('sec-crossed'))->'rows' AS refreshed_rows;
SELECT tag, ran_as, became_superuser FROM regress.sec_log GROUP BY 1, 2, 3 ORDER BY 1, 2;
TRUNCATE regress.sec_log;
-- An administrator who cannot act as the owner is refused, rather than run
-- the owner's code with an administrator's rights.
SET ROLE regress_sec_admin;
SELECT regress.error_of($$SELECT opendata.refresh('sec-crossed')$$);
RESET ROLE;

-- Route 4: search_path shadowing.  With CREATE on public, a publisher
-- plants a better-matching format() and a temporary table of the name
-- publish() used; neither is ever used by a definer.
GRANT CREATE ON SCHEMA public TO regress_sec_a;
SET ROLE regress_sec_a;
CREATE FUNCTION public.format(text, regclass) RETURNS text
LANGUAGE plpgsql AS $$ BEGIN PERFORM sec_a.probe('format'); RETURN pg_catalog.format($1, $2); END $$;
CREATE FUNCTION public.format(text, text) RETURNS text
LANGUAGE plpgsql AS $$ BEGIN PERFORM sec_a.probe('format'); RETURN pg_catalog.format($1, $2); END $$;
SELECT (opendata.publish('sec-view'))->'version' AS republished;
CREATE TEMP TABLE opendata_current_rows (key text PRIMARY KEY, hash bytea);
SELECT regress.error_of($$SELECT opendata.publish('sec-view')$$);
DROP TABLE pg_temp.opendata_current_rows;
DROP FUNCTION public.format(text, regclass), public.format(text, text);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_sec_a;
SELECT tag, ran_as, became_superuser FROM regress.sec_log GROUP BY 1, 2, 3 ORDER BY 1, 2;
TRUNCATE regress.sec_log;

-- Route 6: SELECT ... WITH GRANT OPTION on someone else's table lets a
-- publisher register it, not empty or load it.
CREATE TABLE regress.admin_table (id int, name text);
INSERT INTO regress.admin_table VALUES (1, 'kept');
GRANT SELECT ON regress.admin_table TO regress_sec_b WITH GRANT OPTION;
SET ROLE regress_sec_b;
SELECT (opendata.register('regress.admin_table', 'sec-admin-table',
          '{"title": "t", "description": "d", "publisher": "sec-b"}'))->>'slug' AS registered;
SELECT regress.error_of($$SELECT opendata.import_csv('sec-admin-table', convert_to(E'id,name\n9,gone\n', 'UTF8'), '{"mode": "replace"}')$$);
RESET ROLE;
SELECT * FROM regress.admin_table;

-- Route 7: unpublishing revokes what publishing granted, not the grants an
-- administrator made on its own.
SET ROLE regress_sec_a;
CREATE TABLE sec_a.shared (id int PRIMARY KEY);
GRANT SELECT ON sec_a.shared TO regress_sec_admin WITH GRANT OPTION;
RESET ROLE;
SET ROLE regress_sec_admin;
GRANT SELECT ON sec_a.shared TO regress_sec_plain;
RESET ROLE;
SET ROLE regress_sec_a;
SELECT (opendata.register('sec_a.shared', 'sec-shared',
          '{"title": "t", "description": "d", "publisher": "sec-a"}'))->>'slug' AS registered;
SELECT opendata.publish('sec-shared') IS NOT NULL AS published,
       has_any_column_privilege('opendata_anon', 'sec_a.shared', 'SELECT') AS anon_reads;
SELECT opendata.unpublish('sec-shared') IS NOT NULL AS unpublished,
       has_any_column_privilege('opendata_anon', 'sec_a.shared', 'SELECT') AS anon_reads,
       has_table_privilege('regress_sec_plain', 'sec_a.shared', 'SELECT') AS plain_reads;
RESET ROLE;

-- Crafted names: a field and a slug-like title are data, never SQL.
SET ROLE regress_sec_a;
CREATE TABLE sec_a.crafted (id int PRIMARY KEY, "x"")); DROP TABLE sec_a.places; --" text);
INSERT INTO sec_a.crafted VALUES (1, 'v');
SELECT (opendata.register('sec_a.crafted', 'sec-crafted',
          '{"title": "t\"); DROP TABLE x; --", "description": "d", "publisher": "sec-a"}'))->>'slug' AS registered;
SELECT (opendata.publish('sec-crafted'))->'row_count' AS row_count;
SELECT * FROM opendata_api."sec-crafted";
SELECT to_regclass('sec_a.places') IS NOT NULL AS places_still_there;
SELECT regress.error_of($$SELECT opendata.register('sec_a.crafted', 'x"; DROP TABLE y; --')$$);
RESET ROLE;

-- Route 8: internal functions are nobody's but the extension's.
SET ROLE regress_sec_b;
SELECT regress.error_of($$SELECT opendata._record_import('sec-view', 1, 'replace')$$);
SELECT regress.error_of($$SELECT opendata._empty_for_import('sec-view', NULL)$$);
SELECT regress.error_of($$SELECT opendata._exec_as('regress_sec_a', 'SELECT 1')$$);
SELECT regress.error_of($$SELECT * FROM opendata._query_as('regress_sec_a', 'SELECT 1') AS t(x int)$$);
SELECT regress.error_of($$SELECT opendata._dataset_for_update('sec-view')$$);
RESET ROLE;
SET ROLE opendata_anon;
-- Policies call _can_manage(), which answers only for the caller.
SELECT opendata._can_manage(NULL, 'postgres') AS anon_learns_postgres_is_admin,
       opendata._can_manage(NULL, 'opendata_anon') AS anon_manages;
RESET ROLE;
-- Even called by the definer's owner, _exec_as runs only as a role the
-- caller already is.
SET ROLE regress_sec_b;
SELECT regress.error_of($$SELECT opendata.drop_dataset('sec-view')$$);
RESET ROLE;

-- Route 9: a replace import by another organization says nothing of the
-- dataset, not even that it exists when it is not public.
SET ROLE regress_sec_b;
SELECT regress.error_of($$SELECT opendata.import_csv('sec-coded', convert_to(E'x\n1\n', 'UTF8'), '{"mode": "replace"}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('sec-import', convert_to(E'x\n1\n', 'UTF8'), '{"mode": "replace"}')$$);
RESET ROLE;

-- Route 10: roles are stored by OID; names that need quoting, and roles
-- dropped later, break nothing.
CREATE ROLE "Ville_C" NOLOGIN IN ROLE opendata_publisher;
SELECT opendata.add_member('sec-b', '"Ville_C"');
SELECT o.slug, m.member::text FROM opendata.organization_members m
  JOIN opendata.organizations o ON o.id = m.organization_id
 WHERE o.slug LIKE 'sec-%' ORDER BY 1, 2;
DROP ROLE "Ville_C";
SET ROLE opendata_anon;
SELECT count(*) > 0 AS datasets_readable FROM opendata_api.datasets;
RESET ROLE;
SET ROLE regress_sec_b;
SELECT count(*) > 0 AS datasets_readable FROM opendata_api.datasets;
RESET ROLE;

-- Nothing above made anyone superuser, and the log never saw a privileged
-- role.
SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'regress_sec_%' ORDER BY 1;
SELECT count(*) AS privileged_runs FROM regress.sec_log
 WHERE ran_as NOT IN ('regress_sec_a', 'regress_sec_b') OR became_superuser;
