-- Media-type handlers (PostgREST v12): aggregates over whole rows that
-- return a media-type domain.  Declared on anyelement, they apply to every
-- table and view of opendata_api, the per-dataset views included:
-- `GET /arbres` with `Accept: text/csv`, `application/geo+json` or
-- `application/x-ndjson` is written by the export writers (default options,
-- docs/export.md) instead of PostgREST's built-in CSV and GeoJSON.
-- The support functions live in opendata, which PostgREST does not expose.

CREATE FUNCTION opendata._csv_agg_transfn(internal, anyelement) RETURNS internal
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_csv_agg_transfn';
CREATE FUNCTION opendata._csv_agg_finalfn(internal, anyelement) RETURNS opendata_api."text/csv"
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_csv_agg_finalfn';
CREATE AGGREGATE opendata_api.csv_agg(anyelement) (
  SFUNC = opendata._csv_agg_transfn, STYPE = internal,
  FINALFUNC = opendata._csv_agg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_WRITE);
COMMENT ON AGGREGATE opendata_api.csv_agg(anyelement) IS
  'rows as CSV (RFC 4180, ";", UTF-8 BOM): the text/csv handler of every relation of opendata_api';

CREATE FUNCTION opendata._geojson_agg_transfn(internal, anyelement) RETURNS internal
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_geojson_agg_transfn';
CREATE FUNCTION opendata._geojson_agg_finalfn(internal, anyelement) RETURNS opendata_api."application/geo+json"
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_geojson_agg_finalfn';
CREATE AGGREGATE opendata_api.geojson_agg(anyelement) (
  SFUNC = opendata._geojson_agg_transfn, STYPE = internal,
  FINALFUNC = opendata._geojson_agg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_WRITE);
COMMENT ON AGGREGATE opendata_api.geojson_agg(anyelement) IS
  'rows as a GeoJSON FeatureCollection (RFC 7946): the application/geo+json handler of every relation of opendata_api';

CREATE FUNCTION opendata._jsonl_agg_transfn(internal, anyelement) RETURNS internal
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_jsonl_agg_transfn';
CREATE FUNCTION opendata._jsonl_agg_finalfn(internal, anyelement) RETURNS opendata_api."application/x-ndjson"
LANGUAGE c STABLE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'opendata_jsonl_agg_finalfn';
CREATE AGGREGATE opendata_api.jsonl_agg(anyelement) (
  SFUNC = opendata._jsonl_agg_transfn, STYPE = internal,
  FINALFUNC = opendata._jsonl_agg_finalfn, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_WRITE);
COMMENT ON AGGREGATE opendata_api.jsonl_agg(anyelement) IS
  'rows as JSON Lines: the application/x-ndjson handler of every relation of opendata_api';

GRANT EXECUTE ON FUNCTION opendata_api.csv_agg(anyelement), opendata_api.geojson_agg(anyelement),
  opendata_api.jsonl_agg(anyelement) TO opendata_anon;
