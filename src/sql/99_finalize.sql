-- Last part: pin search_path on every function of the extension, and keep
-- internals away from PUBLIC.
--
-- C functions are included: those running SQL through SPI resolve names
-- with it too.
--
-- PostGIS may live in any schema (CASCADE puts it in the first schema of the
-- installer's search_path).  Functions call it unqualified, so each gets a
-- search_path naming pg_catalog first (nothing can shadow built-ins), then
-- opendata, then PostGIS's schema, and pg_temp last.
--
-- Two exceptions: opendata._odsql_fold() is inlined into record queries,
-- which a SET clause would prevent; its body qualifies every name (see
-- 50_records.sql).  opendata._nearest_candidates() is called once per row
-- of a nearest crossing, where a SET clause would change a setting twice
-- per call; the SQL it runs qualifies every name (src/pg/nearest.cpp).

DO $finalize$
DECLARE
  postgis_schema name := (SELECT n.nspname FROM pg_extension e
                            JOIN pg_namespace n ON n.oid = e.extnamespace
                           WHERE e.extname = 'postgis');
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT p.oid::regprocedure
      FROM pg_depend d
      JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
       AND d.deptype = 'e'
       AND p.prokind IN ('f', 'p')
       AND p.oid NOT IN ('opendata._odsql_fold(text)'::regprocedure,
                         'opendata._nearest_candidates(float8, float8, regclass, name, int, float8)'::regprocedure)
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, opendata, %I, pg_temp',
                   fn, postgis_schema);
  END LOOP;
END
$finalize$;

REVOKE ALL ON SCHEMA opendata FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA opendata FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA opendata_api FROM PUBLIC;

-- What each role may call.  Functions check the caller themselves too.
GRANT EXECUTE ON FUNCTION opendata.version(), opendata.build_info(),
  opendata._can_manage(bigint, name) TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata.register(regclass, text, jsonb), opendata.set_metadata(text, jsonb),
  opendata.describe_field(text, text, jsonb), opendata.publish(text), opendata.unpublish(text),
  opendata.drop_dataset(text, boolean), opendata.add_reuse(text, text, text, text[], text, text),
  opendata.add_attachment(text, text, text, text, text),
  opendata.explain_odsql(text, text, text, text, text, int, int, text[], text[], text, text, text),
  opendata.import_csv(text, bytea, jsonb), opendata._import_csv(text, bytea, text),
  opendata.import_csv_file(text, text, jsonb), opendata._read_server_file(text),
  opendata.import_geojson(text, bytea, jsonb), opendata._import_geojson(text, bytea, text),
  opendata.import_geojson_file(text, text, jsonb),
  opendata.sniff_csv(bytea, jsonb), opendata._sniff_csv(bytea, text),
  opendata._truncate_for_import(text), opendata._record_import(text, bigint, text),
  opendata._check_slug(text), opendata._reserved_slugs(),
  opendata.export_chunks(text, text, text, text, text, text, int, int, text[], text[], text, text, jsonb)
  TO opendata_publisher;
GRANT EXECUTE ON FUNCTION opendata.set_catalog(jsonb), opendata.create_organization(text, text, jsonb),
  opendata.add_member(text, regrole) TO opendata_admin;
