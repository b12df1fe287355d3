-- Exports for PostgREST: whole datasets or ODSQL slices, written by the
-- streaming C++ writers.  The media-type domains tell PostgREST which
-- Content-Type each function produces and which Accept header selects it.
-- Arguments are those of records() (no page limit unless rows is given),
-- plus the writer options (docs/export.md).

CREATE DOMAIN opendata_api."text/csv" AS text;
CREATE DOMAIN opendata_api."application/x-ndjson" AS text;
CREATE DOMAIN opendata_api."application/geo+json" AS text;

CREATE FUNCTION opendata_api.export_csv(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."text/csv"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_csv';

CREATE FUNCTION opendata_api.export_json(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS json
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_json';

CREATE FUNCTION opendata_api.export_jsonl(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."application/x-ndjson"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_jsonl';

CREATE FUNCTION opendata_api.export_geojson(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine text[] DEFAULT NULL,
  exclude text[] DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."application/geo+json"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_geojson';

GRANT EXECUTE ON FUNCTION
  opendata_api.export_csv(text, text, text, text, text, int, int, text[], text[], text, text, jsonb),
  opendata_api.export_json(text, text, text, text, text, int, int, text[], text[], text, text, jsonb),
  opendata_api.export_jsonl(text, text, text, text, text, int, int, text[], text[], text, text, jsonb),
  opendata_api.export_geojson(text, text, text, text, text, int, int, text[], text[], text, text, jsonb)
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
      ('CSV', 'Export CSV', 'text/csv', '/rpc/export_csv?dataset='),
      ('JSONL', 'Export JSON Lines', 'application/x-ndjson', '/rpc/export_jsonl?dataset='),
      ('GEOJSON', 'Export GeoJSON', 'application/geo+json', '/rpc/export_geojson?dataset=')) AS f(format, title, media_type, path)
   WHERE f.format <> 'GEOJSON' OR ds.geometry_field IS NOT NULL
$$;
