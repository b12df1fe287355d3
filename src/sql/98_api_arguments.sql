-- The arguments of the API's functions, described once.  PostgreSQL has no
-- comment per argument, and PostgREST's OpenAPI document (and the MCP
-- servers built on it) describe an operation by its function's comment
-- alone, so every opendata_api function's comment gets, after its own text,
-- one "name: description" line per named argument.  An argument name means
-- the same thing across the API (dataset, where, rows, ...); the few that
-- differ from one function to another are described per function.
-- sql/api_comments.sql fails on any argument left undescribed: a new
-- argument name needs its line here.
--
-- Upgrades run this again (scripts/replaceable.awk): it rewrites the
-- argument lines from the function's own text, so running it twice changes
-- nothing.
DO $api_arguments$
DECLARE
  fn record;
BEGIN
  FOR fn IN
    WITH glossary (fn, arg, description) AS (VALUES
      -- Shared by every function that has them ('*').
      ('*', 'dataset', 'the dataset''s identifier (GET /datasets lists them)'),
      ('*', 'dataset_id', 'the dataset''s identifier (GET /datasets lists them)'),
      ('*', 'fields', 'ODSQL select clause: fields, expressions and aggregates, comma-separated, e.g. "name, count(*) as n" (default: every visible field)'),
      ('*', 'where', 'ODSQL filter, e.g. height > 20 and kind = "oak" (docs/odsql.md)'),
      ('*', 'group_by', 'ODSQL group_by clause: fields or expressions to group on'),
      ('*', 'order_by', 'ODSQL order_by clause, e.g. "height desc, id"'),
      ('*', 'rows', 'number of results to return (capped by the setting opendata.max_page_size); for exports, every row when NULL'),
      ('*', 'start', 'number of results to skip'),
      ('*', 'refine', '"field:value" equality filters, all applied: one item, a list {a:b,c:d} or a JSON array'),
      ('*', 'exclude', '"field:value" filters, each removing its matches: one item, a list {a:b,c:d} or a JSON array'),
      ('*', 'lang', 'language of labels and messages: fr or en'),
      ('*', 'timezone', 'time zone for dates and date-times in filters and results, e.g. Europe/Paris'),
      ('*', 'after', 'keyset token of the next page (next_after of the previous one)'),
      ('*', 'options', 'writer options as a JSON object (delimiter, bom, header, precision, ...; docs/export.md)'),
      ('*', 'facet', 'array of the facets to count (default: all of them)'),
      ('*', 'q', 'words to search for in titles, descriptions, keywords and fields'),
      ('*', 'page', 'page number, from 1'),
      ('*', 'days', 'how many days to count, back from today (UTC) included, 1 to 3660'),
      ('*', 'page_size', 'datasets per page, 1 to 1000'),
      ('*', 'f', 'output format: json (the only one)'),
      ('*', 'collection', 'the collection''s identifier (a dataset with a geometry)'),
      ('*', 'query', 'the request''s query string, percent-encoded (default: the header that nginx sets, X-Ods-Query or X-Ogc-Query)'),
      ('*', 'record_id', 'the record''s key value'),
      ('*', 'fid', 'the feature''s key value'),
      ('*', 'z', 'zoom level, 0 to 29'),
      ('*', 'x', 'tile column, 0 to 2^z - 1, from the antimeridian eastwards'),
      ('*', 'y', 'tile row, 0 to 2^z - 1, from the north edge southwards'),
      ('*', 'lon', 'longitude of the point, WGS 84 degrees'),
      ('*', 'lat', 'latitude of the point, WGS 84 degrees'),
      ('*', 'id', 'the organization''s identifier'),
      ('*', 'format', 'export format: csv, json, jsonl, geojson, parquet, xlsx, gpkg, fgb, kml or shp'),
      -- Per function.
      ('catalog_dcat', 'format', 'serialisation: jsonld, turtle or rdfxml'),
      ('ods_catalog_export', 'format', 'json, ttl (or turtle), rdf (or dcat), jsonld'),
      ('search', 'refine', '"facet:value" filters (one item, a list or a JSON array) on catalog facets (theme, keyword, publisher, license, territory, modified)'),
      ('search', 'exclude', '"facet:value" filters (one item, a list or a JSON array) on catalog facets, each removing its matches'),
      ('search', 'facet', 'array of catalog facets to count: theme, keyword, publisher, license, territory, modified (default: all)'),
      ('search', 'order_by', 'relevance, title, modified or issued, optionally followed by asc or desc'),
      ('search_page', 'refine', '"facet:value" filters (one item, a list or a JSON array) on catalog facets'),
      ('search_page', 'exclude', '"facet:value" filters (one item, a list or a JSON array) on catalog facets, each removing its matches'),
      ('facets', 'facet', 'array of the fields to count (default: the fields flagged as facets)'),
      ('tile', 'fields', 'comma-separated field names to carry as attributes (default: every visible field but geometries)'),
      ('cross', 'left', 'the dataset whose records are enriched'),
      ('cross', 'right', 'the dataset they are crossed with'),
      ('cross', 'predicate', 'nearest, within_distance, contains or enrich (docs/crossings.md)'),
      ('cross', 'distance_m', 'distance in metres for within_distance (and the bound of nearest)'),
      ('cross', 'k', 'number of nearest right records per left record'),
      ('cross', 'where', 'ODSQL filter on the left dataset'),
      ('cross', 'right_where', 'ODSQL filter on the right dataset'),
      ('near', 'distance_m', 'only records within this many metres of the point (default: every record with a geometry)')
    ), api AS (
      SELECT p.oid, p.proname,
             -- The function's own text: what precedes the argument lines.
             split_part(coalesce(obj_description(p.oid, 'pg_proc'), ''), E'\nArguments:\n', 1) AS own,
             a.name, a.i
        FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY AS a(name, i)
       WHERE p.pronamespace = 'opendata_api'::regnamespace AND p.prokind = 'f'
         AND a.name <> '' AND (p.proargmodes IS NULL OR p.proargmodes[a.i] IN ('i', 'b', 'v'))
    )
    SELECT api.oid::regprocedure AS signature,
           min(api.own) || E'\nArguments:\n'
             || string_agg(api.name || ': ' || coalesce(own_fn.description, shared.description), E'\n' ORDER BY api.i)
             AS comment
      FROM api
      LEFT JOIN glossary own_fn ON own_fn.fn = api.proname AND own_fn.arg = api.name
      LEFT JOIN glossary shared ON shared.fn = '*' AND shared.arg = api.name
     WHERE coalesce(own_fn.description, shared.description) IS NOT NULL
     GROUP BY api.oid
  LOOP
    EXECUTE format('COMMENT ON FUNCTION %s IS %L', fn.signature, fn.comment);
  END LOOP;
END
$api_arguments$;
