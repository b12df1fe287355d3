-- Record queries through the API functions: the wiring around the ODSQL
-- compiler (dataset lookup under row-level security, paging settings,
-- counts, errors).  The language itself is covered by sql/odsql_*.sql.
CREATE TABLE public.rec_trees (id int PRIMARY KEY, genre text, hauteur numeric, plantation date,
                               vu timestamptz, remarquable boolean, geom geometry(Point, 4326), note text);
INSERT INTO rec_trees
SELECT g, (ARRAY['Platanus', 'Quercus', 'Tilia'])[g % 3 + 1], g % 40, date '1900-01-01' + g * 365,
       timestamptz '2024-05-01 10:00:00+02' + g * interval '1 hour', g % 2 = 0,
       ST_SetSRID(ST_MakePoint(2.30 + g / 1000.0, 48.85 + g / 1000.0), 4326), 'secret ' || g
  FROM generate_series(1, 120) g;
SELECT opendata.create_organization('rec-org', 'Records org') > 0 AS created;
SELECT opendata.register('rec_trees', 'rec-trees', $${"title": "Arbres", "description": "Des arbres",
         "publisher": "rec-org"}$$) IS NOT NULL AS registered;
SELECT opendata.describe_field('rec-trees', 'note', '{"hidden": true}') IS NOT NULL AS hidden,
       opendata.describe_field('rec-trees', 'genre', '{"facet": true}') IS NOT NULL AS facet;

-- A draft is not there for anyone querying records.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees')$$);
RESET ROLE;
SELECT opendata.publish('rec-trees')->>'version' AS version;

SET ROLE opendata_anon;
-- The Explore v2.1 shape: total_count and results; geometries as GeoJSON,
-- dates ISO 8601, datetimes in the requested time zone.
SELECT jsonb_pretty(opendata_api.records('rec-trees', "where" => 'id = 1')::jsonb);
SELECT opendata_api.records('rec-trees', fields => 'vu', "where" => 'id = 1', timezone => 'Europe/Paris');
-- Hidden fields do not exist for queries.
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', fields => 'note')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', "where" => 'note = "secret 1"')$$);
-- Filter, sort, page.
SELECT opendata_api.records('rec-trees', fields => 'id, hauteur', "where" => 'hauteur >= 38 and genre = "Quercus"',
                            order_by => 'id desc', rows => 2, start => 1);
-- Aggregates and groups.
SELECT opendata_api.records('rec-trees', fields => 'genre, count(*) as n, max(hauteur) as plus_haut',
                            group_by => 'genre', order_by => 'genre');
-- Facets: the fields flagged as facets by default.
SELECT opendata_api.facets('rec-trees', "where" => 'hauteur > 30');
-- Refine and exclude.
SELECT (opendata_api.records('rec-trees', refine => '{genre:Tilia}', exclude => '{remarquable:true}')::jsonb)->'total_count' AS tilia_not_remarkable;

-- Paging limits are settings, not hard caps.
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', rows => 101)$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', rows => -1)$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', start => -5)$$);
SET opendata.max_page_size = 1000;
SELECT json_array_length(opendata_api.records('rec-trees', rows => 120)->'results') AS page_of_120;
RESET opendata.max_page_size;
-- Deep pages are just pages: no 10,000 offset cap.
SELECT opendata_api.records('rec-trees', fields => 'id', order_by => 'id', rows => 1, start => 119);
SELECT opendata_api.records('rec-trees', fields => 'id', order_by => 'id', rows => 1, start => 100000);

-- Counts: exact below opendata.exact_count_threshold, the planner's
-- estimate above it, flagged.
SELECT (opendata_api.records('rec-trees', rows => 0)::jsonb) AS exact;
SET opendata.exact_count_threshold = 10;
-- Without a filter, the count publish() made for this version: exact at no
-- cost (the data summary, sql/summaries.sql).  Under a filter, estimated.
SELECT (opendata_api.records('rec-trees', rows => 0)::jsonb) AS unfiltered_exact,
       (opendata_api.records('rec-trees', rows => 0, "where" => 'id > 0')::jsonb) ? 'total_count_estimated' AS estimated;
