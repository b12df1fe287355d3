-- The portal's pages (src/sql/80_pages.sql): escaping, safe links, 404s
-- that say nothing, English, the security headers, the map preview, keyset
-- paging, read-only runs, and the errors pinned by SQLSTATE.  Runs last;
-- uses regress_alice (catalog.sql) and datasets of its own.

-- The one escaping function.
SELECT opendata._h(E'<script>alert("x")</script> & \'q\'') AS escaped;
SELECT opendata._h(NULL) = '' AS null_is_empty;
-- Bidirectional overrides, isolates and marks, and control characters, dropped.
SELECT opendata._h(E'a\u202Eb\u202Cc\u2066d\u2069e\u200Ff\u0007g') AS no_bidi;

-- Links: http(s), mailto and same-site paths only.
SELECT u AS url, opendata._page_safe_url(u) IS NOT NULL AS linked
  FROM unnest(ARRAY['https://example.org/a?b=1', 'HTTP://EXAMPLE.ORG', 'mailto:a@b.example', '/datasets/x',
                    '/', 'javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', E'java\tscript:x',
                    'data:text/html,<script>', 'vbscript:x', '//evil.example/x', '/\evil.example', 'https:/x',
                    'https://a b.example', E'https://x.example/\u202E', 'relative/path', '#top']) AS u;
SELECT opendata._page_link('javascript:alert(1)', '<b>x</b>') AS not_a_link,
       opendata._page_link('https://x.example/?a="b"&c=<d>', 'site') AS link;

-- Query strings: every name and value percent-encoded, NULL values left out.
SELECT opendata._page_href('/search', 'q', 'arbres & "vélos" <b>', 'refine', ARRAY['theme:ENVI', 'territory:Ville A']::text,
                           'page', NULL, 'lang', 'en') AS href;
SELECT opendata._page_href('/search', 'lang', NULL) AS bare;

-- A fixture: a geographic dataset with hostile metadata, polygons, many
-- points, a draft and a restricted dataset.
SELECT opendata.create_organization('pages-ville', 'Ville <em>des</em> pages') > 0 AS created;
SELECT opendata.add_member('pages-ville', 'regress_alice');
CREATE SCHEMA pages_data AUTHORIZATION regress_alice;
SET ROLE regress_alice;
CREATE TABLE pages_data.arbres (id int PRIMARY KEY, espece text, commune text, geom geometry(Point, 4326));
INSERT INTO pages_data.arbres
SELECT i, '<img src=x onerror=alert(' || i || ')>', (ARRAY['Paris', 'Lyon'])[1 + i % 2],
       ST_SetSRID(ST_MakePoint(2.3 + i * 0.001, 48.8 + (i % 7) * 0.001), 4326)
  FROM generate_series(1, 30) i;
CREATE TABLE pages_data.zones (id int PRIMARY KEY, nom text, geom geometry(Polygon, 2154));
INSERT INTO pages_data.zones VALUES
  (1, 'A', ST_GeomFromText('POLYGON((650000 6860000, 652000 6860000, 652000 6862000, 650000 6862000, 650000 6860000))', 2154));
CREATE TABLE pages_data.nuage (id int PRIMARY KEY, geom geometry(Point, 4326));
INSERT INTO pages_data.nuage
SELECT i, ST_SetSRID(ST_MakePoint(-5 + (i % 97) * 0.1, 42 + (i % 89) * 0.1), 4326) FROM generate_series(1, 2500) i;
CREATE TABLE pages_data.brouillon (id int PRIMARY KEY);
CREATE TABLE pages_data.interne (id int PRIMARY KEY);
SELECT opendata.register('pages_data.arbres', 'pages-arbres', jsonb_build_object(
  'publisher', 'pages-ville', 'license', 'etalab-2.0', 'themes', jsonb_build_array('ENVI'),
  'title', '<script>alert("title")</script>Arbres', 'keywords', jsonb_build_array('<i>k</i>'),
  'description', E'Première ligne \u202Eetiuqnu\u202C.\n\n</script><!-- second paragraph',
  'landing_page', 'https://x.example/"onmouseover="alert(1)'))->>'slug' AS slug;
SELECT opendata.describe_field('pages-arbres', 'commune', '{"facet": true, "label": "Commune <b>"}')->>'label' AS label;
SELECT opendata.register('pages_data.zones', 'pages-zones', '{"publisher": "pages-ville", "title": "Zones",
  "description": "Des zones en Lambert 93.", "license": "etalab-2.0"}')->>'slug' AS slug;
SELECT opendata.register('pages_data.nuage', 'pages-nuage', '{"publisher": "pages-ville", "title": "Nuage",
  "description": "Beaucoup de points.", "license": "etalab-2.0"}')->>'slug' AS slug;
