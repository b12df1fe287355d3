-- The definition of everything the opendata extension installs, one line
-- per property, sorted: test/shell/upgrade.sh runs it in a fresh install
-- and in an upgraded one and fails on any difference.  Nothing here names
-- an OID or depends on the order things were created in (ACL entries are
-- sorted; columns are numbered among the live ones, as a dropped column
-- leaves a gap); rows of the catalog tables are data, not definitions, and
-- are compared by the test itself.

-- An ACL, one entry per privilege: grantor->grantee PRIVILEGE.
CREATE FUNCTION pg_temp.acl_entries(acl aclitem[]) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT format('%s->%s %s%s', a.grantor::regrole,
                CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,
                a.privilege_type, CASE WHEN a.is_grantable THEN ' WITH GRANT' ELSE '' END)
    FROM aclexplode(acl) a
$$;

WITH ext AS (
  SELECT oid FROM pg_extension WHERE extname = 'opendata'
), member AS (  -- what ALTER EXTENSION ... DROP would have to name
  SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d, ext
   WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), schema_ AS (
  SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('opendata', 'opendata_api', 'opendata_data')
), rel AS (  -- the extension's relations (its tables, sequences and views)
  SELECT c.* FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
), fn AS (
  SELECT p.* FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
)
SELECT replace(line, E'\n', E'\\n') FROM (
  -- Membership: the same objects belong to the extension.
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM member
  UNION ALL
  SELECT 'extension config ' || c::regclass::text || ' ' || coalesce(w, '')
    FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, w) WHERE e.extname = 'opendata'
  -- Roles and their memberships among the opendata_* roles.
  UNION ALL
  SELECT format('role %s super=%s createrole=%s createdb=%s bypassrls=%s login=%s inherit=%s',
                rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin, rolinherit)
    FROM pg_roles WHERE rolname LIKE 'opendata\_%'
  UNION ALL
  SELECT format('role %s member of %s admin=%s', m.member::regrole, m.roleid::regrole, m.admin_option)
    FROM pg_auth_members m
   WHERE m.roleid::regrole::text LIKE 'opendata\_%' AND m.member::regrole::text LIKE 'opendata\_%'
  -- Schemas.
  UNION ALL
  SELECT format('schema %s owner=%s comment=%s', nspname, nspowner::regrole,
                obj_description(oid, 'pg_namespace'))
    FROM pg_namespace WHERE oid IN (SELECT oid FROM schema_)
  UNION ALL
  SELECT format('schema %s acl %s', n.nspname, a.acl)
    FROM pg_namespace n,
         pg_temp.acl_entries(n.nspacl) a(acl)
   WHERE n.oid IN (SELECT oid FROM schema_)
  -- Functions: their whole definition (arguments and defaults, result,
  -- language, volatility, strictness, parallel safety, SECURITY DEFINER,
  -- SET clauses, body), owner, comment, grants.
  UNION ALL
  SELECT format('function %s definition %s', p.oid::regprocedure, pg_get_functiondef(p.oid))
    FROM fn p WHERE p.prokind <> 'a'
  UNION ALL
  SELECT format('aggregate %s transfn=%s finalfn=%s stype=%s initcond=%s', p.oid::regprocedure,
                a.aggtransfn, a.aggfinalfn, format_type(a.aggtranstype, NULL), a.agginitval)
    FROM fn p JOIN pg_aggregate a ON a.aggfnoid = p.oid
  UNION ALL
  SELECT format('function %s owner=%s comment=%s', p.oid::regprocedure, p.proowner::regrole,
                obj_description(p.oid, 'pg_proc'))
    FROM fn p
  UNION ALL
  SELECT format('function %s acl %s', p.oid::regprocedure, a.acl)
    FROM fn p,
         pg_temp.acl_entries(coalesce(p.proacl, acldefault('f', p.proowner))) a(acl)
  -- Types (domains): base type, constraints, owner, grants.
  UNION ALL
  SELECT format('type %s kind=%s base=%s notnull=%s default=%s owner=%s', t.oid::regtype, t.typtype,
                format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, t.typowner::regrole)
    FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
  UNION ALL
  SELECT format('type %s constraint %s %s', t.oid::regtype, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    JOIN pg_constraint c ON c.contypid = t.oid
  -- Relations: kind, owner, options, row-level security, comment, grants
  -- (table and column), a view's query.
  UNION ALL
  SELECT format('relation %s kind=%s owner=%s options=%s rls=%s force_rls=%s persistence=%s comment=%s',
                c.oid::regclass, c.relkind, c.relowner::regrole, c.reloptions, c.relrowsecurity,
                c.relforcerowsecurity, c.relpersistence, obj_description(c.oid, 'pg_class'))
    FROM rel c
  UNION ALL
  SELECT format('relation %s acl %s', c.oid::regclass, a.acl)
    FROM rel c,
         pg_temp.acl_entries(c.relacl) a(acl)
  UNION ALL
  SELECT format('view %s query %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM rel c WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('sequence %s type=%s start=%s increment=%s min=%s max=%s cycle=%s owned_by=%s',
                c.oid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                s.seqmax, s.seqcycle,
                (SELECT d.refobjid::regclass || '.' || a.attname FROM pg_depend d
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'))
    FROM rel c JOIN pg_sequence s ON s.seqrelid = c.oid
  -- Columns, numbered among the live ones.
  UNION ALL
  SELECT format('column %s.%s #%s type=%s notnull=%s default=%s collation=%s identity=%s generated=%s comment=%s',
                c.oid::regclass, quote_ident(a.attname),
                rank() OVER (PARTITION BY c.oid ORDER BY a.attnum),
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
                (SELECT collname FROM pg_collation WHERE oid = a.attcollation AND a.attcollation <> 100),
                a.attidentity, a.attgenerated, col_description(c.oid, a.attnum))
    FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
  UNION ALL
  SELECT format('column %s.%s acl %s', c.oid::regclass, quote_ident(at.attname), a.acl)
    FROM rel c JOIN pg_attribute at ON at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped,
         pg_temp.acl_entries(at.attacl) a(acl)
  -- What hangs on the tables: constraints, indexes, triggers, policies.
  UNION ALL
  SELECT format('table %s constraint %s %s deferrable=%s', c.oid::regclass, k.conname,
                pg_get_constraintdef(k.oid), k.condeferrable)
    FROM rel c JOIN pg_constraint k ON k.conrelid = c.oid
  UNION ALL
  SELECT format('table %s index %s', c.oid::regclass, pg_get_indexdef(i.indexrelid))
    FROM rel c JOIN pg_index i ON i.indrelid = c.oid
  UNION ALL
  SELECT format('table %s trigger %s', c.oid::regclass, pg_get_triggerdef(t.oid))
    FROM rel c JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
  UNION ALL
  SELECT format('table %s policy %s %s %s roles=%s using=%s check=%s', c.oid::regclass, p.polname,
                p.polcmd, p.polpermissive,
                (SELECT string_agg(CASE r WHEN 0 THEN 'PUBLIC' ELSE r::regrole::text END, ',' ORDER BY 1)
                   FROM unnest(p.polroles) r),
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
    FROM rel c JOIN pg_policy p ON p.polrelid = c.oid
) lines(line)
ORDER BY line COLLATE "C";
