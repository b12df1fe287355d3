-- opendata._search_score(document, title, query) against the expression it
-- replaces (src/sql/59_search_score.sql): equal, bit for bit, on a few
-- thousand generated documents and queries of every kind, the ones the
-- fast path ranks and the ones it hands back to ts_rank_cd().

-- The expression of the catalog search's score before _search_score().
CREATE FUNCTION pg_temp.sql_score(d tsvector, t tsvector, q tsquery) RETURNS real
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d, q, 1) * CASE WHEN t @@ q THEN 2 ELSE 1 END)::real
$$;

-- Values worked out by hand: a and b adjacent with weight A, one cover of
-- density 1, divided by ln(2 positions + 1), doubled when the title matches.
SELECT opendata._search_score('a:1A b:2A', 'x', 'a & b') = (1 / ln(3))::real AS one_cover,
       opendata._search_score('a:1A b:2A', 'a b', 'a & b') = (2 / ln(3))::real AS title_doubles,
       opendata._search_score('a:1,3 b:2B', '', 'a & b') = (2 * (2 / (1 / 0.1::real::float8 + 1 / 0.4::real::float8)) / ln(4))::real AS two_covers,
       opendata._search_score('a b', 'a', 'a & b') AS no_positions,
       opendata._search_score('', '', 'a') AS empty_document,
       opendata._search_score('a:1', 'a', NULL) AS null_query;

-- Documents: random lexemes of a small vocabulary (prefixes of one
-- another, accented bytes), each with no position or up to 8 positions of
-- random weights, some near or past the last position 16383 (clamped);
-- then documents made as the search index makes them, long ones among
-- them; the empty document; and documents stripped of their positions.
SELECT setseed(0.15);
CREATE TEMP TABLE vocabulary (n int PRIMARY KEY, word text);
INSERT INTO vocabulary
SELECT n, w FROM unnest(ARRAY['a', 'ab', 'abc', 'arb', 'arbr', 'arbre', 'arbres', 'lyon', 'parc',
                              'park', 'velo', 'vélo', 'station', 'stationn', 'budget', 'ecol', 'école',
                              'qualit', 'air', 'z']) WITH ORDINALITY AS v(w, n);
CREATE TEMP TABLE documents (id int PRIMARY KEY, d tsvector, t tsvector);
INSERT INTO documents
SELECT g, d, CASE WHEN g % 3 = 0 THEN d WHEN g % 3 = 1 THEN strip(d) ELSE '' END
  FROM generate_series(1, 1500) g,
       LATERAL (SELECT coalesce(string_agg(quote_literal(v.word) ||
                  CASE WHEN np = 0 THEN ''
                       ELSE ':' || (SELECT string_agg((CASE WHEN random() < 0.1 THEN 16380 + floor(random() * 10)
                                                            ELSE 1 + floor(random() * 40) END)::int::text
                                                      || (ARRAY['A', 'B', 'C', 'D'])[1 + floor(random() * 4)::int], ',')
                                      FROM generate_series(1, np) WHERE g > 0) END, ' '), '')::tsvector AS d
                  FROM (SELECT DISTINCT ON (n) n, floor(random() * 9)::int AS np
                          FROM generate_series(1, 1 + floor(random() * 10)::int) k,
                               LATERAL (SELECT 1 + floor(random() * 20)::int + 0 * g AS n) r) picked
                  JOIN vocabulary v USING (n)) x;
INSERT INTO documents
SELECT 2000 + g, setweight(opendata._search_tsvector(title), 'A')
                 || setweight(opendata._search_tsvector(body), 'C')
                 || setweight(opendata._search_tsvector(repeat(body || ' ', reps)), 'D'),
       opendata._search_tsvector(title)
  FROM generate_series(1, 600) g,
       LATERAL (SELECT (SELECT string_agg(word, ' ') FROM (SELECT word FROM vocabulary ORDER BY random() LIMIT 3) w
                 WHERE g > 0) AS title,
                       (SELECT string_agg(word, ' ') FROM (SELECT word FROM vocabulary ORDER BY random() LIMIT 8) w
                 WHERE g > 0) AS body,
                       CASE WHEN g % 50 = 0 THEN 3000 ELSE 1 + g % 4 END AS reps) x;
