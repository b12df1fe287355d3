-- Registering a table, view or materialized view as a dataset.

-- Names taken by the catalog views of opendata_api: a dataset cannot use them.
CREATE FUNCTION opendata._reserved_slugs() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['datasets', 'themes', 'organizations', 'licenses', 'reuses', 'catalog', 'rpc']
$$;

-- A definer only so that the C++ imports can call it (pg/internal_call.hpp)
-- without the caller holding EXECUTE on _reserved_slugs().
CREATE FUNCTION opendata._check_slug(slug text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SECURITY DEFINER AS $$
BEGIN
  IF slug IS NULL OR slug !~ '^[a-z0-9][a-z0-9_-]*$' THEN
    RAISE EXCEPTION 'invalid dataset slug "%"', slug
      USING ERRCODE = '22023',
            DETAIL = 'A slug is made of lower-case letters, digits, "-" and "_", and starts with a letter or digit.',
            HINT = 'For example: arbres-remarquables.';
  END IF;
  IF octet_length(slug) > 63 THEN
    RAISE EXCEPTION 'invalid dataset slug "%"', slug
      USING ERRCODE = '22023', DETAIL = format('A slug is at most 63 bytes; this one is %s.', octet_length(slug));
  END IF;
  IF slug = ANY (opendata._reserved_slugs()) THEN
    RAISE EXCEPTION 'dataset slug "%" is reserved', slug
      USING ERRCODE = '22023', DETAIL = 'The API uses that name for a catalog view.';
  END IF;
END
$$;

-- The geometry type and SRID a geometry column declares, read from its
-- type's own output (geometry(PointZ,2154) -> {"type": "POINTZ", "srid":
-- 2154}) rather than by calling PostGIS: definers keep PostGIS's schema off
-- their search_path.  NULLs where the column declares nothing.
CREATE FUNCTION opendata._geometry_typmod(typid oid, typmod int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT pg_catalog.jsonb_build_object(
           'type', pg_catalog.upper(m[1]),
           'srid', nullif(m[2], '0')::int)
    FROM (SELECT pg_catalog.regexp_match(pg_catalog.format_type(typid, typmod),
                                         '^(?:\S+\.)?geometry\((\w+)(?:,(\d+))?\)$') AS m) x
$$;

-- A column's type as the field dictionary shows it: format_type() without
-- the schema of PostGIS's types, which the definers' search_path lacks.
CREATE FUNCTION opendata._sql_type(typid oid, typmod int) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN t.typnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n
                                      WHERE n.nspname = opendata._postgis_schema())
              THEN pg_catalog.regexp_replace(pg_catalog.format_type(typid, typmod), '^[^(]*\.', '')
              ELSE pg_catalog.format_type(typid, typmod) END
    FROM pg_catalog.pg_type t WHERE t.oid = typid
$$;

-- The field type of a column, in the Opendatasoft vocabulary.
CREATE FUNCTION opendata._field_type(typid oid, typmod int) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN typid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN 'int'
    WHEN typid IN ('float4'::regtype, 'float8'::regtype, 'numeric'::regtype) THEN 'double'
    WHEN typid = 'date'::regtype THEN 'date'
    WHEN typid IN ('timestamp'::regtype, 'timestamptz'::regtype) THEN 'datetime'
    WHEN typid = 'bool'::regtype THEN 'boolean'
    WHEN typid = opendata._geometry_oid()
         AND opendata._geometry_typmod(typid, typmod) ->> 'type' IN ('POINT', 'POINTZ', 'POINTM', 'POINTZM') THEN 'geo_point_2d'
    WHEN typid = opendata._geometry_oid() THEN 'geo_shape'
    ELSE 'text'
  END
$$;

-- The dataset row for `slug`, locked, once the caller is known to manage it.
CREATE FUNCTION opendata._dataset_for_update(slug text) RETURNS opendata.datasets
LANGUAGE plpgsql AS $$
DECLARE
  ds opendata.datasets;
  who name := opendata._caller();
BEGIN
  SELECT * INTO ds FROM opendata.datasets d WHERE d.slug = _dataset_for_update.slug FOR UPDATE;
  -- A dataset the caller may not even read does not exist for it: the
  -- error tells nothing of drafts and restricted datasets of others.
  IF NOT FOUND OR NOT ((ds.status = 'published' AND ds.access = 'public')
                       OR opendata._can_manage(ds.organization_id, who)) THEN
    RAISE EXCEPTION 'dataset "%" does not exist', slug USING ERRCODE = '42P01';
  END IF;
  IF NOT opendata._can_manage(ds.organization_id, who) THEN
    RAISE EXCEPTION 'permission denied for dataset "%"', slug
      USING ERRCODE = '42501',
            DETAIL = format('Role "%s" does not manage the organization that publishes it.', who);
  END IF;
  RETURN ds;
END
$$;