-- A page shorter than rows tells the total by itself: exact whatever the
-- threshold; a full page, or an empty one beyond the end, is counted.
SELECT s AS start, CASE WHEN r ? 'total_count_estimated' THEN 'estimated' ELSE r->>'total_count' END AS total,
       jsonb_array_length(r->'results') AS on_page
  FROM (VALUES (0), (50), (119), (120), (500)) v(s),
       LATERAL (SELECT opendata_api.records('rec-trees', fields => 'id', "where" => 'id > 0', rows => 100, start => s)::jsonb AS r) x
 ORDER BY s;
SELECT opendata_api.records('rec-trees', fields => 'count(*) as n', "where" => 'genre = "Tilia"')::jsonb AS one_row;
SELECT opendata_api.records('rec-trees', fields => 'genre', group_by => 'genre', start => 2)::jsonb AS last_group;
RESET opendata.exact_count_threshold;

-- Errors an app gets back, with the parameter named.
SELECT regress.error_of($$SELECT opendata_api.records('nope')$$);
SELECT regress.error_of($$SELECT opendata_api.records(NULL)$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', "where" => 'hauteur >')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', "where" => 'hauter > 3')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', "where" => 'pg_sleep(10)')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', timezone => 'Mars/Olympus')$$);
-- The time zone is checked even when nothing in the query is a date.
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', fields => 'id', timezone => 'Mars/Olympus')$$);
SELECT regress.error_of($$SELECT opendata_api.facets('rec-trees', timezone => 'Mars/Olympus')$$);
SELECT regress.error_of($$SELECT opendata_api.facets('rec-trees', timezone => 'Europe/Nowhere')$$);
SELECT (opendata_api.facets('rec-trees', timezone => 'Europe/Paris')::jsonb) IS NOT NULL AS known_zone_accepted;
SELECT regress.error_of($$SELECT opendata_api.facets('rec-trees', facet => '{nope}')$$);
RESET ROLE;

-- explain_odsql shows the statement and its parameters, for developers.
SELECT opendata.explain_odsql('rec-trees', "where" => 'genre = "Tilia"', rows => 5) ~ '\$2::text = ''Tilia''|\$\d+ text = ''Tilia''' AS shows_bound_value;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata.explain_odsql('rec-trees')$$);
RESET ROLE;

-- geo_cluster() errors, as an app gets them.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', group_by => 'geo_cluster(genre, 5)')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', group_by => 'geo_cluster(geom, 30)')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', group_by => 'geo_cluster(geom, -2)')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', group_by => 'geo_cluster(geom)')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', "where" => 'geo_cluster(geom, 3) is not null')$$);
SELECT regress.error_of($$SELECT opendata_api.records('rec-trees', fields => 'geo_cluster(geom, 3)')$$);
-- A cluster of everything at zoom 0, ordered by its cell.
SELECT opendata_api.records('rec-trees', fields => 'c, count(*) as n', group_by => 'geo_cluster(geom, 0) as c', order_by => 'c');
RESET ROLE;

-- Keyset paging: records() returns next_after while the page is full, and
-- takes it back as "after".  A table with NOT NULL columns (row comparison)
-- and nullable ones (nulls last), floats that only survive as shortest
-- round-trip text, and datetimes with microseconds.
CREATE TABLE public.rec_pages (id int PRIMARY KEY, grp int NOT NULL, label text, score float8,
                               day date, at timestamptz NOT NULL, big bigint NOT NULL);
INSERT INTO rec_pages
SELECT g, g % 5, CASE WHEN g % 7 = 0 THEN NULL ELSE 'l' || g % 13 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 17) / 3.0 + 0.1 END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE date '2020-01-01' + g % 9 END,
       timestamptz '2024-01-01 10:00:00.123456+02' + (g % 10) * interval '1 hour 0.000001 seconds',
       (g % 4) * 3000000000
  FROM generate_series(1, 200) g;
