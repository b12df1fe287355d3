-- OGC API - Features - Part 1: Core, GeoJSON encoding (docs/maps.md).
-- The documents take OGC's f= (json only), which also gives every function
-- a named argument.
--
-- nginx maps the standard paths to these functions
-- (deploy/nginx/locations/ogc.conf):
--   /ogc                                  ogc_landing()
--   /ogc/conformance                      ogc_conformance()
--   /ogc/api                              ogc_api()
--   /ogc/collections                      ogc_collections()
--   /ogc/collections/{id}                 ogc_collection(collection)
--   /ogc/collections/{id}/items           ogc_items(collection)
--   /ogc/collections/{id}/items/{fid}     ogc_item(collection, fid)
-- PostgREST reads `limit` and `offset` from a query string itself, so the
-- items' query string does not reach it as arguments: nginx passes it whole
-- in the header X-Ogc-Query, which ogc_items() reads from request.headers
-- (or from its `query` argument).
--
-- Collections are the published datasets with a geometry that the caller
-- can read; items are read through records() (the same view, row-level
-- security, hidden fields, keyset tokens).  Every function runs as the
-- caller and writes nothing.  Links are absolute, from the catalog's
-- base_url: /ogc is at the root of the site whose /api is PostgREST.

-- Percent-decoding of one query string component ('+' is a space).
-- Invalid UTF-8 after decoding is 22021.
CREATE FUNCTION opendata._url_decode(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_from(coalesce(string_agg(CASE WHEN r.m[1] IS NOT NULL THEN decode(r.m[1], 'hex')
                                               ELSE convert_to(r.m[2], 'UTF8') END, ''::bytea ORDER BY r.o),
                               ''::bytea), 'UTF8')
    FROM regexp_matches(replace(s, '+', ' '), '%([0-9A-Fa-f]{2})|([^%]+|%)', 'g') WITH ORDINALITY AS r(m, o)
$$;

-- Percent-encoding of a query string component: all but RFC 3986's
-- unreserved characters.
CREATE FUNCTION opendata._url_encode(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(string_agg(CASE WHEN b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90 OR b BETWEEN 97 AND 122
                                       OR b IN (45, 46, 95, 126)
                                  THEN chr(b) ELSE '%' || upper(lpad(to_hex(b), 2, '0')) END, '' ORDER BY i), '')
    FROM (SELECT get_byte(v, i) AS b, i
            FROM (SELECT convert_to(s, 'UTF8') AS v) x,
                 generate_series(0, octet_length(x.v) - 1) AS i) y
$$;

-- The name=value pairs of a query string, decoded, in order.
CREATE FUNCTION opendata._query_params(query text, OUT name text, OUT value text, OUT ord bigint)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE AS $$
  SELECT opendata._url_decode(split_part(p, '=', 1)),
         opendata._url_decode(CASE WHEN strpos(p, '=') > 0 THEN substr(p, strpos(p, '=') + 1) ELSE '' END),
         o
    FROM unnest(string_to_array(coalesce(query, ''), '&')) WITH ORDINALITY AS u(p, o)
   WHERE p <> ''
$$;

-- The root of the OGC API: /ogc at the site's root (opendata._site_root()).
CREATE FUNCTION opendata._ogc_base() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT opendata._site_root() || '/ogc'
$$;

CREATE FUNCTION opendata._ogc_link(href text, rel text, type text, title text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object('href', href, 'rel', rel, 'type', type, 'title', title))
$$;

-- Refuses an f= other than JSON (this API speaks JSON and GeoJSON only).
CREATE FUNCTION opendata._ogc_check_format(f text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF f IS NOT NULL AND lower(f) NOT IN ('json', 'geojson', 'application/json', 'application/geo+json') THEN
    RAISE EXCEPTION 'unsupported format "%"', f
      USING ERRCODE = '22023', HINT = 'This API answers f=json only.';
  END IF;
END
$$;

-- The published datasets with a geometry, as the caller sees them, with
-- their geometry field, first date or datetime field and key.
CREATE FUNCTION opendata._ogc_datasets(only_slug text DEFAULT NULL)
RETURNS TABLE (slug text, title text, description text, license_url text, keywords jsonb,
               geometry_field text, temporal_field text, key_field text, version int)
LANGUAGE sql STABLE AS $$
  SELECT v.dataset_id, coalesce(v.title, v.dataset_id), v.description, v.license_url, v.keywords,
         (SELECT f ->> 'name' FROM jsonb_array_elements(v.fields) WITH ORDINALITY AS a(f, i)
           WHERE f ->> 'type' IN ('geo_point_2d', 'geo_shape') ORDER BY i LIMIT 1),
         (SELECT f ->> 'name' FROM jsonb_array_elements(v.fields) WITH ORDINALITY AS a(f, i)
           WHERE f ->> 'type' IN ('date', 'datetime') ORDER BY i LIMIT 1),
         (SELECT d.key_fields[1] FROM opendata.datasets d
           WHERE d.slug = v.dataset_id AND cardinality(d.key_fields) = 1
             AND EXISTS (SELECT FROM jsonb_array_elements(v.fields) AS a(f) WHERE f ->> 'name' = d.key_fields[1])),
         v.version
    FROM opendata_api.datasets v
   WHERE v.status = 'published'
     -- A visible geometry: a hidden one makes no collection.
     AND EXISTS (SELECT FROM jsonb_array_elements(v.fields) AS a(f) WHERE f ->> 'type' IN ('geo_point_2d', 'geo_shape'))
     AND (only_slug IS NULL OR v.dataset_id = only_slug)
     AND to_regclass(format('opendata_api.%I', v.dataset_id)) IS NOT NULL
$$;

-- One collection's description.
CREATE FUNCTION opendata._ogc_collection_json(ds record) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  base text := opendata._ogc_base() || '/collections/' || opendata._url_encode(ds.slug);
  ext box2d;
  t_min jsonb;
  t_max jsonb;
  out jsonb;
BEGIN
  EXECUTE format('SELECT ST_Extent(%I)::box2d FROM opendata_api.%I', ds.geometry_field, ds.slug) INTO ext;
  out := jsonb_build_object(
    'id', ds.slug,
    'title', ds.title,
    'description', ds.description,
    'keywords', ds.keywords,
    'itemType', 'feature',
    'crs', jsonb_build_array('http://www.opengis.net/def/crs/OGC/1.3/CRS84'),
    'extent', jsonb_build_object('spatial', jsonb_build_object(
      'bbox', jsonb_build_array(CASE WHEN ext IS NULL THEN jsonb_build_array(-180, -90, 180, 90)
                                     ELSE jsonb_build_array(ST_XMin(ext), ST_YMin(ext), ST_XMax(ext), ST_YMax(ext)) END),
      'crs', 'http://www.opengis.net/def/crs/OGC/1.3/CRS84')),
    'links', jsonb_build_array(
      opendata._ogc_link(base, 'self', 'application/json', 'This collection'),
      opendata._ogc_link(base || '/items', 'items', 'application/geo+json', 'Items'))
      || CASE WHEN ds.license_url IS NULL THEN '[]'::jsonb
              ELSE jsonb_build_array(opendata._ogc_link(ds.license_url, 'license', 'text/html', 'License')) END);
  IF ds.temporal_field IS NOT NULL THEN
    -- JSON's own form of dates and timestamps: ISO 8601, whatever DateStyle.
    EXECUTE format('SELECT to_jsonb(min(%1$I)), to_jsonb(max(%1$I)) FROM opendata_api.%2$I', ds.temporal_field, ds.slug)
      INTO t_min, t_max;
    out := jsonb_set(out, '{extent,temporal}', jsonb_build_object(
      'interval', jsonb_build_array(jsonb_build_array(t_min, t_max)),
      'trs', 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian'));
  END IF;
  RETURN jsonb_strip_nulls(out);
END
$$;

CREATE FUNCTION opendata_api.ogc_landing(f text DEFAULT NULL) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT opendata._ogc_check_format(f);
  SELECT json_build_object(
    'title', c.title,
    'description', c.description,
    'links', json_build_array(
      opendata._ogc_link(b, 'self', 'application/json', 'This document'),
      opendata._ogc_link(b || '/api', 'service-desc', 'application/vnd.oai.openapi+json;version=3.0',
                         'The API definition'),
      opendata._ogc_link(b || '/conformance', 'conformance', 'application/json',
                         'OGC API conformance classes implemented by this server'),
      opendata._ogc_link(b || '/collections', 'data', 'application/json', 'The feature collections')))
    FROM opendata.catalog c, opendata._ogc_base() AS b
$$;
COMMENT ON FUNCTION opendata_api.ogc_landing(text) IS 'OGC API - Features: the landing page';

CREATE FUNCTION opendata_api.ogc_conformance(f text DEFAULT NULL) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT opendata._ogc_check_format(f);
  SELECT json_build_object('conformsTo', json_build_array(
    'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
    'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
    'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson'))
$$;
COMMENT ON FUNCTION opendata_api.ogc_conformance(text) IS 'OGC API - Features: the conformance classes';

-- The API definition, OpenAPI 3.0.
CREATE FUNCTION opendata_api.ogc_api(f text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  b text := opendata._ogc_base();
  max_limit int := coalesce(current_setting('opendata.max_page_size', true)::int, 100);
  json_ok jsonb := '{"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}';
  geojson_ok jsonb := '{"description": "OK", "content": {"application/geo+json": {"schema": {"type": "object"}}}}';
  collection_id jsonb := '{"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}}';
BEGIN
  PERFORM opendata._ogc_check_format(f);
  -- The media type the landing page's service-desc link announces (PostgREST
  -- would say application/json): a link answers its own type (issue #17).
  PERFORM opendata._set_content_type('application/vnd.oai.openapi+json;version=3.0');
  RETURN json_build_object(
    'openapi', '3.0.3',
    'info', (SELECT json_build_object('title', c.title, 'description', c.description, 'version', opendata.version())
               FROM opendata.catalog c),
    'servers', json_build_array(json_build_object('url', b)),
    'paths', jsonb_build_object(
      '/', jsonb_build_object('get', jsonb_build_object('summary', 'Landing page', 'operationId', 'getLandingPage',
                                                        'responses', jsonb_build_object('200', json_ok))),
      '/conformance', jsonb_build_object('get', jsonb_build_object('summary', 'Conformance classes',
                                                                   'operationId', 'getConformance',
                                                                   'responses', jsonb_build_object('200', json_ok))),
      '/api', jsonb_build_object('get', jsonb_build_object('summary', 'This document', 'operationId', 'getAPI',
                                                           'responses', jsonb_build_object('200', json_ok))),
      '/collections', jsonb_build_object('get', jsonb_build_object('summary', 'Feature collections',
                                                                   'operationId', 'getCollections',
                                                                   'responses', jsonb_build_object('200', json_ok))),
      '/collections/{collectionId}', jsonb_build_object('get', jsonb_build_object(
         'summary', 'One feature collection', 'operationId', 'describeCollection',
         'parameters', jsonb_build_array(collection_id),
         'responses', jsonb_build_object('200', json_ok, '404', '{"description": "Not found"}'::jsonb))),
      '/collections/{collectionId}/items', jsonb_build_object('get', jsonb_build_object(
         'summary', 'Features of a collection', 'operationId', 'getFeatures',
         'parameters', jsonb_build_array(
           collection_id,
           jsonb_build_object('name', 'limit', 'in', 'query', 'required', false, 'style', 'form', 'explode', false,
                              'schema', jsonb_build_object('type', 'integer', 'minimum', 1,
                                                           'maximum', max_limit, 'default', least(10, max_limit))),
           '{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
             "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}}'::jsonb,
           '{"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
             "schema": {"type": "string"}}'::jsonb),
         'responses', jsonb_build_object('200', geojson_ok, '400', '{"description": "Bad request"}'::jsonb,
                                         '404', '{"description": "Not found"}'::jsonb))),
      '/collections/{collectionId}/items/{featureId}', jsonb_build_object('get', jsonb_build_object(
         'summary', 'One feature', 'operationId', 'getFeature',
         'parameters', jsonb_build_array(collection_id,
           '{"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}}'::jsonb),
         'responses', jsonb_build_object('200', geojson_ok, '404', '{"description": "Not found"}'::jsonb)))));
END
$$;
COMMENT ON FUNCTION opendata_api.ogc_api(text) IS 'OGC API - Features: the API definition (OpenAPI 3.0)';

CREATE FUNCTION opendata_api.ogc_collections(f text DEFAULT NULL) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT opendata._ogc_check_format(f);
  SELECT json_build_object(
    'links', json_build_array(
      opendata._ogc_link(opendata._ogc_base() || '/collections', 'self', 'application/json', 'This document')),
    'collections', coalesce((SELECT jsonb_agg(opendata._ogc_collection_json(d) ORDER BY d.slug)
                               FROM opendata._ogc_datasets() d), '[]'::jsonb))
$$;
COMMENT ON FUNCTION opendata_api.ogc_collections(text) IS 'OGC API - Features: the collections the caller can read';

CREATE FUNCTION opendata._ogc_dataset(collection text) RETURNS record
LANGUAGE plpgsql STABLE AS $$
DECLARE
  ds record;
BEGIN
  SELECT * INTO ds FROM opendata._ogc_datasets(collection);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'collection "%" does not exist', collection
      USING ERRCODE = '42P01', HINT = 'GET /ogc/collections lists the collections.';
  END IF;
  RETURN ds;
END
$$;

CREATE FUNCTION opendata_api.ogc_collection(collection text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT opendata._ogc_collection_json(opendata._ogc_dataset(collection))::json;
$$;
COMMENT ON FUNCTION opendata_api.ogc_collection(text) IS 'OGC API - Features: one collection';

-- A page of records as GeoJSON features.
CREATE FUNCTION opendata._ogc_features(page json, geometry_field text, key_field text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('type', 'Feature',
                                               'id', CASE WHEN key_field IS NOT NULL THEN r -> key_field END))
                            || jsonb_build_object('geometry', r -> geometry_field,
                                                  'properties', r - geometry_field)
                            ORDER BY o), '[]'::jsonb)
    FROM jsonb_array_elements((page -> 'results')::jsonb) WITH ORDINALITY AS a(r, o)
$$;

-- ODSQL text of a WGS 84 number checked by the caller (no exponent).
CREATE FUNCTION opendata._ogc_number(v text, what text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n numeric;
BEGIN
  BEGIN
    n := v::float8::numeric;
  EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
    n := NULL;
  END;
  IF n IS NULL THEN
    RAISE EXCEPTION 'invalid number "%" in %', v, what USING ERRCODE = '22023';
  END IF;
  RETURN n::text;
END
$$;

-- A field name as ODSQL writes it: back-quoted, an inner back-quote doubled
-- (src/core/backquote.hpp), so the filters below hold for any column name.
CREATE FUNCTION opendata._odsql_field(name text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'opendata_odsql_field';

-- An ISO 8601 date or date-time of a datetime= parameter, as an ODSQL
-- date literal.
CREATE FUNCTION opendata._ogc_instant(v text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v !~ '^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$' THEN
    RAISE EXCEPTION 'invalid datetime "%"', v
      USING ERRCODE = '22023', HINT = 'Give a date, a date-time (RFC 3339) or an interval start/end, with .. for an open end.';
  END IF;
  RETURN format('date''%s''', regexp_replace(upper(replace(v, ' ', 'T')), 'Z$', '+00:00'));
END
$$;

-- GET /ogc/collections/{id}/items.  `query` is the request's query string
-- (by default the X-Ogc-Query header nginx sets): limit, bbox, datetime,
-- f, and any other name=value as an equality filter on that property;
-- `after` and `offset` come from next links.
CREATE FUNCTION opendata_api.ogc_items(collection text, query text DEFAULT NULL)
RETURNS opendata_api."application/geo+json"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  ds record;
  q text := coalesce(query, opendata._request_header('X-Ogc-Query'), '');
  p record;
  lim int := 10;
  max_limit int := coalesce(current_setting('opendata.max_page_size', true)::int, 100);
  start_at int := 0;
  token text;
  conditions text[] := '{}';
  refines text[] := '{}';
  keep text := '';  -- the query string of the links, without paging
  parts text[];
  page json;
  features jsonb;
  items text;
  links jsonb;
  out jsonb;
BEGIN
  ds := opendata._ogc_dataset(collection);
  items := opendata._ogc_base() || '/collections/' || opendata._url_encode(ds.slug) || '/items';
  FOR p IN SELECT * FROM opendata._query_params(q) ORDER BY ord LOOP
    CASE p.name
      WHEN 'limit' THEN
        IF p.value !~ '^\d{1,9}$' OR p.value::int < 1 THEN
          RAISE EXCEPTION 'limit must be a positive integer, not "%"', p.value USING ERRCODE = '22023';
        END IF;
        lim := least(p.value::int, max_limit);
      WHEN 'offset' THEN
        IF p.value !~ '^\d{1,9}$' THEN
          RAISE EXCEPTION 'offset must be zero or a positive integer, not "%"', p.value USING ERRCODE = '22023';
        END IF;
        start_at := p.value::int;
      WHEN 'after' THEN
        token := p.value;
      WHEN 'f' THEN
        PERFORM opendata._ogc_check_format(p.value);
      WHEN 'bbox' THEN
        parts := string_to_array(p.value, ',');
        IF cardinality(parts) = 6 THEN
          parts := ARRAY[parts[1], parts[2], parts[4], parts[5]];
        ELSIF cardinality(parts) IS DISTINCT FROM 4 THEN
          RAISE EXCEPTION 'bbox must have 4 or 6 numbers, not "%"', p.value USING ERRCODE = '22023';
        END IF;
        -- in_bbox() takes latitude first.
        conditions := conditions || format('in_bbox(%s, %s, %s, %s, %s)', opendata._odsql_field(ds.geometry_field),
          opendata._ogc_number(parts[2], 'bbox'), opendata._ogc_number(parts[1], 'bbox'),
          opendata._ogc_number(parts[4], 'bbox'), opendata._ogc_number(parts[3], 'bbox'));
        keep := keep || '&bbox=' || opendata._url_encode(p.value);
      WHEN 'datetime' THEN
        IF ds.temporal_field IS NOT NULL THEN
          parts := string_to_array(p.value, '/');
          IF cardinality(parts) = 1 THEN
            conditions := conditions || format('%1$s >= %2$s and %1$s <= %2$s', opendata._odsql_field(ds.temporal_field),
                                               opendata._ogc_instant(parts[1]));
          ELSIF cardinality(parts) = 2 THEN
            IF parts[1] NOT IN ('', '..') THEN
              conditions := conditions || format('%s >= %s', opendata._odsql_field(ds.temporal_field),
                                                 opendata._ogc_instant(parts[1]));
            END IF;
            IF parts[2] NOT IN ('', '..') THEN
              conditions := conditions || format('%s <= %s', opendata._odsql_field(ds.temporal_field),
                                                 opendata._ogc_instant(parts[2]));
            END IF;
          ELSE
            RAISE EXCEPTION 'invalid datetime "%"', p.value USING ERRCODE = '22023';
          END IF;
        END IF;
        keep := keep || '&datetime=' || opendata._url_encode(p.value);
      WHEN 'bbox-crs', 'crs' THEN
        IF p.value NOT IN ('http://www.opengis.net/def/crs/OGC/1.3/CRS84', 'http://www.opengis.net/def/crs/EPSG/0/4326') THEN
          RAISE EXCEPTION 'unsupported crs "%"', p.value
            USING ERRCODE = '22023', HINT = 'Coordinates are in CRS84 (WGS 84, longitude first).';
        END IF;
      ELSE
        -- A property equality filter, as a refine (field:value).
        refines := refines || (p.name || ':' || p.value);
        keep := keep || '&' || opendata._url_encode(p.name) || '=' || opendata._url_encode(p.value);
    END CASE;
  END LOOP;
  page := opendata_api.records(ds.slug, NULL,
                               CASE WHEN cardinality(conditions) > 0 THEN array_to_string(conditions, ' and ') END,
                               NULL, NULL, lim, start_at,
                               CASE WHEN cardinality(refines) > 0 THEN refines END,
                               NULL, 'fr', 'UTC', token);
  features := opendata._ogc_features(page, ds.geometry_field, ds.key_field);
  links := jsonb_build_array(opendata._ogc_link(
             items || '?limit=' || lim || keep
               || CASE WHEN token IS NOT NULL THEN '&after=' || opendata._url_encode(token) ELSE '' END
               || CASE WHEN start_at > 0 THEN '&offset=' || start_at ELSE '' END,
             'self', 'application/geo+json', 'This page'),
           opendata._ogc_link(opendata._ogc_base() || '/collections/' || opendata._url_encode(ds.slug),
                              'collection', 'application/json', 'The collection'));
  IF page ->> 'next_after' IS NOT NULL THEN
    links := links || opendata._ogc_link(items || '?limit=' || lim || keep || '&after='
                                         || opendata._url_encode(page ->> 'next_after'),
                                         'next', 'application/geo+json', 'Next page');
  ELSIF jsonb_array_length(features) = lim AND ds.key_field IS NULL AND token IS NULL
        AND (page ->> 'total_count')::bigint > start_at + lim THEN
    links := links || opendata._ogc_link(items || '?limit=' || lim || keep || '&offset=' || (start_at + lim),
                                         'next', 'application/geo+json', 'Next page');
  END IF;
  out := jsonb_build_object('type', 'FeatureCollection', 'features', features);
  IF NOT coalesce((page ->> 'total_count_estimated')::boolean, false) THEN
    out := out || jsonb_build_object('numberMatched', (page ->> 'total_count')::bigint);
  END IF;
  out := out || jsonb_build_object('numberReturned', jsonb_array_length(features),
                                   'timeStamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                   'links', links);
  RETURN out::text;
END
$$;
COMMENT ON FUNCTION opendata_api.ogc_items(text, text) IS
  'OGC API - Features: a page of a collection''s features (GeoJSON), filtered by bbox, datetime and properties';

-- GET /ogc/collections/{id}/items/{fid}: the feature whose key is fid;
-- 404 (response.status) with an OGC exception body when there is none.
CREATE FUNCTION opendata_api.ogc_item(collection text, fid text)
RETURNS opendata_api."application/geo+json"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  ds record;
  page json;
  features jsonb;
  base text;
BEGIN
  ds := opendata._ogc_dataset(collection);
  base := opendata._ogc_base() || '/collections/' || opendata._url_encode(ds.slug);
  IF ds.key_field IS NOT NULL THEN
    BEGIN
      page := opendata_api.records(ds.slug, NULL, NULL, NULL, NULL, 2, 0, ARRAY[ds.key_field || ':' || fid]);
      features := opendata._ogc_features(page, ds.geometry_field, ds.key_field);
    EXCEPTION WHEN invalid_parameter_value OR invalid_text_representation OR invalid_datetime_format
                   OR datetime_field_overflow OR numeric_value_out_of_range THEN
      features := NULL;  -- not a value of the key's type: no such feature
    END;
  END IF;
  IF features IS NULL OR jsonb_array_length(features) <> 1 THEN
    PERFORM set_config('response.status', '404', true);
    RETURN json_build_object('code', 'NotFound',
                             'description', format('feature "%s" not found in collection "%s"', fid, ds.slug))::text;
  END IF;
  RETURN (features -> 0 || jsonb_build_object('links', jsonb_build_array(
            opendata._ogc_link(base || '/items/' || opendata._url_encode(fid), 'self', 'application/geo+json', 'This feature'),
            opendata._ogc_link(base, 'collection', 'application/json', 'The collection'))))::text;
END
$$;
COMMENT ON FUNCTION opendata_api.ogc_item(text, text) IS 'OGC API - Features: one feature, by its key';
