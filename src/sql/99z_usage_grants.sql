-- Grants for usage analytics (src/sql/85_usage.sql), after 99_finalize.sql
-- has revoked every function from PUBLIC.  The statistics of a dataset are
-- public; the live counters (every database, every endpoint) and the flush
-- are the administrators'.
GRANT EXECUTE ON FUNCTION opendata_api.dataset_stats(text, int) TO opendata_anon;
-- The plpgsql API functions (tile, the dataset page) count their calls as
-- their caller: a statistic, not a bill (opendata is not exposed by PostgREST).
GRANT EXECUTE ON FUNCTION opendata._count_call(text, text, bigint, bigint) TO opendata_anon;
GRANT EXECUTE ON FUNCTION opendata.usage_status(), opendata.usage_counters(), opendata.usage_flush()
  TO opendata_admin;
-- Quotas: the pre-request function runs as whatever role the request is
-- (anonymous, or a JWT's role); keys are the administrators'.
GRANT EXECUTE ON FUNCTION opendata.check_request(), opendata._admit_request()
  TO opendata_anon, opendata_publisher, opendata_admin;
GRANT EXECUTE ON FUNCTION opendata.create_api_key(text, text, int, int, regrole), opendata.revoke_api_key(text)
  TO opendata_admin;
-- The portal's usage as a dataset: refreshed by an administrator (who
-- imports and publishes it as any publisher would).
GRANT EXECUTE ON FUNCTION opendata._usage_dataset_csv(), opendata.refresh_usage_dataset(text, text) TO opendata_admin;
