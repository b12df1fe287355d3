-- Step 9: transport and reduced mobility.  Which station near me can I use
-- in a wheelchair?  The accessibility level of every station (IDFM) and the
-- GTFS stops with their wheelchair_boarding flag, crossed with the communes
-- (enrich) and with the stations (nearest), published as derived datasets.
\echo '-- Importing the accessibility levels of the stations and the GTFS stops of 91 and 77'
SELECT slug, r->>'rows_loaded' AS rows, r->>'rows_rejected' AS rejected, r->'dialect'->>'delimiter' AS delimiter,
       r->>'geometry_column' AS geometry
  FROM (VALUES
    ('accessibilite-gares', opendata.import_csv_file('accessibilite-gares', :'datadir' || '/idfm_accessibilite_en_gare.csv',
       '{"metadata": {"publisher": "idfm"}}')),
    ('arrets-gtfs-91-77', opendata.import_csv_file('arrets-gtfs-91-77', :'datadir' || '/idfm_gtfs_stops_91_77.csv',
       '{"metadata": {"publisher": "idfm"}, "columns": {"stop_code": {"type": "text"}, "level_id": {"type": "text"}}}'))) AS t(slug, r);

SELECT opendata.set_metadata('accessibilite-gares', $${
  "title": "Accessibilité des gares aux personnes à mobilité réduite",
  "description": "Niveau d'accessibilité de chaque gare et station d'Île-de-France pour les personnes à mobilité réduite : 1 non accessible, 3 accessible sur réservation préalable (AssistenGare), 4 accessible sur demande à un agent, 6 accessible en autonomie.",
  "themes": ["TRAN", "SOCI"], "keywords": ["accessibilité", "PMR", "fauteuil roulant", "gare"],
  "license": "ODbL-1.0", "accrual_periodicity": "IRREG", "spatial": "Île-de-France",
  "landing_page": "https://data.iledefrance-mobilites.fr/explore/dataset/accessibilite-en-gare/"}$$) ->> 'title' AS title
UNION ALL
SELECT opendata.set_metadata('arrets-gtfs-91-77', $${
  "title": "Arrêts de transport en commun de l'Essonne et de la Seine-et-Marne (GTFS)",
  "description": "Les arrêts du réseau Île-de-France Mobilités des deux départements, tirés du fichier stops.txt du flux GTFS, avec l'accessibilité en fauteuil roulant (wheelchair_boarding : 0 inconnue, 1 accessible, 2 non accessible).",
  "themes": ["TRAN"], "keywords": ["arrêt", "bus", "GTFS", "accessibilité"],
  "license": "ODbL-1.0", "accrual_periodicity": "WEEKLY", "spatial": "Essonne, Seine-et-Marne",
  "landing_page": "https://data.iledefrance-mobilites.fr/explore/dataset/offre-horaires-tc-gtfs-idfm/"}$$) ->> 'title';
SELECT count(*) AS fields_described FROM (VALUES
  ('accessibilite-gares', 'accessibility_level_name', '{"label": "Accessibilité", "facet": true}'),
  ('accessibilite-gares', 'accessibility_level_id', '{"label": "Niveau d''accessibilité", "description": "1 non accessible, 3 sur réservation, 4 sur demande à un agent, 6 en autonomie."}'),
  ('accessibilite-gares', 'stop_name', '{"label": "Gare"}'),
  ('arrets-gtfs-91-77', 'stop_name', '{"label": "Arrêt"}'),
  ('arrets-gtfs-91-77', 'wheelchair_boarding', '{"label": "Accessible en fauteuil roulant", "facet": true, "description": "0 inconnu, 1 accessible, 2 non accessible."}')) AS f(slug, field, meta),
  LATERAL opendata.describe_field(f.slug, f.field, f.meta::jsonb);
SELECT p->>'slug' AS slug, p->>'row_count' AS records
  FROM (SELECT opendata.publish(s) AS p FROM unnest(ARRAY['accessibilite-gares', 'arrets-gtfs-91-77']) s) t;
SELECT accessibility_level_id AS level, accessibility_level_name AS name, count(*) AS stations
  FROM opendata_data."accessibilite-gares" GROUP BY 1, 2 ORDER BY 1;

\echo '-- Every station and every stop with its commune (enrich: the commune polygon that contains it)'
SELECT r->>'slug' AS slug, r->>'rows' AS rows, r->'report'->>'unmatched_left' AS outside_91_77,
       r->'report'->>'on_shared_border' AS on_a_border
  FROM (VALUES
    (opendata.cross('gares-accessibilite-communes', 'accessibilite-gares', 'communes-91-77', 'enrich',
       '{"fields": ["code", "nom"], "prefix": "commune_", "metadata": {"publisher": "grand-paris-sud"}}')),
    (opendata.cross('arrets-accessibilite-communes', 'arrets-gtfs-91-77', 'communes-91-77', 'enrich',
       '{"fields": ["code", "nom"], "prefix": "commune_", "metadata": {"publisher": "grand-paris-sud"}}'))) AS t(r);

