-- Usage analytics (issue #18, docs/usage.md).  Calls are counted in shared
-- memory by the API functions themselves (src/pg/usage*.cpp), which needs
-- shared_preload_libraries = 'opendata'; a background worker writes the
-- counters here every opendata.usage_flush_interval.  Nothing personal is
-- kept: no address, no key, only a HyperLogLog sketch of hashed client
-- identities, from which the number of distinct clients is estimated.

CREATE TABLE opendata.usage_daily (
  day       date NOT NULL,       -- in UTC
  dataset   text NOT NULL,       -- the dataset's slug; '' for the portal's own pages and search
  endpoint  text NOT NULL,       -- records, facets, export_csv, ... (src/core/usage/counters.cpp)
  calls     bigint NOT NULL CHECK (calls >= 0),
  rows      bigint NOT NULL CHECK (rows >= 0),
  bytes     bigint NOT NULL CHECK (bytes >= 0),
  errors    bigint NOT NULL CHECK (errors >= 0),
  clients   bytea NOT NULL CHECK (length(clients) = 1024),  -- HyperLogLog registers
  PRIMARY KEY (day, dataset, endpoint)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.usage_daily', '');
COMMENT ON TABLE opendata.usage_daily IS
  'API calls per day, dataset and endpoint, written by the usage flush worker (docs/usage.md)';

CREATE FUNCTION opendata._hll_union(a bytea, b bytea) RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'opendata_hll_union';
COMMENT ON FUNCTION opendata._hll_union(bytea, bytea) IS
  'the union of two client sketches (register-wise maximum)';

CREATE FUNCTION opendata._hll_estimate(sketch bytea) RETURNS bigint
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'opendata_hll_estimate';
COMMENT ON FUNCTION opendata._hll_estimate(bytea) IS
  'the estimated number of distinct clients of a sketch (standard error 3.3 %)';

CREATE FUNCTION opendata._count_call(endpoint text, dataset text, rows bigint, bytes bigint) RETURNS void
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_count_call';
COMMENT ON FUNCTION opendata._count_call(text, text, bigint, bigint) IS
  'counts one answered call of an API function written in SQL (shared memory, no write)';

CREATE FUNCTION opendata.usage_status() RETURNS json
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_usage_status';
COMMENT ON FUNCTION opendata.usage_status() IS
  'whether usage counting is on (shared_preload_libraries), and how full its shared memory is';

CREATE FUNCTION opendata.usage_counters(
  OUT database oid, OUT day date, OUT dataset text, OUT endpoint text, OUT calls bigint,
  OUT rows bigint, OUT bytes bigint, OUT errors bigint, OUT flushed_calls bigint,
  OUT clients double precision)
RETURNS SETOF record
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_usage_counters';
COMMENT ON FUNCTION opendata.usage_counters() IS
  'the live usage counters of this server, every database, flushed or not (works on a standby)';

CREATE FUNCTION opendata.usage_flush() RETURNS boolean
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_usage_flush';
COMMENT ON FUNCTION opendata.usage_flush() IS
  'asks the flush worker to write the counters now and waits for it; false without a worker';

-- The public statistics of one dataset: calls and downloads per day, from
-- what the worker wrote plus what this server has counted since.
CREATE FUNCTION opendata_api.dataset_stats(dataset text, days int DEFAULT 30) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  since date := (now() AT TIME ZONE 'UTC')::date - $2 + 1;
BEGIN
  IF $2 IS NULL OR $2 < 1 OR $2 > 3660 THEN
    RAISE EXCEPTION 'days must be between 1 and 3660, not %', coalesce($2::text, 'null')
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM opendata.datasets d
                  WHERE d.slug = $1 AND d.status = 'published' AND d.access = 'public') THEN
    RAISE EXCEPTION 'dataset "%" does not exist or is not published', $1
      USING ERRCODE = '42P01', HINT = 'GET /datasets lists the published datasets.';
  END IF;
  RETURN (
    WITH counted AS (
      SELECT u.day, u.endpoint, u.calls FROM opendata.usage_daily u
       WHERE u.dataset = $1 AND u.day >= since
      UNION ALL
      SELECT c.day, c.endpoint, c.calls - c.flushed_calls FROM opendata.usage_counters() c
       WHERE c.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND c.dataset = $1 AND c.day >= since
    ), per_endpoint AS (
      SELECT day, endpoint, sum(calls)::bigint AS calls FROM counted GROUP BY day, endpoint
    ), per_day AS (
      SELECT day, sum(calls)::bigint AS calls,
             coalesce(jsonb_object_agg(substr(endpoint, 8), calls)
                        FILTER (WHERE endpoint LIKE 'export\_%' AND calls > 0), '{}') AS downloads
        FROM per_endpoint GROUP BY day
    )
    SELECT json_build_object(
             'dataset', $1,
             'usage', (opendata.usage_status() ->> 'status'),
             'days', coalesce(json_agg(json_build_object('day', day, 'calls', calls,
                                                         'downloads', downloads) ORDER BY day), '[]'))
      FROM per_day WHERE calls > 0);
END
$$;
COMMENT ON FUNCTION opendata_api.dataset_stats(text, int) IS
  'public usage of a published dataset per day (UTC): API calls and downloads per format';

-- The portal's usage as an open dataset of its own, as Opendatasoft
-- publishes its monitoring dataset: totals per day, dataset and endpoint,
-- with the estimated distinct clients.  Nothing personal (no address, no
-- key, no sketch) and nothing of a dataset the public cannot see: only the
-- rows of published public datasets and of the portal itself ('').
CREATE FUNCTION opendata._usage_dataset_csv() RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT convert_to('day,dataset,endpoint,calls,rows,bytes,errors,clients' || chr(10) ||
                    coalesce(string_agg(concat_ws(',', u.day, u.dataset, u.endpoint, u.calls, u.rows, u.bytes,
                                                  u.errors, opendata._hll_estimate(u.clients)) || chr(10),
                                        '' ORDER BY u.day, u.dataset, u.endpoint), ''), 'UTF8')
    FROM opendata.usage_daily u
   WHERE u.dataset = ''
      OR EXISTS (SELECT FROM opendata.datasets d
                  WHERE d.slug = u.dataset AND d.status = 'published' AND d.access = 'public')
$$;
COMMENT ON FUNCTION opendata._usage_dataset_csv() IS
  'the public usage of the portal (published public datasets and the portal itself) as CSV';

-- Creates, or refreshes, the dataset: an ordinary import (a replace once
-- it exists, which publishes it again), so it is read as every other one.
-- Runs as its caller, who must be allowed to import and publish.
-- publisher: the organization that publishes it (default: the catalog's).
CREATE FUNCTION opendata.refresh_usage_dataset(slug text DEFAULT 'portal-usage', publisher text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  csv bytea := opendata._usage_dataset_csv();
  -- Fixed types: the first refresh may find no usage yet to infer them from.
  columns jsonb := '{"day": {"type": "date"}, "dataset": {"type": "text"}, "endpoint": {"type": "text"},
                     "calls": {"type": "bigint"}, "rows": {"type": "bigint"}, "bytes": {"type": "bigint"},
                     "errors": {"type": "bigint"}, "clients": {"type": "bigint"}}';
  report jsonb;
BEGIN
  IF EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = $1) THEN
    RETURN opendata.import_csv($1, csv, jsonb_build_object('mode', 'replace', 'columns', columns));
  END IF;
  report := opendata.import_csv($1, csv, jsonb_build_object('columns', columns, 'metadata', jsonb_build_object(
    'title', 'Usage of the portal',
    'description', 'API calls answered by this portal per day (UTC), dataset and endpoint: calls, rows and '
                   'bytes served, errors, and the estimated number of distinct clients.  Dataset "" is the '
                   'portal itself (search, home page).  No address and no key is published (docs/usage.md).')
    || CASE WHEN $2 IS NOT NULL THEN jsonb_build_object('publisher', $2) ELSE '{}' END));
  PERFORM opendata.publish($1);
  RETURN report;
END
$$;
COMMENT ON FUNCTION opendata.refresh_usage_dataset(text, text) IS
  'publishes the portal''s usage (opendata.usage_daily, nothing personal) as a dataset, or refreshes it';
