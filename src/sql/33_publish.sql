-- Publishing: the API view, its grants, the version history and PostgREST's
-- schema reload.  Each function runs in the caller's transaction, so a
-- failure anywhere leaves the catalog, the views and the grants as they were.

-- The select list of the API view: visible fields under their names, in
-- order; geometries reprojected to WGS 84, which is what the API speaks
-- (by PostGIS's schema-qualified function: the view is created by a
-- definer whose search_path does not have PostGIS).  NULL when no field is
-- visible.  Written by src/core/catalog/publish_sql.cpp.
CREATE FUNCTION opendata._api_view_select_list(fields text[], reprojected text[], postgis_schema text)
RETURNS text
LANGUAGE c IMMUTABLE AS 'MODULE_PATHNAME', 'opendata_api_view_select_list';

CREATE FUNCTION opendata._view_select_list(ds opendata.datasets) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT opendata._api_view_select_list(
           array_agg(f.name::text ORDER BY f.position),
           coalesce(array_agg(f.name::text) FILTER (
             WHERE f.type IN ('geo_point_2d', 'geo_shape')
               AND coalesce(CASE WHEN f.name = ds.geometry_field THEN ds.geometry_srid END, 4326) <> 4326),
             '{}'),
           opendata._postgis_schema())
    FROM opendata.fields f
   WHERE f.dataset_id = ds.id AND NOT f.hidden
$$;

