-- Step 6: crossing datasets.  Stations counted per commune of Essonne (91)
-- and Seine-et-Marne (77), each commune with its population by INSEE code,
-- published as a derived dataset with its lineage.
\echo '-- The communes of Essonne and Seine-et-Marne in one dataset: the 91 file imported, the 77 file appended (same shape)'
SELECT opendata.import_geojson_file('communes-91-77', :'datadir' || '/communes_91_essonne.geojson',
         '{"metadata": {"publisher": "insee", "title": "Communes de l''Essonne et de la Seine-et-Marne"}}')
       ->>'rows_loaded' AS communes_91;
SELECT opendata.import_geojson_file('communes-91-77', :'datadir' || '/communes_77_seine_et_marne.geojson',
         '{"mode": "append"}')->>'rows_loaded' AS communes_77_appended;
-- Described once here: the crossings that carry these fields inherit
-- their labels and facet flags (docs/crossings.md, "Field descriptions").
SELECT count(*) AS fields_described FROM (VALUES
  ('code', '{"label": "Code INSEE"}'),
  ('nom', '{"label": "Commune", "facet": true}'),
  ('geom', '{"label": "Contour de la commune"}')) AS f(field, meta),
  LATERAL opendata.describe_field('communes-91-77', f.field, f.meta::jsonb);

\echo '-- Stations per commune (contains): a draft derived dataset'
SELECT r->>'slug' AS slug, r->>'status' AS status, r->>'rows' AS rows,
       r->'report'->>'unmatched_right' AS stations_outside, r->'indexes_created' AS indexes_created
  FROM opendata.cross('gares-par-commune', 'communes-91-77', 'gares', 'contains',
                      '{"fields": [], "metadata": {"publisher": "idfm"}}') r;

\echo '-- With the population of each commune (attribute join on CODDEP || CODCOM)'
SELECT r->>'rows' AS rows, r->'report'->>'unmatched_left' AS communes_without_population,
       r->'report'->'unmatched_left_keys' AS their_codes
  FROM opendata.cross('gares-population-91-77', 'gares-par-commune', 'populations-legales', 'attribute',
                      '{"left_key": "code", "right_key": ["coddep", "codcom"], "fields": ["ptot"], "prefix": "population_",
                        "metadata": {"publisher": "idfm"}}') r;

\echo '-- Described and published; its lineage'
SELECT opendata.set_metadata('gares-population-91-77', $${
  "title": "Gares et population des communes de Grand Paris Sud (91, 77)",
  "description": "Nombre de gares d'Île-de-France Mobilités par commune de l'Essonne et de la Seine-et-Marne, avec la population légale.",
  "themes": ["TRAN", "REGI"], "license": "ODbL-1.0"}$$) ->> 'title' AS title;
SELECT opendata.publish('gares-population-91-77')->>'version' AS version;
SELECT was_derived_from->'datasets' AS derived_from, was_derived_from->>'predicate' AS predicate
  FROM opendata.datasets WHERE slug = 'gares-population-91-77';

\echo '-- First rows, through the API view'
SELECT code, nom, gares_count AS stations, population_ptot AS population
  FROM opendata_api."gares-population-91-77" ORDER BY gares_count DESC, population_ptot DESC NULLS LAST LIMIT 10;

\echo '-- Ad hoc, over the API: the three stations nearest to the Eiffel Tower, and the nearest station to a few trees'
SELECT x->>'nom_gare' AS station, x->>'mode' AS mode, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.near('gares', 2.2945, 48.8584, 1000, rows => 3)->'results') x;
SELECT x->>'libelle_francais' AS tree, x->>'right_nom_gare' AS station, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.cross('arbres-remarquables', 'gares', 'nearest', "where" => 'arrondissement = "PARIS 7E ARRDT"',
                                              right_where => 'metro', rows => 5)->'results') x;
