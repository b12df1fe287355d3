-- Catalog search: French and English full text (accents, stemming, prefix,
-- typos), ranking, facets, refine/exclude, visibility by row-level
-- security, and every error pinned by SQLSTATE.  Runs after catalog.sql,
-- which leaves regress_alice and regress_bob and no dataset.

-- Two organizations and six datasets: four published and public, one
-- published but restricted, one draft.
SELECT opendata.create_organization('search-ville', 'Ville de Recherche', '{"homepage": "https://ville.example"}') > 0 AS created;
SELECT opendata.create_organization('search-metro', 'Métropole de Recherche') > 0 AS created;
SELECT opendata.add_member('search-ville', 'regress_alice');
SELECT opendata.add_member('search-metro', 'regress_alice');
CREATE SCHEMA search_data AUTHORIZATION regress_alice;
SET ROLE regress_alice;
CREATE TABLE search_data.arbres (id int PRIMARY KEY, espece text);
CREATE TABLE search_data.velos (id int PRIMARY KEY, places int);
CREATE TABLE search_data.trees (id int PRIMARY KEY, species text);
CREATE TABLE search_data.budget (id int PRIMARY KEY, montant numeric);
CREATE TABLE search_data.brouillon (id int PRIMARY KEY);
CREATE TABLE search_data.interne (id int PRIMARY KEY);
SELECT opendata.register('search_data.arbres', 'search-arbres', $${"publisher": "search-ville",
  "title": "Arbre remarquable", "description": "Les arbres remarquables de la ville, un patrimoine vivant.",
  "keywords": ["Arbre", "patrimoine"], "themes": ["ENVI"], "license": "etalab-2.0", "spatial": "Paris"}$$)->>'slug' AS slug;
SELECT opendata.register('search_data.velos', 'search-velos', $${"publisher": "search-ville",
  "title": "Stations de vélos en libre-service", "description": "Emplacement des stations et nombre de places.",
  "keywords": ["vélo", "mobilité"], "themes": ["TRAN"], "license": "ODbL-1.0", "spatial": "Paris"}$$)->>'slug' AS slug;
SELECT opendata.register('search_data.trees', 'search-trees', $${"publisher": "search-metro",
  "title": "Street trees", "description": "Location and species of the street trees of the city.",
  "keywords": ["tree", "arbre"], "themes": ["ENVI", "REGI"], "license": "CC-BY-4.0", "spatial": "Lyon"}$$)->>'slug' AS slug;
SELECT opendata.register('search_data.budget', 'search-budget', $${"publisher": "search-ville",
  "title": "Budget primitif", "description": "Le budget voté de la collectivité.",
  "keywords": ["finances"], "themes": ["ECON"], "license": "etalab-2.0"}$$)->>'slug' AS slug;
SELECT opendata.register('search_data.brouillon', 'search-brouillon', $${"publisher": "search-ville",
  "title": "Arbres du brouillon", "description": "Un brouillon confidentiel."}$$)->>'slug' AS slug;
SELECT opendata.register('search_data.interne', 'search-interne', $${"publisher": "search-ville",
  "title": "Arbres internes", "description": "Réservé aux agents.", "access": "restricted"}$$)->>'slug' AS slug;
SELECT opendata.describe_field('search-velos', 'places', '{"label": "Nombre de places disponibles"}')->>'label' AS label;
SELECT opendata.publish(s)->>'version' AS version
  FROM unnest(ARRAY['search-arbres', 'search-velos', 'search-trees', 'search-budget', 'search-interne']) s;
RESET ROLE;
-- Fixed modification dates, for the "modified" facet.
UPDATE opendata.datasets SET modified = CASE slug WHEN 'search-budget' THEN timestamptz '2023-03-01 12:00+00'
                                                  ELSE timestamptz '2024-06-01 12:00+00' END
 WHERE slug LIKE 'search-%';

-- The index follows the catalog; only public words feed the typo vocabulary.
SELECT count(*) AS indexed FROM opendata.search_index;
SELECT count(*) FILTER (WHERE word = 'patrimoine') AS public_word,
       count(*) FILTER (WHERE word = 'confidentiel') AS draft_word
  FROM opendata.search_words;

