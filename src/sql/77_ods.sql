-- Opendatasoft Explore API v2.1 compatibility (docs/ods-compatibility.md).
--
-- nginx maps Explore's URL space to these functions
-- (deploy/nginx/locations/ods.conf), under /api/explore/v2.1:
--   /catalog/datasets                           ods_catalog_datasets()
--   /catalog/facets                             ods_catalog_facets()
--   /catalog/exports/{format}                   ods_catalog_export(format)
--   /catalog/datasets/{id}                      ods_dataset(dataset_id)
--   /catalog/datasets/{id}/records              ods_records(dataset_id)
--   /catalog/datasets/{id}/records/{record_id}  ods_record(dataset_id, record_id)
--   /catalog/datasets/{id}/facets               ods_facets(dataset_id)
--   /catalog/datasets/{id}/exports/{format}     ods_export(dataset_id, format)
-- Explore's parameter names include select, limit and offset, which
-- PostgREST reads from a query string itself: nginx passes the query
-- string whole, still percent-encoded, in the header X-Ods-Query (or a
-- caller gives it as the `query` argument), as for OGC API items.
--
-- Everything is answered by the functions apps already call: records(),
-- facets(), search(), download().  Errors that a client caused (SQLSTATE
-- classes 22, 42 and 0A) come back as Explore's error body,
-- {"error_code": ..., "message": ...}, with the status PostgREST would give;
-- other errors are left to PostgREST.

-- The query string of the request: the argument, else nginx's header.
CREATE FUNCTION opendata._ods_query(query text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(query, opendata._request_header('X-Ods-Query'), '')
$$;

-- Explore's parameters as one object: each name once (the last value
-- wins, as in Explore), the repeatable ones (refine, exclude, facet) as
-- arrays in their order.  Names Explore ignores are kept and ignored too.
CREATE FUNCTION opendata._ods_params(query text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(p.name, p.v), '{}')
    FROM (SELECT q.name,
                 CASE WHEN q.name IN ('refine', 'exclude', 'facet') THEN jsonb_agg(q.value ORDER BY q.ord)
                      ELSE to_jsonb((array_agg(q.value ORDER BY q.ord DESC))[1]) END AS v
            FROM opendata._query_params(query) q
           GROUP BY q.name) p
$$;

