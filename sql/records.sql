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
SELECT (opendata_api.records('rec-trees', rows => 0)::jsonb) ? 'total_count_estimated' AS estimated;
-- A page shorter than rows tells the total by itself: exact whatever the
-- threshold; a full page, or an empty one beyond the end, is counted.
SELECT s AS start, CASE WHEN r ? 'total_count_estimated' THEN 'estimated' ELSE r->>'total_count' END AS total,
       jsonb_array_length(r->'results') AS on_page
  FROM (VALUES (0), (50), (119), (120), (500)) v(s),
       LATERAL (SELECT opendata_api.records('rec-trees', fields => 'id', rows => 100, start => s)::jsonb AS r) x
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