-- The accessible ones, in Grand Paris Sud: stations of levels 3, 4 and 6
-- (a wheelchair can board, alone or with assistance), stops flagged 1.
CREATE VIEW opendata_data.gares_accessibles AS
  SELECT stop_point_id, stop_name, accessibility_level_id, accessibility_level_name, commune_code, commune_nom,
         stop_point_geopoint AS geom
    FROM opendata_data."gares-accessibilite-communes"
   WHERE accessibility_level_id >= 3;
CREATE VIEW opendata_data.arrets_accessibles_gps AS
  SELECT stop_id, stop_name, commune_code, commune_nom, geom
    FROM opendata_data."arrets-accessibilite-communes"
   WHERE wheelchair_boarding = 1
     AND commune_code IN (SELECT code FROM opendata_data.communes_grand_paris_sud);
SELECT opendata.register('opendata_data.gares_accessibles', 'gares-accessibles', $${
  "title": "Gares accessibles en fauteuil roulant (Île-de-France)", "publisher": "grand-paris-sud",
  "description": "Les gares et stations où une personne en fauteuil roulant peut monter, en autonomie (niveau 6), sur demande à un agent (4) ou sur réservation (3), avec leur commune quand elle est en Essonne ou en Seine-et-Marne. Pour trouver la plus proche d'un point : GET /api/rpc/near?dataset=gares-accessibles&lon=...&lat=...&rows=1.",
  "themes": ["TRAN", "SOCI"], "keywords": ["accessibilité", "PMR", "fauteuil roulant", "gare"], "license": "ODbL-1.0",
  "spatial": "Île-de-France"}$$)->>'slug' AS registered
UNION ALL
SELECT opendata.register('opendata_data.arrets_accessibles_gps', 'arrets-accessibles-grand-paris-sud', $${
  "title": "Arrêts accessibles en fauteuil roulant de Grand Paris Sud", "publisher": "grand-paris-sud",
  "description": "Les arrêts de bus, tramway et train des 23 communes de Grand Paris Sud que le flux GTFS déclare accessibles en fauteuil roulant (wheelchair_boarding = 1).",
  "themes": ["TRAN", "SOCI"], "keywords": ["accessibilité", "PMR", "fauteuil roulant", "arrêt"], "license": "ODbL-1.0",
  "spatial": "Grand Paris Sud"}$$)->>'slug';
-- Registered views are described like tables; the crossings above carry
-- the descriptions of the stations, the stops and the communes (inherited).
SELECT count(*) AS fields_described FROM (VALUES
  ('gares-accessibles', 'accessibility_level_name', '{"label": "Accessibilité", "facet": true}'),
  ('gares-accessibles', 'commune_nom', '{"label": "Commune", "facet": true}'),
  ('arrets-accessibles-grand-paris-sud', 'commune_nom', '{"label": "Commune", "facet": true}')) AS f(slug, field, meta),
  LATERAL opendata.describe_field(f.slug, f.field, f.meta::jsonb);

\echo '-- Accessible stations and stops per commune of Grand Paris Sud (contains, twice)'
SELECT r->>'slug' AS slug, r->>'rows' AS rows
  FROM (VALUES
    (opendata.cross('gares-accessibles-par-commune', 'communes-grand-paris-sud', 'gares-accessibles', 'contains',
       '{"fields": [], "prefix": "gares_accessibles_", "metadata": {"publisher": "grand-paris-sud"}}'))) AS t(r);
SELECT r->>'slug' AS slug, r->>'rows' AS rows
  FROM opendata.cross('accessibilite-par-commune', 'gares-accessibles-par-commune', 'arrets-accessibles-grand-paris-sud',
         'contains', '{"fields": [], "prefix": "arrets_accessibles_", "metadata": {"publisher": "grand-paris-sud"}}') r;

\echo '-- The nearest accessible station of every accessible stop (nearest)'
SELECT r->>'slug' AS slug, r->>'rows' AS rows, r->'report' AS report
  FROM opendata.cross('arrets-gare-accessible-proche', 'arrets-accessibles-grand-paris-sud', 'gares-accessibles', 'nearest',
         '{"fields": ["stop_name", "accessibility_level_name"], "prefix": "gare_",
           "metadata": {"publisher": "grand-paris-sud"}}') r;

