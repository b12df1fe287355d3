-- The score of a catalog search match (docs/search.md, "Ranking"):
-- the value of
--   (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', document, query, 1)
--    * CASE WHEN title @@ query THEN 2 ELSE 1 END)::real
-- to the last bit, computed without ts_rank_cd()'s per-call work: the query
-- is compiled once per call site, the document read in place
-- (src/pg/search_score.cpp, src/core/catalog/rank_cd.cpp).  sql/search_score
-- checks that both agree.  No SET clause (99_finalize.sql): it runs no SQL,
-- and is called once per match.
CREATE FUNCTION opendata._search_score(document tsvector, title tsvector, query tsquery)
RETURNS real
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_search_score';
