-- opendata._rpc_link(), the links.next of search(), is a C function since
-- it shares the core's URL builder (src/core/odsql/links.hpp) with
-- records(), near() and cross().  Its links are the ones its PL/pgSQL
-- definition wrote: that definition is kept here as the reference, and
-- both are compared on the arguments search() passes and on the edge
-- cases (NULL values and names, an odd count, bytes outside ASCII).
CREATE FUNCTION regress.rpc_link_plpgsql(function text, args text[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  out text := (SELECT c.base_url FROM opendata.catalog c WHERE c.id = 1) || '/rpc/' || function;
  sep text := '?';
BEGIN
  FOR i IN 1 .. coalesce(array_length(args, 1), 0) / 2 LOOP
    CONTINUE WHEN args[2 * i] IS NULL;
    out := out || sep || args[2 * i - 1] || '=' || opendata._url_encode(args[2 * i]);
    sep := '&';
  END LOOP;
  RETURN out;
END
$$;

SELECT l.lanname
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.oid = 'opendata._rpc_link(text, text[])'::regprocedure;

CREATE TEMP TABLE link_cases (n int, function text, args text[]);
INSERT INTO link_cases VALUES
  (1, 'search', ARRAY['q', 'arbre', 'refine', NULL, 'exclude', NULL, 'facet', NULL,
                      'order_by', NULL, 'rows', '2', 'start', '4', 'lang', NULL]),
  (2, 'search', ARRAY['q', 'vélo & "quai" = 5/6 ~_-.', 'refine', '{"theme:ENVI","publisher:Ville de l''été"}',
                      'exclude', '{"keyword:a\\b"}', 'facet', '{theme,publisher}',
                      'order_by', 'modified desc', 'rows', '10', 'start', '10', 'lang', 'en']),
  (3, 'search', ARRAY['q', '日本 😀 %20 +', 'rows', '1', 'start', '1']),
  (4, 'search', ARRAY['q', NULL, 'rows', '10', 'start', '10', 'lang', NULL]),
  (5, 'search', ARRAY[]::text[]),
  (6, 'search', NULL),
  (7, 'search', ARRAY['q', 'a', 'rows']),            -- a name without a value
  (8, 'search', ARRAY[NULL, 'a', 'rows', '1']),      -- a value without a name
  (9, 'search', ARRAY[NULL, NULL, 'rows', '1']),
  (10, NULL, ARRAY['rows', '1']),
  (11, 'near', ARRAY['dataset', 'gares', 'lon', '2.35', 'lat', '-48.5e-3', 'where', '', 'start', '0']);

-- Every case, and whether the C function writes what PL/pgSQL wrote.
SELECT n, opendata._rpc_link(function, args) AS link,
       opendata._rpc_link(function, args) IS NOT DISTINCT FROM regress.rpc_link_plpgsql(function, args) AS same
  FROM link_cases ORDER BY n;

-- Under another base URL too (the catalog's, without a final '/').
SELECT opendata.set_catalog('{"base_url": "https://data.example.org/api/"}') IS NOT NULL AS set;
SELECT n, opendata._rpc_link(function, args) IS NOT DISTINCT FROM regress.rpc_link_plpgsql(function, args) AS same
  FROM link_cases ORDER BY n;
SELECT opendata._rpc_link('search', ARRAY['q', 'x']) AS link;
SELECT opendata.set_catalog('{"base_url": "http://localhost:3000"}') IS NOT NULL AS reset;

DROP TABLE link_cases;
DROP FUNCTION regress.rpc_link_plpgsql(text, text[]);
