-- The privilege matrix: what each kind of role may do with every function,
-- table and view of the extension, pinned here (docs/security.md).  A new
-- function shows up in the diff and must be placed deliberately.
--
-- Columns: anon (opendata_anon), pub (a publisher), admin (an administrator
-- that is not a superuser), plain (a login role with no opendata role).
-- 'x' allowed, '-' not.
\set VERBOSITY terse
CREATE ROLE regress_priv_pub LOGIN IN ROLE opendata_publisher;
CREATE ROLE regress_priv_admin LOGIN IN ROLE opendata_admin;
CREATE ROLE regress_priv_plain LOGIN;

CREATE FUNCTION regress.may(privilege text, check_fn text, object oid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  out text := '';
  r name;
  ok boolean;
BEGIN
  FOREACH r IN ARRAY ARRAY['opendata_anon', 'regress_priv_pub', 'regress_priv_admin', 'regress_priv_plain']::name[] LOOP
    EXECUTE format('SELECT %s($1, $2, $3)', check_fn) INTO ok USING r, object, privilege;
    out := out || CASE WHEN ok THEN 'x' ELSE '-' END;
  END LOOP;
  RETURN out;
END
$$;

-- Every function: who may execute it.  "definer" marks SECURITY DEFINER.
SELECT p.oid::regprocedure AS function,
       CASE WHEN p.prosecdef THEN 'definer' ELSE '' END AS kind,
       regress.may('EXECUTE', 'has_function_privilege', p.oid) AS "anon pub admin plain"
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
 ORDER BY p.pronamespace::regnamespace::text, p.proname, p.oid::regprocedure::text;

-- Every table and view: SELECT / INSERT / UPDATE / DELETE (any column).
SELECT c.oid::regclass AS relation,
       regress.may('SELECT', 'has_any_column_privilege', c.oid) AS "select",
       regress.may('INSERT', 'has_any_column_privilege', c.oid) AS "insert",
       regress.may('UPDATE', 'has_any_column_privilege', c.oid) AS "update",
       regress.may('DELETE', 'has_table_privilege', c.oid) AS "delete"
  FROM pg_class c
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
   AND c.relkind IN ('r', 'p', 'v', 'm')
   AND c.relname NOT LIKE 'mercator\_copy\_%'
 ORDER BY 1::text;
-- The Web Mercator copies of shapes the worker built (38_mercator_copies.sql,
-- as many as the tests published): read only, by opendata_owner.
SELECT count(*) FILTER (WHERE regress.may('INSERT', 'has_any_column_privilege', c.oid) <> '----'
                           OR regress.may('UPDATE', 'has_any_column_privilege', c.oid) <> '----'
                           OR regress.may('DELETE', 'has_table_privilege', c.oid) <> '----') AS writable_copies,
       count(*) FILTER (WHERE pg_get_userbyid(c.relowner) <> 'opendata_owner') AS copies_not_owned
  FROM pg_class c
 WHERE c.relnamespace = 'opendata'::regnamespace AND c.relname LIKE 'mercator\_copy\_%';

-- The definers: owned by opendata_owner (never a superuser), with a
-- search_path that no other role can write to.
SELECT count(*) AS definers,
       count(*) FILTER (WHERE pg_get_userbyid(p.proowner) <> 'opendata_owner') AS not_owned_by_opendata_owner,
       count(*) FILTER (WHERE NOT ('search_path=pg_catalog, opendata, pg_temp' = ANY (p.proconfig))) AS other_search_path
  FROM pg_proc p
 WHERE p.prosecdef AND p.pronamespace IN ('opendata'::regnamespace, 'opendata_api'::regnamespace);
SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin, rolinherit
  FROM pg_roles WHERE rolname = 'opendata_owner';
-- What opendata_owner may reach: the extension's own schemas only (and
-- the schemas a publisher's source lives in, granted when registering).
SELECT n.nspname, has_schema_privilege('opendata_owner', n.oid, 'USAGE') AS usage,
       has_schema_privilege('opendata_owner', n.oid, 'CREATE') AS "create"
  FROM pg_namespace n WHERE n.nspname IN ('opendata', 'opendata_api', 'opendata_data', 'public')
 ORDER BY 1;
-- No definer has a schema others may write on its search_path.
SELECT count(*) AS functions_with_a_writable_schema_on_their_path
  FROM pg_proc p
  CROSS JOIN LATERAL unnest(p.proconfig) cfg
  CROSS JOIN LATERAL regexp_split_to_table(substr(cfg, length('search_path=') + 1), ',\s*') s
 WHERE cfg LIKE 'search_path=%' AND p.prosecdef
   AND s NOT IN ('pg_catalog', 'opendata', 'pg_temp');

-- The catalog tables belong to opendata_owner; no role writes them directly.
SELECT count(*) AS catalog_tables,
       count(*) FILTER (WHERE pg_get_userbyid(c.relowner) <> 'opendata_owner') AS not_owned
  FROM pg_class c
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
   AND c.relkind = 'r' AND c.relnamespace = 'opendata'::regnamespace
   AND c.relname NOT LIKE 'mercator\_copy\_%';

DROP FUNCTION regress.may(text, text, oid);
DROP ROLE regress_priv_pub, regress_priv_admin, regress_priv_plain;
