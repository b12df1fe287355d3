-- Quotas (issue #18, docs/usage.md): API keys and rate limits checked by
-- PostgREST's db-pre-request function opendata.check_request(), with token
-- buckets in shared memory (src/pg/usage_quota.cpp).  Keys are stored as
-- the SHA-256 of their secret, compared in constant time.

CREATE TABLE opendata.api_keys (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,32}$'),
  secret_sha256  bytea NOT NULL CHECK (length(secret_sha256) = 32),
  name           text NOT NULL,   -- what it is for
  owner          text NOT NULL,   -- whom it was given to
  per_minute     int CHECK (per_minute > 0),  -- null: no limit
  per_day        int CHECK (per_day > 0),
  role           regrole,         -- the role its requests run as; null: the request's own
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('opendata.api_keys', '');
ALTER TABLE opendata.api_keys ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE opendata.api_keys IS
  'API keys: the SHA-256 of each secret, never the secret, and the limits of the key';

CREATE FUNCTION opendata._quota_take(identity text, per_minute int, per_day int,
  OUT allowed boolean, OUT lim bigint, OUT remaining bigint, OUT reset_s bigint, OUT retry_after_s bigint)
LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'opendata_quota_take';
COMMENT ON FUNCTION opendata._quota_take(text, int, int) IS
  'one call against the token buckets of a client (per minute, per day; 0: no limit)';

CREATE FUNCTION opendata._constant_time_equal(a bytea, b bytea) RETURNS boolean
LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', 'opendata_constant_time_equal';
COMMENT ON FUNCTION opendata._constant_time_equal(bytea, bytea) IS
  'a = b in a time that depends on the lengths only (for secrets)';

CREATE FUNCTION opendata._request_key(OUT id text, OUT secret text, OUT address text)
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_request_key';
COMMENT ON FUNCTION opendata._request_key() IS
  'the API key (Authorization: Apikey, X-Api-Key) and the client address of the request (request.headers)';

CREATE FUNCTION opendata.create_api_key(name text, owner text, per_minute int DEFAULT NULL,
                                        per_day int DEFAULT NULL, role regrole DEFAULT NULL) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  key_id text := 'k' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 15);
  -- 244 random bits (two version-4 UUIDs).
  secret text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
BEGIN
  IF $1 IS NULL OR $2 IS NULL THEN
    RAISE EXCEPTION 'an API key needs a name and an owner' USING ERRCODE = '22023';
  END IF;
  IF $3 <= 0 OR $4 <= 0 THEN
    RAISE EXCEPTION 'limits must be greater than 0 (null: no limit)' USING ERRCODE = '22023';
  END IF;
  -- A key hands its role to whoever holds it, over HTTP: never a role
  -- that bypasses the permission model.
  IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid = $5 AND (r.rolsuper OR r.rolbypassrls)) THEN
    RAISE EXCEPTION 'an API key cannot act as role %, a superuser or a role that bypasses row-level security', $5
      USING ERRCODE = '42501';
  END IF;
  INSERT INTO opendata.api_keys (id, secret_sha256, name, owner, per_minute, per_day, role)
  VALUES (key_id, sha256(convert_to(secret, 'UTF8')), $1, $2, $3, $4, $5);
  RETURN key_id || '.' || secret;
END
$$;
COMMENT ON FUNCTION opendata.create_api_key(text, text, int, int, regrole) IS
  'a new API key, returned once: only the SHA-256 of its secret is kept; role: the role its requests run as';

