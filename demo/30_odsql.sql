-- Step 4: record queries in the Opendatasoft query language, as apps send
-- them to GET /rpc/records and /rpc/facets.
SET ROLE opendata_anon;

\echo '-- GET /rpc/records?dataset=arbres-remarquables&fields=libelle_francais,hauteur_en_m,arrondissement&where=hauteur_en_m > 30&order_by=hauteur_en_m desc&rows=5'
SELECT jsonb_pretty(opendata_api.records('arbres-remarquables',
         fields => 'libelle_francais, hauteur_en_m, arrondissement',
         "where" => 'hauteur_en_m > 30', order_by => 'hauteur_en_m desc', rows => 5)::jsonb);

\echo '-- Trees per genus: fields=genre, count(*) as arbres, avg(hauteur_en_m) as hauteur_moyenne&group_by=genre&order_by=arbres desc&rows=5'
SELECT jsonb_pretty(opendata_api.records('arbres-remarquables',
         fields => 'genre, count(*) as arbres, avg(hauteur_en_m) as hauteur_moyenne',
         group_by => 'genre', order_by => 'arbres desc', rows => 5)::jsonb);

\echo '-- Stations within 1 km of Notre-Dame: where=within_distance(geo_point, geom''POINT(2.3499 48.8530)'', 1km)'
SELECT jsonb_pretty(opendata_api.records('gares',
         fields => 'nom_gare, mode, ligne',
         "where" => 'within_distance(geo_point, geom''POINT(2.3499 48.8530)'', 1km)',
         order_by => 'nom_gare', rows => 5)::jsonb);

\echo '-- Facets of the stations under a filter: facet=mode,exploitant&where=rer'
SELECT jsonb_pretty(opendata_api.facets('gares', facet => '{mode,exploitant}', "where" => 'rer = true')::jsonb);

\echo '-- Populations of Essonne, refine=coddep:91, the 3 largest communes'
SELECT jsonb_pretty(opendata_api.records('populations-legales', fields => 'com, ptot',
         refine => '{coddep:91}', order_by => 'ptot desc', rows => 3)::jsonb);

\echo '-- Stations on a map at zoom 9: fields=c, count(*) as gares&group_by=geo_cluster(geo_point, 9) as c&order_by=gares desc&rows=3'
SELECT jsonb_pretty(opendata_api.records('gares', fields => 'c, count(*) as gares',
         group_by => 'geo_cluster(geo_point, 9) as c', order_by => 'gares desc', rows => 3)::jsonb);

\echo '-- Deep pages by token, not offset: rows=3, then after=<the next_after of page 1>'
WITH page_1 AS (
  SELECT opendata_api.records('gares', fields => 'nom_gare', order_by => 'nom_gare', rows => 3)::jsonb AS r)
SELECT r->'results' AS page_1, r->>'next_after' AS next_after,
       opendata_api.records('gares', fields => 'nom_gare', order_by => 'nom_gare', rows => 3,
                            after => r->>'next_after')::jsonb->'results' AS page_2
  FROM page_1;

\echo '-- An error as an app sees it (HTTP 400 through PostgREST)'
\set ON_ERROR_STOP 0
SELECT opendata_api.records('arbres-remarquables', "where" => 'hauteur_en_n > 30');
\set ON_ERROR_STOP 1
RESET ROLE;