-- Helpers: the hits of a response, and its facets, one line each.
CREATE FUNCTION regress.hits(r json) RETURNS text
LANGUAGE sql AS $$
  SELECT (r->>'total_count') || ': '
         || coalesce((SELECT string_agg(x->>'dataset_id', ', ' ORDER BY n)
                        FROM json_array_elements(r->'results') WITH ORDINALITY AS t(x, n)), '')
$$;
CREATE FUNCTION regress.facets(r json) RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT (f->>'name') || ': '
         || coalesce((SELECT string_agg(format('%s "%s" %s%s', x->>'value', x->>'name', x->>'count',
                                               CASE WHEN x->>'state' <> 'displayed' THEN ' ' || (x->>'state') ELSE '' END),
                                        ', ' ORDER BY n)
                        FROM json_array_elements(f->'facets') WITH ORDINALITY AS t(x, n)), '')
    FROM json_array_elements(r->'facets') f
$$;

-- Everything below is what PostgREST's anonymous role sees.
SET ROLE opendata_anon;

-- The response shape.
SELECT json_typeof(r) AS shape, (SELECT array_agg(k) FROM json_object_keys(r) k) AS keys
  FROM opendata_api.search('arbre', rows => 1) r;
SELECT (r->'results'->0)::jsonb ?& ARRAY['dataset_id', 'title', 'description', 'themes', 'keywords', 'publisher',
                                          'license', 'modified', 'links', 'score'] AS results_are_datasets
  FROM opendata_api.search('arbre', rows => 1) r;
-- links.next: the same search, start moved on, while datasets remain.
SELECT p.start, r->'total_count' AS total, r->'links'->>'next' AS next
  FROM generate_series(0, 2) p(start), opendata_api.search('arbre', rows => 1, start => p.start, facet => '{}') r;

-- French: plural, accents and case do not matter; stems match.
SELECT regress.hits(opendata_api.search('arbres remarquables', facet => '{}'));
SELECT regress.hits(opendata_api.search('ARBRE Remarquable', facet => '{}'));
SELECT regress.hits(opendata_api.search('velo', facet => '{}'));
SELECT regress.hits(opendata_api.search('vélos', facet => '{}'));
SELECT regress.hits(opendata_api.search('collectivite', facet => '{}'));
-- The last word is a prefix.
SELECT regress.hits(opendata_api.search('remarq', facet => '{}'));
SELECT regress.hits(opendata_api.search('stations de vél', facet => '{}'));
-- Typos in words of 5 letters or more.
SELECT regress.hits(opendata_api.search('patrimonie', facet => '{}'));
SELECT regress.hits(opendata_api.search('patrimonie vivant', facet => '{}'));
SELECT regress.hits(opendata_api.search('budjet primitif', facet => '{}'));
-- English stemming.
SELECT regress.hits(opendata_api.search('street tree', facet => '{}'));
SELECT regress.hits(opendata_api.search('species', facet => '{}'));
-- Keywords, field labels, publisher names and theme labels are searched too.
SELECT regress.hits(opendata_api.search('disponibles', facet => '{}'));
SELECT regress.hits(opendata_api.search('métropole', facet => '{}'));
SELECT regress.hits(opendata_api.search('transports', facet => '{}'));
-- Ranking: a title hit ranks first.
SELECT regress.hits(opendata_api.search('arbre', facet => '{}'));
SELECT x->>'dataset_id' AS dataset, (x->>'score')::numeric > 0 AS scored
  FROM json_array_elements(opendata_api.search('arbre', facet => '{}')->'results') x;