CREATE FUNCTION opendata.revoke_api_key(id text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
  WITH revoked AS (
    UPDATE opendata.api_keys k SET revoked_at = now() WHERE k.id = $1 AND k.revoked_at IS NULL RETURNING 1)
  SELECT count(*) > 0 FROM revoked
$$;
COMMENT ON FUNCTION opendata.revoke_api_key(text) IS 'revokes an API key: its calls are refused (401) from now on';

-- The error PostgREST turns into the response it describes: RAISE with
-- SQLSTATE 'PGRST', the body as the message and status and headers as the
-- detail (PostgREST 11.2 and later).
CREATE FUNCTION opendata._refuse_request(status int, code text, message text, hint text, headers jsonb)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE SQLSTATE 'PGRST' USING
    message = json_build_object('code', code, 'message', message, 'details', NULL, 'hint', hint)::text,
    detail = json_build_object('status', status, 'headers', headers)::text;
END
$$;

-- The checks of db-pre-request: a key must be known and not revoked; a
-- client over its limit is refused with 429; every answer carries the
-- X-RateLimit-* headers of its client's limit.  Returns the key's role
-- (null: the request keeps its own).  A definer, to read the keys.
CREATE FUNCTION opendata._admit_request() RETURNS regrole
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  presented record := opendata._request_key();
  k opendata.api_keys;
  who text;
  per_minute int;
  per_day int;
  q record;
  limits jsonb;
BEGIN
  IF presented.id IS NOT NULL THEN
    SELECT * INTO k FROM opendata.api_keys ak WHERE ak.id = presented.id;
    IF NOT FOUND OR k.revoked_at IS NOT NULL
       OR NOT opendata._constant_time_equal(k.secret_sha256, sha256(convert_to(presented.secret, 'UTF8'))) THEN
      PERFORM opendata._refuse_request(401, 'OD401', 'unknown or revoked API key',
                                       'Ask the portal''s administrators for a key, or call without one.',
                                       '{"WWW-Authenticate": "Apikey"}');
    END IF;
    who := 'key:' || k.id;
    per_minute := coalesce(k.per_minute, 0);
    per_day := coalesce(k.per_day, 0);
  ELSE
    who := 'addr:' || presented.address;
    per_minute := coalesce(current_setting('opendata.quota_anonymous_per_minute', true)::int, 0);
    per_day := coalesce(current_setting('opendata.quota_anonymous_per_day', true)::int, 0);
  END IF;
  q := opendata._quota_take(who, per_minute, per_day);
  IF q.lim IS NOT NULL THEN  -- else no limit, or no shared memory (not preloaded)
    limits := jsonb_build_object('X-RateLimit-Limit', q.lim::text, 'X-RateLimit-Remaining', q.remaining::text,
                                 'X-RateLimit-Reset', q.reset_s::text);
    IF NOT q.allowed THEN
      PERFORM opendata._refuse_request(429, 'OD429', 'rate limit exceeded',
                format('Retry after %s s, or ask for an API key with a higher limit.', q.retry_after_s),
                limits || jsonb_build_object('Retry-After', q.retry_after_s::text));
    END IF;
    PERFORM set_config('response.headers',
              json_build_array(json_build_object('X-RateLimit-Limit', q.lim::text),
                               json_build_object('X-RateLimit-Remaining', q.remaining::text),
                               json_build_object('X-RateLimit-Reset', q.reset_s::text))::text, true);
  END IF;
  RETURN k.role;
END
$$;
COMMENT ON FUNCTION opendata._admit_request() IS
  'the checks of check_request(): API key, rate limits, X-RateLimit-* headers; the key''s role';

-- db-pre-request: runs before every request PostgREST serves, after
-- PostgREST has set the request's role.  Not a definer, because a definer
-- may not change the role: it runs as the request's role and switches to
-- the key's for the rest of the transaction, which PostgreSQL allows when
-- the session's user (PostgREST's authenticator) is a member of that role,
-- exactly as for the roles of JWTs (docs/usage.md).
CREATE FUNCTION opendata.check_request() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  key_role regrole := opendata._admit_request();
BEGIN
  IF key_role IS NOT NULL THEN
    PERFORM pg_catalog.set_config('role', key_role::text, true);
  END IF;
END
$$;
COMMENT ON FUNCTION opendata.check_request() IS
  'PostgREST''s db-pre-request: API keys and their roles, rate limits (429) and X-RateLimit-* headers (docs/usage.md)';