SELECT opendata.set_metadata('accessibilite-par-commune', $${
  "title": "Gares et arrêts accessibles par commune de Grand Paris Sud",
  "description": "Pour chacune des 23 communes de Grand Paris Sud : le nombre de gares où une personne en fauteuil roulant peut monter (niveaux d'accessibilité 3, 4 et 6 d'Île-de-France Mobilités) et le nombre d'arrêts de bus, tramway et train déclarés accessibles dans le flux GTFS.",
  "themes": ["TRAN", "SOCI"], "keywords": ["accessibilité", "PMR", "fauteuil roulant", "Grand Paris Sud"],
  "license": "ODbL-1.0", "spatial": "Grand Paris Sud"}$$) ->> 'title' AS title
UNION ALL
SELECT opendata.set_metadata('arrets-gare-accessible-proche', $${
  "title": "La gare accessible la plus proche de chaque arrêt accessible de Grand Paris Sud",
  "description": "Pour chaque arrêt accessible en fauteuil roulant de Grand Paris Sud : la gare accessible la plus proche, son niveau d'accessibilité et la distance à vol d'oiseau en mètres. Depuis n'importe quel point : GET /api/rpc/near?dataset=gares-accessibles&lon=2.4286&lat=48.6245&rows=1.",
  "themes": ["TRAN", "SOCI"], "keywords": ["accessibilité", "PMR", "gare", "arrêt"],
  "license": "ODbL-1.0", "spatial": "Grand Paris Sud"}$$) ->> 'title'
UNION ALL
SELECT opendata.set_metadata('gares-accessibilite-communes', $${
  "title": "Accessibilité des gares, avec leur commune",
  "description": "Le niveau d'accessibilité de chaque gare d'Île-de-France avec la commune de l'Essonne ou de la Seine-et-Marne qui la contient (vide ailleurs).",
  "themes": ["TRAN", "SOCI"], "license": "ODbL-1.0"}$$) ->> 'title'
UNION ALL
SELECT opendata.set_metadata('arrets-accessibilite-communes', $${
  "title": "Arrêts de l'Essonne et de la Seine-et-Marne, avec leur commune et leur accessibilité",
  "description": "Chaque arrêt du flux GTFS avec la commune qui le contient et son accessibilité en fauteuil roulant : filtrez par commune pour voir les arrêts accessibles de la vôtre.",
  "themes": ["TRAN", "SOCI"], "license": "ODbL-1.0"}$$) ->> 'title';
SELECT count(*) AS fields_described FROM (VALUES
  ('accessibilite-par-commune', 'gares_accessibles_count', '{"label": "Gares accessibles", "unit": "gares"}'),
  ('accessibilite-par-commune', 'arrets_accessibles_count', '{"label": "Arrêts accessibles", "unit": "arrêts"}'),
  ('arrets-gare-accessible-proche', 'gare_stop_name', '{"label": "Gare accessible la plus proche"}'),
  ('arrets-gare-accessible-proche', 'gare_accessibility_level_name', '{"label": "Accessibilité de la gare", "facet": true}'),
  ('arrets-gare-accessible-proche', 'distance_m', '{"label": "Distance", "unit": "m"}')) AS f(slug, field, meta),
  LATERAL opendata.describe_field(f.slug, f.field, f.meta::jsonb);
SELECT p->>'slug' AS slug, p->>'version' AS version, p->>'row_count' AS records
  FROM (SELECT opendata.publish(s) AS p
          FROM unnest(ARRAY['gares-accessibilite-communes', 'arrets-accessibilite-communes', 'gares-accessibles',
                            'arrets-accessibles-grand-paris-sud', 'accessibilite-par-commune',
                            'arrets-gare-accessible-proche']) s) t;

SET ROLE opendata_anon;
\echo '-- Accessible stations and stops per commune (GET /api/accessibilite-par-commune?order=arrets_accessibles_count.desc)'
SELECT nom AS commune, gares_accessibles_count AS accessible_stations, arrets_accessibles_count AS accessible_stops
  FROM opendata_api."accessibilite-par-commune" ORDER BY arrets_accessibles_count DESC, nom;
\echo '-- The nearest accessible station from a point, ad hoc (GET /api/rpc/near?dataset=gares-accessibles&lon=2.4286&lat=48.6245&rows=1: the town hall of Évry-Courcouronnes)'
SELECT x->>'stop_name' AS station, x->>'accessibility_level_name' AS accessibility, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.near('gares-accessibles', 2.4286, 48.6245, rows => 1)->'results') x;
\echo '-- The same for some stops, ad hoc (GET /api/rpc/cross?left=arrets-accessibles-grand-paris-sud&right=gares-accessibles&predicate=nearest&where=commune_nom="Lieusaint"&rows=5)'
SELECT x->>'stop_name' AS stop, x->>'right_stop_name' AS nearest_accessible_station, round((x->>'distance_m')::numeric) AS metres
  FROM json_array_elements(opendata_api.cross('arrets-accessibles-grand-paris-sud', 'gares-accessibles', 'nearest',
                                              "where" => 'commune_nom = "Lieusaint"', rows => 5)->'results') x;
RESET ROLE;
