-- Web Mercator copies: the rows of a published line or polygon dataset
-- with their shapes already in Web Mercator (EPSG:3857), for vector tiles
-- (docs/maps.md, "Web Mercator copies of shapes").
--
-- A tile draws its shapes in Web Mercator: read from the API view, every
-- shape of the tile is transformed from WGS 84 at every request (PROJ's
-- trigonometry, most of a high-zoom tile's time, bench/tiles.sh).  So,
-- after publish() commits, the background worker of the cluster grids
-- (src/pg/cluster_grid_worker.cpp) copies the API view, as the source's
-- acting role, into a table of its own: __shape, the first geo_shape field
-- in EPSG:3857 with a GiST index on it, then the view's other columns as
-- they are.  tile() reads it instead of the view for a tile without a filter
-- (pg/tiles.cpp).  The copy follows the cluster grids' rules
-- (37_cluster_grids.sql): one per published version, dropped by the next
-- publish(), set aside by any other write to the table (the marks of
-- opendata.data_writes), only for plain tables without row-level security,
-- and only for public datasets.  It counts only while the dataset's
-- version, last modification, status and access are those it was copied
-- at: any change deletes its row, and the copy is no longer readable (a
-- field hidden since, as describe_field() does, moving `modified`, is
-- still a column of the copy).  No row-level security on the copy itself:
-- PostGIS's && is not leakproof, so a policy would keep the planner from
-- its GiST index; the grant is what opens it, while its row is there.
-- Point datasets have none: a point costs little to transform, and their
-- dense tiles come from the cluster grids.
--
-- The copy's table is a member of the extension (the worker runs as the
-- bootstrap superuser, which may add it): a cache, not dumped, dropped
-- with the extension.  publish() only deletes the previous version's row
-- (its table, no longer read, is dropped by the next build).

CREATE TABLE opendata.mercator_copies (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,           -- the datasets.version it was copied at
  modified     timestamptz NOT NULL,   -- and its datasets.modified
  relation     regclass NOT NULL       -- the copy: opendata.mercator_copy_<dataset_id>_<version>
);
COMMENT ON TABLE opendata.mercator_copies IS
  'the Web Mercator copies of published line and polygon datasets that vector tiles read';

-- tile() keeps whether a copy is current in the backend (src/pg/tiles.cpp):
-- each write sends the table's invalidation (23_catalog_changes.sql).
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.mercator_copies
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();

-- Readable as the datasets are: tile() runs as the caller.
ALTER TABLE opendata.mercator_copies ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.mercator_copies FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
GRANT SELECT ON opendata.mercator_copies TO opendata_anon;

-- A change of what a copy was made from sets it aside: its row goes, and
-- with it the grant that opened it (the table stays until the next build
-- drops it, see below).  Run by the role that changed the catalog row,
-- opendata_owner in the extension's functions (the copy's owner), or a
-- superuser.
CREATE FUNCTION opendata._set_aside_mercator_copy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'datasets' THEN
    DELETE FROM opendata.mercator_copies WHERE dataset_id = NEW.id;
  ELSIF opendata._qualified(OLD.relation) IS NOT NULL THEN
    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM opendata_anon', opendata._qualified(OLD.relation));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER set_aside_mercator_copy AFTER UPDATE OF version, modified, status, access ON opendata.datasets
  FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.modified IS DISTINCT FROM NEW.modified
                     OR OLD.status IS DISTINCT FROM NEW.status OR OLD.access IS DISTINCT FROM NEW.access)
  EXECUTE FUNCTION opendata._set_aside_mercator_copy();
CREATE TRIGGER revoke_copy AFTER DELETE ON opendata.mercator_copies
  FOR EACH ROW EXECUTE FUNCTION opendata._set_aside_mercator_copy();

