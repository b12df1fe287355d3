-- Data summaries: what an unfiltered query of a published dataset answers,
-- computed once per published version instead of at every request.
--
-- facets() without a filter counts every value of the facet fields over
-- every record (313 ms at 1,000,000 rows, the dataset page's main cost), and
-- records() without a filter counts every record.  Both answers are exact
-- and depend only on the data, so publish() computes them once, with the
-- same queries the API runs (facets() itself, and its own count), and the
-- API reads them back while they are true:
--
-- * a summary belongs to one version (datasets.version): publish() replaces
--   it in the transaction that makes the new version, so a reader sees the
--   old data with the old summary or the new data with the new one.  A
--   replace or append import publishes again (_record_import);
-- * any other write to the source table (INSERT, UPDATE, DELETE, COPY,
--   TRUNCATE, by anyone) leaves a mark in opendata.data_writes, in the
--   writer's transaction, through a statement trigger publish() puts on
--   the table: from the commit on, every reader sees the mark and computes
--   the answers again from the data, until the next publish().  Writers
--   only insert marks: they never wait for each other or for a
--   publication.  publish() deletes the marks before it counts; a mark it
--   could not see (a writer still running) outlives it, and with it the
--   summary is not used;
-- * only plain tables without row-level security get a summary: a view or
--   a materialized view changes without any statement on it (no trigger can
--   see it), and under row-level security readers do not all see the same
--   rows.
--
-- The summary is a cache, not catalog data: it is not dumped (a restored
-- database computes the answers live until the next publish()).

CREATE TABLE opendata.data_summaries (
  dataset_id   bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version      int NOT NULL,           -- the datasets.version it was computed for
  row_count    bigint NOT NULL,        -- count(*) of the source at that version
  facet_types  jsonb NOT NULL,         -- facet field -> its dictionary type then
  facets       json NOT NULL           -- facet field -> facets()' element for it, unfiltered, in UTC
);
COMMENT ON TABLE opendata.data_summaries IS
  'exact unfiltered record and facet counts of a published version, deleted by any other write to its table';

-- A write to a summarized dataset's table since the publication deleted
-- its marks: the summary no longer tells the data.  No key, and no
-- foreign key: concurrent writers insert without waiting for each other,
-- and without locking the dataset's catalog row (a publication holds it
-- FOR UPDATE); unpublish() and drop_dataset() delete the marks.
CREATE TABLE opendata.data_writes (
  dataset_id   bigint NOT NULL
);
CREATE INDEX ON opendata.data_writes (dataset_id);
COMMENT ON TABLE opendata.data_writes IS
  'writes to a dataset''s table since its last publication: its data summary is not used';

-- Readable as the datasets are: facets() and records() run as the caller.
ALTER TABLE opendata.data_summaries ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.data_summaries FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
ALTER TABLE opendata.data_writes ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON opendata.data_writes FOR SELECT
  USING (EXISTS (SELECT FROM opendata.datasets d WHERE d.id = dataset_id));
GRANT SELECT ON opendata.data_summaries, opendata.data_writes TO opendata_anon;

-- tile() keeps whether a dataset's Web Mercator copy is current in the
-- backend (src/pg/tiles.cpp): a mark that comes or goes sends the table's
-- invalidation (23_catalog_changes.sql).  Per row: an insert that finds a
-- mark already there inserts none, and sends nothing.
CREATE TRIGGER catalog_changed AFTER INSERT OR DELETE ON opendata.data_writes
  FOR EACH ROW EXECUTE FUNCTION opendata._catalog_changed();

-- The trigger on a summarized table: any write marks the datasets it
-- backs (once: a mark it can see is enough).  A definer (the writer may be
-- any role), which only inserts catalog rows.  Statement-level, so a bulk
-- load pays once.
CREATE FUNCTION opendata._data_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO opendata.data_writes (dataset_id)
  SELECT d.id FROM opendata.datasets d
   WHERE d.source = TG_RELID
     AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = d.id);
  RETURN NULL;
END
$$;

-- The trigger's name on a user's table.
CREATE FUNCTION opendata._summary_trigger_name() RETURNS name
LANGUAGE sql IMMUTABLE AS $$ SELECT 'opendata_summary_stale'::name $$;

