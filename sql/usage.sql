-- Usage analytics without shared_preload_libraries (pg_regress's instance
-- does not preload opendata): every API works, nothing is counted, the
-- statistics say "off" and show what the table holds.  Counting itself is
-- tested with the library preloaded by test/shell/usage.sh.
\set VERBOSITY terse

CREATE TABLE public.usage_things (id int PRIMARY KEY, label text);
INSERT INTO usage_things SELECT g, 'thing ' || g FROM generate_series(1, 5) g;
CREATE TABLE public.usage_draft (id int PRIMARY KEY);
SELECT opendata.create_organization('usage-org', 'Usage org') > 0 AS created;
SELECT opendata.register('usage_things', 'usage-things', '{"title": "Things", "description": "Some things", "publisher": "usage-org"}') IS NOT NULL AS registered;
SELECT opendata.register('usage_draft', 'usage-draft', '{"title": "Draft", "description": "Not published", "publisher": "usage-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('usage-things')->>'version' AS version;

SELECT opendata.usage_status() ->> 'status' AS status;
SELECT count(*) AS live_counters FROM opendata.usage_counters();
SELECT opendata.usage_flush() AS flushed;

-- The API answers as before, in a READ ONLY transaction, counting nothing.
SET ROLE opendata_anon;
BEGIN READ ONLY;
SELECT (opendata_api.records('usage-things') ->> 'total_count') AS total;
SELECT length(opendata_api.export_csv('usage-things')) > 0 AS csv;
SELECT opendata_api.dataset_stats('usage-things') AS stats;
COMMIT;
RESET ROLE;
SELECT count(*) AS live_counters FROM opendata.usage_counters();

-- What the flush worker would have written is shown, downloads per format,
-- days outside the window left out.
CREATE FUNCTION regress.sketch(n int) RETURNS bytea LANGUAGE sql AS $$
  SELECT decode(repeat(lpad(to_hex(n), 2, '0'), 1024), 'hex')
$$;
-- Days are UTC days, whatever the session's time zone.
SELECT (now() AT TIME ZONE 'UTC')::date AS today \gset
INSERT INTO opendata.usage_daily VALUES
  (:'today'::date - 1, 'usage-things', 'records', 7, 70, 700, 1, regress.sketch(0)),
  (:'today'::date - 1, 'usage-things', 'export_csv', 2, 10, 100, 0, regress.sketch(0)),
  (:'today'::date - 1, 'usage-things', 'export_geojson', 1, 5, 50, 0, regress.sketch(0)),
  (:'today'::date, 'usage-things', 'facets', 3, 0, 30, 0, regress.sketch(0)),
  (:'today'::date - 40, 'usage-things', 'records', 99, 0, 0, 0, regress.sketch(0)),
  (:'today'::date, 'other', 'records', 5, 0, 0, 0, regress.sketch(0));
SET ROLE opendata_anon;
SELECT (d ->> 'day')::date - :'today'::date AS day, d -> 'calls' AS calls, d -> 'downloads' AS downloads
  FROM json_array_elements(opendata_api.dataset_stats('usage-things', 30) -> 'days') d
 ORDER BY d ->> 'day';
SELECT json_array_length(opendata_api.dataset_stats('usage-things', 1) -> 'days') AS today_only;
SELECT json_array_length(opendata_api.dataset_stats('usage-things', 365) -> 'days') AS a_year;
-- The dataset page shows the last 30 days (13 calls, 3 downloads), and
-- that counting is off here.
SELECT substring(opendata_api.dataset_page('usage-things') FROM '<section aria-labelledby="h-usage">.*?</section>') AS usage_fr;
SELECT substring(opendata_api.dataset_page('usage-things', lang => 'en') FROM '<p class="usage">.*?</p>') AS usage_en;
RESET ROLE;

-- The portal's usage as a dataset: public datasets' rows only ('other' is
-- no published dataset), totals without sketches, read through the API.
SELECT opendata.refresh_usage_dataset(publisher => 'usage-org') ->> 'rows_loaded' AS rows_loaded;
SET ROLE opendata_anon;
SELECT (r ->> 'day')::date - :'today'::date AS day, r ->> 'dataset' AS dataset, r ->> 'endpoint' AS endpoint,
       r -> 'calls' AS calls, r -> 'errors' AS errors, r -> 'clients' AS clients
  FROM json_array_elements(opendata_api.records('portal-usage', order_by => 'day, endpoint') -> 'results') r;
RESET ROLE;
-- Refreshed: a replace import, published again.
UPDATE opendata.usage_daily SET calls = calls + 1 WHERE endpoint = 'facets';
SELECT opendata.refresh_usage_dataset(publisher => 'usage-org') ->> 'rows_loaded' AS rows_loaded;
SET ROLE opendata_anon;
SELECT r -> 'calls' AS facets_calls
  FROM json_array_elements(opendata_api.records('portal-usage', "where" => 'endpoint = "facets"') -> 'results') r;

-- Errors: what is not a published public dataset, a window out of range.
SELECT regress.error_of($$SELECT opendata_api.dataset_stats('usage-draft')$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_stats('nope')$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_stats('usage-things', 0)$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_stats('usage-things', NULL)$$);
-- The live counters, the flush and the keys are the administrators'.
SELECT regress.error_of($$SELECT opendata.usage_status()$$);
SELECT regress.error_of($$SELECT opendata.usage_counters()$$);
SELECT regress.error_of($$SELECT opendata.create_api_key('x', 'y')$$);
-- Without shared memory, the pre-request check lets every call through
-- without headers; a key presented must still be a known one (401).
SELECT opendata.check_request() AS allowed, current_setting('response.headers', true) AS headers;
SELECT set_config('request.headers', '{"x-api-key": "nope.secret"}', false) IS NOT NULL AS set;
SELECT regress.error_of($$SELECT opendata.check_request()$$);
RESET ROLE;
-- Keys: returned once, stored hashed; revoked ones refused.
SELECT opendata.create_api_key('app', 'team', per_minute => 10) AS key \gset
SELECT id = split_part(:'key', '.', 1) AS id_is_the_prefix, secret_sha256 = sha256(convert_to(split_part(:'key', '.', 2), 'UTF8')) AS hashed,
       per_minute, per_day, revoked_at IS NULL AS active
  FROM opendata.api_keys;
SET ROLE opendata_anon;
SELECT set_config('request.headers', json_build_object('authorization', 'Apikey ' || :'key')::text, false) IS NOT NULL AS set;
SELECT opendata.check_request() AS allowed;
RESET ROLE;
SELECT opendata.revoke_api_key(split_part(:'key', '.', 1)) AS revoked;
SELECT opendata.revoke_api_key(split_part(:'key', '.', 1)) AS revoked_twice;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata.check_request()$$);
RESET ROLE;
RESET request.headers;
SELECT regress.error_of($$SELECT opendata.create_api_key('x', 'y', per_minute => 0)$$);
SELECT regress.error_of($$SELECT opendata.create_api_key(NULL, 'y')$$);
-- A key's role: the request runs as it after check_request() (here the
-- session user is a superuser, a member of every role; PostgREST's
-- authenticator must be granted the role).  Never a superuser's.
CREATE ROLE regress_key_app NOLOGIN;
GRANT opendata_anon TO regress_key_app;
SELECT opendata.create_api_key('app', 'team', role => 'regress_key_app') AS key \gset
SELECT role FROM opendata.api_keys WHERE id = split_part(:'key', '.', 1);
BEGIN;
SET LOCAL ROLE opendata_anon;
SELECT set_config('request.headers', json_build_object('x-api-key', :'key')::text, true) IS NOT NULL AS set;
SELECT opendata.check_request() AS allowed;
SELECT current_user AS runs_as;
SELECT (opendata_api.records('usage-things') ->> 'total_count') AS total;
COMMIT;
CREATE ROLE regress_key_super SUPERUSER NOLOGIN;
SELECT regress.error_of($$SELECT opendata.create_api_key('x', 'y', role => 'regress_key_super')$$);
SELECT regress.error_of($$SELECT opendata.create_api_key('x', 'y', role => 'no_such_role')$$);
DELETE FROM opendata.api_keys;
DROP ROLE regress_key_super;
REVOKE opendata_anon FROM regress_key_app;
DROP ROLE regress_key_app;

-- Client sketches: union and estimate; the size is checked.
SELECT opendata._hll_estimate(regress.sketch(0)) AS none,
       opendata._hll_estimate(opendata._hll_union(regress.sketch(0), regress.sketch(1))) AS all_ones;
SELECT regress.error_of($$SELECT opendata._hll_union(regress.sketch(0), '\x00'::bytea)$$);
SELECT regress.error_of($$SELECT opendata._hll_estimate('\x'::bytea)$$);
SELECT regress.error_of($$INSERT INTO opendata.usage_daily VALUES ('2026-01-01', 'x', 'records', 1, 0, 0, 0, '\x00')$$);

DELETE FROM opendata.usage_daily;
DROP FUNCTION regress.sketch(int);
-- Counting from SQL: without shared memory nothing happens; the endpoint
-- must be one of those counted.
SELECT opendata._count_call('tiles', 'usage-things', 1, 10) AS counted;
SELECT regress.error_of($$SELECT opendata._count_call('nope', 'usage-things', 1, 10)$$);
SELECT opendata.drop_dataset(s, true) FROM unnest(ARRAY['usage-things', 'usage-draft', 'portal-usage']) s;
