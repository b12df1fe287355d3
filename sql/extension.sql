-- The extension installs with its dependencies and reports what it is.
CREATE EXTENSION opendata CASCADE;

SELECT opendata.version() = extversion AS library_matches_catalog
  FROM pg_extension WHERE extname = 'opendata';

-- build_info names every component, with the versions actually running.
SELECT key, jsonb_typeof(value) AS type
  FROM jsonb_each(opendata.build_info()) ORDER BY key;
SELECT (opendata.build_info()->>'postgresql') = current_setting('server_version') AS pg_matches,
       (opendata.build_info()->>'postgis') = postgis_lib_version() AS postgis_matches,
       opendata.build_info()->>'build_type' IN ('release', 'debug') AS known_build_type;

-- The schema is the extension's, not relocatable.
SELECT extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'opendata';
ALTER EXTENSION opendata SET SCHEMA public;

-- Helpers for the tests that follow: the SQLSTATE, message, detail and hint
-- of the error a statement raises, as one stable line.
CREATE SCHEMA regress;
GRANT USAGE ON SCHEMA regress TO PUBLIC;
CREATE FUNCTION regress.error_of(statement text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  state text; msg text; det text; hnt text;
BEGIN
  EXECUTE statement;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  RETURN state || ': ' || msg
         || CASE WHEN det <> '' THEN ' | DETAIL: ' || det ELSE '' END
         || CASE WHEN hnt <> '' THEN ' | HINT: ' || hnt ELSE '' END;
END
$$;
-- Rows of q1 missing from q2 and the other way round, counted (crossings
-- checked against hand-written SQL).
CREATE FUNCTION regress.differences(q1 text, q2 text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) d', q1, q2, q2, q1) INTO n;
  RETURN n;
END
$$;