-- The last word is a prefix: its alternatives that another one starts
-- with are left out (they would match nothing more).
SELECT opendata._search_query('arbres') AS one_word, opendata._search_query('arbres remarquables') AS two_words;
-- Stop words alone, punctuation and query syntax are no filter, and no error.
SELECT regress.hits(opendata_api.search('de la', facet => '{}'));
SELECT regress.hits(opendata_api.search($$arbre & | ! :* ( ) ' "$$, facet => '{}'));
SELECT regress.hits(opendata_api.search('zzzzqqq', facet => '{}'));

-- Drafts and restricted datasets are invisible to anon.
SELECT regress.hits(opendata_api.search(facet => '{}'));
SELECT regress.hits(opendata_api.search('brouillon', facet => '{}'));
SELECT regress.hits(opendata_api.search('internes', facet => '{}'));

-- Facets, counted on the whole result set.
SELECT regress.facets(opendata_api.search());
SELECT regress.facets(opendata_api.search(lang => 'en', facet => '{theme}'));
SELECT regress.facets(opendata_api.search('arbre', facet => '{publisher, keyword}'));
SELECT regress.facets(opendata_api.search(facet => '{modified, modified}'));

-- refine and exclude narrow the results and the facet counts.
SELECT regress.hits(opendata_api.search(refine => '{theme:envi}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{theme:ENVI, theme:REGI}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{keyword:ARBRE}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{publisher:search-ville}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{license:odbl-1.0}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{territory:Lyon}', facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => '{modified:2023}', facet => '{}'));
SELECT regress.hits(opendata_api.search(exclude => '{theme:ENVI}', facet => '{}'));
SELECT regress.hits(opendata_api.search(exclude => '{publisher:search-ville, modified:2023}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', refine => '{publisher:search-metro}', facet => '{}'));
-- With a text, anon's matches are filtered before they are ranked
-- (_search_public_matches): every facet's refine and exclude there too.
SELECT regress.hits(opendata_api.search('arbre', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', refine => '{theme:envi, keyword:ARBRE}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', refine => '{territory:Lyon}', facet => '{}'));
SELECT regress.hits(opendata_api.search('budget', refine => '{modified:2023, license:etalab-2.0}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', exclude => '{theme:ENVI}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', exclude => '{keyword:arbre}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', exclude => '{territory:Lyon}', facet => '{}'));
SELECT regress.hits(opendata_api.search('arbre', exclude => '{license:nope, modified:1999}', facet => '{}'));
SELECT regress.facets(opendata_api.search('arbre', exclude => '{publisher:search-metro}', facet => '{publisher, theme}'));
SELECT regress.facets(opendata_api.search(refine => '{theme:ENVI}', facet => '{theme, license}'));
-- Values are data, never SQL.
SELECT regress.hits(opendata_api.search(refine => ARRAY['theme:ENVI'') OR true --'], facet => '{}'));
SELECT regress.hits(opendata_api.search(refine => ARRAY['keyword:x''] OR 1=1'], facet => '{}'));

-- Sorting and paging.
SELECT regress.hits(opendata_api.search(order_by => 'title', facet => '{}'));
SELECT regress.hits(opendata_api.search(order_by => 'TITLE  desc', facet => '{}'));
SELECT regress.hits(opendata_api.search(order_by => 'modified asc', facet => '{}'));
SELECT regress.hits(opendata_api.search(order_by => 'title', rows => 2, start => 1, facet => '{}'));
SELECT regress.hits(opendata_api.search(rows => 0, facet => '{}'));
SELECT regress.hits(opendata_api.search(start => 10, facet => '{}'));

-- Errors: 22023, naming what is wrong.
SELECT regress.error_of($$SELECT opendata_api.search(facet => '{theme, colour}')$$);
SELECT regress.error_of($$SELECT opendata_api.search(facet => ARRAY[NULL])$$);
SELECT regress.error_of($$SELECT opendata_api.search(refine => '{ENVI}')$$);
SELECT regress.error_of($$SELECT opendata_api.search(refine => '{colour:red}')$$);
SELECT regress.error_of($$SELECT opendata_api.search(exclude => '{theme:}')$$);
SELECT regress.error_of($$SELECT opendata_api.search(refine => '{modified:2024-01}')$$);
SELECT regress.error_of($$SELECT opendata_api.search(exclude => ARRAY[NULL])$$);
SELECT regress.error_of($$SELECT opendata_api.search(order_by => 'popularity')$$);
SELECT regress.error_of($$SELECT opendata_api.search(order_by => 'title; DROP TABLE x')$$);
SELECT regress.error_of($$SELECT opendata_api.search(rows => -1)$$);
SELECT regress.error_of($$SELECT opendata_api.search(rows => 1000)$$);
SELECT regress.error_of($$SELECT opendata_api.search(start => -5)$$);
SELECT regress.error_of($$SELECT opendata_api.search(lang => 'de')$$);
-- The search tables themselves are not anon's to read, nor to write.
SELECT regress.error_of($$SELECT count(*) FROM opendata.search_index$$);
SELECT regress.error_of($$INSERT INTO opendata.search_words VALUES ('x')$$);
SELECT regress.error_of($$SELECT opendata.search_reindex()$$);
RESET ROLE;

-- A publisher also finds the drafts and restricted datasets it manages.
SET ROLE regress_alice;
SELECT regress.hits(opendata_api.search('arbres', facet => '{}'));
RESET ROLE;
SET ROLE regress_bob;
SELECT regress.hits(opendata_api.search('arbres', facet => '{}'));
RESET ROLE;

-- Unpublishing removes a dataset from anon's results at once.
SET ROLE regress_alice;
SELECT opendata.unpublish('search-velos')->>'status' AS status;
RESET ROLE;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}'));
RESET ROLE;
SET ROLE regress_alice;
SELECT opendata.publish('search-velos')->>'version' AS version;
RESET ROLE;

-- Renaming an organization reindexes its datasets.
UPDATE opendata.organizations SET name = 'Grand Lyon' WHERE slug = 'search-metro';
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('grand lyon', facet => '{}'));
RESET ROLE;

-- A registration inserts the dataset's row and its fields in one
-- statement, and the search row is computed once for both (60_search.sql);
-- an import writes its fields labelled with the file's headers in that same
-- statement.  Either way the search row has the fields' labels, and is the
-- one search_reindex() computes from the catalog.  A relation without
-- columns has no fields: the dataset's own trigger computes its row.
SET ROLE regress_alice;
CREATE TABLE search_data.ruches (id int PRIMARY KEY, apiculteur text);
SELECT opendata.register('search_data.ruches', 'search-ruches',
  '{"publisher": "search-ville", "title": "Ruches"}')->>'slug' AS slug;
CREATE TABLE search_data.vide ();
SELECT opendata.register('search_data.vide', 'search-vide',
  '{"publisher": "search-ville", "title": "Emplacements vides"}')->>'slug' AS slug;
SELECT opendata.import_csv('search-essaims', convert_to(E'Numéro;Nom du rucher\n1;Les Abeilles\n', 'UTF8'),
  '{"metadata": {"publisher": "search-ville", "title": "Essaims"}}')->>'rows_loaded' AS loaded;
SELECT f.name, f.label FROM opendata.fields f JOIN opendata.datasets d ON d.id = f.dataset_id
 WHERE d.slug = 'search-essaims' ORDER BY f.position;
RESET ROLE;
CREATE TEMP TABLE registered_rows AS
  SELECT s.* FROM opendata.search_index s WHERE s.slug IN ('search-ruches', 'search-essaims', 'search-vide');
SELECT slug, document @@ 'apiculteur'::tsquery AS column_label, document @@ 'rucher'::tsquery AS header_label
  FROM registered_rows ORDER BY slug;
SELECT opendata.search_reindex() > 0 AS reindexed;
SELECT count(*) AS computed_otherwise
  FROM (SELECT * FROM registered_rows EXCEPT SELECT * FROM opendata.search_index) d;
SELECT opendata.drop_dataset(s, true) FROM unnest(ARRAY['search-ruches', 'search-essaims', 'search-vide']) s;
DROP TABLE registered_rows;

-- An admin can rebuild the index.
SELECT opendata.search_reindex() AS reindexed;
SELECT regress.hits(opendata_api.search('arbres remarquables', facet => '{}'));

-- The whole catalog, with no text, refine or exclude, takes its facet
-- counts from search_facet_counts when the caller sees no more than the
-- public catalog, and counts the datasets otherwise.  Both give the answer
-- of the general path, forced here by excluding a theme nobody uses.
CREATE FUNCTION regress.whole_catalog_agrees(facet text[] DEFAULT NULL, rows int DEFAULT 10, start int DEFAULT 0,
                                             lang text DEFAULT 'fr') RETURNS boolean
LANGUAGE sql AS $$
  SELECT (opendata_api.search(facet => facet, rows => rows, start => start, lang => lang)::jsonb - 'links')
         = (opendata_api.search(exclude => '{theme:NONE}', facet => facet, rows => rows, start => start,
                                lang => lang)::jsonb - 'links')
$$;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search());
-- (Not the modified facet: publish() dates datasets today.)
SELECT regress.facets(opendata_api.search(facet => '{theme,keyword,publisher,license,territory}'));
SELECT regress.whole_catalog_agrees() AS anon_same,
       regress.whole_catalog_agrees('{modified,keyword}', rows => 2, start => 1, lang => 'en') AS anon_same_paged;
RESET ROLE;
-- A publisher sees its drafts and restricted datasets in the counts too.
SET ROLE regress_alice;
SELECT regress.hits(opendata_api.search());
SELECT regress.facets(opendata_api.search(facet => '{theme,publisher}'));
SELECT regress.whole_catalog_agrees() AS alice_same;
RESET ROLE;
SET ROLE regress_bob;
SELECT regress.whole_catalog_agrees() AS bob_same;
RESET ROLE;
-- Row-level security does not apply to the superuser: every dataset.
SELECT regress.hits(opendata_api.search(rows => 0));
-- The kept counts follow unpublication, restriction and metadata changes.
SET ROLE regress_alice;
SELECT opendata.unpublish('search-velos')->>'status' AS status;
SELECT opendata.set_metadata('search-budget', '{"keywords": ["Budget", "comptes"], "license": "ODbL-1.0"}')->'keywords' AS keywords;
RESET ROLE;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search());
SELECT regress.facets(opendata_api.search(facet => '{keyword,license}'));
SELECT regress.whole_catalog_agrees() AS anon_same;
RESET ROLE;
-- The counts are exactly those of the published public datasets (the
-- publishers' ids left out, they depend on the tests before, and the years).
SELECT string_agg(facet || ':' || value || '=' || n, ', ' ORDER BY facet, value) AS public_counts
  FROM opendata._search_public_counts() WHERE facet NOT IN ('publisher', 'modified');
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT count(*) FROM opendata.search_facet_counts$$);
RESET ROLE;
-- The catalog as it was, for the tests that follow (dcat): the bicycle
-- stations published again, the budget's keywords and licence back.
SET ROLE regress_alice;
SELECT opendata.publish('search-velos')->>'version' AS version;
SELECT opendata.set_metadata('search-budget', '{"keywords": ["finances"], "license": "etalab-2.0"}')->'keywords' AS keywords;
RESET ROLE;
SET ROLE opendata_anon;
SELECT regress.whole_catalog_agrees() AS anon_same;
RESET ROLE;

