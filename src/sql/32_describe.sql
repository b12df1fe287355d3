-- Public functions to describe datasets and fields, and to set up the
-- catalog and its organizations.

-- What a dataset is, as register() and set_metadata() report it.
CREATE FUNCTION opendata._dataset_summary(dataset bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
           'slug', d.slug, 'source', d.source::text, 'status', d.status, 'access', d.access,
           'version', d.version,
           'publisher', (SELECT o.slug FROM opendata.organizations o WHERE o.id = d.organization_id),
           'title', d.title, 'description', d.description, 'themes', to_jsonb(d.themes),
           'keywords', to_jsonb(d.keywords), 'license', d.license_id,
           'contact_point', d.contact_point, 'landing_page', d.landing_page,
           'language', to_jsonb(d.language), 'spatial', d.spatial, 'temporal', d.temporal,
           'accrual_periodicity', d.accrual_periodicity, 'attributions', d.attributions,
           'key', to_jsonb(d.key_fields),
           'geometry', CASE WHEN d.geometry_field IS NOT NULL
                            THEN jsonb_build_object('field', d.geometry_field, 'srid', d.geometry_srid) END,
           'fields', (SELECT jsonb_agg(jsonb_build_object('name', f.name, 'type', f.type,
                                                          'sql_type', f.sql_type, 'label', f.label,
                                                          'hidden', f.hidden) ORDER BY f.position)
                        FROM opendata.fields f WHERE f.dataset_id = d.id),
           'modified', d.modified)
    FROM opendata.datasets d WHERE d.id = dataset
$$;