SELECT opendata.register('pages_data.brouillon', 'pages-brouillon', '{"publisher": "pages-ville",
  "title": "Titre secret du brouillon", "description": "x"}')->>'slug' AS slug;
SELECT opendata.register('pages_data.interne', 'pages-interne', '{"publisher": "pages-ville",
  "title": "Titre secret interne", "description": "x", "access": "restricted"}')->>'slug' AS slug;
SELECT opendata.publish(s)->>'version' AS version
  FROM unnest(ARRAY['pages-arbres', 'pages-zones', 'pages-nuage', 'pages-interne']) s;
-- Eight more, for a second page of search results (ten a page).
DO $$
BEGIN
  FOR i IN 1..8 LOOP
    EXECUTE format('CREATE TABLE pages_data.serie_%s (id int PRIMARY KEY)', i);
    PERFORM opendata.register(format('pages_data.serie_%s', i)::regclass, format('pages-serie-%s', i),
      jsonb_build_object('title', format('Série %s', i), 'description', 'Une série.', 'publisher', 'pages-ville',
                         'license', 'etalab-2.0'));
    PERFORM opendata.publish(format('pages-serie-%s', i));
  END LOOP;
END
$$;
RESET ROLE;

-- The functions: GET-callable, STABLE, SECURITY INVOKER, returning the
-- PostgREST media type domains.
SELECT p.proname, p.prorettype::regtype AS returns, p.provolatile AS volatility, p.prosecdef AS definer,
       has_function_privilege('opendata_anon', p.oid, 'EXECUTE') AS anon_may_call
  FROM pg_proc p
 WHERE p.pronamespace = 'opendata_api'::regnamespace
   AND p.prorettype IN ('opendata_api."text/html"'::regtype, 'opendata_api."text/css"'::regtype)
 ORDER BY 1;

SET ROLE opendata_anon;

-- A dataset page: every hostile value is text; its security headers.
BEGIN;
CREATE TEMP TABLE page AS SELECT opendata_api.dataset_page('pages-arbres')::text AS html;
SELECT current_setting('response.headers')::jsonb AS headers;
SELECT current_setting('response.status', true) IS NULL OR current_setting('response.status', true) = '' AS status_200;
COMMIT;
SELECT html LIKE '<!DOCTYPE html>%' AS doctype,
       html LIKE '%<title>&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;Arbres – %' AS title_escaped,
       html LIKE '%<h1>&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;Arbres</h1>%' AS h1_escaped,
       (SELECT count(*) FROM regexp_matches(html, '<script', 'g')) AS script_tags,
       html LIKE '%<script type="application/ld+json">%' AS json_ld,
       html LIKE '%<script type="module" src="/assets/map/dataset-map.mjs"></script>%' AS map_module,
       html NOT LIKE '%<img%' AND html NOT LIKE '%<!--%' AND html NOT LIKE '%<i>%' AS no_injected_markup,
       html LIKE '%&lt;img src=x onerror=alert(1)&gt;%' AS record_escaped,
       strpos(html, U&'\202E') = 0 AS no_bidi_override,
       html LIKE '%<p>Première ligne etiuqnu.</p><p>&lt;/script&gt;&lt;!-- second paragraph</p>%' AS paragraphs,
       html LIKE '%href="https://x.example/&quot;onmouseover=&quot;alert(1)"%' AS landing_page_quoted,
       html LIKE '%Ville &lt;em&gt;des&lt;/em&gt; pages%' AS publisher_escaped,
       html LIKE '%Commune &lt;b&gt;%' AS facet_label_escaped
  FROM page;
-- The JSON-LD block parses back to the schema.org description, < and > as
-- \u escapes inside it.
SELECT (doc->>'@type') AS type, doc->>'name' AS name, doc->>'identifier' AS identifier
  FROM (SELECT (regexp_match(html, '<script type="application/ld\+json">(.*?)</script>'))[1]::jsonb AS doc FROM page) s;
-- Alternate links: the DCAT catalog, the CSV and GeoJSON downloads.
SELECT m[1] AS type, m[2] AS title
  FROM page, regexp_matches(html, '<link rel="alternate" type="([^"]+)" title="([^"]+)"', 'g') AS m
 ORDER BY 1;
-- Facets as refine and exclude links; a page of 20 records, then the next by keyset.
SELECT (regexp_match(html, '<a href="(/datasets/pages-arbres\?refine=[^"]+)">Lyon</a>'))[1] AS refine_link,
       (regexp_match(html, '<a class="exclude" href="([^"]+)">Exclure<span class="sr-only"> Lyon</span>'))[1] AS exclude_link,
       (regexp_match(html, '<p class="total" role="status">([^<]+)</p>'))[1] AS total,
       (regexp_match(html, '<div class="records">.*?<tbody><tr><td>(\d+)</td>'))[1] AS first_id
  FROM page;
