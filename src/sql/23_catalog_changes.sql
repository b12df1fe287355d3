-- Backends keep copies of catalog rows between calls: a published dataset's
-- fields as a role sees them, the catalog's base_url (src/pg/dataset_cache.cpp,
-- src/pg/dataset_query.cpp).  Each write to the tables those copies are made
-- of sends an invalidation of the table, as PostgreSQL's own DDL does: at
-- commit, to every backend and, through the WAL, to every hot standby, whose
-- copies are then read again at their next use (src/pg/catalog_changes.hpp).
-- organization_members decides what row-level security shows a publisher.
-- opendata.cluster_grids, mercator_copies and data_writes have it too, for
-- tile()'s kept answers (36_summaries.sql, 37_cluster_grids.sql,
-- 38_mercator_copies.sql).
CREATE FUNCTION opendata._catalog_changed() RETURNS trigger
LANGUAGE c AS 'MODULE_PATHNAME', 'opendata_catalog_changed';

CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.datasets
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.fields
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.organization_members
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.catalog
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._catalog_changed();
