-- Record queries in ODSQL, for PostgREST: GET /rpc/records?dataset=...&where=...
-- Argument names follow Opendatasoft's Explore API v2.1, except where
-- PostgREST reserves the name: select -> fields, limit -> rows,
-- offset -> start (Opendatasoft's v1 names).  `after` takes the next_after
-- token of a previous page (keyset paging of deep pages).  See docs/odsql.md.

CREATE FUNCTION opendata_api.records(
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
  after text DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_records';
COMMENT ON FUNCTION opendata_api.records(text, text, text, text, text, int, int, text[], text[], text, text, text) IS
  'records of a published dataset, filtered, grouped and sorted in ODSQL: {"total_count": n, "results": [...]}';

CREATE FUNCTION opendata_api.facets(
  dataset text,
  facet text[] DEFAULT NULL,
  "where" text DEFAULT NULL,
  refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL,
  lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC')
RETURNS json
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facets';
COMMENT ON FUNCTION opendata_api.facets(text, text[], text, text[], text[], text, text) IS
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
  after text DEFAULT NULL)
RETURNS text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'opendata_explain_odsql';
COMMENT ON FUNCTION opendata.explain_odsql(text, text, text, text, text, int, int, text[], text[], text, text, text) IS
  'the SQL and parameters an ODSQL query compiles to';

GRANT EXECUTE ON FUNCTION
  opendata_api.records(text, text, text, text, text, int, int, text[], text[], text, text, text),
  opendata_api.facets(text, text[], text, text[], text[], text, text)
  TO opendata_anon;
