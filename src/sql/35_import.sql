-- Importing files: CSV (and GeoJSON) analysed and loaded by the C++ core.
-- Imported tables live in schema opendata_data, owned by whoever imported
-- them; the functions run as the caller (SECURITY INVOKER) and reach the
-- catalog through the internal definers below (docs/security.md).

CREATE SCHEMA opendata_data;
COMMENT ON SCHEMA opendata_data IS 'tables created by opendata imports and crossings';
REVOKE ALL ON SCHEMA opendata_data FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA opendata_data TO opendata_publisher;

-- Readers of public datasets look imported tables up in this schema (ad hoc
-- crossings name the table itself).  Granted once, here: publishing never
-- changes a schema's privileges.
GRANT USAGE ON SCHEMA opendata_data TO opendata_anon, opendata_owner;

-- The entry points are written in C++ (src/pg/import.cpp); they run as the
-- caller, who owns the tables it creates.
CREATE FUNCTION opendata.import_csv(slug text, data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_csv';
COMMENT ON FUNCTION opendata.import_csv(text, bytea, jsonb) IS
  'load a CSV file into a new table (or {"mode": "replace"} or {"mode": "append"} an existing dataset) and register it; returns the import report';

CREATE FUNCTION opendata.import_csv_file(slug text, path text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_csv_file';
COMMENT ON FUNCTION opendata.import_csv_file(text, text, jsonb) IS
  'import_csv() from a file on the database server (superusers and pg_read_server_files only)';

CREATE FUNCTION opendata.import_geojson(slug text, data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_geojson';
COMMENT ON FUNCTION opendata.import_geojson(text, bytea, jsonb) IS
  'load a GeoJSON FeatureCollection into a new table (or replace a dataset''s data) and register it';

CREATE FUNCTION opendata.import_geojson_file(slug text, path text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_geojson_file';
COMMENT ON FUNCTION opendata.import_geojson_file(text, text, jsonb) IS
  'import_geojson() from a file on the database server (superusers and pg_read_server_files only)';

CREATE FUNCTION opendata.sniff_csv(data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE c IMMUTABLE AS 'MODULE_PATHNAME', 'opendata_sniff_csv';
COMMENT ON FUNCTION opendata.sniff_csv(bytea, jsonb) IS
  'what import_csv() would do: dialect and a profile of every column, without loading';

-- The table a replace import loads into: the dataset's row locked, once the
-- caller is known to manage it, and before anything of it is shown.
CREATE FUNCTION opendata._import_target(slug text) RETURNS oid
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets;
BEGIN
  IF NOT EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = _import_target.slug) THEN
    RAISE EXCEPTION 'dataset "%" does not exist', slug
      USING ERRCODE = '42P01', HINT = 'Import without "mode" to create it.';
  END IF;
  ds := opendata._dataset_for_update(slug);
  IF (SELECT relkind FROM pg_class WHERE oid = ds.source) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION 'dataset "%" is not backed by a table', slug
      USING ERRCODE = '22023', HINT = 'Only imported or registered tables can be re-imported.';
  END IF;
  RETURN ds.source::oid;
END
$$;

-- Emptying a dataset's table for a re-import, by a role that manages it,
-- with the rights of the table's owner or the caller's own (DELETE then
-- checks the privilege, and its triggers run as that role).
--
-- DELETE, not TRUNCATE: TRUNCATE locks the table against every reader until
-- the import commits, so readers of the API would wait for the whole load
-- (and, holding the view, deadlock with the republish).  After DELETE they
-- keep reading the old rows until the new ones are committed, then read
-- those: one version or the other, never a mix, never a wait on the load.
-- The old rows are left to (auto)vacuum.
CREATE FUNCTION opendata._empty_for_import(slug text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  source regclass := opendata._import_target(slug);
BEGIN
  PERFORM opendata._exec_as(opendata._acting_role(source), format('DELETE FROM %s', opendata._qualified(source)));
END
$$;

-- The role that loads a replace or an append import into the dataset's
-- table (docs/security.md), for a caller that manages the dataset.  A
-- definer: the import runs as its caller, which may not call the internal
-- functions this one calls.
CREATE FUNCTION opendata._import_role(slug text) RETURNS regrole
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  RETURN opendata._acting_role(opendata._import_target(slug)::regclass);
END
$$;

-- The history line of an import; a replace or an append of a published
-- dataset also publishes it again, which records the new version with its
-- diff; of a draft, marks the datasets derived from it stale.
CREATE FUNCTION opendata._record_import(slug text, row_count bigint, mode text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  published jsonb;
BEGIN
  INSERT INTO opendata.history (dataset_id, version, action, by_role, row_count, note)
  VALUES (ds.id, ds.version, 'import', opendata._caller(), row_count, mode);
  IF mode IN ('replace', 'append') AND ds.status = 'published' THEN
    published := opendata.publish(slug);
  ELSIF mode IN ('replace', 'append') THEN
    -- A draft gets no new version, but what was derived from it is stale
    -- all the same (publishing marks it, through the version's trigger).
    PERFORM opendata._mark_stale_derived_from(ds);
  END IF;
  RETURN coalesce(published->'version', to_jsonb(ds.version));
END
$$;