-- The in-memory index of the public catalog (docs/search.md, "In-memory
-- index"): it answers the public view's searches with text, or with refine
-- or exclude, byte for byte as SQL does (opendata.search_cache off).
CREATE FUNCTION regress.index_agrees(q text, refine text[] DEFAULT NULL, exclude text[] DEFAULT NULL,
                                     facet text[] DEFAULT NULL, order_by text DEFAULT NULL,
                                     rows int DEFAULT 10, start int DEFAULT 0, lang text DEFAULT 'fr')
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  by_sql text;
  by_index text;
BEGIN
  PERFORM set_config('opendata.search_cache', 'off', true);
  by_sql := opendata_api.search(q, refine, exclude, facet, order_by, rows, start, lang)::text;
  PERFORM set_config('opendata.search_cache', 'on', true);
  by_index := opendata_api.search(q, refine, exclude, facet, order_by, rows, start, lang)::text;
  RETURN by_sql IS NOT NULL AND by_sql = by_index;
END
$$;
-- A change first, so that the calls below load the index once.
SELECT opendata.search_reindex() > 0 AS reindexed;
BEGIN;
-- Which path answered: _search_public_matches() is SQL's, for text;
-- _search_public_index() loads the index.
SET LOCAL track_functions = 'all';
SET LOCAL ROLE opendata_anon;
SELECT c.call, regress.index_agrees(c.q, c.refine, c.exclude, c.facet, c.order_by, c.rows, c.start, c.lang) AS same
  FROM (VALUES
    ('text', 'arbre', NULL::text[], NULL::text[], NULL::text[], NULL, 10, 0, 'fr'),
    ('two words', 'arbres remarquables', NULL, NULL, NULL, NULL, 10, 0, 'fr'),
    ('prefix', 'remarq', NULL, NULL, NULL, NULL, 10, 0, 'fr'),
    ('typo', 'patrimonie vivant', NULL, NULL, NULL, NULL, 10, 0, 'fr'),
    ('no match', 'zzzzqqq', NULL, NULL, NULL, NULL, 10, 0, 'fr'),
    ('english', 'street tree', NULL, NULL, '{theme}', NULL, 10, 0, 'en'),
    ('refine', 'arbre', '{theme:envi, keyword:ARBRE}', NULL, NULL, NULL, 10, 0, 'fr'),
    ('refine publisher', 'arbre', '{publisher:search-metro}', NULL, NULL, NULL, 10, 0, 'fr'),
    ('refine unknown publisher', 'arbre', '{publisher:nobody}', NULL, NULL, NULL, 10, 0, 'fr'),
    ('refine year, licence', 'budget', '{modified:2023, license:etalab-2.0}', NULL, NULL, NULL, 10, 0, 'fr'),
    ('exclude', 'arbre', NULL, '{theme:ENVI}', NULL, NULL, 10, 0, 'fr'),
    ('exclude keyword, territory', 'arbre', NULL, '{keyword:arbre, territory:Lyon}', NULL, NULL, 10, 0, 'fr'),
    ('exclude publisher', 'arbre', NULL, '{publisher:search-metro}', '{publisher, theme}', NULL, 10, 0, 'fr'),
    ('exclude licence, year', 'arbre', NULL, '{license:nope, modified:1999}', NULL, NULL, 10, 0, 'fr'),
    ('order title', 'arbre', NULL, NULL, NULL, 'title', 10, 0, 'fr'),
    ('order title desc', 'de', NULL, NULL, NULL, 'TITLE  desc', 10, 0, 'fr'),
    ('order modified asc', 'arbre', NULL, NULL, NULL, 'modified asc', 10, 0, 'fr'),
    ('order issued', 'arbre', NULL, NULL, NULL, 'issued', 10, 0, 'fr'),
    ('order relevance asc', 'arbre', NULL, NULL, NULL, 'relevance asc', 10, 0, 'fr'),
    ('paged', 'arbre', NULL, NULL, '{keyword, modified}', NULL, 1, 1, 'fr'),
    ('past the end', 'arbre', NULL, NULL, NULL, NULL, 10, 50, 'fr'),
    ('no rows', 'arbre', NULL, NULL, NULL, NULL, 0, 0, 'fr'),
    ('no text, refine', NULL, '{theme:ENVI}', NULL, NULL, NULL, 10, 0, 'fr'),
    ('no text, refine year', NULL, '{modified:2023}', NULL, '{modified, license}', NULL, 10, 0, 'en'),
    ('no text, exclude', NULL, NULL, '{publisher:search-ville, modified:2023}', NULL, NULL, 10, 0, 'fr'),
    ('no text, order issued asc', NULL, NULL, '{theme:NONE}', NULL, 'issued asc', 3, 1, 'fr'),
    ('no text, order relevance', NULL, NULL, '{theme:NONE}', NULL, 'relevance', 10, 0, 'fr')
  ) AS c(call, q, refine, exclude, facet, order_by, rows, start, lang);
RESET ROLE;
-- The calls with a text ('de' is none: a stop word) went to SQL with the
-- index off (21), none with it on; the index was loaded once.
SELECT pg_stat_get_xact_function_calls('opendata._search_public_matches'::regproc) AS sql_path_calls,
       pg_stat_get_xact_function_calls('opendata._search_public_index'::regproc) AS index_loads;
COMMIT;
-- A publisher, who sees more than the public catalog, is answered by SQL.
SET ROLE regress_alice;
SELECT regress.index_agrees('arbres') AS alice_same;
RESET ROLE;

-- The index follows the catalog: a change of the caller's own transaction
-- is seen (a transaction that wrote is answered by SQL), a rolled-back one
-- is seen by no one, a committed one by the next call.
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}')) AS before;
RESET ROLE;
BEGIN;
SET LOCAL ROLE regress_alice;
SELECT opendata.unpublish('search-velos')->>'status' AS status;
SET LOCAL ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}')) AS in_the_transaction;
ROLLBACK;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}')) AS rolled_back;
RESET ROLE;
SET ROLE regress_alice;
SELECT opendata.unpublish('search-velos')->>'status' AS status;
RESET ROLE;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}')) AS committed,
       regress.index_agrees('velo') AS same;
RESET ROLE;
SET ROLE regress_alice;
SELECT opendata.publish('search-velos')->>'version' AS version;
RESET ROLE;
SET ROLE opendata_anon;
SELECT regress.hits(opendata_api.search('velo', facet => '{}')) AS published_again;
RESET ROLE;
-- The version is folded into few rows, and it is not anon's to read.
SELECT count(*) <= 2 AS folded FROM opendata.search_version;
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT count(*) FROM opendata.search_version$$);
RESET ROLE;
