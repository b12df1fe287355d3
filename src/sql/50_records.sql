-- Record queries in ODSQL, for PostgREST: GET /rpc/records?dataset=...&where=...
-- Argument names follow Opendatasoft's Explore API v2.1, except where
-- PostgREST reserves the name: select -> fields, limit -> rows,
-- offset -> start (Opendatasoft's v1 names).  `after` takes the next_after
-- token of a previous page (keyset paging of deep pages).  See docs/odsql.md.

-- Accent- and case-insensitive text matching (LIKE, search(), full-text
-- search) folds every row's text with opendata._odsql_fold().  It must cost
-- no more than a bare unaccent(): a SQL function is inlined into the
-- calling query only when it has no SET clause, so this one is left out of
-- the search_path pinning of 99_finalize.sql, and its body names every
-- object with its schema instead (unaccent's schema is resolved now, as in
-- 60_search.sql).  Naming the dictionary spares unaccent() a lookup per call.
-- unaccent() runs before lower(): it maps capitals to capitals, which
-- lower() then folds even under the C collation.
DO $odsql_fold$
DECLARE
  unaccent_schema name := (SELECT n.nspname FROM pg_extension e
                             JOIN pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname = 'unaccent');
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION opendata._odsql_fold(value text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $body$ SELECT pg_catalog.lower(%1$I.unaccent(%2$L::pg_catalog.regdictionary, value)) $body$
  $f$, unaccent_schema, format('%I.unaccent', unaccent_schema));
END
$odsql_fold$;

-- The LIKE pattern of one search word, given as its pieces between '*'
-- wildcards: each piece folded, then escaped (folding can produce '%', '_'
-- or '\'), joined by '%', with '%' on both ends.  Called once per word per
-- statement, by the statements whose values are inlined (a crossing's
-- materialized view); those with parameters (records(), facets(), the
-- exports) are given the pattern ready made, folded and escaped alike in
-- C++ (src/core/odsql/like_pattern.hpp, src/pg/text_fold.hpp).
CREATE FUNCTION opendata._odsql_like_word(pieces text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT '%' || string_agg(replace(replace(replace(opendata._odsql_fold(p), E'\\', E'\\\\'),
                                           '%', E'\\%'), '_', E'\\_'), '%' ORDER BY i) || '%'
    FROM unnest(pieces) WITH ORDINALITY AS u(p, i)
$$;

CREATE FUNCTION opendata_api.records(
  dataset text,
  fields text DEFAULT NULL,
  "where" text DEFAULT NULL,
  group_by text DEFAULT NULL,
  order_by text DEFAULT NULL,
  rows int DEFAULT 10,
  start int DEFAULT 0,
  refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL,
  lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC',
  after text DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_records';
COMMENT ON FUNCTION opendata_api.records(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, text) IS
  'records of a published dataset, filtered, grouped and sorted in ODSQL: {"total_count": n, "results": [...]}';

CREATE FUNCTION opendata_api.facets(
  dataset text,
  facet text[] DEFAULT NULL,
  "where" text DEFAULT NULL,
  refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL,
  lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC')
RETURNS json
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facets';
COMMENT ON FUNCTION opendata_api.facets(text, text[], text, opendata_api.facet_items, opendata_api.facet_items, text, text) IS
  'value counts of facet fields (by default those flagged as facets) under an ODSQL filter';

CREATE FUNCTION opendata.explain_odsql(
  dataset text,
  fields text DEFAULT NULL,
  "where" text DEFAULT NULL,
  group_by text DEFAULT NULL,
  order_by text DEFAULT NULL,
  rows int DEFAULT 10,
  start int DEFAULT 0,
  refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL,
  lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC',
  after text DEFAULT NULL,
  plan boolean DEFAULT false)
RETURNS text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'opendata_explain_odsql';
COMMENT ON FUNCTION opendata.explain_odsql(text, text, text, text, text, int, int, text[], text[], text, text, text, boolean) IS
  'the SQL and parameters an ODSQL query compiles to; with plan, the plan PostgreSQL makes for them (pruned partitions, remote SQL)';

GRANT EXECUTE ON FUNCTION
  opendata._odsql_fold(text), opendata._odsql_like_word(text[]),
  opendata_api.records(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, text),
  opendata_api.facets(text, text[], text, opendata_api.facet_items, opendata_api.facet_items, text, text)
  TO opendata_anon;
