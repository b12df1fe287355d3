-- Importing files: CSV (and GeoJSON) analysed and loaded by the C++ core.
-- Imported tables live in schema opendata_data, owned by whoever imported
-- them; the functions run as the caller (SECURITY INVOKER).

CREATE SCHEMA opendata_data;
COMMENT ON SCHEMA opendata_data IS 'tables created by opendata imports and crossings';
REVOKE ALL ON SCHEMA opendata_data FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA opendata_data TO opendata_publisher;

CREATE FUNCTION opendata._import_csv(slug text, data bytea, options text) RETURNS text
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_csv';
CREATE FUNCTION opendata._import_geojson(slug text, data bytea, options text) RETURNS text
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_import_geojson';
CREATE FUNCTION opendata._sniff_csv(data bytea, options text) RETURNS text
LANGUAGE c IMMUTABLE AS 'MODULE_PATHNAME', 'opendata_sniff_csv';
CREATE FUNCTION opendata._read_server_file(path text) RETURNS bytea
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_read_server_file';

CREATE FUNCTION opendata.import_csv(slug text, data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql VOLATILE AS $$ SELECT opendata._import_csv(slug, data, options::text)::jsonb $$;
COMMENT ON FUNCTION opendata.import_csv(text, bytea, jsonb) IS
  'load a CSV file into a new table (or {"mode": "replace"} an existing dataset) and register it; returns the import report';

CREATE FUNCTION opendata.import_csv_file(slug text, path text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
  SELECT opendata._import_csv(slug, opendata._read_server_file(path), options::text)::jsonb
$$;
COMMENT ON FUNCTION opendata.import_csv_file(text, text, jsonb) IS
  'import_csv() from a file on the database server (superusers and pg_read_server_files only)';

CREATE FUNCTION opendata.import_geojson(slug text, data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql VOLATILE AS $$ SELECT opendata._import_geojson(slug, data, options::text)::jsonb $$;
COMMENT ON FUNCTION opendata.import_geojson(text, bytea, jsonb) IS
  'load a GeoJSON FeatureCollection into a new table (or replace a dataset''s data) and register it';

CREATE FUNCTION opendata.import_geojson_file(slug text, path text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
  SELECT opendata._import_geojson(slug, opendata._read_server_file(path), options::text)::jsonb
$$;
COMMENT ON FUNCTION opendata.import_geojson_file(text, text, jsonb) IS
  'import_geojson() from a file on the database server (superusers and pg_read_server_files only)';

CREATE FUNCTION opendata.sniff_csv(data bytea, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT opendata._sniff_csv(data, options::text)::jsonb $$;
COMMENT ON FUNCTION opendata.sniff_csv(bytea, jsonb) IS
  'what import_csv() would do: dialect and a profile of every column, without loading';

-- Emptying a dataset's table for a re-import, by a role that manages it.
CREATE FUNCTION opendata._truncate_for_import(slug text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = ds.source) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION 'dataset "%" is not backed by a table', slug
      USING ERRCODE = '22023', HINT = 'Only imported or registered tables can be re-imported.';
  END IF;
  EXECUTE format('TRUNCATE %s', ds.source);
END
$$;

-- The history line of an import; a re-import of a published dataset also
-- publishes it again, which records the new version with its diff.
CREATE FUNCTION opendata._record_import(slug text, row_count bigint, mode text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  published jsonb;
BEGIN
  INSERT INTO opendata.history (dataset_id, version, action, by_role, row_count, note)
  VALUES (ds.id, ds.version, 'import', opendata._caller(), row_count, mode);
  IF mode = 'replace' AND ds.status = 'published' THEN
    published := opendata.publish(slug);
  END IF;
  RETURN coalesce(published->'version', to_jsonb(ds.version));
END
$$;