-- Each column of a dataset's API view carries its field's label,
-- description, type and unit as its comment: PostgREST's OpenAPI document
-- and the tools built on it describe the columns with it.  Only comments
-- that differ are written, so a republish that changes nothing takes no
-- lock on the view.
CREATE FUNCTION opendata._comment_view_columns(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  f record;
BEGIN
  FOR f IN
    SELECT x.name, concat_ws(': ', coalesce(x.label, x.name), nullif(x.description, ''))
                   || ' (' || x.type || coalesce(', ' || nullif(x.unit, ''), '') || ')' AS comment
      FROM opendata.fields x
     WHERE x.dataset_id = ds.id AND NOT x.hidden
     ORDER BY x.position
  LOOP
    IF col_description(format('opendata_api.%I', ds.slug)::regclass,
                       (SELECT a.attnum FROM pg_attribute a
                         WHERE a.attrelid = format('opendata_api.%I', ds.slug)::regclass AND a.attname = f.name))
       IS DISTINCT FROM f.comment THEN
      EXECUTE format('COMMENT ON COLUMN opendata_api.%I.%I IS %L', ds.slug, f.name, f.comment);
    END IF;
  END LOOP;
END
$$;

CREATE FUNCTION opendata._schema_fingerprint(ds opendata.datasets) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT md5(coalesce(string_agg(f.name || ':' || f.type || ':' || f.sql_type, ',' ORDER BY f.position), ''))
    FROM opendata.fields f WHERE f.dataset_id = ds.id AND NOT f.hidden
$$;

-- Who may read a published dataset: anon for public ones; otherwise the
-- roles acting for its organization, and admins.  Publishers and admins are
-- members of opendata_anon, so they read public datasets too.
CREATE FUNCTION opendata._readers(ds opendata.datasets) RETURNS name[]
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN ds.access = 'public' THEN ARRAY['opendata_anon'::name]
         ELSE ARRAY['opendata_admin'::name] || opendata._member_names(ds.organization_id) END
$$;

-- Every role a grant of the dataset may have gone to, whatever its access.
CREATE FUNCTION opendata._possible_readers(ds opendata.datasets) RETURNS name[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY['opendata_anon', 'opendata_admin']::name[] || opendata._member_names(ds.organization_id)
$$;

-- Drops the API view and the read grants on the source.  The view is the
-- extension's own; the grants on the source are revoked by the role that
-- made them (_acting_role), so grants others made stay.
CREATE FUNCTION opendata._withdraw(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r name;
  acting regrole;
BEGIN
  IF to_regclass(format('opendata_api.%I', ds.slug)) IS NOT NULL THEN
    EXECUTE format('DROP VIEW opendata_api.%I', ds.slug);
  END IF;
  IF to_regclass(ds.source::text) IS NOT NULL THEN
    PERFORM opendata._drop_summary(ds);
    acting := opendata._acting_role(ds.source);
    FOREACH r IN ARRAY opendata._possible_readers(ds) LOOP
      -- Never from the source's owner: that would revoke its own rights.
      IF r <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = ds.source) THEN
        PERFORM opendata._exec_as(acting, format('REVOKE SELECT ON %s FROM %I', opendata._qualified(ds.source), r));
      END IF;
    END LOOP;
  END IF;
END
$$;

-- The statement that reads every row's key (the key fields as text) and
-- fingerprint, for _diff_since_last(); written by
-- src/core/catalog/publish_sql.cpp.
CREATE FUNCTION opendata._row_fingerprints_sql(key_fields text[], relation text) RETURNS text
LANGUAGE c IMMUTABLE AS 'MODULE_PATHNAME', 'opendata_row_fingerprints_sql';

-- Counts of records added, removed and changed since the last publication,
-- by key, and the fingerprints kept for the next one.  NULLs when the
-- dataset has no key.
CREATE FUNCTION opendata._diff_since_last(ds opendata.datasets,
                                          OUT added bigint, OUT removed bigint, OUT changed bigint)
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ds.key_fields) = 0 THEN
    DELETE FROM opendata.row_fingerprints WHERE dataset_id = ds.id;
    RETURN;
  END IF;
  -- Created, never reused: a table of that name the session made first
  -- makes this fail rather than receive the rows (and run its triggers).
  CREATE TEMP TABLE pg_temp.opendata_current_rows (key text PRIMARY KEY, hash bytea) ON COMMIT DROP;
  -- The key casts and the source's functions run as _acting_role.
  INSERT INTO pg_temp.opendata_current_rows
  SELECT t.key, t.hash
    FROM opendata._query_as(opendata._acting_role(ds.source),
           opendata._row_fingerprints_sql(ds.key_fields, opendata._qualified(ds.source)))
         AS t(key text, hash bytea);
  SELECT count(*) FILTER (WHERE o.key IS NULL),
         count(*) FILTER (WHERE n.key IS NULL),
         count(*) FILTER (WHERE o.hash <> n.hash)
    INTO added, removed, changed
    FROM pg_temp.opendata_current_rows n
    FULL JOIN (SELECT * FROM opendata.row_fingerprints WHERE dataset_id = ds.id) o USING (key);
  DELETE FROM opendata.row_fingerprints WHERE dataset_id = ds.id;
  INSERT INTO opendata.row_fingerprints (dataset_id, key, hash)
  SELECT ds.id, key, hash FROM pg_temp.opendata_current_rows;
  DROP TABLE pg_temp.opendata_current_rows;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'the key of dataset "%" is not unique', ds.slug
    USING ERRCODE = '23505', DETAIL = format('Key fields: %s.', array_to_string(ds.key_fields, ', ')),
          HINT = 'Set another key with set_metadata(slug, ''{"key": [...]}'').';
END
$$;

-- The DCAT distributions of a published dataset, from the catalog's base URL.
CREATE FUNCTION opendata._refresh_distributions(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  base text := (SELECT base_url FROM opendata.catalog);
BEGIN
  DELETE FROM opendata.distributions WHERE dataset_id = ds.id;
  INSERT INTO opendata.distributions (dataset_id, format, title, media_type, access_url, download_url)
  SELECT ds.id, f.format, f.title, f.media_type, base || '/' || ds.slug, f.url
    FROM opendata._distribution_formats(ds, base) f;
END
$$;

-- One row per way of downloading a dataset.  Later parts of the extension
-- (exports) add formats here.
CREATE FUNCTION opendata._distribution_formats(ds opendata.datasets, base text,
                                               OUT format text, OUT title text,
                                               OUT media_type text, OUT url text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
  VALUES ('JSON', 'API records (PostgREST)', 'application/json', base || '/' || ds.slug)
$$;

-- Readers get the API view and, because it is security_invoker, the
-- visible columns of the source: hidden fields stay unreadable even
-- directly.  Run at publish, and when the access of a published dataset
-- changes, so that restricting it takes effect at once.
CREATE FUNCTION opendata._grant_readers(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r name;
  acting regrole := opendata._acting_role(ds.source);
  columns text := (SELECT string_agg(format('%I', f.name), ', ') FROM opendata.fields f
                    WHERE f.dataset_id = ds.id AND NOT f.hidden);
BEGIN
  -- The view is the extension's: its grants are set here.
  EXECUTE format('REVOKE ALL ON opendata_api.%I FROM PUBLIC, opendata_anon', ds.slug);
  FOREACH r IN ARRAY opendata._member_names(ds.organization_id) LOOP
    EXECUTE format('REVOKE ALL ON opendata_api.%I FROM %I', ds.slug, r);
  END LOOP;
  -- The source is not: grants on it are made and revoked by the role that
  -- acts on it, with that role's own grant option.
  PERFORM opendata._exec_as(acting, format('REVOKE SELECT ON %s FROM opendata_anon', opendata._qualified(ds.source)));
  FOREACH r IN ARRAY opendata._readers(ds) LOOP
    PERFORM opendata._check_schema_reachable(ds.source, r);
    EXECUTE format('GRANT SELECT ON opendata_api.%I TO %I', ds.slug, r);
    PERFORM opendata._exec_as(acting, format('GRANT SELECT (%s) ON %s TO %I', columns, opendata._qualified(ds.source), r));
  END LOOP;
END
$$;

CREATE FUNCTION opendata.publish(slug text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  who name := opendata._caller();
  missing text[];
  vanished text[];
  added_fields text[];
  select_list text;
  row_count bigint;
  diff record;
  r name;
BEGIN
  IF to_regclass(ds.source::text) IS NULL THEN
    RAISE EXCEPTION 'the source of dataset "%" no longer exists', slug USING ERRCODE = '42P01';
  END IF;
  -- What DCAT-AP makes mandatory, all reported at once.
  missing := array_remove(ARRAY[
    CASE WHEN ds.title IS NULL THEN 'title' END,
    CASE WHEN ds.description IS NULL THEN 'description' END,
    CASE WHEN ds.organization_id IS NULL THEN 'publisher' END,
    CASE WHEN ds.license_id IS NULL THEN 'license' END], NULL);
  IF cardinality(missing) > 0 THEN
    RAISE EXCEPTION 'dataset "%" cannot be published: missing %', slug, array_to_string(missing, ', ')
      USING ERRCODE = '22023',
            DETAIL = 'DCAT-AP requires a title, a description, a publisher and a licence.',
            HINT = 'Set them with opendata.set_metadata(slug, metadata).';
  END IF;
  SELECT array_agg(f.name ORDER BY f.position) INTO vanished FROM opendata.fields f
   WHERE f.dataset_id = ds.id
     AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = ds.source AND a.attname = f.name
                                                 AND a.attnum > 0 AND NOT a.attisdropped);
  IF vanished IS NOT NULL THEN
    RAISE EXCEPTION 'dataset "%" cannot be published: its source lost field %', slug, array_to_string(vanished, ', ')
      USING ERRCODE = '42703', HINT = 'Restore the columns, or drop and register the dataset again.';
  END IF;
  -- First of all on the source (see there): the marks of earlier writes
  -- cleared before the counts, and the trigger that marks any write that
  -- is not a publication.
  PERFORM opendata._prepare_summary(ds);
  added_fields := opendata._sync_fields(ds);
  select_list := opendata._view_select_list(ds);
  IF select_list IS NULL THEN
    RAISE EXCEPTION 'dataset "%" has no visible field', slug USING ERRCODE = '22023';
  END IF;

  -- A republish that would not change the view (same visible fields, same
  -- types) keeps it and its grants as they are: it takes no lock on the view,
  -- so a writer holding the source (a replace import, a refresh) never waits
  -- for the view's readers while they wait for the source.  Readers lock the
  -- view, then the source; a writer that must change the view takes the
  -- view's lock before any on the source (docs/import.md).
  IF to_regclass(format('opendata_api.%I', slug)) IS NULL
     OR opendata._schema_fingerprint(ds) IS DISTINCT FROM
        (SELECT h.schema_fingerprint FROM opendata.history h
          WHERE h.dataset_id = ds.id AND h.action = 'publish' ORDER BY h.id DESC LIMIT 1) THEN
    -- Replace the view in place when its columns allow it, so grants and
    -- dependent views survive; otherwise drop and create, in this transaction.
    BEGIN
      EXECUTE format('CREATE OR REPLACE VIEW opendata_api.%I WITH (security_invoker = true) AS SELECT %s FROM %s',
                     slug, select_list, ds.source);
    EXCEPTION WHEN invalid_table_definition OR datatype_mismatch OR feature_not_supported THEN
      EXECUTE format('DROP VIEW opendata_api.%I', slug);
      EXECUTE format('CREATE VIEW opendata_api.%I WITH (security_invoker = true) AS SELECT %s FROM %s',
                     slug, select_list, ds.source);
    END;
    PERFORM opendata._grant_readers(ds);
  END IF;
  IF obj_description(format('opendata_api.%I', slug)::regclass, 'pg_class') IS DISTINCT FROM ds.title THEN
    EXECUTE format('COMMENT ON VIEW opendata_api.%I IS %L', slug, ds.title);
  END IF;
  PERFORM opendata._comment_view_columns(ds);

  SELECT t.n INTO row_count
    FROM opendata._query_as(opendata._acting_role(ds.source),
                            format('SELECT count(*) FROM %s', opendata._qualified(ds.source))) AS t(n bigint);
  diff := opendata._diff_since_last(ds);

  UPDATE opendata.datasets d
     SET status = 'published', version = d.version + 1, issued = coalesce(d.issued, now()),
         modified = now()
   WHERE d.id = ds.id
  RETURNING * INTO ds;
  -- The unfiltered answers of this version, and the trigger that forgets
  -- them at the next write (36_summaries.sql).
  PERFORM opendata._refresh_summary(ds, row_count);
  -- The clusters of its dense tiles, forgotten likewise (37_cluster_grids.sql).
  PERFORM opendata._refresh_cluster_grid(ds);
  INSERT INTO opendata.history (dataset_id, version, action, by_role, row_count, schema_fingerprint,
                                rows_added, rows_removed, rows_changed, note)
  VALUES (ds.id, ds.version, 'publish', who, row_count, opendata._schema_fingerprint(ds),
          diff.added, diff.removed, diff.changed,
          CASE WHEN cardinality(added_fields) > 0
               THEN 'new fields: ' || array_to_string(added_fields, ', ') END);
  PERFORM opendata._refresh_distributions(ds);
  PERFORM pg_notify('pgrst', 'reload schema');

  RETURN jsonb_build_object('slug', ds.slug, 'version', ds.version, 'row_count', row_count,
                            'rows_added', diff.added, 'rows_removed', diff.removed,
                            'rows_changed', diff.changed, 'new_fields', to_jsonb(added_fields),
                            'view', format('opendata_api.%I', slug));
END
$$;
COMMENT ON FUNCTION opendata.publish(text) IS
  'validate, (re)create the API view, grant read access, record a new version, reload PostgREST';

CREATE FUNCTION opendata.unpublish(slug text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
BEGIN
  IF ds.status <> 'published' THEN
    RAISE EXCEPTION 'dataset "%" is not published', slug USING ERRCODE = '55000';
  END IF;
  PERFORM opendata._withdraw(ds);
  UPDATE opendata.datasets SET status = 'draft', modified = now() WHERE id = ds.id;
  DELETE FROM opendata.distributions WHERE dataset_id = ds.id;
  INSERT INTO opendata.history (dataset_id, version, action, by_role)
  VALUES (ds.id, ds.version, 'unpublish', opendata._caller());
  PERFORM pg_notify('pgrst', 'reload schema');
  RETURN jsonb_build_object('slug', ds.slug, 'status', 'draft', 'version', ds.version);
END
$$;
COMMENT ON FUNCTION opendata.unpublish(text) IS 'withdraw a dataset from the API; it stays in the catalog as a draft';

CREATE FUNCTION opendata.drop_dataset(slug text, drop_data boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  who name := opendata._caller();
  kind "char";
BEGIN
  IF drop_data AND to_regclass(ds.source::text) IS NOT NULL
     AND NOT pg_has_role(who, (SELECT relowner FROM pg_class WHERE oid = ds.source), 'USAGE') THEN
    RAISE EXCEPTION 'permission denied to drop "%"', ds.source
      USING ERRCODE = '42501', DETAIL = 'Only its owner can drop the data of a dataset.';
  END IF;
  PERFORM opendata._withdraw(ds);
  DELETE FROM opendata.datasets WHERE id = ds.id;
  IF drop_data AND to_regclass(ds.source::text) IS NOT NULL THEN
    SELECT relkind INTO kind FROM pg_class WHERE oid = ds.source;
    PERFORM opendata._exec_as(opendata._acting_role(ds.source), format('DROP %s %s',
                   CASE kind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, opendata._qualified(ds.source)));
  END IF;
  IF ds.status = 'published' THEN
    PERFORM pg_notify('pgrst', 'reload schema');
  END IF;
END
$$;
COMMENT ON FUNCTION opendata.drop_dataset(text, boolean) IS
  'remove a dataset from the catalog, and its data too when drop_data (owner only)';
