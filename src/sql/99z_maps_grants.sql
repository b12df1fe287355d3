-- Grants for maps (src/sql/75_tiles.sql, 76_ogc.sql), after 99_finalize.sql
-- has revoked every function from PUBLIC.  Everything here runs as the
-- caller: anon sees what its grants and row-level security let it see.
GRANT EXECUTE ON FUNCTION
  opendata_api.tile(text, int, int, int, text, text), opendata_api.tilejson(text),
  opendata._tile(text, int, int, int, text, text), opendata._etag_matches(text, text),
  opendata._request_header(text), opendata._dataset_cache_headers(text)
  TO opendata_anon;