INSERT INTO documents VALUES (3000, '', ''), (3001, 'a', 'a'), (3002, 'a:16383 b:16383', 'a:1');
INSERT INTO documents SELECT 4000 + id, strip(d), t FROM documents WHERE id % 7 = 0 AND id < 3000;
SELECT count(*) AS documents, count(*) FILTER (WHERE d = '') AS empty,
       count(*) FILTER (WHERE d <> '' AND d = strip(d)) AS without_positions,
       count(*) FILTER (WHERE d::text LIKE '%:16383%') AS at_last_position
  FROM documents;

-- Queries: one word, AND, OR, prefixes, the AND of ORs _search_query()
-- writes, a word no document has, a repeated word, an OR of ANDs, more
-- operands than the fast path takes, and those it leaves to PostgreSQL
-- (NOT, phrase, weight restriction, the empty query).
SET client_min_messages = warning;
CREATE TEMP TABLE queries (id int PRIMARY KEY, q tsquery);
INSERT INTO queries (id, q) VALUES
  (1, 'arbre'), (2, 'arbr:*'), (3, 'arbre & lyon'), (4, 'arbre | lyon'), (5, 'a:*'), (6, 'ab:* & z'),
  (7, '(arbr:* | arbre:* | arbres:*) & (lyon:*)'),
  (8, '(''arbr'' | ''arbre'') & (''parc'' | ''park'' | ''velo'' | ''vélo'') & (''ecol'':* | ''école'':*)'),
  (9, '(''qualit'' | ''qualite'') & (''air'':*)'),
  (10, '(''stationn'' | ''station'') & (''velo'':* | ''vélo'':*)'),
  (11, 'zzzabsent'), (12, 'zzzabsent & arbre'), (13, 'zzzabsent | arbre'), (14, 'arbre & arbre'),
  (15, '(arbre & lyon) | parc'), (16, '(a | b) & (a | c) & abc:*'), (17, 'lyon & !arbre'),
  (18, 'arbre <-> lyon'), (19, 'arbre:A & lyon'), (20, 'arbr:*B | parc'), (21, ''),
  (22, (SELECT string_agg('w' || i, ' | ')::tsquery FROM generate_series(1, 70) i) || 'arbre'::tsquery),
  (23, 'é:*'), (24, 'a & ab & abc & arb & arbr & arbre & arbres');
INSERT INTO queries SELECT 100 + n, opendata._search_query(q)
  FROM unnest(ARRAY['arbres', 'arbres lyon', 'parc velo', 'station velo', 'qualite air', 'ecole',
                    'budget 2023', 'arb']) WITH ORDINALITY AS x(q, n);
RESET client_min_messages;
SELECT count(*) AS queries, count(*) FILTER (WHERE q IS NULL) AS without_lexemes FROM queries;

-- Every pair: none differs.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE opendata._search_score(d, t, q) > 0) AS ranked,
       count(*) FILTER (WHERE t @@ q AND opendata._search_score(d, t, q) > 0) AS title_boosted,
       count(*) FILTER (WHERE opendata._search_score(d, t, q) IS DISTINCT FROM pg_temp.sql_score(d, t, q)) AS different
  FROM documents CROSS JOIN queries;

-- The same, query by query with a new query at every row (the compiled
-- query is kept per call site and replaced when the query changes).
SELECT count(*) FILTER (WHERE opendata._search_score(d, t, q) IS DISTINCT FROM pg_temp.sql_score(d, t, q)) AS different
  FROM (SELECT d, t, q FROM documents CROSS JOIN queries ORDER BY documents.id, queries.id) x;

-- Where a search uses it: the matches of _search_query's queries.
SELECT count(*) AS matches,
       count(*) FILTER (WHERE opendata._search_score(d, t, q) IS DISTINCT FROM pg_temp.sql_score(d, t, q)) AS different
  FROM documents CROSS JOIN queries WHERE d @@ q AND queries.id > 100;
