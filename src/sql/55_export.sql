-- Exports for PostgREST: whole datasets or ODSQL slices, written by the
-- streaming C++ writers.  The media-type domains tell PostgREST which
-- Content-Type each function produces and which Accept header selects it.
-- Arguments are those of records() (no page limit unless rows is given),
-- plus the writer options (docs/export.md).

CREATE DOMAIN opendata_api."text/csv" AS text;
CREATE DOMAIN opendata_api."application/x-ndjson" AS text;
CREATE DOMAIN opendata_api."application/geo+json" AS text;
COMMENT ON DOMAIN opendata_api."text/csv" IS 'media type text/csv: PostgREST sends a function''s result of this type as CSV';
COMMENT ON DOMAIN opendata_api."application/x-ndjson" IS 'media type application/x-ndjson (JSON Lines): one JSON object per line';
COMMENT ON DOMAIN opendata_api."application/geo+json" IS 'media type application/geo+json: an RFC 7946 GeoJSON document';

CREATE FUNCTION opendata_api.export_csv(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."text/csv"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_csv';

CREATE FUNCTION opendata_api.export_json(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_json';

CREATE FUNCTION opendata_api.export_jsonl(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."application/x-ndjson"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_jsonl';

CREATE FUNCTION opendata_api.export_geojson(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."application/geo+json"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_geojson';

COMMENT ON FUNCTION opendata_api.export_csv(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'records of a dataset as CSV (RFC 4180, ";" by default), filtered as records() does; options: docs/export.md';
COMMENT ON FUNCTION opendata_api.export_json(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'records of a dataset as one JSON array of objects, filtered as records() does';
COMMENT ON FUNCTION opendata_api.export_jsonl(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'records of a dataset as JSON Lines, one object per line, filtered as records() does';
COMMENT ON FUNCTION opendata_api.export_geojson(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'records of a dataset as a GeoJSON FeatureCollection (RFC 7946), filtered as records() does';

GRANT EXECUTE ON FUNCTION
  opendata_api.export_csv(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb),
  opendata_api.export_json(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb),
  opendata_api.export_jsonl(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb),
  opendata_api.export_geojson(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb)
  TO opendata_anon;

-- Download links (the DCAT distributions' downloadURL): one function whose
-- URL names the format, answering whatever the Accept header says.
-- PostgREST v12 answers `Accept: */*` (what a browser following a link or a
-- harvester sends) or no Accept at all with its JSON handler, even for a
-- function returning "text/csv" (PostgREST issues #3391, #3392): the CSV
-- would arrive as one JSON string.  A function returning the "*/*" domain
-- is PostgREST's "any" handler: it is called for every Accept, its body is
-- sent raw, and it sets Content-Type (and Content-Disposition) itself.
CREATE DOMAIN opendata_api."*/*" AS text;
COMMENT ON DOMAIN opendata_api."*/*" IS 'any media type: the function is called whatever the Accept header and sets Content-Type itself';

CREATE FUNCTION opendata_api.download(
  dataset text, format text DEFAULT 'csv', fields text DEFAULT NULL, "where" text DEFAULT NULL,
  group_by text DEFAULT NULL, order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0,
  refine opendata_api.facet_items DEFAULT NULL, exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC', options jsonb DEFAULT NULL)
RETURNS opendata_api."*/*"
-- VOLATILE, though it writes nothing: on HEAD, PostgREST selects no body
-- (no handler, PostgREST issue #2849), and the planner would then drop the
-- call of a STABLE function altogether, answering 200 without a file name
-- even for a dataset that does not exist (link checkers send HEAD).
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  -- Positional references: several argument names are SQL keywords.
  kind text := lower($2);
  media text;
  body text;
  -- HEAD checks the request as GET does (dataset, arguments) and sets the
  -- same headers, without writing the file: no row is read.
  lim int := CASE WHEN current_setting('request.method', true) = 'HEAD' THEN 0 ELSE $7 END;
BEGIN
  CASE kind
    WHEN 'csv' THEN
      media := 'text/csv; charset=utf-8';
      body := opendata_api.export_csv($1, $3, $4, $5, $6, lim, $8, $9, $10, $11, $12, $13);
    WHEN 'json' THEN
      media := 'application/json; charset=utf-8';
      body := opendata_api.export_json($1, $3, $4, $5, $6, lim, $8, $9, $10, $11, $12, $13);
    WHEN 'jsonl', 'ndjson' THEN
      kind := 'jsonl';
      media := 'application/x-ndjson; charset=utf-8';
      body := opendata_api.export_jsonl($1, $3, $4, $5, $6, lim, $8, $9, $10, $11, $12, $13);
    WHEN 'geojson' THEN
      media := 'application/geo+json; charset=utf-8';
      body := opendata_api.export_geojson($1, $3, $4, $5, $6, lim, $8, $9, $10, $11, $12, $13);
    ELSE
      RAISE EXCEPTION 'unknown export format "%"', $2
        USING ERRCODE = '22023', HINT = 'The formats are csv, json, jsonl and geojson.';
  END CASE;
  -- Set only once the export succeeded: the dataset is then a valid slug.
  PERFORM set_config('response.headers', json_build_array(
            json_build_object('Content-Type', media),
            json_build_object('Content-Disposition',
                              pg_catalog.format('attachment; filename="%s.%s"', $1, kind)))::text, true);
  RETURN body;
END
$$;
COMMENT ON FUNCTION opendata_api.download(text, text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'an export as a download, whatever the Accept header: the format is in the URL';
GRANT EXECUTE ON FUNCTION
  opendata_api.download(text, text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb)
  TO opendata_anon;

-- Beyond what one value can hold (1 GB): the same export as rows of about
-- 64 KB, for COPY (SELECT * FROM opendata.export_chunks(...)) TO ... or
-- psql's \copy.  Concatenated in order, the rows are the file.  A C
-- function itself (not a SQL wrapper, whose pinned search_path would keep
-- it from being inlined and add a second tuplestore of the whole output).
CREATE FUNCTION opendata.export_chunks(
  dataset text, format text, fields text DEFAULT NULL, "where" text DEFAULT NULL,
  group_by text DEFAULT NULL, order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0,
  refine text[] DEFAULT NULL, exclude text[] DEFAULT NULL, lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC', options jsonb DEFAULT NULL)
RETURNS SETOF text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_chunks';
COMMENT ON FUNCTION opendata.export_chunks(text, text, text, text, text, text, int, int, text[], text[], text, text, jsonb) IS
  'an export of any size as ordered chunks of text, for COPY or \copy';

-- Published datasets list one DCAT distribution per export format.
CREATE OR REPLACE FUNCTION opendata._distribution_formats(ds opendata.datasets, base text,
                                                          OUT format text, OUT title text,
                                                          OUT media_type text, OUT url text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
  SELECT f.format, f.title, f.media_type, base || f.path || ds.slug
    FROM (VALUES
      ('JSON', 'API records (PostgREST)', 'application/json', '/'),
      ('CSV', 'Export CSV', 'text/csv', '/rpc/download?format=csv&dataset='),
      ('JSONL', 'Export JSON Lines', 'application/x-ndjson', '/rpc/download?format=jsonl&dataset='),
      ('GEOJSON', 'Export GeoJSON', 'application/geo+json', '/rpc/download?format=geojson&dataset=')) AS f(format, title, media_type, path)
   WHERE f.format <> 'GEOJSON' OR ds.geometry_field IS NOT NULL
$$;
