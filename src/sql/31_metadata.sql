-- Describing datasets and fields: DCAT-AP metadata, validated key by key.

CREATE FUNCTION opendata._organization_id(org_slug text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  org bigint;
BEGIN
  SELECT id INTO org FROM opendata.organizations WHERE slug = org_slug;
  IF org IS NULL THEN
    RAISE EXCEPTION 'organization "%" does not exist', org_slug
      USING ERRCODE = '22023',
            HINT = 'Create it with opendata.create_organization(slug, name).';
  END IF;
  RETURN org;
END
$$;

CREATE FUNCTION opendata._bad_value(key text, detail text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RAISE EXCEPTION 'invalid value for metadata key "%"', key USING ERRCODE = '22023', DETAIL = detail;
END
$$;

-- A JSON string, or an array of strings, as a text array.
CREATE FUNCTION opendata._text_list(key text, value jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(value) = 'string' THEN
    RETURN ARRAY[value->>0];
  END IF;
  IF jsonb_typeof(value) <> 'array'
     OR EXISTS (SELECT FROM jsonb_array_elements(value) e WHERE jsonb_typeof(e) <> 'string') THEN
    PERFORM opendata._bad_value(key, 'Expected a string or an array of strings.');
  END IF;
  RETURN ARRAY(SELECT e FROM jsonb_array_elements_text(value) e);
END
$$;

-- A JSON array of strings (a list key documented as an array).
CREATE FUNCTION opendata._text_array(key text, value jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(value) <> 'array' THEN
    PERFORM opendata._bad_value(key, format('Expected an array of strings, got %s.', jsonb_typeof(value)));
  END IF;
  RETURN opendata._text_list(key, value);
END
$$;

-- The members of an object-valued key that must be strings.
CREATE FUNCTION opendata._string_members(key text, value jsonb, members text[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  m text;
BEGIN
  FOREACH m IN ARRAY members LOOP
    IF value ? m AND jsonb_typeof(value->m) <> 'string' THEN
      PERFORM opendata._bad_value(key, format('"%s" must be a string, got %s.', m, jsonb_typeof(value->m)));
    END IF;
  END LOOP;
END
$$;

CREATE FUNCTION opendata._string(key text, value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(value) = 'null' THEN
    RETURN NULL;
  END IF;
  IF jsonb_typeof(value) <> 'string' THEN
    PERFORM opendata._bad_value(key, format('Expected a string, got %s.', jsonb_typeof(value)));
  END IF;
  RETURN value->>0;
END
$$;

CREATE FUNCTION opendata._url(key text, value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  url text := opendata._string(key, value);
BEGIN
  IF url IS NOT NULL AND url !~ '^https?://[^\s/]+\S*$' THEN
    PERFORM opendata._bad_value(key, format('"%s" is not an http(s) URL.', url));
  END IF;
  RETURN url;
END
$$;

-- EU "frequency" authority table codes accepted for accrual_periodicity.
CREATE FUNCTION opendata._frequencies() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['CONT', 'UPDATE_CONT', 'HOURLY', 'DAILY', 'WEEKLY', 'BIWEEKLY', 'MONTHLY',
               'BIMONTHLY', 'QUARTERLY', 'ANNUAL', 'BIENNIAL', 'TRIENNIAL', 'IRREG', 'NEVER',
               'OTHER', 'UNKNOWN']
$$;

CREATE FUNCTION opendata._metadata_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['title', 'description', 'themes', 'keywords', 'license', 'publisher',
               'contact_point', 'landing_page', 'language', 'spatial', 'temporal',
               'accrual_periodicity', 'attributions', 'access', 'key']
$$;

-- A dataset's row with metadata applied, written nowhere: every key is
-- checked first, so a bad key leaves the dataset as it was.  `fields`:
-- the dataset's field names, which the "key" key may name.  register()
-- inserts the row it returns (one statement: the search index's triggers
-- compute the dataset's search row once); _apply_metadata() updates it.
CREATE FUNCTION opendata._with_metadata(ds opendata.datasets, metadata jsonb, who name, fields text[])
RETURNS opendata.datasets
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  v jsonb;
  bad text[];
  unknown text;
BEGIN
  IF metadata IS NULL OR jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT min(key) INTO unknown FROM jsonb_object_keys(metadata) AS key
   WHERE key <> ALL (opendata._metadata_keys());
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown metadata key "%"', unknown
      USING ERRCODE = '22023',
            HINT = 'Known keys: ' || array_to_string(opendata._metadata_keys(), ', ') || '.';
  END IF;

  FOR k, v IN SELECT * FROM jsonb_each(metadata) LOOP
    -- A JSON null clears a key (lists become empty).  A dataset is never
    -- without a publisher, nor its access: a null must not make a
    -- restricted dataset public.
    IF jsonb_typeof(v) = 'null' THEN
      CASE k
      WHEN 'title' THEN ds.title := NULL;
      WHEN 'description' THEN ds.description := NULL;
      WHEN 'attributions' THEN ds.attributions := NULL;
      WHEN 'landing_page' THEN ds.landing_page := NULL;
      WHEN 'themes' THEN ds.themes := '{}';
      WHEN 'keywords' THEN ds.keywords := '{}';
      WHEN 'license' THEN ds.license_id := NULL;
      WHEN 'contact_point' THEN ds.contact_point := NULL;
      WHEN 'language' THEN ds.language := '{}';
      WHEN 'spatial' THEN ds.spatial := NULL;
      WHEN 'temporal' THEN ds.temporal := NULL;
      WHEN 'accrual_periodicity' THEN ds.accrual_periodicity := NULL;
      WHEN 'access' THEN
        PERFORM opendata._bad_value(k, 'Expected "public" or "restricted"; access cannot be cleared.');
      WHEN 'key' THEN ds.key_fields := '{}';
      WHEN 'publisher' THEN
        PERFORM opendata._bad_value(k, 'A dataset always has a publisher: give another organization slug.');
      END CASE;
      CONTINUE;
    END IF;
    CASE k
    WHEN 'title' THEN
      ds.title := nullif(btrim(opendata._string(k, v)), '');
    WHEN 'description' THEN
      ds.description := nullif(btrim(opendata._string(k, v)), '');
    WHEN 'attributions' THEN
      ds.attributions := opendata._string(k, v);
    WHEN 'landing_page' THEN
      ds.landing_page := opendata._url(k, v);
    WHEN 'themes' THEN
      ds.themes := ARRAY(SELECT DISTINCT upper(t) FROM unnest(opendata._text_array(k, v)) t ORDER BY 1);
      SELECT array_agg(t) INTO bad FROM unnest(ds.themes) t
       WHERE NOT EXISTS (SELECT FROM opendata.themes th WHERE th.code = t);
      IF bad IS NOT NULL THEN
        PERFORM opendata._bad_value(k, format('Unknown theme %s; themes are the EU data theme codes: %s.',
          array_to_string(bad, ', '), (SELECT string_agg(code, ', ' ORDER BY code) FROM opendata.themes)));
      END IF;
    WHEN 'keywords' THEN
      ds.keywords := ARRAY(SELECT DISTINCT btrim(w) FROM unnest(opendata._text_array(k, v)) w
                            WHERE btrim(w) <> '' ORDER BY 1);
    WHEN 'license' THEN
      IF jsonb_typeof(v) <> 'string' THEN
        PERFORM opendata._bad_value(k, format('Expected a licence id (a string), got %s.', jsonb_typeof(v)));
      END IF;
      SELECT l.id INTO ds.license_id FROM opendata.licenses l
       WHERE lower(l.id) = lower(opendata._string(k, v));
      IF ds.license_id IS NULL THEN
        PERFORM opendata._bad_value(k, format('Unknown licence "%s"; known: %s.', v->>0,
          (SELECT string_agg(id, ', ' ORDER BY id) FROM opendata.licenses)));
      END IF;
    WHEN 'publisher' THEN
      IF jsonb_typeof(v) <> 'string' THEN
        PERFORM opendata._bad_value(k, format('Expected an organization slug (a string), got %s.', jsonb_typeof(v)));
      END IF;
      ds.organization_id := opendata._organization_id(opendata._string(k, v));
      IF NOT opendata._can_manage(ds.organization_id, who) THEN
        RAISE EXCEPTION 'permission denied to publish for organization "%"', v->>0 USING ERRCODE = '42501';
      END IF;
    WHEN 'contact_point' THEN
      IF jsonb_typeof(v) = 'string' THEN
        v := jsonb_build_object('email', v->>0);
      END IF;
      IF jsonb_typeof(v) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(v) c WHERE c NOT IN ('name', 'email', 'url'))
         OR NOT (v ? 'email' OR v ? 'url') THEN
        PERFORM opendata._bad_value(k, 'Expected an email, or an object with "name" and at least one of "email" and "url".');
      END IF;
      PERFORM opendata._string_members(k, v, ARRAY['name', 'email', 'url']);
      IF v ? 'email' AND (v->>'email') !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        PERFORM opendata._bad_value(k, format('"%s" is not an email address.', v->>'email'));
      END IF;
      IF v ? 'url' THEN PERFORM opendata._url(k, v->'url'); END IF;
      ds.contact_point := v;
    WHEN 'language' THEN
      ds.language := ARRAY(SELECT lower(l) FROM unnest(opendata._text_list(k, v)) l);
      IF EXISTS (SELECT FROM unnest(ds.language) l WHERE l !~ '^[a-z]{2,3}$') THEN
        PERFORM opendata._bad_value(k, 'Languages are ISO 639 codes such as "fr" or "en".');
      END IF;
    WHEN 'spatial' THEN
      IF jsonb_typeof(v) = 'string' THEN
        v := jsonb_build_object('label', v->>0);
      END IF;
      IF jsonb_typeof(v) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(v) c WHERE c NOT IN ('label', 'uri', 'bbox')) THEN
        PERFORM opendata._bad_value(k, 'Expected a label, or an object with "label", "uri" and/or "bbox" [west, south, east, north].');
      END IF;
      PERFORM opendata._string_members(k, v, ARRAY['label', 'uri']);
      IF v ? 'bbox' AND (jsonb_typeof(v->'bbox') <> 'array' OR jsonb_array_length(v->'bbox') <> 4
                         OR EXISTS (SELECT FROM jsonb_array_elements(v->'bbox') e WHERE jsonb_typeof(e) <> 'number')) THEN
        PERFORM opendata._bad_value(k, '"bbox" is [west, south, east, north] in degrees.');
      END IF;
      ds.spatial := v;
    WHEN 'temporal' THEN
      IF jsonb_typeof(v) <> 'object' OR EXISTS (SELECT FROM jsonb_object_keys(v) c WHERE c NOT IN ('start', 'end'))
         OR NOT (v ? 'start' OR v ? 'end') THEN
        PERFORM opendata._bad_value(k, 'Expected an object with "start" and/or "end" dates (YYYY-MM-DD).');
      END IF;
      PERFORM opendata._string_members(k, v, ARRAY['start', 'end']);
      IF coalesce(v->>'start', '0001-01-01') !~ '^\d{4}-\d{2}-\d{2}$' OR coalesce(v->>'end', '9999-12-31') !~ '^\d{4}-\d{2}-\d{2}$'
         OR opendata._is_valid_date(v->>'start') IS FALSE OR opendata._is_valid_date(v->>'end') IS FALSE THEN
        PERFORM opendata._bad_value(k, 'Dates are YYYY-MM-DD.');
      END IF;
      IF (v->>'start')::date > (v->>'end')::date THEN
        PERFORM opendata._bad_value(k, '"start" is after "end".');
      END IF;
      ds.temporal := v;
    WHEN 'accrual_periodicity' THEN
      IF jsonb_typeof(v) NOT IN ('string', 'null') THEN
        PERFORM opendata._bad_value(k, format('Expected an EU frequency code (a string), got %s.', jsonb_typeof(v)));
      END IF;
      ds.accrual_periodicity := upper(opendata._string(k, v));
      IF ds.accrual_periodicity <> ALL (opendata._frequencies()) THEN
        PERFORM opendata._bad_value(k, 'Use an EU frequency code: ' || array_to_string(opendata._frequencies(), ', ') || '.');
      END IF;
    WHEN 'access' THEN
      ds.access := opendata._string(k, v);
      IF ds.access IS NULL OR ds.access NOT IN ('public', 'restricted') THEN
        PERFORM opendata._bad_value(k, 'Expected "public" or "restricted".');
      END IF;
    WHEN 'key' THEN
      ds.key_fields := opendata._text_list(k, v);
      SELECT array_agg(f) INTO bad FROM unnest(ds.key_fields) f WHERE f <> ALL (fields);
      IF bad IS NOT NULL THEN
        PERFORM opendata._bad_value(k, format('Unknown field %s.', array_to_string(bad, ', ')));
      END IF;
    END CASE;
  END LOOP;

  ds.modified := now();
  RETURN ds;
END
$$;

-- Applies metadata to a dataset (_with_metadata), in one UPDATE, or in
-- none when it changes no value (an empty object, or the values the
-- dataset already has): `modified` says when the dataset last changed, and
-- an UPDATE would also have the search index, the tile copies and every
-- cache keyed on the row computed again for nothing.
CREATE FUNCTION opendata._apply_metadata(dataset bigint, metadata jsonb, who name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  old opendata.datasets;
  ds opendata.datasets;
BEGIN
  SELECT * INTO old FROM opendata.datasets WHERE id = dataset;
  ds := opendata._with_metadata(old, metadata, who,
                                ARRAY(SELECT f.name::text FROM opendata.fields f WHERE f.dataset_id = dataset));
  IF to_jsonb(ds) - 'modified' = to_jsonb(old) - 'modified' THEN
    RETURN;
  END IF;
  UPDATE opendata.datasets d SET
    title = ds.title, description = ds.description, attributions = ds.attributions,
    landing_page = ds.landing_page, themes = ds.themes, keywords = ds.keywords,
    license_id = ds.license_id, organization_id = ds.organization_id,
    contact_point = ds.contact_point, language = ds.language, spatial = ds.spatial,
    temporal = ds.temporal, accrual_periodicity = ds.accrual_periodicity,
    access = ds.access, key_fields = ds.key_fields, modified = ds.modified
  WHERE d.id = dataset;
END
$$;

-- PostgreSQL 16 has pg_input_is_valid(); this works on 15 too.
CREATE FUNCTION opendata._is_valid_date(value text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF value IS NULL THEN RETURN NULL; END IF;
  PERFORM value::date;
  RETURN true;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RETURN false;
END
$$;