-- The copies no row names any more (a previous version's, whose row
-- publish() deleted; a deleted dataset's), dropped by the next build: only
-- the worker's superuser may take a table out of the extension.
CREATE FUNCTION opendata._drop_old_mercator_copies() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  old regclass;
BEGIN
  FOR old IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'opendata'::regnamespace AND c.relkind = 'r'
                AND c.relname LIKE 'mercator\_copy\_%'
                AND NOT EXISTS (SELECT FROM opendata.mercator_copies m WHERE m.relation = c.oid) LOOP
    EXECUTE pg_catalog.format('ALTER EXTENSION opendata DROP TABLE %s', opendata._qualified(old));
    EXECUTE pg_catalog.format('DROP TABLE %s', opendata._qualified(old));
  END LOOP;
END
$$;

-- Copies the published version of a public line or polygon dataset into
-- Web Mercator, unless the copy is there; returns whether there is one.
-- The worker runs it after publish() commits, as the bootstrap superuser
-- (who may create the table in this schema and add it to the extension);
-- nobody else may.
-- One copy at a time per dataset (an advisory lock of the transaction).
-- Read by the source's acting role through the API view, as tiles read
-- it: hidden fields are not in the view, so not in the copy.
CREATE FUNCTION opendata._build_mercator_copy(id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  ds opendata.datasets;
  geo record;
  view regclass;
  copy text;
  columns text;
  names text;
BEGIN
  ds := opendata._dataset_to_build(id, 'opendata.mercator_copy');
  IF ds.id IS NULL OR ds.access <> 'public' THEN
    RETURN false;
  END IF;
  -- Shapes only (a point dataset is left as it is, its grid built by the
  -- same worker's transaction).
  geo := opendata._tile_geometry(ds);
  IF geo.type IS DISTINCT FROM 'geo_shape' THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT FROM opendata.mercator_copies c
              WHERE c.dataset_id = ds.id AND c.version = ds.version AND c.modified = ds.modified) THEN
    RETURN true;
  END IF;
  DELETE FROM opendata.mercator_copies WHERE dataset_id = ds.id;
  PERFORM opendata._drop_old_mercator_copies();
  view := pg_catalog.to_regclass(pg_catalog.format('opendata_api.%I', ds.slug));
  copy := pg_catalog.format('mercator_copy_%s_%s', ds.id, ds.version);
  -- The view's columns but the shape (tiles read __shape instead).
  SELECT pg_catalog.string_agg(pg_catalog.format(', %I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)),
                               '' ORDER BY a.attnum),
         pg_catalog.string_agg(pg_catalog.format(', s.%I', a.attname), '' ORDER BY a.attnum)
    INTO columns, names
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = view AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> geo.name;
  BEGIN
    EXECUTE pg_catalog.format(
      'CREATE TABLE opendata.%I AS SELECT * FROM opendata._query_as(%L, %L) AS t(__shape %s%s)',
      copy, opendata._acting_role(ds.source),
      pg_catalog.format('SELECT ST_Transform(s.%I, 3857)%s FROM opendata_api.%I s', geo.name,
                        coalesce(names, ''), ds.slug),
      geo.geometry_type, coalesce(columns, ''));
  EXCEPTION WHEN insufficient_privilege THEN
    RETURN false;  -- the acting role may not read the view: tiles read it as the caller
  END;
  EXECUTE pg_catalog.format('ALTER EXTENSION opendata ADD TABLE opendata.%I', copy);
  EXECUTE pg_catalog.format('ALTER TABLE opendata.%I OWNER TO opendata_owner', copy);
  EXECUTE pg_catalog.format('CREATE INDEX ON opendata.%I USING gist (__shape)', copy);
  EXECUTE pg_catalog.format('GRANT SELECT ON opendata.%I TO opendata_anon', copy);
  EXECUTE pg_catalog.format('ANALYZE opendata.%I', copy);
  INSERT INTO opendata.mercator_copies (dataset_id, version, modified, relation)
  VALUES (ds.id, ds.version, ds.modified, pg_catalog.format('opendata.%I', copy)::regclass);
  RETURN true;
END
$$;
