-- Hostile input: injection and abuse attempts through every parameter of
-- records(), facets() and the four export functions, called as the anonymous
-- role as PostgREST would (values, never SQL).  Each attempt must end in a
-- clean error (its SQLSTATE is printed) or be treated as data ("ok"); the
-- canaries below prove that no attempt ran anything else.
CREATE TABLE public.hostile_t (id int PRIMARY KEY, name text, d date, t timestamptz, flag boolean, n numeric,
                               geom geometry(Point, 4326));
INSERT INTO hostile_t
SELECT g, 'name ' || g || CASE WHEN g = 3 THEN ' it''s "quoted" \ back' ELSE '' END, date '2020-01-01' + g,
       timestamptz '2024-05-01 10:00+00' + g * interval '1 day', g % 2 = 0, g * 1.5,
       ST_SetSRID(ST_MakePoint(2.3 + g / 100.0, 48.8 + g / 100.0), 4326)
  FROM generate_series(1, 20) g;
SELECT opendata.create_organization('hostile-org', 'Hostile') > 0 AS created;
SELECT opendata.register('hostile_t', 'hostile-ds', '{"title": "H", "description": "H", "publisher": "hostile-org"}') IS NOT NULL AS registered;
SELECT opendata.describe_field('hostile-ds', 'name', '{"facet": true}') IS NOT NULL AS facet;
SELECT opendata.publish('hostile-ds')->>'version' AS version;

-- Canaries: a table anyone may modify and a function anyone may call; a
-- successful injection running as the anonymous role could do either.
CREATE TABLE regress.hostile_canary (v text);
INSERT INTO regress.hostile_canary VALUES ('intact');
GRANT ALL ON regress.hostile_canary TO PUBLIC;
CREATE TABLE regress.hostile_hits (at timestamptz);
GRANT ALL ON regress.hostile_hits TO PUBLIC;
CREATE FUNCTION regress.canary_hit() RETURNS int LANGUAGE sql VOLATILE SECURITY DEFINER AS
  $$ INSERT INTO regress.hostile_hits VALUES (now()) RETURNING 1 $$;
GRANT EXECUTE ON FUNCTION regress.canary_hit() TO PUBLIC;
SET track_functions = 'all';