SELECT opendata.register('rec_pages', 'rec-pages', '{"title": "Pages", "description": "Pages", "publisher": "rec-org"}') IS NOT NULL AS registered;
SELECT opendata.publish('rec-pages')->>'version' AS version;

-- The walk by tokens and the walk by start, page by page: the same records
-- in the same order.  The session's DateStyle, TimeZone and float output
-- are changed on purpose: tokens do not depend on them.
CREATE FUNCTION regress.token_walk(ds text, ord text, page int, filter text DEFAULT NULL, flds text DEFAULT 'id',
                                   OUT pages int, OUT records jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  r jsonb; tok text;
BEGIN
  pages := 0; records := '[]';
  LOOP
    r := opendata_api.records(ds, fields => flds, "where" => filter, order_by => ord, rows => page, after => tok);
    pages := pages + 1;
    records := records || (r->'results');
    tok := r->>'next_after';
    EXIT WHEN tok IS NULL OR pages > 1000;
  END LOOP;
END
$$;
CREATE FUNCTION regress.offset_walk(ds text, ord text, page int, filter text DEFAULT NULL, flds text DEFAULT 'id')
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r jsonb; out jsonb := '[]'; start int := 0;
BEGIN
  LOOP
    r := opendata_api.records(ds, fields => flds, "where" => filter, order_by => ord, rows => page, start => start);
    EXIT WHEN jsonb_array_length(r->'results') = 0;
    out := out || (r->'results');
    start := start + page;
  END LOOP;
  RETURN out;
END
$$;
GRANT EXECUTE ON FUNCTION regress.token_walk(text, text, int, text, text), regress.offset_walk(text, text, int, text, text) TO PUBLIC;

SET ROLE opendata_anon;
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/Santiago';
SET extra_float_digits = 0;
SELECT ord, page, filter, t.pages, jsonb_array_length(t.records) AS walked,
       t.records = regress.offset_walk('rec-pages', ord, page, filter) AS same_as_offset_walk
  FROM (VALUES ('', 7, NULL), ('id desc', 30, NULL), ('grp, at', 9, NULL), ('grp desc, big desc, id desc', 11, NULL),
               ('label', 8, NULL), ('label desc, score', 13, NULL), ('score desc', 10, NULL), ('score', 100, NULL),
               ('day desc, label, score desc', 6, NULL), ('at desc', 25, 'grp != 2'), ('big, label desc', 40, 'score > 2'))
       AS c(ord, page, filter),
       LATERAL regress.token_walk('rec-pages', ord, page, filter) t
 ORDER BY ord;
RESET DateStyle;
RESET TimeZone;
RESET extra_float_digits;

-- The response: next_after next to total_count (which counts every match,
-- not what is left); none on the last page.
SELECT r ? 'next_after' AS has_token, r->'total_count' AS total, r->'results' AS results
  FROM (SELECT opendata_api.records('rec-pages', fields => 'id', order_by => 'id', rows => 3)::jsonb r) s;
SELECT r->'total_count' AS total, r->'results' AS results
  FROM (SELECT opendata_api.records('rec-pages', fields => 'id', order_by => 'id', rows => 3,
          after => opendata_api.records('rec-pages', order_by => 'id', rows => 3)->>'next_after')::jsonb r) s;
SELECT opendata_api.records('rec-pages', fields => 'id', "where" => 'id > 198', order_by => 'id', rows => 5)::jsonb ? 'next_after' AS short_page_has_token;
-- No token where the order is not provably total, or the dataset has no key.
SELECT opendata_api.records('rec-pages', fields => 'grp, count(*) as n', group_by => 'grp', rows => 2)::jsonb ? 'next_after' AS grouped_has_token,
       opendata_api.records('rec-pages', order_by => 'length(label)', rows => 2)::jsonb ? 'next_after' AS expression_has_token,
       opendata_api.records('rec-trees', rows => 2)::jsonb ? 'next_after' AS keyed_has_token;
RESET ROLE;
-- The row comparison an index serves, when every key is NOT NULL and goes
-- the same way; the expansion otherwise.
SELECT opendata.explain_odsql('rec-pages', order_by => 'grp, at',
         after => opendata_api.records('rec-pages', order_by => 'grp, at', rows => 2)->>'next_after')
       ~ '\("grp", "at", "id"\) > \(CAST\(\$\d+::text AS int4\), CAST\(\$\d+::text AS timestamptz\), CAST' AS row_comparison;
SELECT opendata.explain_odsql('rec-pages', order_by => 'label desc',
         after => opendata_api.records('rec-pages', order_by => 'label desc', rows => 2)->>'next_after')
       ~ '"label" < CAST\(\$\d+::text AS text\) OR "label" IS NULL' AS nulls_last_expansion;

-- Tokens that cannot be honoured, with the right SQLSTATE.
SET ROLE opendata_anon;
CREATE TEMP TABLE tok AS SELECT opendata_api.records('rec-pages', order_by => 'score', rows => 2)->>'next_after' AS t,
                                 opendata_api.records('rec-pages', order_by => 'id', rows => 2)->>'next_after' AS by_id;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-pages', order_by => 'score desc', after => %L)$$, t)) FROM tok;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-trees', order_by => 'id', after => %L)$$, by_id)) FROM tok;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-pages', group_by => 'grp', after => %L)$$, t)) FROM tok;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-pages', order_by => 'length(label)', after => %L)$$, t)) FROM tok;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-pages', order_by => 'score', after => %L)$$, t || 'x')) FROM tok;
