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

-- The table a replace or append import loads into: the dataset's row
-- locked, once the caller is known to manage it, and before anything of it
-- is shown.  With a partition named ({"partition": "..."}, docs/import.md),
-- that partition of the dataset's partitioned table: a replace then
-- empties and loads it alone, the other partitions untouched.
CREATE FUNCTION opendata._import_target(slug text, part text) RETURNS oid
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets;
BEGIN
  IF NOT EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = _import_target.slug) THEN
    RAISE EXCEPTION 'dataset "%" does not exist', slug
      USING ERRCODE = '42P01', HINT = 'Import without "mode" to create it.';
  END IF;
  ds := opendata._dataset_for_update(slug);
  IF part IS NOT NULL THEN
    RETURN opendata._import_partition(ds, part);
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = ds.source) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION 'dataset "%" is not backed by a table', slug
      USING ERRCODE = '22023', HINT = 'Only imported or registered tables can be re-imported.';
  END IF;
  RETURN ds.source::oid;
END
$$;

-- The partition of the dataset's table named `part`: a leaf of its
-- partition tree, named as in pg_class, schema-qualified or not (an
-- unqualified name must be unique among the partitions).  A plain table:
-- a foreign partition is loaded on its own server (docs/scaling.md).
CREATE FUNCTION opendata._import_partition(ds opendata.datasets, part text) RETURNS oid
LANGUAGE plpgsql AS $$
DECLARE
  found oid[];
  leaves text;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = ds.source) <> 'p' THEN
    RAISE EXCEPTION 'dataset "%" is not partitioned', ds.slug
      USING ERRCODE = '22023', HINT = 'Import without "partition" to replace all of its data.';
  END IF;
  SELECT array_agg(c.oid ORDER BY c.oid) INTO found
    FROM pg_partition_tree(ds.source) t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE t.isleaf AND part IN (c.relname, n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname));
  IF found IS NULL THEN
    SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY n.nspname, c.relname) INTO leaves
      FROM pg_partition_tree(ds.source) t
      JOIN pg_class c ON c.oid = t.relid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE t.isleaf;
    RAISE EXCEPTION 'dataset "%" has no partition "%"', ds.slug, part
      USING ERRCODE = '42P01', DETAIL = format('Its partitions: %s.', coalesce(leaves, 'none'));
  END IF;
  IF cardinality(found) > 1 THEN
    RAISE EXCEPTION 'partition name "%" is ambiguous', part
      USING ERRCODE = '42725', HINT = 'Qualify it with its schema.';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = found[1]) <> 'r' THEN
    RAISE EXCEPTION 'partition "%" of dataset "%" is not a table', part, ds.slug
      USING ERRCODE = '22023', HINT = 'A foreign partition is loaded on its own server.';
  END IF;
  RETURN found[1];
END
$$;

-- Emptying a dataset's table (or one partition of it) for a re-import, by
-- a role that manages it, with the rights of the table's owner or the
-- caller's own (DELETE then checks the privilege, and its triggers run as
-- that role).
--
-- DELETE, not TRUNCATE: TRUNCATE locks the table against every reader until
-- the import commits, so readers of the API would wait for the whole load
-- (and, holding the view, deadlock with the republish).  After DELETE they
-- keep reading the old rows until the new ones are committed, then read
-- those: one version or the other, never a mix, never a wait on the load.
-- The old rows are left to (auto)vacuum.
CREATE FUNCTION opendata._empty_for_import(slug text, part text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  target regclass := opendata._import_target(slug, part);
BEGIN
  PERFORM opendata._exec_as(opendata._acting_role(target), format('DELETE FROM %s', opendata._qualified(target)));
END
$$;

-- The role that loads a replace or an append import into the dataset's
-- table (or the partition), for a caller that manages the dataset
-- (docs/security.md).  A definer: the import runs as its caller, which may
-- not call the internal functions this one calls.
CREATE FUNCTION opendata._import_role(slug text, part text) RETURNS regrole
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  RETURN opendata._acting_role(opendata._import_target(slug, part)::regclass);
END
$$;

-- An imported table registered as register() registers it, with the
-- original headers of its file as its fields' labels (labels: {"field":
-- "header", ...}): the fields are written labelled, with the dataset's
-- row, so that the catalog's search index is computed once for the new
-- dataset.  A definer: the import runs as its caller, who may not call
-- _register() itself; _register() checks the caller as register() does.
CREATE FUNCTION opendata._register_import(source regclass, slug text, metadata jsonb, labels jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  PERFORM opendata._register(source, slug, metadata, NULL, labels);
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