SELECT (regexp_match(p, '<div class="records">.*?<tbody><tr><td>(\d+)</td>'))[1] AS first_id_after,
       (regexp_match(p, '<p class="total" role="status">([^<]+)</p>'))[1] AS total
  FROM (SELECT opendata_api.dataset_page('pages-arbres',
          after => (regexp_match(html, 'after=([A-Za-z0-9_-]+)'))[1]) AS p FROM page) s;
-- A refine: only its records; the refine listed with a link that removes it.
SELECT (regexp_match(p, '<p class="total" role="status">([^<]+)</p>'))[1] AS total,
       p LIKE '%<li>commune:Lyon <a href="/datasets/pages-arbres">Retirer<span class="sr-only"> commune:Lyon</span></a></li>%' AS removable
  FROM (SELECT opendata_api.dataset_page('pages-arbres', refine => '{commune:Lyon}') AS p) s;
-- An exclude (the facets' "Exclure" link): the other records; the excluded
-- value listed with a link that removes it, the pager keeps it.
SELECT (regexp_match(p, '<p class="total" role="status">([^<]+)</p>'))[1] AS total,
       p LIKE '%<s>commune:Lyon</s>%' OR p LIKE '%class="excluded"%' AS listed_as_excluded,
       p LIKE '%<input type="hidden" name="exclude" value="{commune:Lyon}">%' AS kept_by_the_form
  FROM (SELECT opendata_api.dataset_page('pages-arbres', exclude => '{commune:Lyon}') AS p) s;
-- The map: each point drawn (SVG circles from ST_AsSVG), with a caption.
SELECT (SELECT count(*) FROM regexp_matches(html, '<circle ', 'g')) AS circles,
       (regexp_match(html, '<figcaption>([^<]+)</figcaption>'))[1] AS caption,
       html LIKE '%<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="map-title" viewBox=%' AS svg
  FROM page;
-- Polygons (reprojected from Lambert 93 by the view) as paths.
SELECT p LIKE '%<path d="M %' AS path, (regexp_match(p, '<figcaption>([^<]+)</figcaption>'))[1] AS caption
  FROM (SELECT opendata_api.dataset_page('pages-zones') AS p) s;
-- Beyond 2,000 features, grouped by grid cell, and the caption says so.
SELECT (SELECT count(*) FROM regexp_matches(p, '<circle ', 'g')) BETWEEN 100 AND 10000 AS clustered,
       (regexp_match(p, '<figcaption>([^<]+)</figcaption>'))[1] AS caption
  FROM (SELECT opendata_api.dataset_page('pages-nuage') AS p) s;
-- No map for a dataset without geometry.
SELECT opendata_api.dataset_page('pages-brouillon') NOT LIKE '%<svg%' AS no_map;

-- English.
SELECT p LIKE '<!DOCTYPE html>' || E'\n' || '<html lang="en" dir="ltr">%' AS html_lang,
       p LIKE '%<h2 id="h-fields">Field dictionary</h2>%' AS english,
       p LIKE '%<a href="/datasets/pages-arbres" lang="fr" hreflang="fr">Français</a>%' AS to_french,
       p LIKE '%href="/organizations/pages-ville?lang=en"%' AS links_keep_lang
  FROM (SELECT opendata_api.dataset_page('pages-arbres', lang => 'en') AS p) s;

-- Drafts, restricted and unknown datasets: the same 404 page, no title.
BEGIN;
CREATE TEMP TABLE nf AS
SELECT s AS slug, opendata_api.dataset_page(s)::text AS p FROM unnest(ARRAY['pages-brouillon', 'pages-interne', 'nowhere']) s;
SELECT current_setting('response.status') AS status;
COMMIT;
SELECT slug, p LIKE '%<h1>Page introuvable</h1>%' AS not_found, p NOT LIKE '%secret%' AS no_title,
       md5(p) = (SELECT md5(p) FROM nf WHERE slug = 'nowhere') AS same_page
  FROM nf ORDER BY slug;
BEGIN;
SELECT opendata_api.organization_page('nowhere') LIKE '%<h1>Page introuvable</h1>%' AS not_found;
SELECT current_setting('response.status') AS status;
COMMIT;
-- The home page, search and lists never show them either.
SELECT p NOT LIKE '%Titre secret%' AS no_secret, p LIKE '%pages-arbres%' AS listed
  FROM (SELECT opendata_api.portal() || opendata_api.search_page(q => 'titre secret')
               || opendata_api.organization_page('pages-ville') AS p) s;
RESET ROLE;
-- A publisher of the organization gets the same 404 (pages show what is published).
SET ROLE regress_alice;
SELECT opendata_api.dataset_page('pages-brouillon') LIKE '%<h1>Page introuvable</h1>%' AS draft_not_found;
RESET ROLE;

SET ROLE opendata_anon;
-- Search: results, facets as links, paging, active filters.
SELECT (regexp_match(p, '<p class="total" role="status">([^<]+)</p>'))[1] AS total,
       p LIKE '%<input id="q" name="q" type="search" value="arbres">%' AS query_kept,
       p LIKE '%<a href="/search?q=arbres&amp;refine=%7Bpublisher%3Apages-ville%2Ctheme%3AENVI%7D">Environnement</a>%' AS theme_refine_link,
       p LIKE '%<h3><a href="/datasets/pages-arbres">&lt;script&gt;%' AS result_escaped
  FROM (SELECT opendata_api.search_page(q => 'arbres', refine => '{publisher:pages-ville}') AS p) s;
SELECT (regexp_match(p, '<p class="total" role="status">([^<]+)</p>'))[1] AS total,
       (SELECT count(*) FROM regexp_matches(p, '<li class="dataset">', 'g')) AS on_page,
       (regexp_match(p, '<li aria-current="page">([^<]+)</li>'))[1] AS pager,
       (regexp_match(p, '<a rel="next" href="([^"]+)">'))[1] AS next_link
  FROM (SELECT opendata_api.search_page(refine => '{publisher:pages-ville}') AS p) s;
SELECT (SELECT count(*) FROM regexp_matches(p, '<li class="dataset">', 'g')) AS on_page,
       (regexp_match(p, '<li aria-current="page">([^<]+)</li>'))[1] AS pager,
       (regexp_match(p, '<a rel="prev" href="([^"]+)">'))[1] AS prev_link
  FROM (SELECT opendata_api.search_page(refine => '{publisher:pages-ville}', page => 2) AS p) s;
SELECT p LIKE '%<h2 id="h-active">Filtres actifs</h2>%' AS active_filters,
       p LIKE '%<s>theme:ENVI</s> (exclu)%' AS excluded_listed
  FROM (SELECT opendata_api.search_page(exclude => '{theme:ENVI}') AS p) s;
-- Invalid refine items and ODSQL filters: a 400 page that says why.
BEGIN;
SELECT (regexp_match(opendata_api.search_page(refine => '{nope}'), '<div class="error" role="alert"><p>([^<]+)</p>'))[1] AS error;
SELECT current_setting('response.status') AS status;
COMMIT;
BEGIN;
SELECT (regexp_match(opendata_api.dataset_page('pages-arbres', 'commune = '), '<div class="error" role="alert"><p>([^<]+)</p>'))[1] AS error;
SELECT current_setting('response.status') AS status;
COMMIT;

-- Organization and reuses pages; the stylesheet.
SELECT p LIKE '%<h1>Ville &lt;em&gt;des&lt;/em&gt; pages</h1>%' AS h1,
       (regexp_match(p, '<p>([^<]+) · <a href="/search\?refine=%7Bpublisher%3Apages-ville%7D">'))[1] AS count
  FROM (SELECT opendata_api.organization_page('pages-ville') AS p) s;
SELECT opendata_api.reuses_page('en') LIKE '%<h1>Reuses</h1>%' AS reuses;
BEGIN;
SELECT opendata_api.portal_css() LIKE '%:root%' AS css;
SELECT current_setting('response.headers')::jsonb->0 AS content_type;
COMMIT;

-- Nothing a page does writes: they run in a READ ONLY transaction.
BEGIN READ ONLY;
SELECT length(opendata_api.portal()) > 0 AS home, length(opendata_api.search_page('arbres')) > 0 AS search,
       length(opendata_api.dataset_page('pages-arbres')) > 0 AS dataset,
       length(opendata_api.organization_page('pages-ville')) > 0 AS organization,
       length(opendata_api.reuses_page()) > 0 AS reuses;
COMMIT;

-- Errors, pinned.
SELECT regress.error_of($$SELECT opendata_api.portal(lang => 'de')$$);
SELECT regress.error_of($$SELECT opendata_api.dataset_page('pages-arbres', lang => NULL)$$);
SELECT regress.error_of($$SELECT opendata_api.search_page(page => 0)$$);
SELECT regress.error_of($$SELECT opendata_api.search_page(page => 10001)$$);
SELECT regress.error_of($$SELECT opendata_api.reuses_page('EN')$$);
RESET ROLE;