SELECT regress.error_of($$SELECT opendata_api.records('rec-pages', after => 'eyJ2IjoxfQ')$$);
-- A token is bound to the whole request (issue #24 defect 1): reused after
-- the where, refine, exclude or time zone changed, it is refused, not
-- honoured with a page of another result.
CREATE TEMP TABLE tok_filtered AS
  SELECT opendata_api.records('rec-pages', "where" => 'grp = 1', refine => '{grp:1}', exclude => '{big:0}',
                              order_by => 'id', rows => 2)->>'next_after' AS t;
SELECT regress.error_of(format($$SELECT opendata_api.records('rec-pages', "where" => 'grp = 2', refine => '{grp:1}', exclude => '{big:0}', order_by => 'id', rows => 2, after => %L)$$, t)) AS other_where,
       regress.error_of(format($$SELECT opendata_api.records('rec-pages', "where" => 'grp = 1', exclude => '{big:0}', order_by => 'id', rows => 2, after => %L)$$, t)) AS no_refine,
       regress.error_of(format($$SELECT opendata_api.records('rec-pages', "where" => 'grp = 1', refine => '{grp:1}', order_by => 'id', rows => 2, after => %L)$$, t)) AS no_exclude,
       regress.error_of(format($$SELECT opendata_api.records('rec-pages', "where" => 'grp = 1', refine => '{grp:1}', exclude => '{big:0}', order_by => 'id', rows => 2, timezone => 'Europe/Paris', after => %L)$$, t)) AS other_timezone
  FROM tok_filtered;
SELECT jsonb_array_length(opendata_api.records('rec-pages', "where" => 'grp = 1', refine => '{grp:1}', exclude => '{big:0}',
                                                order_by => 'id', rows => 2, after => t)::jsonb->'results') AS same_request_continues
  FROM tok_filtered;
RESET ROLE;

-- A NOT NULL field (id, the source's primary key) sorts without a null
-- placement, so its B-tree index serves a descending order; a nullable one
-- keeps NULLS LAST.
SELECT opendata.explain_odsql('rec-trees', fields => 'id', order_by => 'id desc, hauteur desc')
       ~ 'ORDER BY "id" DESC, "hauteur" DESC NULLS LAST' AS plain_desc_on_not_null;
SET ROLE opendata_anon;
SELECT opendata_api.records('rec-trees', fields => 'id', "where" => 'id > 115', order_by => 'id desc', rows => 3);
RESET ROLE;

-- Text search folds case and accents with unaccent then lower(), on both
-- sides; '*' is the only wildcard: LIKE's own metacharacters, and the
-- symbols unaccent turns into them (full-width percent and low line), are
-- plain text.
CREATE TABLE public.rec_words (id int PRIMARY KEY, label text);
INSERT INTO rec_words VALUES
  (1, 'École Émile Zola'), (2, 'CŒUR de ville'), (3, 'remise 50% été'), (4, 'remise 50 euros'),
  (5, 'snake_case'), (6, 'snakeXcase'), (7, 'back\slash'), (8, NULL);
SELECT opendata.register('rec_words', 'rec-words', $${"title": "Mots", "description": "Des mots",
         "publisher": "rec-org"}$$) IS NOT NULL AS registered;
SELECT opendata.publish('rec-words')->>'version' AS version;
SET ROLE opendata_anon;
SELECT q, (SELECT array_agg((e->>'id')::int ORDER BY (e->>'id')::int)
             FROM json_array_elements(opendata_api.records('rec-words', fields => 'id', "where" => q)->'results') e) AS ids
  FROM (VALUES ('"ecole"'), ('"EMILE zola"'), ('"coeur"'), ('"cœur"'), ('"Été"'), ('"50%"'), ('"50％"'),
               ('"snake_case"'), ('"snake＿case"'), ('"sna*se"'), ('"back\\slash"'), ('"back∖slash"'),
               ('label like "VILLE"'), ('search(label, "zola école")'), ('not "remise"')) v(q)
 ORDER BY q;
RESET ROLE;

-- A zone whose offset has seconds (Paris kept its local mean time,
-- +00:09:21, until 1911): the offset keeps its seconds, as PostgreSQL
-- writes it (issue #24 defect 6).
CREATE TABLE public.rec_old (id int PRIMARY KEY, vu timestamptz);
INSERT INTO rec_old VALUES (1, '1700-06-01 12:00:00+00'), (2, '2024-06-01 12:00:00+00');
SELECT opendata.register('rec_old', 'rec-old', $${"title": "Vieux", "description": "Des dates anciennes",
         "publisher": "rec-org"}$$) IS NOT NULL AS registered;
SELECT opendata.publish('rec-old')->>'version' AS version;
SET ROLE opendata_anon;
SELECT opendata_api.records('rec-old', fields => 'vu', timezone => 'Europe/Paris');
RESET ROLE;

-- Every page tells whether there is a next one (issue #24 defect 2):
-- links.next is the ready URL of the next page, by token where the dataset
-- has a key, by start where it has none; the last page has no link.
CREATE TABLE public.rec_nokey (label text, n int);
INSERT INTO rec_nokey SELECT 'l' || g, g FROM generate_series(1, 5) g;
SELECT opendata.register('rec_nokey', 'rec-nokey', $${"title": "Sans clé", "description": "Pas de clé",
         "publisher": "rec-org"}$$) IS NOT NULL AS registered;
SELECT opendata.publish('rec-nokey')->>'version' AS version;
SET ROLE opendata_anon;
SELECT r->'total_count' AS total, r ? 'next_after' AS has_token, r->'links' AS links
  FROM (SELECT opendata_api.records('rec-nokey', fields => 'n', "where" => 'n > 0', exclude => '{"label:l 9"}',
                                    rows => 2, start => 0)::jsonb AS r
        UNION ALL SELECT opendata_api.records('rec-nokey', rows => 2, start => 2)::jsonb
        UNION ALL SELECT opendata_api.records('rec-nokey', rows => 2, start => 4)::jsonb
        UNION ALL SELECT opendata_api.records('rec-nokey', rows => 5)::jsonb) s;
-- (The catalog's base URL is whatever earlier tests set: compared apart.)
SELECT r->'links'->>'next' = (SELECT rtrim(base_url, '/') FROM opendata.catalog WHERE id = 1)
                             || '/rpc/records?dataset=rec-pages&fields=id&order_by=id&rows=2&after='
                             || (r->>'next_after') || '&timezone=Europe%2FParis' AS token_link
  FROM (SELECT opendata_api.records('rec-pages', fields => 'id', order_by => 'id', rows => 2,
                                    timezone => 'Europe/Paris')::jsonb AS r) s;
RESET ROLE;
