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

-- Files (bytes, not text): a bytea domain, which PostgREST sends raw.
-- Upgrades run this again.
DO $domains$
BEGIN
  IF to_regtype('opendata_api."application/vnd.apache.parquet"') IS NULL THEN
    CREATE DOMAIN opendata_api."application/vnd.apache.parquet" AS bytea;
  END IF;
END
$domains$;
COMMENT ON DOMAIN opendata_api."application/vnd.apache.parquet" IS
  'media type application/vnd.apache.parquet: an Apache Parquet file (GeoParquet 1.1 metadata)';

CREATE FUNCTION opendata_api.export_parquet(
  dataset text, fields text DEFAULT NULL, "where" text DEFAULT NULL, group_by text DEFAULT NULL,
  order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0, refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr', timezone text DEFAULT 'UTC',
  options jsonb DEFAULT NULL)
RETURNS opendata_api."application/vnd.apache.parquet"
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_parquet';
COMMENT ON FUNCTION opendata_api.export_parquet(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'records of a dataset as an Apache Parquet file (typed columns, WKB geometries, GeoParquet 1.1), filtered as records() does';
GRANT EXECUTE ON FUNCTION
  opendata_api.export_parquet(text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb)
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

-- The same for files: a download may be Parquet (bytes), so download()
-- returns bytea, which PostgREST sends raw.  A domain's name is unique in
-- its schema and opendata_api has its text "*/*" already: this one lives in
-- schema opendata.  PostgREST finds a function's handler by the function's
-- schema and the domain's name, whatever the domain's schema.
-- Upgrades run this again.
DO $domains$
BEGIN
  IF to_regtype('opendata."*/*"') IS NULL THEN
    CREATE DOMAIN opendata."*/*" AS bytea;
  END IF;
END
$domains$;
COMMENT ON DOMAIN opendata."*/*" IS 'any media type, as bytes: download() answers whatever the Accept header and sets Content-Type itself';

-- What a "*/*" function answers besides its value: its Content-Type (else
-- PostgREST would say application/octet-stream) and, for a download, the
-- file name, in PostgREST's response.headers.  Called once the answer is
-- computed, so that an error is PostgREST's usual JSON error.
CREATE FUNCTION opendata._set_content_type(media text, filename text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('response.headers',
            (jsonb_build_array(jsonb_build_object('Content-Type', media))
             || CASE WHEN filename IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
                  'Content-Disposition', pg_catalog.format('attachment; filename="%s"', filename))) END)::text,
            true);
END
$$;

-- The export formats, in one place: download() reads its media type and
-- file extension here, publish() lists a DCAT distribution per format
-- (geographic formats only for a dataset with a geometry), the dataset
-- page its downloads.  `names` are what download(format) accepts.
CREATE FUNCTION opendata._export_formats(OUT format text, OUT names text[], OUT title text,
                                         OUT media_type text, OUT extension text, OUT geographic boolean)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE AS $$
  VALUES
    ('CSV', ARRAY['csv'], 'Export CSV', 'text/csv', 'csv', false),
    ('JSON', ARRAY['json'], 'Export JSON', 'application/json', 'json', false),
    ('JSONL', ARRAY['jsonl', 'ndjson'], 'Export JSON Lines', 'application/x-ndjson', 'jsonl', false),
    ('GEOJSON', ARRAY['geojson'], 'Export GeoJSON', 'application/geo+json', 'geojson', true),
    ('PARQUET', ARRAY['parquet'], 'Export Parquet', 'application/vnd.apache.parquet', 'parquet', false),
    ('XLSX', ARRAY['xlsx'], 'Export Excel (XLSX)',
     'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', false),
    ('GPKG', ARRAY['gpkg', 'geopackage'], 'Export GeoPackage', 'application/geopackage+sqlite3', 'gpkg', true),
    ('FLATGEOBUF', ARRAY['fgb', 'flatgeobuf'], 'Export FlatGeobuf (features with a geometry)', 'application/flatgeobuf', 'fgb', true),
    ('KML', ARRAY['kml'], 'Export KML', 'application/vnd.google-earth.kml+xml', 'kml', true),
    ('SHP', ARRAY['shp', 'shapefile'], 'Export Shapefile (zip)', 'application/zip', 'shp.zip', true)
$$;

-- Any export as bytes: the text formats' UTF-8, or the file.  A C
-- function with export_chunks()' arguments (format second).
CREATE FUNCTION opendata._export_file(
  dataset text, format text, fields text, "where" text, group_by text, order_by text, rows int,
  start int, refine opendata_api.facet_items, exclude opendata_api.facet_items, lang text, timezone text, options jsonb)
