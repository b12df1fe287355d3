-- Grants for maps (src/sql/75_tiles.sql, 76_ogc.sql), after 99_finalize.sql
-- has revoked every function from PUBLIC.  Everything here runs as the
-- caller: anon sees what its grants and row-level security let it see.
GRANT EXECUTE ON FUNCTION
  opendata_api.tile(text, int, int, int, text, text), opendata_api.tilejson(text),
  opendata._request_header(text), opendata._dataset_cache_headers(text), opendata._site_root()
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata_api.ogc_landing(text), opendata_api.ogc_conformance(text), opendata_api.ogc_api(text),
  opendata_api.ogc_collections(text), opendata_api.ogc_collection(text),
  opendata_api.ogc_items(text, text), opendata_api.ogc_item(text, text),
  opendata._url_decode(text), opendata._url_encode(text), opendata._query_params(text),
  opendata._ogc_base(), opendata._ogc_link(text, text, text, text), opendata._ogc_check_format(text),
  opendata._ogc_datasets(text), opendata._ogc_collection_json(record), opendata._ogc_dataset(text),
  opendata._ogc_features(json, text, text), opendata._ogc_number(text, text), opendata._ogc_instant(text),
  opendata._odsql_field(text)
  TO opendata_anon;
-- A publisher builds the cluster grid of its dataset without waiting for
-- the worker (37_cluster_grids.sql); the function checks it is one.
GRANT EXECUTE ON FUNCTION opendata.build_cluster_grid(text) TO opendata_publisher;