-- A repeatable parameter as a text array (NULL when absent).
CREATE FUNCTION opendata._ods_list(params jsonb, name text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN params ? name THEN ARRAY(SELECT jsonb_array_elements_text(params -> name)) END
$$;

-- An integer parameter of at least `minimum`, or its default.
CREATE FUNCTION opendata._ods_int(params jsonb, name text, default_value int, minimum int) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v text := params ->> name;
BEGIN
  IF v IS NULL OR v = '' THEN
    RETURN default_value;
  END IF;
  IF v !~ '^\s*-?\d{1,9}\s*$' OR v::int < minimum THEN
    RAISE EXCEPTION '% must be an integer of at least %, not "%"', name, minimum, v USING ERRCODE = '22023';
  END IF;
  RETURN v::int;
END
$$;

-- A boolean parameter (Explore writes true/false), or its default.
CREATE FUNCTION opendata._ods_bool(params jsonb, name text, default_value boolean) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v text := lower(btrim(params ->> name));
BEGIN
  IF v IS NULL OR v = '' THEN
    RETURN default_value;
  END IF;
  IF v NOT IN ('true', 'false', '1', '0', 'yes', 'no') THEN
    RAISE EXCEPTION '% must be true or false, not "%"', name, params ->> name USING ERRCODE = '22023';
  END IF;
  RETURN v IN ('true', '1', 'yes');
END
$$;

-- Explore's error body for an error a client caused, with its status
-- (PostgREST's mapping: 42P01 404, 42501 403, the rest 400).
CREATE FUNCTION opendata._ods_error(sqlstate text, message text, hint text) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
  SELECT set_config('response.status',
                    CASE sqlstate WHEN '42P01' THEN '404' WHEN '42501' THEN '403' ELSE '400' END, true),
         set_config('response.headers', '[{"Content-Type": "application/json; charset=utf-8"}]', true);
  SELECT jsonb_strip_nulls(jsonb_build_object(
           'error_code', CASE WHEN sqlstate = '42P01' THEN 'NotFound'
                              WHEN sqlstate = '42501' THEN 'AuthorizationError'
                              WHEN sqlstate LIKE '42%' THEN 'ODSQLError'
                              ELSE 'InvalidRESTParameterError' END,
           'message', message,
           'hint', nullif(hint, ''),
           'sqlstate', sqlstate))
$$;

-- One dataset of opendata_api.datasets (as jsonb) as Explore's dataset
-- object: dataset_id, has_records, features, fields, metas.default.
CREATE FUNCTION opendata._ods_dataset(d jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'dataset_id', d ->> 'dataset_id',
    'dataset_uid', d ->> 'dataset_id',
    'has_records', coalesce((d ->> 'records_count')::bigint, 0) > 0,
    'data_visible', true,
    'visibility', CASE WHEN d ->> 'access' = 'public' THEN 'domain' ELSE 'restricted' END,
    'features', to_jsonb(array_remove(ARRAY[
        'analyze',
        CASE WHEN (d ->> 'has_geometry')::boolean THEN 'geo' END,
        CASE WHEN EXISTS (SELECT FROM jsonb_array_elements(d -> 'fields') f
                           WHERE f ->> 'type' IN ('date', 'datetime')) THEN 'timeserie' END], NULL)),
    'attachments', '[]'::jsonb,
    'alternative_exports', '[]'::jsonb,
    'fields', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'name', f ->> 'name',
                 'label', coalesce(f ->> 'label', f ->> 'name'),
                 'type', f ->> 'type',
                 'description', f -> 'description',
                 'annotations', jsonb_strip_nulls(jsonb_build_object(
                    'facet', CASE WHEN (f ->> 'facet')::boolean THEN '[]'::jsonb END,
                    'sortable', CASE WHEN (f ->> 'sortable')::boolean THEN '[]'::jsonb END,
                    'unit', f -> 'unit'))) ORDER BY o), '[]')
                 FROM jsonb_array_elements(d -> 'fields') WITH ORDINALITY AS x(f, o)),
    'metas', jsonb_build_object('default', jsonb_build_object(
        'title', d -> 'title',
        'description', d -> 'description',
        'theme', d -> 'themes',
        'keyword', d -> 'keywords',
        'license', d -> 'license',
        'license_url', d -> 'license_url',
        'language', d -> 'language' -> 0,
        'publisher', d -> 'publisher',
        'territory', d -> 'spatial' -> 'label',
        'modified', d -> 'modified',
        'data_processed', d -> 'modified',
        'metadata_processed', d -> 'modified',
        'records_count', d -> 'records_count',
        'attributions', d -> 'attributions',
        'federated', false,
        'timezone', NULL)))
$$;

