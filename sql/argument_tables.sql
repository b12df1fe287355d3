-- The C functions read their arguments by name, through the tables of
-- src/pg/signatures.cpp (pg::Args).  Every table must name the input
-- arguments of every SQL function declared with its C symbol, in pg_proc
-- order: a SQL signature that drifts from its C reader fails here.
\set VERBOSITY terse

-- Every C function of the library in the extension's schemas, with its
-- input arguments' names in order.
CREATE TEMP VIEW c_functions AS
SELECT p.oid::regprocedure AS function, p.prosrc AS symbol, a.position, a.name
  FROM pg_proc p
  CROSS JOIN LATERAL (
    SELECT row_number() OVER (ORDER BY n.ord)::int AS position, n.name
      FROM unnest(coalesce(p.proargnames, array_fill(''::text, ARRAY[p.pronargs])),
                  coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])))
           WITH ORDINALITY AS n(name, mode, ord)
     WHERE n.mode IN ('i', 'b', 'v')) a
 WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND p.probin = '$libdir/opendata'
   AND p.pronamespace IN ('opendata'::regnamespace, 'opendata_api'::regnamespace);

-- The arguments of each function whose names differ from its table.
CREATE TEMP VIEW drifted AS
WITH in_sql AS (SELECT function, symbol, array_agg(name ORDER BY position) AS names
                  FROM c_functions GROUP BY 1, 2),
     in_cpp AS (SELECT symbol, array_agg(name ORDER BY position) AS names
                  FROM opendata._argument_tables() GROUP BY 1)
SELECT s.function, s.names AS in_sql, c.names AS in_cpp
  FROM in_sql s JOIN in_cpp c USING (symbol)
 WHERE s.names IS DISTINCT FROM c.names;

-- Functions whose arguments differ from their table: none.
SELECT * FROM drifted ORDER BY 1;

-- The check sees a drift: facets() declared again with its arguments
-- swapped, then an argument too many.
CREATE FUNCTION opendata.regress_drifted_facets(dataset text, "where" text, facet text[],
  refine text[], exclude text[], lang text, timezone text) RETURNS json
  LANGUAGE c STABLE AS '$libdir/opendata', 'opendata_facets';
CREATE FUNCTION opendata.regress_drifted_export(dataset text, fields text, "where" text,
  group_by text, order_by text, rows int, start int, refine text[], exclude text[], lang text,
  timezone text, options jsonb, after text) RETURNS json
  LANGUAGE c STABLE AS '$libdir/opendata', 'opendata_export_json';
SELECT function, in_sql FROM drifted ORDER BY 1;
DROP FUNCTION opendata.regress_drifted_facets(text, text, text[], text[], text[], text, text);
DROP FUNCTION opendata.regress_drifted_export(text, text, text, text, text, int, int, text[],
  text[], text, text, jsonb, text);

-- Tables without a SQL function: none.
SELECT DISTINCT symbol FROM opendata._argument_tables()
 WHERE symbol NOT IN (SELECT symbol FROM c_functions)
 ORDER BY 1;

-- How many functions each table checks.
SELECT t.symbol, count(DISTINCT f.function) AS functions
  FROM (SELECT DISTINCT symbol FROM opendata._argument_tables()) t
  JOIN c_functions f USING (symbol)
 GROUP BY 1 ORDER BY 1;

-- C functions with named arguments but no table, i.e. reading them by
-- position: none.  Unnamed arguments (aggregate support functions, type
-- input and output) follow PostgreSQL's fixed conventions.
SELECT DISTINCT symbol FROM c_functions
 WHERE symbol NOT IN (SELECT symbol FROM opendata._argument_tables()) AND name <> ''
 ORDER BY 1;

-- Only the owner's tests read the tables.
SELECT has_function_privilege('opendata_anon', 'opendata._argument_tables()', 'EXECUTE') AS anon,
       has_function_privilege('opendata_publisher', 'opendata._argument_tables()', 'EXECUTE') AS publisher;

DROP VIEW drifted;
DROP VIEW c_functions;
