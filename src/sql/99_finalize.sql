-- Last part: who owns what, the search_path of every function, and who may
-- call what.  docs/security.md explains the model; sql/privileges.sql pins it.

-- The catalog and the SECURITY DEFINER functions belong to opendata_owner,
-- a NOLOGIN role without any attribute: a definer runs with its rights, not
-- with those of the superuser who installed the extension.  The catalog's
-- tables have row-level security enabled, not forced, so their owner (the
-- definers) sees every row.
DO $owner$
DECLARE
  rel regclass;
  fn regprocedure;
BEGIN
  FOR rel IN
    SELECT c.oid::regclass FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
       AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
       AND c.relnamespace = 'opendata'::regnamespace
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO opendata_owner', rel);  -- and its sequences
  END LOOP;
  FOR fn IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.prosecdef AND p.pronamespace IN ('opendata'::regnamespace, 'opendata_api'::regnamespace)
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO opendata_owner', fn);
  END LOOP;
END
$owner$;

-- search_path of every function of the extension (C functions included:
-- those running SQL through SPI resolve names with it too).  pg_catalog
-- comes first and pg_temp last, so nothing shadows a built-in or a catalog
-- table, and no other schema than opendata, which only the extension
-- writes: a schema others may create objects in (PostGIS's, often public)
-- could hold a better-matching overload of a function called, say
-- format(text, regclass), and an internal function runs as whoever called
-- it, a definer included.  Such functions name PostGIS's type and schema
-- without the path (_geometry_oid, _postgis_schema), and work on user
-- relations through _query_as/_exec_as, whose statements run with PostGIS's
-- schema on the path as the acting role.
--
-- PostGIS's schema stays on the path of the functions that resolve PostGIS
-- names when they run and are called only by a user on its own behalf:
-- the API (opendata_api), the C++ entry points that build queries, the
-- helpers that report PostGIS's version,
-- and the invoker helpers of the pages and of OGC API that compute a map or
-- an extent (_page_map, _ogc_collection_json): the API calls them as the
-- caller, no definer does.
--
-- opendata._cross_side() and opendata._cross_select() are C functions
-- that definers call (cross(), refresh()): they only read the catalog, with
-- the definers' path.
--
-- Six exceptions get no SET clause: opendata._odsql_fold() is inlined into
-- record queries, which a SET clause would prevent; its body qualifies every
-- name (see 50_records.sql).  opendata._nearest_candidates() is called once
-- per row of a nearest crossing, where a SET clause would change a setting
-- twice per call; the SQL it runs qualifies every name (src/pg/nearest.cpp).
-- opendata._search_score() is called once per search match and runs no SQL;
-- nor do opendata._postgis_schema() and _geometry_oid(), C lookups that the
-- registration calls a few times per column (src/pg/postgis_names.cpp).
-- opendata._expand_m() is called once per outer row of a crossing; it
-- finds PostGIS' functions in the schema of its argument's type
-- (src/pg/expand_m.cpp).
DO $finalize$
DECLARE
  postgis_schema name := opendata._postgis_schema();
  fn regprocedure;
  with_postgis boolean;
BEGIN
  FOR fn, with_postgis IN
    SELECT p.oid::regprocedure,
           NOT p.prosecdef
           AND (p.pronamespace = 'opendata_api'::regnamespace
                OR (p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
                    AND p.oid NOT IN ('opendata._query_as(regrole, text)'::regprocedure,
                                      'opendata._exec_as(regrole, text)'::regprocedure,
                                      'opendata._cross_side(opendata.datasets, jsonb, text)'::regprocedure,
                                      'opendata._cross_select(text, text[], text, int, text, text[], text, int, text[], text, jsonb)'::regprocedure))
                OR p.oid IN ('opendata.version()'::regprocedure, 'opendata.build_info()'::regprocedure,
                             'opendata._page_map(text, name, text)'::regprocedure,
                             'opendata._ogc_collection_json(record)'::regprocedure))
      FROM pg_depend d
      JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
       AND d.deptype = 'e'
       AND p.prokind IN ('f', 'p')
       AND p.oid NOT IN ('opendata._odsql_fold(text)'::regprocedure,
                         'opendata._nearest_candidates(float8, float8, regclass, name, int, float8)'::regprocedure,
                         'opendata._expand_m(geometry, float8)'::regprocedure,
                         'opendata._search_score(tsvector, tsvector, tsquery)'::regprocedure,
                         'opendata._postgis_schema()'::regprocedure, 'opendata._geometry_oid()'::regprocedure)
  LOOP
    IF with_postgis THEN
      EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, opendata, %I, pg_temp',
                     fn, postgis_schema);
    ELSE
      EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, opendata, pg_temp', fn);
    END IF;
  END LOOP;
END
$finalize$;

REVOKE ALL ON SCHEMA opendata FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA opendata FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA opendata_api FROM PUBLIC;

-- The definers call the internal functions.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA opendata TO opendata_owner;

-- What each role may call: the documented entry points.  Each checks its
-- caller too.  Internal functions are callable by no one else; the C++
-- entry points reach them through fmgr (src/pg/internal_call.hpp).
GRANT EXECUTE ON FUNCTION opendata.version(), opendata.build_info() TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata.register(regclass, text, jsonb), opendata.set_metadata(text, jsonb),
  opendata.describe_field(text, text, jsonb), opendata.publish(text), opendata.unpublish(text),
  opendata.drop_dataset(text, boolean), opendata.add_reuse(text, text, text, text[], text, text),
  opendata.add_attachment(text, text, text, text, text),
  opendata.explain_odsql(text, text, text, text, text, int, int, text[], text[], text, text, text, boolean),
  opendata.import_csv(text, bytea, jsonb), opendata.import_csv_file(text, text, jsonb),
  opendata.import_geojson(text, bytea, jsonb), opendata.import_geojson_file(text, text, jsonb),
  opendata.sniff_csv(bytea, jsonb),
  opendata.export_chunks(text, text, text, text, text, text, int, int, text[], text[], text, text, jsonb)
  TO opendata_publisher;
GRANT EXECUTE ON FUNCTION opendata.set_catalog(jsonb), opendata.create_organization(text, text, jsonb),
  opendata.add_member(text, regrole) TO opendata_admin;