-- The payloads.
CREATE TABLE regress.hostile_payloads (n int PRIMARY KEY, label text, payload text);
INSERT INTO regress.hostile_payloads VALUES
  (1, 'lone quote', ''''),
  (2, 'quote OR 1=1', ''' OR ''1''=''1'),
  (3, 'quote comment', '1'' OR 1=1 --'),
  (4, 'double quote OR', 'x" OR "1"="1'),
  (5, '; DROP', 'id = 1; DROP TABLE regress.hostile_canary'),
  (6, '; DELETE', 'id = 1); DELETE FROM regress.hostile_canary; --'),
  (7, 'line comment', 'id = 1 -- trailing'),
  (8, 'block comment', 'id = 1 /* c */ or true'),
  (9, 'comment only', '/* */'),
  (10, 'dollar quote', '$$ || pg_sleep(2) || $$'),
  (11, 'tagged dollar', '$q$x$q$'),
  (12, 'backslash quote', 'name = "a\" or 1=1 --"'),
  (13, 'backslash break', '\''; SELECT regress.canary_hit(); --'),
  (14, 'U& escape', 'U&''\0027'' or 1=1'),
  (15, 'U& ident', 'U&"\0069\0064" = 1'),
  (16, 'E string', 'E''\x27'' or true'),
  (17, 'E backslash', 'name = E''\\'' OR true --'''),
  (18, 'pg_sleep', 'pg_sleep(2)'),
  (19, 'or pg_sleep', 'id = 1 or pg_sleep(2) is null'),
  (20, 'qualified pg_sleep', 'pg_catalog.pg_sleep(2)'),
  (21, 'spaced PG_SLEEP', 'PG_SLEEP (2)'),
  (22, 'comment in call', 'pg_sleep/**/(2)'),
  (23, 'pg_read_file', 'pg_read_file(''/etc/passwd'')'),
  (24, 'lo_import', 'lo_import(''/etc/passwd'')'),
  (25, 'set_config', 'set_config(''role'', ''postgres'', false)'),
  (26, 'current_setting', 'current_setting(''is_superuser'') = "on"'),
  (27, 'dblink', 'dblink(''dbname=postgres'', ''select 1'')'),
  (28, 'COPY', 'COPY regress.hostile_canary TO PROGRAM ''id'''),
  (29, 'subselect', '(SELECT 1) = 1'),
  (30, 'IN subselect', 'id in (select 1 from regress.hostile_canary)'),
  (31, 'canary call', 'regress.canary_hit() = 1'),
  (32, 'quoted canary', '"regress"."canary_hit"()'),
  (33, 'UNION', 'id = 1 union select * from pg_authid'),
  (34, 'cast', 'id::text = ''1'''),
  (35, 'collate', 'name collate "C" = ''x'''),
  (36, 'positional param', 'name = $1'),
  (37, 'bare $1', '$1'),
  (38, 'backquoted ident', '`name"; DROP TABLE regress.hostile_canary; --`'),
  (39, 'geom WKT break', 'within_distance(geom, geom''POINT(0 0)''''); SELECT regress.canary_hit(); --'', 1km)'),
  (40, 'date break', 'd > date''2020'''' or 1=1 --'''),
  (41, 'now() argument', 't > now(days=pg_sleep(2))'),
  (42, 'LIKE wildcard', 'name like "%'' OR ''1''=''1"'),
  (43, 'semicolon', ';'),
  (44, 'double dash', '--'),
  (45, 'blanks', '   '),
  (46, 'newline statement', E'id = 1\n; SELECT regress.canary_hit()'),
  (47, 'psql meta', E'id = 1 \\g /tmp/x'),
  (48, 'unbalanced parens', 'id = 1 ) or ( 1 = 1'),
  (49, 'fullwidth pg_sleep', 'ｐｇ_sleep(2)'),
  (50, 'version()', 'version()'),
  (51, 'txid_current()', 'txid_current() > 0'),
  (52, 'huge number', '1e999999'),
  (53, 'long integer', '99999999999999999999999999999999'),
  (54, 'hex', '0x41'),
  (55, '100k characters', repeat('a', 100000)),
  (56, '100k quoted string', 'name = "' || repeat('x', 100000) || '"'),
  (57, '100k of ORs', repeat('id = 1 or ', 10000) || 'id = 2'),
  (58, 'deep parens', repeat('(', 10000) || '1' || repeat(')', 10000)),
  (59, 'deep NOT', repeat('not ', 5000) || 'flag'),
  (60, 'deep calls', repeat('lower(', 2000) || 'name' || repeat(')', 2000)),
  (61, 'long identifier', repeat('i', 1000)),
  (62, 'refine-like break', 'name:x''); DROP TABLE regress.hostile_canary; --'),
  (63, 'refine wildcard', 'name:*'),
  (64, 'tz break', 'UTC''; SELECT pg_sleep(2); --'),
  (65, 'tz concat', 'Europe/Paris'' || pg_sleep(2) || '''),
  (66, 'tz offset', '+99:00'),
  (67, 'pg_stat_activity', 'id = (select count(*) from pg_stat_activity)'),
  (68, 'escaped unicode text', 'name = "\u0027 or 1=1 --"'),
  (69, 'control chars', E'id = 1\t\r\x01\x7f'),
  (70, 'star', '*'),
  (71, 'system column', 'ctid'),
  (72, 'hidden table', 'opendata.datasets'),
  (73, 'schema-qualified field', 'hostile_t.id'),
  (74, 'row constructor', 'row(1,2)'),
  (75, 'array', 'array[1] = array[1]'),
  (76, 'json op', 'name->>''a'''),
  (77, 'regex op', 'name ~ ''.*'''),
  (78, 'pipe concat', 'name || name'),
  (79, 'shift op', '1 << 62'),
  (80, 'unicode homoglyph quote', 'name = ʼxʼ'),
  (81, 'deep parens, short', repeat('(', 500) || 'id' || repeat(')', 500) || ' = 1'),
  (82, 'deep NOT, short', repeat('not ', 300) || 'flag');
GRANT SELECT ON regress.hostile_payloads TO PUBLIC;

-- Every text parameter of every function, with every payload.  Attempts run
-- as opendata_anon; each records its SQLSTATE (or "ok") and whether it took
-- less than a second.
CREATE TABLE regress.hostile_results (fn text, param text, n int, state text, fast boolean);
GRANT ALL ON regress.hostile_results TO PUBLIC;
CREATE TABLE regress.hostile_before AS
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS backends;

SET ROLE opendata_anon;
DO $$
DECLARE
  f text; p text; r record; stmt text; st text; t0 timestamptz; arg text;
BEGIN
  FOR f IN SELECT unnest('{records,facets,export_csv,export_json,export_jsonl,export_geojson}'::text[]) LOOP
    FOR p IN SELECT unnest(CASE WHEN f = 'facets' THEN '{facet,where,refine,exclude,timezone,dataset}'::text[]
                               ELSE '{fields,where,group_by,order_by,refine,exclude,timezone,dataset}'::text[] END) LOOP
      FOR r IN SELECT n, payload FROM regress.hostile_payloads ORDER BY n LOOP
        arg := CASE WHEN p IN ('refine', 'exclude', 'facet') THEN format('ARRAY[%L]', r.payload) ELSE format('%L', r.payload) END;
        stmt := CASE WHEN p = 'dataset' THEN format('SELECT opendata_api.%I(dataset => %s)', f, arg)
                     ELSE format('SELECT opendata_api.%I(dataset => %L, %I => %s)', f, 'hostile-ds', p, arg) END;
        t0 := clock_timestamp();
        st := split_part(regress.error_of(stmt), ':', 1);
        INSERT INTO regress.hostile_results
        VALUES (f, p, r.n, CASE WHEN st = 'no error' THEN 'ok' ELSE st END, clock_timestamp() - t0 < interval '1 second');
      END LOOP;
    END LOOP;
  END LOOP;
END
$$;
RESET ROLE;

-- records(): one line per payload, one column per parameter.
SELECT p.n, p.label,
       max(state) FILTER (WHERE param = 'fields') AS fields, max(state) FILTER (WHERE param = 'where') AS "where",
       max(state) FILTER (WHERE param = 'group_by') AS group_by, max(state) FILTER (WHERE param = 'order_by') AS order_by,
       max(state) FILTER (WHERE param = 'refine') AS refine, max(state) FILTER (WHERE param = 'exclude') AS exclude,
       max(state) FILTER (WHERE param = 'timezone') AS timezone, max(state) FILTER (WHERE param = 'dataset') AS dataset
  FROM regress.hostile_payloads p JOIN regress.hostile_results r ON r.n = p.n AND r.fn = 'records'
 GROUP BY p.n, p.label ORDER BY p.n;
-- facets(): the same payloads through its parameters.
SELECT p.n,
       max(state) FILTER (WHERE param = 'facet') AS facet, max(state) FILTER (WHERE param = 'where') AS "where",
       max(state) FILTER (WHERE param = 'refine') AS refine, max(state) FILTER (WHERE param = 'exclude') AS exclude,
       max(state) FILTER (WHERE param = 'timezone') AS timezone, max(state) FILTER (WHERE param = 'dataset') AS dataset
  FROM regress.hostile_payloads p JOIN regress.hostile_results r ON r.n = p.n AND r.fn = 'facets'
 GROUP BY p.n ORDER BY p.n;
-- The exports compile the same way: the same outcome as records() for every
-- attempt, and where they differ it is listed here.
SELECT e.fn, e.param, e.n, e.state AS export_state, r.state AS records_state
  FROM regress.hostile_results e JOIN regress.hostile_results r ON r.fn = 'records' AND r.param = e.param AND r.n = e.n
 WHERE e.fn LIKE 'export%' AND e.state IS DISTINCT FROM r.state
 ORDER BY 1, 2, 3;

-- Paging extremes, as anon.
SET ROLE opendata_anon;
SELECT f, rows, start,
       replace(split_part(regress.error_of(format('SELECT opendata_api.%I(%L, rows => %s, start => %s)', f, 'hostile-ds', rows, start)), ':', 1),
               'no error', 'ok') AS state
  FROM unnest('{records,export_csv,export_json}'::text[]) f,
       (VALUES (-2147483648, 0), (-2, 0), (-1, 0), (0, 0), (2147483647, 0), (10, -2147483648), (10, -1), (10, 2147483647),
               (2147483647, 2147483647)) v(rows, start)
 ORDER BY 1, 2, 3;
RESET ROLE;

-- Continuation tokens: every payload above as records(after => ...), then
-- tokens forged from a real one (decoded, edited, encoded again), so that
-- they pass the base64 and JSON checks and reach the value checks.  A value
-- of the wrong form is refused (22023); a text value is data.
CREATE FUNCTION regress.b64url_json(t text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_from(decode(rpad(translate(t, '-_', '+/'), (length(t) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb
$$;
CREATE FUNCTION regress.json_b64url(j text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT rtrim(translate(encode(convert_to(j, 'UTF8'), 'base64'), E'+/\n', '-_'), '=')
$$;
GRANT EXECUTE ON FUNCTION regress.b64url_json(text), regress.json_b64url(text) TO PUBLIC;
SET ROLE opendata_anon;
DO $$
DECLARE
  r record; st text; t0 timestamptz;
BEGIN
  FOR r IN SELECT n, payload FROM regress.hostile_payloads ORDER BY n LOOP
    t0 := clock_timestamp();
    st := split_part(regress.error_of(format('SELECT opendata_api.records(dataset => %L, order_by => %L, after => %L)',
                                             'hostile-ds', 'name', r.payload)), ':', 1);
    INSERT INTO regress.hostile_results
    VALUES ('records', 'after', r.n, CASE WHEN st = 'no error' THEN 'ok' ELSE st END, clock_timestamp() - t0 < interval '1 second');
  END LOOP;
END
$$;
SELECT state, count(*) AS payloads_as_after FROM regress.hostile_results WHERE param = 'after' GROUP BY state ORDER BY state;
CREATE TEMP TABLE real_token AS
SELECT regress.b64url_json(opendata_api.records('hostile-ds', order_by => 'name', rows => 2)->>'next_after') AS j;
CREATE TEMP TABLE forged (n int, label text, token text);
INSERT INTO forged
SELECT n, label, regress.json_b64url(f::text) FROM real_token, LATERAL (VALUES
  (101, 'the real token', j),
  (102, 'quote in a text value', jsonb_set(j, '{k,0}', to_jsonb('x'' OR ''1''=''1'::text))),
  (103, 'union in a text value', jsonb_set(j, '{k,0}', to_jsonb(''') UNION SELECT * FROM pg_authid --'::text))),
  (104, 'statement as the key', jsonb_set(j, '{k,1}', to_jsonb('1; DROP TABLE regress.hostile_canary'::text))),
  (105, 'call as the key', jsonb_set(j, '{k,1}', to_jsonb('pg_sleep(2)'::text))),
  (106, 'parameter as the key', jsonb_set(j, '{k,1}', to_jsonb('$1'::text))),
  (107, 'exponent as the key', jsonb_set(j, '{k,1}', to_jsonb('1e3'::text))),
  (108, 'key beyond int4', jsonb_set(j, '{k,1}', to_jsonb('99999999999'::text))),
  (109, 'null key', jsonb_set(j, '{k,1}', 'null')),
  (110, 'number, not text', jsonb_set(j, '{k,1}', '3')),
  (112, 'one value too many', jsonb_set(j, '{k}', (j->'k') || '["1"]')),
  (113, 'another fingerprint', jsonb_set(j, '{f}', '"0000000000000000"')),
  (114, 'another version', jsonb_set(j, '{v}', '2')),
  (115, 'extra member', j || '{"sql": "SELECT 1"}'),
  (116, '100k text value', jsonb_set(j, '{k,0}', to_jsonb(repeat('x', 100000))))) v(n, label, f);
-- jsonb cannot hold a NUL character: this one is forged as text.
INSERT INTO forged
SELECT 111, 'NUL in a text value', regress.json_b64url(replace(jsonb_set(j, '{k,0}', '"NUL"')::text, '"NUL"', '"a\u0000b"'))
  FROM real_token;
SELECT f.n, f.label,
       replace(split_part(regress.error_of(format('SELECT opendata_api.records(dataset => %L, order_by => %L, after => %L)',
                                                  'hostile-ds', 'name', f.token)), ':', 1), 'no error', 'ok') AS state
  FROM forged f ORDER BY f.n;
INSERT INTO regress.hostile_results
SELECT 'records', 'after', f.n,
       replace(split_part(regress.error_of(format('SELECT opendata_api.records(dataset => %L, order_by => %L, after => %L)',
                                                  'hostile-ds', 'name', f.token)), ':', 1), 'no error', 'ok'), true
  FROM forged f;
RESET ROLE;

-- The totals: attempts, outcomes, no internal error, none slow.
SELECT count(*) AS attempts, count(*) FILTER (WHERE state = 'ok') AS treated_as_data,
       count(*) FILTER (WHERE state <> 'ok') AS refused, bool_and(fast) AS all_under_1s
  FROM regress.hostile_results;
SELECT state, count(*) FROM regress.hostile_results GROUP BY state ORDER BY state;
SELECT count(*) FILTER (WHERE state ~ '^(XX|58|57|53|25|40|08|0A)') AS internal_or_resource_errors
  FROM regress.hostile_results;

-- Nothing else ran: the canary is intact, the canary function was never
-- called, no pg_sleep ran, no extra session was opened.
SELECT * FROM regress.hostile_canary;
SELECT count(*) AS canary_hits FROM regress.hostile_hits;
SELECT pg_stat_force_next_flush();
SELECT count(*) AS canary_calls FROM pg_stat_user_functions WHERE schemaname = 'regress' AND funcname = 'canary_hit';
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') = backends AS same_backends
  FROM regress.hostile_before;
-- The canaries work: calling the function directly is seen.
SELECT regress.canary_hit() AS direct_call;
SELECT count(*) AS canary_hits FROM regress.hostile_hits;
RESET track_functions;
