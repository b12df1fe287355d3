-- Version and build information.

CREATE FUNCTION opendata.version() RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT
AS 'MODULE_PATHNAME', 'opendata_version';
COMMENT ON FUNCTION opendata.version() IS 'version of the opendata library loaded in this backend';

CREATE FUNCTION opendata._build_info_compiled() RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT
AS 'MODULE_PATHNAME', 'opendata_build_info_compiled';

-- What the compiler knew, plus the versions actually running: after a
-- minor upgrade of PostgreSQL or PostGIS the two can differ.
CREATE FUNCTION opendata.build_info() RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT opendata._build_info_compiled()::jsonb
         || jsonb_build_object(
              'extension_version', (SELECT extversion FROM pg_extension WHERE extname = 'opendata'),
              'postgresql', current_setting('server_version'),
              'postgresql_num', current_setting('server_version_num')::int,
              'postgis', postgis_lib_version())
$$;
COMMENT ON FUNCTION opendata.build_info() IS
  'extension, library, PostgreSQL and PostGIS versions, compiler and build type';

-- The argument names each C function reads its arguments by
-- (src/pg/signatures.cpp), for sql/argument_tables.sql to compare with
-- pg_proc.  Granted to nobody: the owner's tests read it.
CREATE FUNCTION opendata._argument_tables()
RETURNS TABLE(symbol text, "position" int, name text)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'opendata_argument_tables';