CREATE FUNCTION opendata.set_metadata(slug text, metadata jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  updated opendata.datasets;
BEGIN
  PERFORM opendata._apply_metadata(ds.id, metadata, opendata._caller());
  SELECT * INTO updated FROM opendata.datasets d WHERE d.id = ds.id;
  -- Restricting (or opening) a published dataset takes effect at once.
  IF updated.status = 'published' AND updated.access IS DISTINCT FROM ds.access THEN
    PERFORM opendata._grant_readers(updated);
  END IF;
  RETURN opendata._dataset_summary(ds.id);
END
$$;
COMMENT ON FUNCTION opendata.set_metadata(text, jsonb) IS
  'merge DCAT-AP metadata into a dataset; unknown keys and bad values are refused';

CREATE FUNCTION opendata.describe_field(slug text, field text, metadata jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  f opendata.fields;
  k text;
  v jsonb;
  known text[] := ARRAY['label', 'description', 'unit', 'facet', 'sortable', 'hidden'];
BEGIN
  SELECT * INTO f FROM opendata.fields x WHERE x.dataset_id = ds.id AND x.name = field;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'field "%" does not exist in dataset "%"', field, slug
      USING ERRCODE = '42703',
            HINT = 'Fields: ' || (SELECT string_agg(name, ', ' ORDER BY position)
                                    FROM opendata.fields WHERE dataset_id = ds.id) || '.';
  END IF;
  IF metadata IS NULL OR jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  FOR k, v IN SELECT * FROM jsonb_each(metadata) LOOP
    IF k <> ALL (known) THEN
      RAISE EXCEPTION 'unknown field metadata key "%"', k
        USING ERRCODE = '22023', HINT = 'Known keys: ' || array_to_string(known, ', ') || '.';
    END IF;
    IF k IN ('facet', 'sortable', 'hidden') AND jsonb_typeof(v) <> 'boolean' THEN
      PERFORM opendata._bad_value(k, 'Expected true or false.');
    END IF;
    CASE k
      WHEN 'label' THEN
        f.label := coalesce(nullif(btrim(opendata._string(k, v)), ''), f.name);
      WHEN 'description' THEN f.description := opendata._string(k, v);
      WHEN 'unit' THEN f.unit := opendata._string(k, v);
      WHEN 'facet' THEN f.facet := (v #>> '{}')::boolean;
      WHEN 'sortable' THEN f.sortable := (v #>> '{}')::boolean;
      WHEN 'hidden' THEN f.hidden := (v #>> '{}')::boolean;
    END CASE;
  END LOOP;
  IF f.hidden AND f.name::text = ANY (ds.key_fields) THEN
    RAISE EXCEPTION 'field "%" is part of the key of dataset "%" and cannot be hidden', field, slug
      USING ERRCODE = '22023';
  END IF;
  UPDATE opendata.fields x SET label = f.label, description = f.description, unit = f.unit,
         facet = f.facet, sortable = f.sortable, hidden = f.hidden
   WHERE x.dataset_id = ds.id AND x.name = field;
  UPDATE opendata.datasets SET modified = now() WHERE id = ds.id;
  RETURN jsonb_build_object('name', f.name, 'label', f.label, 'description', f.description,
                            'type', f.type, 'unit', f.unit, 'facet', f.facet,
                            'sortable', f.sortable, 'hidden', f.hidden);
END
$$;
COMMENT ON FUNCTION opendata.describe_field(text, text, jsonb) IS
  'describe one field (label, description, unit, facet, sortable, hidden); visibility changes apply at the next publish';

-- Catalog-wide settings, for admins.
CREATE FUNCTION opendata.set_catalog(metadata jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_admin', 'change the catalog');
  c opendata.catalog;
  k text;
  v jsonb;
  known text[] := ARRAY['title', 'description', 'homepage', 'base_url', 'publisher', 'language', 'license'];
BEGIN
  IF metadata IS NULL OR jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO c FROM opendata.catalog FOR UPDATE;
  FOR k, v IN SELECT * FROM jsonb_each(metadata) LOOP
    CASE k
      WHEN 'title' THEN c.title := coalesce(nullif(btrim(opendata._string(k, v)), ''), c.title);
      WHEN 'description' THEN c.description := coalesce(opendata._string(k, v), c.description);
      WHEN 'homepage' THEN c.homepage := opendata._url(k, v);
      WHEN 'base_url' THEN c.base_url := rtrim(opendata._url(k, v), '/');
      WHEN 'publisher' THEN c.publisher_id := opendata._organization_id(opendata._string(k, v));
      WHEN 'language' THEN c.language := lower(opendata._string(k, v));
      WHEN 'license' THEN
        SELECT l.id INTO c.license_id FROM opendata.licenses l WHERE lower(l.id) = lower(opendata._string(k, v));
        IF c.license_id IS NULL THEN PERFORM opendata._bad_value(k, format('Unknown licence "%s".', v->>0)); END IF;
      ELSE
        RAISE EXCEPTION 'unknown catalog key "%"', k
          USING ERRCODE = '22023', HINT = 'Known keys: ' || array_to_string(known, ', ') || '.';
    END CASE;
  END LOOP;
  IF c.base_url IS NULL THEN PERFORM opendata._bad_value('base_url', 'The base URL cannot be empty.'); END IF;
  UPDATE opendata.catalog SET title = c.title, description = c.description, homepage = c.homepage,
         base_url = c.base_url, publisher_id = c.publisher_id, language = c.language,
         license_id = c.license_id, modified = now();
  RETURN (SELECT to_jsonb(x) - 'id' FROM opendata.catalog x);
END
$$;

CREATE FUNCTION opendata.create_organization(slug text, name text, metadata jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_admin', 'create organizations');
  new_id bigint;
  unknown text;
BEGIN
  IF slug IS NULL OR slug !~ '^[a-z0-9][a-z0-9_-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid organization slug "%"', slug
      USING ERRCODE = '22023', DETAIL = 'Lower-case letters, digits, "-" and "_", at most 63 bytes.';
  END IF;
  IF name IS NULL OR btrim(name) = '' THEN
    RAISE EXCEPTION 'an organization needs a name' USING ERRCODE = '22023';
  END IF;
  SELECT min(k) INTO unknown FROM jsonb_object_keys(coalesce(metadata, '{}')) k
   WHERE k NOT IN ('description', 'homepage', 'email', 'type_uri');
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown organization key "%"', unknown
      USING ERRCODE = '22023', HINT = 'Known keys: description, homepage, email, type_uri.';
  END IF;
  IF EXISTS (SELECT FROM opendata.organizations o WHERE o.slug = create_organization.slug) THEN
    RAISE EXCEPTION 'organization "%" already exists', slug USING ERRCODE = '23505';
  END IF;
  INSERT INTO opendata.organizations (slug, name, description, homepage, email, type_uri)
  VALUES (slug, btrim(name), opendata._string('description', metadata->'description'),
          opendata._url('homepage', metadata->'homepage'), opendata._string('email', metadata->'email'),
          opendata._url('type_uri', metadata->'type_uri'))
  RETURNING organizations.id INTO new_id;
  RETURN new_id;
END
$$;

-- Lets `member` (and every role that is a member of it) act for the organization.
CREATE FUNCTION opendata.add_member(organization text, member regrole) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_admin', 'manage organization members');
BEGIN
  INSERT INTO opendata.organization_members (organization_id, member)
  VALUES (opendata._organization_id(organization), member)
  ON CONFLICT DO NOTHING;
END
$$;
