-- Roles and the API schema.
--
-- Roles are cluster-wide: a second database installing the extension finds
-- them already there.  All are NOLOGIN group roles; a deployment grants them
-- to its login roles (PostgREST's `authenticator`, people, services).
--   opendata_anon       what PostgREST uses for anonymous requests
--   opendata_publisher  manages the datasets of its organizations
--   opendata_admin      manages the whole catalog
--   opendata_owner      owns the catalog and the SECURITY DEFINER functions
--                       (least privilege, never a superuser; docs/security.md)

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $roles$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['opendata_anon', 'opendata_publisher', 'opendata_admin', 'opendata_owner'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
  -- The definers' owner must stay least-privileged: a role of that name
  -- made by someone else with more rights is refused, not used.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'opendata_owner'
                AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolcanlogin)) THEN
    RAISE EXCEPTION 'role "opendata_owner" has more rights than the extension gives it'
      USING ERRCODE = '42501',
            DETAIL = 'It must be NOLOGIN, without SUPERUSER, CREATEROLE, CREATEDB or BYPASSRLS.',
            HINT = 'ALTER ROLE opendata_owner NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS NOLOGIN.';
  END IF;
  -- An admin can do what a publisher can; both can read what anon reads.
  IF NOT pg_has_role('opendata_admin', 'opendata_publisher', 'MEMBER') THEN
    GRANT opendata_publisher TO opendata_admin;
  END IF;
  IF NOT pg_has_role('opendata_publisher', 'opendata_anon', 'MEMBER') THEN
    GRANT opendata_anon TO opendata_publisher;
  END IF;
END
$roles$;

-- The only schema PostgREST exposes (db-schemas = opendata_api).
CREATE SCHEMA opendata_api;
COMMENT ON SCHEMA opendata_api IS 'opendata HTTP API: what PostgREST serves, and nothing else';
REVOKE ALL ON SCHEMA opendata_api FROM PUBLIC;
GRANT USAGE ON SCHEMA opendata_api TO opendata_anon;
-- The definer functions create, replace and drop the API views of datasets.
GRANT USAGE, CREATE ON SCHEMA opendata_api TO opendata_owner;

-- The catalog schema is internal, but the API views are security_invoker,
-- so the roles reading them need USAGE here; row-level security and column
-- grants decide what they actually see.
GRANT USAGE ON SCHEMA opendata TO opendata_anon, opendata_owner;
