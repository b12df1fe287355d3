-- Who may do what.
--
-- Writes to the catalog go only through the functions of this extension,
-- which are SECURITY DEFINER and check the caller themselves: no role has
-- INSERT, UPDATE or DELETE on a catalog table, so a direct write is refused
-- with 42501.  Reads go through row-level security, so anon never sees a
-- draft or a restricted dataset, whatever query it sends.

-- The role on whose behalf a SECURITY DEFINER function runs.  Inside such a
-- function current_user is the extension owner; the caller is the role
-- chosen by SET ROLE (what PostgREST does per request), or the session user
-- when none was set.
CREATE FUNCTION opendata._caller() RETURNS name
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN current_setting('role') = 'none' THEN session_user
              ELSE current_setting('role')::name END
$$;

-- May `who` manage the datasets of organization `org`?  Admins manage
-- everything; otherwise the role must be a member of a role listed for the
-- organization.  SECURITY DEFINER: policies call it as the querying role,
-- which cannot read organization_members itself.
--
-- Policies pass current_user, so every querying role must be able to call
-- it; it answers only for the caller or a role whose privileges the caller
-- has, so that nobody learns what another role may do.
CREATE FUNCTION opendata._can_manage(org bigint, who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT (who = opendata._caller() OR pg_catalog.pg_has_role(opendata._caller(), who, 'USAGE'))
     AND (pg_catalog.pg_has_role(who, 'opendata_admin', 'MEMBER')
          OR EXISTS (SELECT FROM opendata.organization_members m
                      WHERE m.organization_id = org
                        AND pg_catalog.pg_has_role(who, m.member::oid, 'MEMBER')))
$$;

-- Work on a relation a user created, with the rights of a role the caller
-- already has (src/pg/as_role.cpp): the definers below never read, write,
-- grant on or index such a relation themselves.
-- STRICT: no statement, no rows.  _exec_as returns the rows its statement
-- processed (for CREATE ... AS, the rows it wrote).
CREATE FUNCTION opendata._query_as(role regrole, sql text) RETURNS SETOF record
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'opendata_query_as';
CREATE FUNCTION opendata._exec_as(role regrole, sql text) RETURNS bigint
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_exec_as';

-- The role that works on `rel` for the caller: its owner when the caller
-- has the owner's privileges (the owner itself, a member of it, or a
-- superuser), so that an administrator never runs a publisher's functions
-- with its own rights; otherwise the caller, whose own privilege on the
-- relation each operation checks.  An administrator who cannot act as the
-- owner is refused rather than run the owner's code as itself.
CREATE FUNCTION opendata._acting_role(rel regclass) RETURNS regrole
LANGUAGE plpgsql STABLE AS $$
DECLARE
  who name := opendata._caller();
  owner oid := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = rel);
BEGIN
  IF pg_catalog.pg_has_role(who, owner, 'USAGE') THEN
    RETURN owner::regrole;
  END IF;
  IF pg_catalog.pg_has_role(who, 'opendata_admin', 'USAGE') THEN
    RAISE EXCEPTION 'permission denied to act on "%" as role "%"', rel, who
      USING ERRCODE = '42501',
            DETAIL = 'An administrator works on a relation it does not own only as its owner, so that the relation''s functions never run with an administrator''s rights.',
            HINT = pg_catalog.format('GRANT %I TO %I, or do this as a superuser.', owner::regrole, who);
  END IF;
  RETURN who::regrole;
END
$$;

-- A relation's name, schema-qualified whatever the search_path, for the
-- statements _query_as and _exec_as run.
CREATE FUNCTION opendata._qualified(rel regclass) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = rel
$$;

-- PostGIS's geometry type, found without the search_path (NULL without
-- PostGIS).  In C (src/pg/postgis_names.cpp), as _postgis_schema(): a
-- cache lookup, where a SQL function was planned again at each call from
-- another SQL function (_field_type(), for each column registered).
CREATE FUNCTION opendata._geometry_oid() RETURNS oid
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_geometry_oid';

-- The schema PostGIS is installed in.  Definers keep it off their
-- search_path (it may be writable by others, like public on old clusters)
-- and name PostGIS functions with it.
CREATE FUNCTION opendata._postgis_schema() RETURNS name
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_postgis_schema';

-- The names of the roles acting for an organization that still exist.
CREATE FUNCTION opendata._member_names(org bigint) RETURNS name[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(r.rolname ORDER BY r.rolname), '{}')
    FROM opendata.organization_members m
    JOIN pg_catalog.pg_roles r ON r.oid = m.member::oid
   WHERE m.organization_id = org
$$;

CREATE FUNCTION opendata._require_role(required name, action text) RETURNS name
LANGUAGE plpgsql STABLE AS $$
DECLARE
  who name := opendata._caller();
BEGIN
  IF NOT pg_has_role(who, required, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to %', action
      USING ERRCODE = '42501',
            DETAIL = format('Role "%s" is not a member of "%s".', who, required);
  END IF;
  RETURN who;
END
$$;

-- Row-level security.  Enabled, not forced: the extension's own SECURITY
-- DEFINER functions run as the table owner and see every row.
ALTER TABLE opendata.datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.datasets FOR SELECT
  USING ((status = 'published' AND access = 'public')
         OR opendata._can_manage(organization_id, current_user));

ALTER TABLE opendata.fields ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.fields FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d
                  WHERE d.id = dataset_id
                    AND (NOT hidden OR opendata._can_manage(d.organization_id, current_user))));

ALTER TABLE opendata.distributions ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.distributions FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

ALTER TABLE opendata.attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.attachments FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

ALTER TABLE opendata.history ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.history FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

ALTER TABLE opendata.reuse_datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.reuse_datasets FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));

-- Read grants: the policies above decide which rows.
GRANT SELECT ON opendata.catalog, opendata.licenses, opendata.themes, opendata.datasets,
                opendata.fields, opendata.distributions, opendata.attachments,
                opendata.reuses, opendata.reuse_datasets, opendata.history
  TO opendata_anon;
GRANT SELECT (id, slug, name, description, homepage, type_uri, created)
  ON opendata.organizations TO opendata_anon;
GRANT SELECT ON opendata.organizations, opendata.organization_members TO opendata_publisher;
