-- The C++/PostgreSQL error bridge, seen from a client.
-- The test-only entry points are compiled into opendata.so but no installed
-- script declares them: they are created here.
CREATE FUNCTION regress.raise(sqlstate text, message text, detail text, hint text) RETURNS void
  LANGUAGE c AS '$libdir/opendata', 'opendata_test_raise';
CREATE FUNCTION regress.pg_error(query text) RETURNS bigint
  LANGUAGE c AS '$libdir/opendata', 'opendata_test_pg_error';
CREATE FUNCTION regress.spin(iterations bigint) RETURNS bigint
  LANGUAGE c STRICT AS '$libdir/opendata', 'opendata_test_spin';
CREATE FUNCTION regress.destructor_count() RETURNS int
  LANGUAGE c AS '$libdir/opendata', 'opendata_test_destructor_count';

-- None of them is part of the installed extension.
SELECT count(*) AS test_functions_in_extension
  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'opendata')
   AND p.prosrc LIKE 'opendata_test%';

-- 1. A domain error thrown in C++ reaches the client with its SQLSTATE,
-- DETAIL and HINT, exactly as psql shows it...
SELECT regress.raise('22023', 'unknown metadata key "colour"', 'Allowed keys: title, description.',
                     'Did you mean "color"?');
-- ...and as a client reads it field by field.
SELECT regress.error_of($$SELECT regress.raise('42P01', 'dataset "trees" does not exist', NULL, NULL)$$);
SELECT regress.error_of($$SELECT regress.raise('23505', 'dataset "trees" already exists', 'slug taken', 'choose another slug')$$);
-- A malformed SQLSTATE cannot escape as such: it becomes XX000.
SELECT regress.error_of($$SELECT regress.raise('bad', 'oops', NULL, NULL)$$);

-- The C++ frames unwound: the sentinel's destructor ran once per call.
SELECT regress.destructor_count() AS destructors_after_user_errors;

-- 2. A PostgreSQL error raised under C++ frames keeps its own SQLSTATE,
-- message and detail, and the C++ frames still unwind.
SELECT regress.pg_error('SELECT 1/0');
SELECT regress.error_of($$SELECT regress.pg_error('SELECT * FROM no_such_table')$$);
SELECT regress.error_of($$SELECT regress.pg_error('SELECT ''abc''::int')$$);
CREATE TABLE regress.unique_things(id int PRIMARY KEY);
SELECT regress.pg_error('INSERT INTO regress.unique_things VALUES (1), (1)');
SELECT regress.destructor_count() AS destructors_after_pg_errors;
-- The statement that failed left nothing behind.
SELECT count(*) FROM regress.unique_things;
-- And a query that works returns through the same path.
SELECT regress.pg_error('SELECT generate_series(1, 3)') AS rows_processed;

-- 3. statement_timeout cancels a long C++ loop with 57014 ...
SET statement_timeout = '200ms';
SELECT regress.spin(1000000000000);
RESET statement_timeout;
-- ... and the backend is healthy afterwards: same session, new queries work,
-- and the loop's C++ objects were destroyed.
SELECT regress.spin(1000) >= 0 AS spin_after_cancel_works;
SELECT regress.destructor_count() AS destructors_after_cancel;
-- The cancellation's SQLSTATE, as a client sees it (WHEN OTHERS does not
-- catch query_canceled, so name it).
SET statement_timeout = '200ms';
DO $$
BEGIN
  PERFORM regress.spin(1000000000000);
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'cancelled with SQLSTATE %', SQLSTATE;
END
$$;
RESET statement_timeout;
SELECT 1 AS still_alive;