-- Whether the dataset's source can have a summary: a plain table without
-- row-level security.
CREATE FUNCTION opendata._summarizable(ds opendata.datasets) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT c.relkind = 'r' AND NOT c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid = ds.source
$$;

-- Before publish() counts anything of a summarizable source: deletes the
-- marks of earlier writes (the counts will see those writes), and puts the
-- trigger on the table if it is not there yet, as the source's acting
-- role.  CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on the table,
-- which must come before the grants: they update the table's pg_class
-- row, which an autovacuum holding the table then waits for (a deadlock).
-- A role that may not create it (not a publisher) leaves the dataset
-- without a summary.
CREATE FUNCTION opendata._prepare_summary(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM opendata.data_writes WHERE dataset_id = ds.id;
  IF NOT opendata._summarizable(ds)
     OR EXISTS (SELECT FROM pg_catalog.pg_trigger t
                 WHERE t.tgrelid = ds.source AND t.tgname = opendata._summary_trigger_name()) THEN
    RETURN;
  END IF;
  PERFORM opendata._exec_as(opendata._acting_role(ds.source), pg_catalog.format(
    'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION opendata._data_changed()',
    opendata._summary_trigger_name(), opendata._qualified(ds.source)));
EXCEPTION WHEN insufficient_privilege THEN
  RETURN;
END
$$;

-- Computes the summary of version ds.version (row_count: the count publish()
-- just made), in publish()'s transaction.  The facets are facets()' own answer for the facet
-- fields, computed by the source's acting role through the API view, as
-- readers compute it; where that role may not read the view, there is no
-- summary and readers compute the answers themselves.
CREATE FUNCTION opendata._refresh_summary(ds opendata.datasets, row_count bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  fields text[];
  types jsonb;
  answer json;
BEGIN
  DELETE FROM opendata.data_summaries WHERE dataset_id = ds.id;
  IF NOT opendata._summarizable(ds)
     OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                     WHERE t.tgrelid = ds.source AND t.tgname = opendata._summary_trigger_name()) THEN
    RETURN;
  END IF;
  SELECT coalesce(array_agg(f.name::text ORDER BY f.position), '{}'),
         coalesce(jsonb_object_agg(f.name, f.type), '{}')
    INTO fields, types
    FROM opendata.fields f
   WHERE f.dataset_id = ds.id AND f.facet AND NOT f.hidden AND f.type NOT IN ('geo_point_2d', 'geo_shape');
  BEGIN
    SELECT t.a INTO answer
      FROM opendata._query_as(opendata._acting_role(ds.source),
                              pg_catalog.format('SELECT opendata_api.facets(%L, %L::text[])', ds.slug, fields)) AS t(a json);
  EXCEPTION WHEN insufficient_privilege THEN
    RETURN;
  END;
  INSERT INTO opendata.data_summaries (dataset_id, version, row_count, facet_types, facets)
  SELECT ds.id, ds.version, row_count, types,
         coalesce((SELECT json_object_agg(fields[i], e ORDER BY i)
                     FROM json_array_elements(answer->'facets') WITH ORDINALITY AS a(e, i)), '{}'::json);
END
$$;

-- Removes the trigger when the dataset leaves the API (unpublish, drop).
CREATE FUNCTION opendata._drop_summary(ds opendata.datasets) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM opendata.data_summaries WHERE dataset_id = ds.id;
  DELETE FROM opendata.data_writes WHERE dataset_id = ds.id;
  DELETE FROM opendata.cluster_grids WHERE dataset_id = ds.id;
  IF EXISTS (SELECT FROM pg_catalog.pg_trigger t
              WHERE t.tgrelid = ds.source AND t.tgname = opendata._summary_trigger_name())
     AND NOT EXISTS (SELECT FROM opendata.datasets o
                      WHERE o.source = ds.source AND o.id <> ds.id AND o.status = 'published') THEN
    PERFORM opendata._exec_as(opendata._acting_role(ds.source), pg_catalog.format('DROP TRIGGER %I ON %s',
                              opendata._summary_trigger_name(), opendata._qualified(ds.source)));
  END IF;
END
$$;
