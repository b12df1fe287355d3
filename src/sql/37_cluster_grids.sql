-- Cluster grids: the clusters of every tile of a big point dataset,
-- computed once per published version instead of at every request
-- (docs/maps.md, "Clusters computed at publication").
--
-- A tile of points too many to send one by one carries clusters: the
-- count and mean position of the points of each cell of geo_cluster()'s
-- grid at zoom z + 4.  Computed as the tile is asked for, that reads every
-- point of the tile: seconds for the low zooms of a million points.  So
-- they are computed for every tile of the zooms where one tile holds more
-- than 5,000 points (core/geo/cluster_grid.hpp), with the same grid, by a
-- background worker started when publish() commits, and tile() serves them
-- when the request has no filter, while they are true.  They follow the
-- data summaries' rules (36_summaries.sql): one version (the previous one
-- dropped by publish(), the new one built after it), set aside by any
-- other write to the table (the marks of
-- opendata.data_writes), only for plain tables without row-level security,
-- computed by the source's acting role through the API view.  A tile with
-- a filter, or of a dataset without a usable grid, is clustered from at
-- most opendata.tile_cluster_max_points points (pg/tiles.cpp).
--
-- A cache, not catalog data: not dumped.

CREATE TABLE opendata.cluster_grids (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,           -- the datasets.version it was computed for
  max_zoom     int NOT NULL            -- cluster_tiles has every non-empty tile of zooms 0 to this
);
COMMENT ON TABLE opendata.cluster_grids IS
  'the zooms of a published point dataset whose cluster tiles were computed at publication';

CREATE TABLE opendata.cluster_tiles (
  dataset_id   bigint NOT NULL REFERENCES opendata.cluster_grids (dataset_id) ON DELETE CASCADE,
  z            int NOT NULL,
  x            int NOT NULL,
  y            int NOT NULL,
  point_count  bigint NOT NULL,        -- the points of the tile
  tile         bytea NOT NULL,         -- its clusters, a Mapbox vector tile
  PRIMARY KEY (dataset_id, z, x, y)
);
COMMENT ON TABLE opendata.cluster_tiles IS
  'the vector tiles of clusters of a published point dataset, one per non-empty tile of its grid''s zooms';

-- tile() keeps which versions have a grid, and to which zoom, in the
-- backend (src/pg/cluster_grid.cpp): each write sends the table's
-- invalidation, as the catalog tables' do (23_catalog_changes.sql).
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.cluster_grids
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();

-- Readable as the datasets are: tile() runs as the caller.
ALTER TABLE opendata.cluster_grids ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.cluster_grids FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
ALTER TABLE opendata.cluster_tiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.cluster_tiles FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
GRANT SELECT ON opendata.cluster_grids, opendata.cluster_tiles TO opendata_anon;

-- The statements that compute a grid (src/pg/cluster_grid.cpp): the last
-- zoom where a tile holds more than 5,000 points of the dataset's API view
-- (one row, or none), and the cluster tiles of zooms 0 to max_zoom.
CREATE FUNCTION opendata._cluster_zoom_sql(dataset text, geometry text) RETURNS text
LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', 'opendata_cluster_zoom_sql';
CREATE FUNCTION opendata._cluster_tiles_sql(dataset text, geometry text, max_zoom int) RETURNS text
LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', 'opendata_cluster_tiles_sql';

-- The geometry tiles draw, for a summarizable dataset (the trigger that
-- marks writes is on its table): the first geometry column of the
-- dataset's API view, its field type and its column type (to declare a
-- copy's column).  NULLs otherwise.
CREATE FUNCTION opendata._tile_geometry(ds opendata.datasets, OUT name text, OUT type text,
                                        OUT geometry_type text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT opendata._summarizable(ds)
     OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                     WHERE t.tgrelid = ds.source AND t.tgname = opendata._summary_trigger_name()) THEN
    RETURN;
  END IF;
  SELECT f.name, f.type, pg_catalog.format_type(a.atttypid, NULL) INTO name, type, geometry_type
    FROM opendata.fields f
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid = pg_catalog.to_regclass(pg_catalog.format('opendata_api.%I', ds.slug))
     AND a.attname = f.name AND a.attnum > 0 AND NOT a.attisdropped
   WHERE f.dataset_id = ds.id AND f.type IN ('geo_point_2d', 'geo_shape')
   ORDER BY a.attnum LIMIT 1;
END
$$;

-- The geometry of a grid: the tiles' geometry when it is a geo_point_2d
-- field, NULL otherwise.
CREATE FUNCTION opendata._cluster_grid_geometry(ds opendata.datasets) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN g.type = 'geo_point_2d' THEN g.name END FROM opendata._tile_geometry(ds) g
$$;

-- In publish()'s transaction, after _refresh_summary(): the grid of the
-- previous version is dropped at once, and the new one is built by a
-- background worker once the transaction has committed
-- (src/pg/cluster_grid_worker.cpp).  Until it is there, tiles are
-- clustered as they are asked for, from at most
-- opendata.tile_cluster_max_points points (pg/tiles.cpp).
CREATE FUNCTION opendata._build_cluster_grid_after_commit(dataset_id bigint) RETURNS void
LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'opendata_build_cluster_grid_after_commit';

