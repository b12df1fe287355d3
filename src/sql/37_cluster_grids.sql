-- Cluster grids: the clusters of every tile of a big point dataset,
-- computed once per published version instead of at every request
-- (docs/maps.md, "Clusters computed at publication").
--
-- A tile of points too many to send one by one carries clusters: the
-- count and mean position of the points of each cell of geo_cluster()'s
-- grid at zoom z + 4.  Computed as the tile is asked for, that reads every
-- point of the tile: seconds for the low zooms of a million points.  So
-- publish() computes them for every tile of the zooms where one tile holds
-- more than 5,000 points (core/geo/cluster_grid.hpp), with the same grid,
-- and tile() serves them when the request has no filter, while they are
-- true.  They follow the data summaries' rules (36_summaries.sql): one
-- version (replaced by publish() in the transaction that makes the new
-- one), set aside by any other write to the table (the marks of
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

-- Computes the grid of version ds.version, in publish()'s transaction,
-- after _refresh_summary(): a summarizable dataset (the trigger is on its
-- table) whose first visible geometry is a geo_point_2d field.  Read by
-- the source's acting role through the API view, as tiles read it; where
-- that role may not read the view there is no grid.
CREATE FUNCTION opendata._refresh_cluster_grid(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  geo record;
  acting regrole;
  top int;
BEGIN
  DELETE FROM opendata.cluster_grids WHERE dataset_id = ds.id;
  IF NOT opendata._summarizable(ds)
     OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                     WHERE t.tgrelid = ds.source AND t.tgname = opendata._summary_trigger_name()) THEN
    RETURN;
  END IF;
  -- The geometry tiles draw: the view's first geometry column.
  SELECT f.name, f.type INTO geo
    FROM opendata.fields f
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid = pg_catalog.to_regclass(pg_catalog.format('opendata_api.%I', ds.slug))
     AND a.attname = f.name AND a.attnum > 0 AND NOT a.attisdropped
   WHERE f.dataset_id = ds.id AND f.type IN ('geo_point_2d', 'geo_shape')
   ORDER BY a.attnum LIMIT 1;
  IF NOT FOUND OR geo.type <> 'geo_point_2d' THEN
    RETURN;
  END IF;
  acting := opendata._acting_role(ds.source);
  BEGIN
    SELECT t.z INTO top
      FROM opendata._query_as(acting, opendata._cluster_zoom_sql(ds.slug, geo.name)) AS t(z int);
    IF top IS NULL THEN
      RETURN;  -- no tile too full to be read whole
    END IF;
    INSERT INTO opendata.cluster_grids (dataset_id, version, max_zoom) VALUES (ds.id, ds.version, top);
    INSERT INTO opendata.cluster_tiles (dataset_id, z, x, y, point_count, tile)
    SELECT ds.id, t.z, t.x, t.y, t.point_count, t.tile
      FROM opendata._query_as(acting, opendata._cluster_tiles_sql(ds.slug, geo.name, top))
           AS t(z int, x int, y int, point_count bigint, tile bytea);
  EXCEPTION WHEN insufficient_privilege THEN
    RETURN;
  END;
END
$$;
