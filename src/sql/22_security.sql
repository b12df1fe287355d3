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
CREATE FUNCTION opendata._can_manage(org bigint, who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT pg_has_role(who, 'opendata_admin', 'MEMBER')
      OR EXISTS (SELECT FROM opendata.organization_members m
                  WHERE m.organization_id = org
                    AND pg_has_role(who, m.member, 'MEMBER'))
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