-- The field dictionary's rows for the columns of `source` that dataset
-- `dataset_id` lacks, numbered after its last field, in column order:
-- named after their column, labelled by `labels` (column -> label: an
-- imported file's original headers; blank ones ignored) or by their name.
-- Whoever inserts them (_sync_fields(), _register()) writes them in one
-- statement: the search index's trigger then refreshes the dataset once.
CREATE FUNCTION opendata._new_fields(dataset_id bigint, source regclass, labels jsonb)
RETURNS TABLE (name name, "position" int, label text, type text, sql_type text)
LANGUAGE sql STABLE AS $$
  SELECT a.attname,
         (coalesce((SELECT max(f.position) FROM opendata.fields f WHERE f.dataset_id = _new_fields.dataset_id), 0)
           + row_number() OVER (ORDER BY a.attnum))::int,
         coalesce(nullif(btrim(labels ->> a.attname::text), ''), a.attname::text),
         opendata._field_type(a.atttypid, a.atttypmod), opendata._sql_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a
   WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
     AND NOT EXISTS (SELECT FROM opendata.fields f WHERE f.dataset_id = _new_fields.dataset_id AND f.name = a.attname)
$$;

-- Adds to the field dictionary every column of the source it lacks.
-- Returns the names added.
CREATE FUNCTION opendata._sync_fields(ds opendata.datasets) RETURNS text[]
LANGUAGE sql AS $$
  WITH ins AS (
    INSERT INTO opendata.fields (dataset_id, name, position, label, type, sql_type)
    SELECT ds.id, n.name, n.position, n.label, n.type, n.sql_type
      FROM opendata._new_fields(ds.id, ds.source, NULL) n
    RETURNING name
  )
  SELECT coalesce(array_agg(name::text), '{}') FROM ins
$$;

-- The main geometry column of a relation and its SRID: the first geometry
-- column by position; the SRID from the type modifier, else from
-- geometry_columns, else from the first non-null value.
CREATE FUNCTION opendata._detect_geometry(source regclass, OUT field name, OUT srid int)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.attname, (opendata._geometry_typmod(a.atttypid, a.atttypmod) ->> 'srid')::int
    INTO field, srid
    FROM pg_attribute a
   WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
     AND a.atttypid = opendata._geometry_oid()
   ORDER BY a.attnum LIMIT 1;
  IF field IS NULL OR srid IS NOT NULL THEN
    RETURN;
  END IF;
  -- Reading a value runs whatever the relation runs (a view's functions):
  -- with the rights of its owner or of the caller, never the definer's.
  SELECT t.srid INTO srid
    FROM opendata._query_as(opendata._acting_role(source),
           format('SELECT %I.st_srid(%I) FROM %s WHERE %I IS NOT NULL LIMIT 1',
                  opendata._postgis_schema(), field, opendata._qualified(source), field)) AS t(srid int);
  srid := nullif(srid, 0);
END
$$;

-- The columns of the source's primary key, if it has one.
CREATE FUNCTION opendata._primary_key(source regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.attname::text ORDER BY k.ord), '{}')
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = source AND i.indisprimary
$$;

-- Readers of a dataset, and opendata_owner which creates its API view, must
-- be able to look the source up in its schema.  When they cannot, the
-- schema's owner grants it if the caller may act as that owner (never the
-- definer, whose rights on a user's schema are none); otherwise the error
-- says what is missing.
CREATE FUNCTION opendata._check_schema_reachable(source regclass, who name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  nsp name;
  nsp_owner oid;
BEGIN
  SELECT n.nspname, n.nspowner INTO nsp, nsp_owner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
  IF NOT has_schema_privilege(who, nsp, 'USAGE')
     AND pg_has_role(opendata._caller(), nsp_owner, 'USAGE') THEN
    PERFORM opendata._exec_as(nsp_owner::regrole, format('GRANT USAGE ON SCHEMA %I TO %I', nsp, who));
  END IF;
  IF NOT has_schema_privilege(who, nsp, 'USAGE') THEN
    RAISE EXCEPTION 'role "%" cannot reach schema "%"', who, nsp
      USING ERRCODE = '42501',
            DETAIL = format('Datasets in "%s" are read through it.', nsp),
            HINT = format('GRANT USAGE ON SCHEMA %I TO %I;', nsp, who);
  END IF;
END
$$;

-- register()'s work, for register(), cross() and the imports: the checks,
-- the catalog rows and the spatial index.  `lineage` is a crossing's
-- was_derived_from and `labels` an import's original headers (column ->
-- label, or NULL), written with the dataset's row and its fields: the
-- dataset's row and its fields are inserted in one statement, for which
-- the search index's triggers (60_search.sql) compute the dataset's search
-- row once, with its fields; a later UPDATE would compute it again.  The
-- caller builds the summary it returns, once its own writes are done.
CREATE FUNCTION opendata._register(source regclass, slug text, metadata jsonb, lineage jsonb,
                                   labels jsonb DEFAULT NULL,
                                   OUT dataset_id bigint, OUT index_created text)
LANGUAGE plpgsql AS $$
DECLARE
  who name := opendata._require_role('opendata_publisher', 'register datasets');
  kind "char";
  ds opendata.datasets;
  geo record;
  org bigint;
BEGIN
  IF source IS NULL THEN
    RAISE EXCEPTION 'the source of a dataset cannot be NULL' USING ERRCODE = '22023';
  END IF;
  PERFORM opendata._check_slug(slug);
  IF metadata IS NULL OR jsonb_typeof(metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT relkind INTO kind FROM pg_class WHERE oid = source;
  IF kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
    RAISE EXCEPTION '"%" cannot be registered as a dataset', source
      USING ERRCODE = '22023', DETAIL = 'Only tables, views, materialized views and foreign tables can.';
  END IF;
  -- Publishing grants read access to others: only what the caller could
  -- grant itself may become a dataset.
  IF NOT has_table_privilege(who, source, 'SELECT WITH GRANT OPTION') THEN
    RAISE EXCEPTION 'permission denied to register "%"', source
      USING ERRCODE = '42501',
            DETAIL = format('Role "%s" neither owns it nor holds SELECT on it WITH GRANT OPTION.', who);
  END IF;
  PERFORM opendata._check_schema_reachable(source, 'opendata_owner');
  IF EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = _register.slug) THEN
    RAISE EXCEPTION 'dataset "%" already exists', slug
      USING ERRCODE = '23505', HINT = 'Choose another slug, or drop the dataset first.';
  END IF;

  -- The organization: the one named in the metadata, else the caller's only
  -- one, else the catalog's default publisher.
  IF metadata ? 'publisher' THEN
    org := opendata._organization_id(metadata->>'publisher');
  ELSE
    SELECT CASE WHEN count(*) = 1 THEN min(m.organization_id) END INTO org
      FROM opendata.organization_members m WHERE pg_has_role(who, m.member::oid, 'MEMBER');
    org := coalesce(org, (SELECT publisher_id FROM opendata.catalog));
  END IF;
  IF org IS NOT NULL AND NOT opendata._can_manage(org, who) THEN
    RAISE EXCEPTION 'permission denied to publish for organization "%"',
                    (SELECT o.slug FROM opendata.organizations o WHERE o.id = org)
      USING ERRCODE = '42501';
  END IF;
  IF org IS NULL AND NOT pg_has_role(who, 'opendata_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'no organization to register the dataset under'
      USING ERRCODE = '22023', HINT = 'Name one with the "publisher" metadata key.';
  END IF;

  geo := opendata._detect_geometry(source);
  -- The row with its metadata, checked before anything is written and
  -- inserted in one statement.  A row built in memory gets no column
  -- defaults: those the metadata may leave unset are given here.
  ds.slug := slug;
  ds.source := source;
  ds.organization_id := org;
  ds.license_id := (SELECT license_id FROM opendata.catalog);
  ds.language := ARRAY[(SELECT language FROM opendata.catalog)];
  ds.key_fields := opendata._primary_key(source);
  ds.access := 'public';
  ds.themes := '{}';
  ds.keywords := '{}';
  ds := opendata._with_metadata(ds, metadata - 'publisher', who,
          ARRAY(SELECT a.attname::text FROM pg_attribute a
                 WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped));
  WITH inserted AS (
    INSERT INTO opendata.datasets (slug, source, organization_id, license_id, language, key_fields,
                                   geometry_field, geometry_srid, was_derived_from,
                                   title, description, attributions, landing_page, themes, keywords,
                                   contact_point, spatial, temporal, accrual_periodicity, access)
    VALUES (ds.slug, ds.source, ds.organization_id, ds.license_id, ds.language, ds.key_fields,
            geo.field, geo.srid, lineage,
            ds.title, ds.description, ds.attributions, ds.landing_page, ds.themes, ds.keywords,
            ds.contact_point, ds.spatial, ds.temporal, ds.accrual_periodicity, ds.access)
    RETURNING id
  ), its_fields AS (
    INSERT INTO opendata.fields (dataset_id, name, position, label, type, sql_type)
    SELECT inserted.id, n.name, n.position, n.label, n.type, n.sql_type
      FROM inserted, opendata._new_fields(inserted.id, source, labels) n
  )
  SELECT inserted.id INTO dataset_id FROM inserted;

  -- Crossings and geographic filters need a GiST index on the geometry:
  -- create it now if missing, as the relation's owner when the caller may
  -- act as it (_ensure_spatial_index).
  IF geo.field IS NOT NULL THEN
    index_created := opendata._ensure_spatial_index(source, geo.field, geo.srid);
  END IF;
END
$$;

CREATE FUNCTION opendata.register(source regclass, slug text, metadata jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  registered record := opendata._register(source, slug, metadata, NULL);
BEGIN
  IF registered.index_created IS NOT NULL THEN
    RETURN opendata._dataset_summary(registered.dataset_id)
           || jsonb_build_object('indexes_created', jsonb_build_array(registered.index_created));
  END IF;
  RETURN opendata._dataset_summary(registered.dataset_id);
END
$$;
COMMENT ON FUNCTION opendata.register(regclass, text, jsonb) IS
  'make a table, view or materialized view a dataset, in draft; creates the GiST index on its geometry if missing';
