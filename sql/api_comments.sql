-- The API describes itself: PostgREST builds its OpenAPI document from the
-- comments of opendata_api's objects, and MCP servers for PostgREST turn
-- them into tool descriptions.  Every object of the schema carries one:
-- functions and aggregates, views (the catalog's and each published
-- dataset's) and their columns, domains (media types), the schema itself.
-- Each query lists the objects without a comment: an empty list passes,
-- anything else names what to document.  Run after the other tests, so
-- that the views of the datasets they published are checked too.
\set VERBOSITY terse

SELECT obj_description('opendata_api'::regnamespace, 'pg_namespace') IS NOT NULL AS schema_commented;

SELECT p.oid::regprocedure AS function_without_comment
  FROM pg_proc p
 WHERE p.pronamespace = 'opendata_api'::regnamespace
   AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''
 ORDER BY 1::text;

SELECT c.oid::regclass AS relation_without_comment
  FROM pg_class c
 WHERE c.relnamespace = 'opendata_api'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
   AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''
 ORDER BY 1::text;

SELECT c.oid::regclass AS relation, a.attname AS column_without_comment
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'opendata_api'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
   AND a.attnum > 0 AND NOT a.attisdropped
   AND coalesce(col_description(c.oid, a.attnum), '') = ''
 ORDER BY 1::text, 2;

SELECT t.oid::regtype AS type_without_comment
  FROM pg_type t
 WHERE t.typnamespace = 'opendata_api'::regnamespace AND t.typtype IN ('d', 'e')
   AND coalesce(obj_description(t.oid, 'pg_type'), '') = ''
 ORDER BY 1::text;

-- Every named argument is described: PostgreSQL has no comment per
-- argument, so a function's comment ends with one "name: description" line
-- per argument (src/sql/98_api_arguments.sql writes them from one glossary).
SELECT p.oid::regprocedure AS function, a.name AS argument_not_described
  FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY AS a(name, i)
 WHERE p.pronamespace = 'opendata_api'::regnamespace
   AND a.name <> '' AND (p.proargmodes IS NULL OR p.proargmodes[a.i] IN ('i', 'b', 'v'))
   AND position(E'\n' || a.name || ': ' IN coalesce(obj_description(p.oid, 'pg_proc'), '')) = 0
 ORDER BY 1::text, a.i;

-- The test can fail: an object created without a comment is listed.
CREATE VIEW opendata_api.api_comments_probe AS SELECT 1 AS one;
SELECT c.oid::regclass AS relation_without_comment, a.attname AS column_without_comment
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.oid = 'opendata_api.api_comments_probe'::regclass
   AND obj_description(c.oid, 'pg_class') IS NULL AND col_description(c.oid, a.attnum) IS NULL;
DROP VIEW opendata_api.api_comments_probe;

-- A published dataset's columns carry their fields' labels, descriptions,
-- types and units, and follow describe_field() at the next publish.
CREATE TABLE public.comment_probe (id int PRIMARY KEY, height numeric);
SELECT opendata.create_organization('comment-org', 'Comment org') > 0 AS created;
SELECT opendata.register('comment_probe', 'comment-probe', '{"title": "Sondes", "description": "Sondes", "publisher": "comment-org"}') IS NOT NULL AS registered;
SELECT opendata.describe_field('comment-probe', 'height', '{"label": "Hauteur", "description": "hauteur mesurée", "unit": "m"}') IS NOT NULL AS described;
SELECT opendata.publish('comment-probe') ->> 'version' AS version;
SELECT a.attname, col_description(a.attrelid, a.attnum)
  FROM pg_attribute a WHERE a.attrelid = 'opendata_api."comment-probe"'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT opendata.describe_field('comment-probe', 'height', '{"label": "Hauteur totale"}') IS NOT NULL AS described;
SELECT opendata.publish('comment-probe') ->> 'version' AS version;
SELECT col_description('opendata_api."comment-probe"'::regclass, 2) AS after_republish;
SELECT opendata.drop_dataset('comment-probe');
DROP TABLE public.comment_probe;

-- What PostgREST shows for records(): its text, then its arguments.
SELECT obj_description('opendata_api.records(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, text)'::regprocedure, 'pg_proc');