-- The dataset object of one published dataset the caller can read.
CREATE FUNCTION opendata._ods_dataset_by_id(dataset_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  d jsonb;
BEGIN
  SELECT to_jsonb(v) INTO d FROM opendata_api.datasets v
   WHERE v.dataset_id = $1 AND v.status = 'published';
  IF d IS NULL THEN
    RAISE EXCEPTION 'unknown dataset: %', $1 USING ERRCODE = '42P01';
  END IF;
  RETURN opendata._ods_dataset(d);
END
$$;

-- A catalog query: Explore's catalog where is a full-text search, given
-- as a quoted string or search("..."); order_by, refine and exclude name
-- catalog facets and keys, with or without the "default." prefix.
CREATE FUNCTION opendata._ods_catalog_search(params jsonb, rows int, start int, facet text[]) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  w text := btrim(params ->> 'where');
  m text[];
  q text;
BEGIN
  IF w IS NOT NULL AND w <> '' THEN
    m := regexp_match(w, '^(?:search\s*\(\s*)?("(?:[^"\\]|\\.)*"|''(?:[^''\\]|\\.)*'')(?:\s*\))?$', 'i');
    IF m IS NULL THEN
      RAISE EXCEPTION 'unsupported catalog where: %', w
        USING ERRCODE = '42601',
              HINT = 'The catalog''s where is a full-text search ("words" or search("words")); refine by theme, keyword, publisher, license, territory or modified.';
    END IF;
    q := regexp_replace(substr(m[1], 2, length(m[1]) - 2), '\\(.)', '\1', 'g');
  END IF;
  RETURN opendata_api.search(
    q,
    ARRAY(SELECT regexp_replace(x, '^default\.', '') FROM unnest(opendata._ods_list(params, 'refine')) x),
    ARRAY(SELECT regexp_replace(x, '^default\.', '') FROM unnest(opendata._ods_list(params, 'exclude')) x),
    facet,
    regexp_replace(params ->> 'order_by', '^\s*default\.', ''),
    rows, start,
    coalesce(params ->> 'lang', 'fr'))::jsonb;
END
$$;

-- select= on catalog results: a comma-separated list of keys of the
-- dataset object to keep.
CREATE FUNCTION opendata._ods_select_keys(obj jsonb, select_list text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  k text;
  out jsonb := '{}';
BEGIN
  IF select_list IS NULL OR btrim(select_list) IN ('', '*') THEN
    RETURN obj;
  END IF;
  FOREACH k IN ARRAY string_to_array(select_list, ',') LOOP
    k := btrim(k);
    IF NOT obj ? k THEN
      RAISE EXCEPTION 'unknown field "%" in select', k
        USING ERRCODE = '42703',
              HINT = 'The catalog selects keys of the dataset object: dataset_id, has_records, features, fields, metas, ...';
    END IF;
    out := out || jsonb_build_object(k, obj -> k);
  END LOOP;
  RETURN out;
END
$$;

-- GET /catalog/datasets
CREATE FUNCTION opendata._ods_catalog_datasets(params jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  s jsonb := opendata._ods_catalog_search(params, opendata._ods_int(params, 'limit', 10, 0),
                                          opendata._ods_int(params, 'offset', 0, 0), '{}');
BEGIN
  RETURN jsonb_build_object(
    'total_count', s -> 'total_count',
    'results', (SELECT coalesce(jsonb_agg(opendata._ods_select_keys(opendata._ods_dataset(r), params ->> 'select')
                                          ORDER BY o), '[]')
                  FROM jsonb_array_elements(s -> 'results') WITH ORDINALITY AS x(r, o)));
END
$$;

CREATE FUNCTION opendata_api.ods_catalog_datasets(query text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  msg text; hint text; state text;
BEGIN
  RETURN opendata._ods_catalog_datasets(opendata._ods_params(opendata._ods_query(query)))::json;
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_catalog_datasets(text) IS
  'Explore v2.1 GET /catalog/datasets: the datasets the caller can read, {"total_count", "results"}; query is the query string (default: the X-Ods-Query header)';

-- GET /catalog/facets
CREATE FUNCTION opendata_api.ods_catalog_facets(query text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  params jsonb;
  msg text; hint text; state text;
BEGIN
  params := opendata._ods_params(opendata._ods_query(query));
  RETURN jsonb_build_object('facets',
           opendata._ods_catalog_search(params, 0, 0,
             ARRAY(SELECT regexp_replace(x, '^default\.', '') FROM unnest(opendata._ods_list(params, 'facet')) x)
               -- no facet= asks for all of them
               || CASE WHEN params ? 'facet' THEN NULL ELSE opendata._search_facet_names() END)
           -> 'facets')::json;
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_catalog_facets(text) IS
  'Explore v2.1 GET /catalog/facets: value counts of the catalog facets (theme, keyword, publisher, license, territory, modified)';

-- GET /catalog/datasets/{id}
CREATE FUNCTION opendata_api.ods_dataset(dataset_id text, query text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  msg text; hint text; state text;
BEGIN
  RETURN opendata._ods_select_keys(opendata._ods_dataset_by_id(dataset_id),
                                   opendata._ods_params(opendata._ods_query(query)) ->> 'select')::json;
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_dataset(text, text) IS
  'Explore v2.1 GET /catalog/datasets/{dataset_id}: one dataset object (dataset_id, has_records, features, fields, metas)';

-- GET /catalog/datasets/{id}/records: records() with Explore's names.
-- Explore caps limit at 100 and offset + limit at 10,000; here limit is
-- capped by opendata.max_page_size and offset not at all.  records()'
-- links point at /rpc/records, not at Explore's URLs: an Explore client
-- gets the answer without them (next_after stays: the after parameter
-- takes it).
CREATE FUNCTION opendata._ods_records(dataset_id text, params jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT opendata_api.records(dataset_id,
                              params ->> 'select', params ->> 'where', params ->> 'group_by', params ->> 'order_by',
                              opendata._ods_int(params, 'limit', 10, 0), opendata._ods_int(params, 'offset', 0, 0),
                              opendata._ods_list(params, 'refine'), opendata._ods_list(params, 'exclude'),
                              coalesce(params ->> 'lang', 'fr'), coalesce(params ->> 'timezone', 'UTC'),
                              params ->> 'after')::jsonb - 'links'
$$;

CREATE FUNCTION opendata_api.ods_records(dataset_id text, query text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  msg text; hint text; state text;
BEGIN
  RETURN opendata._ods_records(dataset_id, opendata._ods_params(opendata._ods_query(query)))::json;
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_records(text, text) IS
  'Explore v2.1 GET /catalog/datasets/{dataset_id}/records: {"total_count", "results"} under select, where, group_by, order_by, limit, offset, refine, exclude';

-- GET /catalog/datasets/{id}/records/{record_id}: the record whose key
-- (a dataset's one-field key) is record_id; 404 when there is none.
CREATE FUNCTION opendata._ods_record(dataset_id text, record_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  key_field text;
  page jsonb;
BEGIN
  PERFORM opendata._ods_dataset_by_id(dataset_id);
  SELECT d.key_fields[1] INTO key_field FROM opendata.datasets d
   WHERE d.slug = dataset_id AND cardinality(d.key_fields) = 1;
  IF key_field IS NOT NULL THEN
    BEGIN
      page := opendata_api.records(dataset_id, NULL, NULL, NULL, NULL, 2, 0, ARRAY[key_field || ':' || record_id])::jsonb;
    EXCEPTION WHEN invalid_parameter_value OR invalid_text_representation OR invalid_datetime_format
                   OR datetime_field_overflow OR numeric_value_out_of_range OR undefined_column THEN
      page := NULL;  -- not a value of the key's type, or a hidden key: no such record
    END;
  END IF;
  IF key_field IS NULL THEN
    RAISE EXCEPTION 'unknown record: %', record_id USING ERRCODE = '42P01',
      HINT = 'Records are found by key; this dataset has no one-field key.';
  END IF;
  IF page IS NULL OR jsonb_array_length(page -> 'results') <> 1 THEN
    RAISE EXCEPTION 'unknown record: %', record_id USING ERRCODE = '42P01';
  END IF;
  RETURN page -> 'results' -> 0;
END
$$;

CREATE FUNCTION opendata_api.ods_record(dataset_id text, record_id text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  msg text; hint text; state text;
BEGIN
  RETURN opendata._ods_record(dataset_id, record_id)::json;
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_record(text, text) IS
  'Explore v2.1 GET /catalog/datasets/{dataset_id}/records/{record_id}: one record, by the dataset''s key';

-- GET /catalog/datasets/{id}/facets
CREATE FUNCTION opendata_api.ods_facets(dataset_id text, query text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  params jsonb;
  msg text; hint text; state text;
BEGIN
  params := opendata._ods_params(opendata._ods_query(query));
  RETURN opendata_api.facets(dataset_id, opendata._ods_list(params, 'facet'), params ->> 'where',
                             opendata._ods_list(params, 'refine'), opendata._ods_list(params, 'exclude'),
                             coalesce(params ->> 'lang', 'fr'), coalesce(params ->> 'timezone', 'UTC'));
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_facets(text, text) IS
  'Explore v2.1 GET /catalog/datasets/{dataset_id}/facets: value counts of facet fields under where, refine and exclude';

-- The export options of Explore's parameters: delimiter, list_separator,
-- with_bom, quote_all, use_labels (CSV); epsg must be 4326 (GeoJSON and
-- every export here are WGS 84); compressed is not offered.
CREATE FUNCTION opendata._ods_export_options(format text, params jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  opts jsonb := '{}';
BEGIN
  IF coalesce(params ->> 'epsg', '4326') <> '4326' THEN
    RAISE EXCEPTION 'unsupported epsg "%"', params ->> 'epsg'
      USING ERRCODE = '0A000', HINT = 'Exports are in WGS 84 (EPSG:4326).';
  END IF;
  IF opendata._ods_bool(params, 'compressed', false) THEN
    RAISE EXCEPTION 'compressed exports are not offered'
      USING ERRCODE = '0A000', HINT = 'Ask for Content-Encoding: gzip from the web server instead.';
  END IF;
  IF lower(format) = 'csv' THEN
    IF params ? 'delimiter' THEN opts := opts || jsonb_build_object('delimiter', params ->> 'delimiter'); END IF;
    IF params ? 'list_separator' THEN opts := opts || jsonb_build_object('list_separator', params ->> 'list_separator'); END IF;
    opts := opts || jsonb_build_object('bom', opendata._ods_bool(params, 'with_bom', true),
                                       'quote_all', opendata._ods_bool(params, 'quote_all', false),
                                       'header', CASE WHEN opendata._ods_bool(params, 'use_labels', false)
                                                      THEN 'label' ELSE 'name' END);
  ELSIF params ? 'delimiter' OR params ? 'with_bom' OR params ? 'quote_all' OR params ? 'list_separator' THEN
    RAISE EXCEPTION 'delimiter, list_separator, with_bom and quote_all apply to csv only' USING ERRCODE = '22023';
  END IF;
  RETURN CASE WHEN opts = '{}' THEN NULL ELSE opts END;
END
$$;

-- GET /catalog/datasets/{id}/exports/{format}: download(), whatever the
-- Accept header; bytes, as download() answers (Parquet is a file).  limit=-1 (Explore's default for exports) is every row.
CREATE FUNCTION opendata_api.ods_export(dataset_id text, format text, query text DEFAULT NULL)
RETURNS opendata."*/*"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  params jsonb;
  lim int;
  msg text; hint text; state text;
BEGIN
  params := opendata._ods_params(opendata._ods_query(query));
  lim := opendata._ods_int(params, 'limit', -1, -1);
  RETURN opendata_api.download(dataset_id, format, params ->> 'select', params ->> 'where',
                               params ->> 'group_by', params ->> 'order_by',
                               CASE WHEN lim >= 0 THEN lim END, opendata._ods_int(params, 'offset', 0, 0),
                               opendata._ods_list(params, 'refine'), opendata._ods_list(params, 'exclude'),
                               coalesce(params ->> 'lang', 'fr'), coalesce(params ->> 'timezone', 'UTC'),
                               opendata._ods_export_options(format, params));
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN convert_to(opendata._ods_error(state, msg, hint)::text, 'UTF8');
END
$$;
COMMENT ON FUNCTION opendata_api.ods_export(text, text, text) IS
  'Explore v2.1 GET /catalog/datasets/{dataset_id}/exports/{format}: the records as a file (csv, json, jsonl, geojson), whatever the Accept header';

-- GET /catalog/exports/{format}: the catalog as a file.  json is the
-- dataset objects the caller can read; rdf/ttl/dcat are the DCAT-AP
-- catalog (docs/dcat.md).
CREATE FUNCTION opendata._ods_catalog_export(format text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  media text;
  body text;
BEGIN
  CASE lower(format)
    WHEN 'json' THEN
      media := 'application/json; charset=utf-8';
      SELECT coalesce(jsonb_agg(opendata._ods_dataset(to_jsonb(v)) ORDER BY v.dataset_id), '[]')::text INTO body
        FROM opendata_api.datasets v WHERE v.status = 'published';
    WHEN 'ttl', 'turtle' THEN
      media := 'text/turtle; charset=utf-8';
      body := opendata_api.catalog_dcat('turtle', 1, 1000);
    WHEN 'rdf', 'dcat' THEN
      media := 'application/rdf+xml; charset=utf-8';
      body := opendata_api.catalog_dcat('rdfxml', 1, 1000);
    WHEN 'jsonld' THEN
      media := 'application/ld+json; charset=utf-8';
      body := opendata_api.catalog_dcat('jsonld', 1, 1000);
    ELSE
      RAISE EXCEPTION 'unknown catalog export format "%"', format
        USING ERRCODE = '22023', HINT = 'The catalog exports are json, ttl, rdf (or dcat) and jsonld.';
  END CASE;
  PERFORM set_config('response.headers', json_build_array(json_build_object('Content-Type', media))::text, true);
  RETURN body;
END
$$;

CREATE FUNCTION opendata_api.ods_catalog_export(format text)
RETURNS opendata_api."*/*"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  msg text; hint text; state text;
BEGIN
  RETURN opendata._ods_catalog_export(format);
EXCEPTION WHEN data_exception OR syntax_error_or_access_rule_violation OR feature_not_supported THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT, state = RETURNED_SQLSTATE;
  RETURN opendata._ods_error(state, msg, hint)::text;
END
$$;
COMMENT ON FUNCTION opendata_api.ods_catalog_export(text) IS
  'Explore v2.1 GET /catalog/exports/{format}: the catalog as a file (json dataset objects, or DCAT-AP in ttl, rdf, jsonld)';
