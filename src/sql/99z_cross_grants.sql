-- Grants for crossings (src/sql/70_cross.sql), after 99_finalize.sql has
-- revoked every function from PUBLIC.
--
-- The ad hoc crossings of the API (src/pg/cross.cpp) build their statement
-- with the crossing compiler and run it as the caller.  The helpers below
-- are SECURITY INVOKER and compute values or SQL text only: no catalog
-- write, no privilege of their own (the privilege matrix pins this list).
GRANT EXECUTE ON FUNCTION
  opendata_api.cross(text, text, text, float8, int, text, text, int, int, text, text),
  opendata_api.near(text, float8, float8, float8, text, int, int, text, text),
  opendata._cross_select(text, text[], text, int, text, text[], text, int, text[], text, jsonb),
  opendata._expand_m(geometry, float8),
  opendata._point_relation(text, text), opendata._nearest_index_fits(regclass)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata.cross(text, text, text, text, jsonb), opendata.refresh(text),
  opendata.ensure_spatial_index(text),
  opendata._nearest_candidates(float8, float8, regclass, name, int, float8)
  TO opendata_publisher;
-- Row-level security policies call _can_manage() as the querying role.
GRANT EXECUTE ON FUNCTION opendata._can_manage(bigint, name) TO opendata_anon;