-- The worker also copies a line or polygon dataset into Web Mercator
-- (38_mercator_copies.sql).
CREATE FUNCTION opendata._refresh_cluster_grid(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM opendata.cluster_grids WHERE dataset_id = ds.id;
  IF (opendata._tile_geometry(ds)).name IS NOT NULL THEN
    PERFORM opendata._build_cluster_grid_after_commit(ds.id);
  END IF;
END
$$;

-- What the worker builds from (a grid, 38_mercator_copies.sql's copy):
-- the dataset `id` if it is published with no write to its table since
-- (a build after a write would never be used: the marks of
-- opendata.data_writes), NULL otherwise; after taking the advisory lock
-- of the transaction that makes builds of one kind (`what`) of one
-- dataset run one at a time.
--
-- The dataset's row is locked FOR SHARE before the build touches anything
-- else: publish() and every other change of a dataset lock that row first
-- (_dataset_for_update), then replace its view and delete its grid's and
-- copy's rows, which the build reads and writes.  Taken in that order by
-- both, the two wait for each other whole (a build waits for the publish to
-- commit, then builds what it published; a publish waits for the build
-- running) instead of each holding what the other needs: a deadlock.
CREATE FUNCTION opendata._dataset_to_build(id bigint, what text) RETURNS opendata.datasets
LANGUAGE plpgsql AS $$
DECLARE
  ds opendata.datasets;
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(what), (id % 2147483647)::int);
  SELECT * INTO ds FROM opendata.datasets d WHERE d.id = _dataset_to_build.id FOR SHARE;
  IF NOT FOUND OR ds.status <> 'published'
     OR EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = ds.id) THEN
    RETURN NULL;
  END IF;
  RETURN ds;
END
$$;

-- Computes the grid of the dataset's published version, unless it is
-- there; returns its last zoom (NULL: no grid, no tile being too full to be
-- read whole, or a dataset that has none).  The worker runs it; so does
-- build_cluster_grid().  One build at a time per dataset (an advisory lock
-- of the transaction): a second caller waits for the first and finds the
-- grid built.  Read by the source's acting role through the API view, as
-- tiles read it; where that role may not read the view there is no grid.
-- A grid built after a write to the table would never be used (the marks
-- of opendata.data_writes): none is.
CREATE FUNCTION opendata._build_cluster_grid(id bigint) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  ds opendata.datasets;
  geo text;
  acting regrole;
  top int;
BEGIN
  ds := opendata._dataset_to_build(id, 'opendata.cluster_grid');
  IF ds.id IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT g.max_zoom INTO top FROM opendata.cluster_grids g WHERE g.dataset_id = ds.id AND g.version = ds.version;
  IF FOUND THEN
    RETURN top;
  END IF;
  DELETE FROM opendata.cluster_grids WHERE dataset_id = ds.id;
  geo := opendata._cluster_grid_geometry(ds);
  IF geo IS NULL THEN
    RETURN NULL;
  END IF;
  acting := opendata._acting_role(ds.source);
  BEGIN
    SELECT t.z INTO top
      FROM opendata._query_as(acting, opendata._cluster_zoom_sql(ds.slug, geo)) AS t(z int);
    IF top IS NULL THEN
      RETURN NULL;  -- no tile too full to be read whole
    END IF;
    INSERT INTO opendata.cluster_grids (dataset_id, version, max_zoom) VALUES (ds.id, ds.version, top);
    INSERT INTO opendata.cluster_tiles (dataset_id, z, x, y, point_count, tile)
    SELECT ds.id, t.z, t.x, t.y, t.point_count, t.tile
      FROM opendata._query_as(acting, opendata._cluster_tiles_sql(ds.slug, geo, top))
           AS t(z int, x int, y int, point_count bigint, tile bytea);
  EXCEPTION WHEN insufficient_privilege THEN
    RETURN NULL;
  END;
  RETURN top;
END
$$;

-- The same, now, by a publisher of the dataset: to have the grid without
-- waiting for the worker (tests, scripts), or where no worker could start.
CREATE FUNCTION opendata.build_cluster_grid(slug text) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets;
BEGIN
  SELECT * INTO ds FROM opendata.datasets d WHERE d.slug = build_cluster_grid.slug;
  -- As _dataset_for_update() answers, without its lock: a dataset the
  -- caller may not read does not exist for it.
  IF NOT FOUND OR NOT ((ds.status = 'published' AND ds.access = 'public')
                       OR opendata._can_manage(ds.organization_id, opendata._caller())) THEN
    RAISE EXCEPTION 'dataset "%" does not exist', slug USING ERRCODE = '42P01';
  END IF;
  IF NOT opendata._can_manage(ds.organization_id, opendata._caller()) THEN
    RAISE EXCEPTION 'permission denied for dataset "%"', slug
      USING ERRCODE = '42501', HINT = 'Only a publisher of the dataset builds its cluster grid.';
  END IF;
  RETURN opendata._build_cluster_grid(ds.id);
END
$$;
COMMENT ON FUNCTION opendata.build_cluster_grid(text) IS
  'computes the cluster grid of a published point dataset now, or waits for the build running (docs/maps.md)';