RETURNS bytea
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_file';

CREATE FUNCTION opendata_api.download(
  dataset text, format text DEFAULT 'csv', fields text DEFAULT NULL, "where" text DEFAULT NULL,
  group_by text DEFAULT NULL, order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0,
  refine opendata_api.facet_items DEFAULT NULL, exclude opendata_api.facet_items DEFAULT NULL, lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC', options jsonb DEFAULT NULL)
RETURNS opendata."*/*"
-- VOLATILE, though it writes nothing: on HEAD, PostgREST selects no body
-- (no handler, PostgREST issue #2849), and the planner would then drop the
-- call of a STABLE function altogether, answering 200 without a file name
-- even for a dataset that does not exist (link checkers send HEAD).
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  -- Positional references: several argument names are SQL keywords.
  f record;
  body bytea;
  -- HEAD checks the request as GET does (dataset, arguments) and sets the
  -- same headers, without writing the file: no row is read.
  lim int := CASE WHEN current_setting('request.method', true) = 'HEAD' THEN 0 ELSE $7 END;
BEGIN
  SELECT * INTO f FROM opendata._export_formats() x WHERE lower($2) = ANY (x.names);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown export format "%"', $2
      USING ERRCODE = '22023',
            HINT = 'The formats are ' || (SELECT string_agg(x.names[1], ', ') FROM opendata._export_formats() x) || '.';
  END IF;
  body := opendata._export_file($1, f.names[1], $3, $4, $5, $6, lim, $8, $9, $10, $11, $12, $13);
  -- Set only once the export succeeded: the dataset is then a valid slug.
  PERFORM opendata._set_content_type(
            f.media_type || CASE WHEN f.media_type LIKE 'text/%' OR f.media_type LIKE '%json' THEN '; charset=utf-8' ELSE '' END,
            $1 || '.' || f.extension);
  RETURN body;
END
$$;
COMMENT ON FUNCTION opendata_api.download(text, text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb) IS
  'an export as a download, whatever the Accept header: the format is in the URL (csv, json, jsonl, geojson, parquet, xlsx, gpkg, fgb, kml, shp)';
GRANT EXECUTE ON FUNCTION
  opendata._set_content_type(text, text), opendata._export_formats(),
  opendata._export_file(text, text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb),
  opendata_api.download(text, text, text, text, text, text, int, int, opendata_api.facet_items, opendata_api.facet_items, text, text, jsonb)
  TO opendata_anon;

-- Beyond what one value can hold (1 GB): the same export as rows of about
-- 64 KB, for SELECT opendata.export_chunks(...) in psql or any client.
-- Concatenated in order, the rows are the file.  Value per call: called in
-- a SELECT list, each chunk goes to the client as soon as it is written (in
-- FROM, the FunctionScan would store them all in a tuplestore first).  A C
-- function itself (not a SQL wrapper, whose pinned search_path would keep
-- it from being inlined and add a tuplestore of the whole output).
CREATE FUNCTION opendata.export_chunks(
  dataset text, format text, fields text DEFAULT NULL, "where" text DEFAULT NULL,
  group_by text DEFAULT NULL, order_by text DEFAULT NULL, rows int DEFAULT NULL, start int DEFAULT 0,
  refine text[] DEFAULT NULL, exclude text[] DEFAULT NULL, lang text DEFAULT 'fr',
  timezone text DEFAULT 'UTC', options jsonb DEFAULT NULL)
RETURNS SETOF text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_export_chunks';
COMMENT ON FUNCTION opendata.export_chunks(text, text, text, text, text, text, int, int, text[], text[], text, text, jsonb) IS
  'an export of any size as ordered chunks of text, for COPY or \copy';

-- Published datasets list one DCAT distribution per export format: the
-- dataset's view for JSON (the API), download() for the others.
CREATE OR REPLACE FUNCTION opendata._distribution_formats(ds opendata.datasets, base text,
                                                          OUT format text, OUT title text,
                                                          OUT media_type text, OUT url text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
  SELECT 'JSON', 'API records (PostgREST)', 'application/json', base || '/' || ds.slug
  UNION ALL
  (SELECT f.format, f.title, f.media_type, base || '/rpc/download?format=' || f.names[1] || '&dataset=' || ds.slug
     FROM opendata._export_formats() WITH ORDINALITY AS f(format, names, title, media_type, extension, geographic, n)
    WHERE f.format <> 'JSON' AND (NOT f.geographic OR ds.geometry_field IS NOT NULL)
    ORDER BY f.n)
$$;
