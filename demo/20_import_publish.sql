-- Step 3: the real sample files imported (dialect and types sniffed),
-- described with DCAT-AP metadata, and published.
\echo '-- What import_csv would do with the stations file (sniff_csv, a few columns)'
SELECT c->>'name' AS name, c->>'label' AS label, c->>'pg_type' AS type, c->>'reason' AS why
  FROM jsonb_array_elements(opendata.sniff_csv(pg_read_binary_file(:'datadir' || '/idfm_emplacement_des_gares_idf.csv'))->'columns') c
 LIMIT 8;

\echo '-- Importing the CSV files'
SELECT slug, r->>'rows_loaded' AS rows, r->>'rows_rejected' AS rejected,
       r->'dialect'->>'delimiter' AS delimiter, r->'dialect'->>'bom_count' AS boms,
       r->>'geometry_column' AS geometry, round((r->'timings_ms'->>'total')::numeric) AS ms
  FROM (VALUES
    ('gares', opendata.import_csv_file('gares', :'datadir' || '/idfm_emplacement_des_gares_idf.csv',
       '{"metadata": {"publisher": "idfm"}}')),
    ('arbres-remarquables', opendata.import_csv_file('arbres-remarquables', :'datadir' || '/paris_arbres_remarquables.csv',
       '{"metadata": {"publisher": "ville-de-paris"}}')),
    ('populations-legales', opendata.import_csv_file('populations-legales', :'datadir' || '/insee_populations_legales_communes.csv',
       '{"metadata": {"publisher": "insee"}}')),
    ('reseaux-chaleur', opendata.import_csv_file('reseaux-chaleur', :'datadir' || '/reseaux_chaleur_dpe_2026_91_77.csv',
       '{"metadata": {"publisher": "transition-ecologique"}, "columns": {"annee_reference": {"type": "text"}}}'))) AS t(slug, r);

\echo '-- Importing the GeoJSON commune boundaries'
SELECT slug, r->>'rows_loaded' AS rows, r->>'geometry_column' AS geometry,
       round((r->'timings_ms'->>'total')::numeric) AS ms
  FROM (VALUES
    ('communes-essonne', opendata.import_geojson_file('communes-essonne', :'datadir' || '/communes_91_essonne.geojson',
       '{"metadata": {"publisher": "ign", "title": "Communes de l''Essonne", "description": "Limites des communes de l''Essonne (Admin Express COG 2018, simplifiées).", "license": "etalab-2.0", "themes": ["REGI"], "keywords": ["commune", "limites administratives"]}}')),
    ('communes-seine-et-marne', opendata.import_geojson_file('communes-seine-et-marne', :'datadir' || '/communes_77_seine_et_marne.geojson',
       '{"metadata": {"publisher": "ign", "title": "Communes de Seine-et-Marne", "description": "Limites des communes de Seine-et-Marne (Admin Express COG 2018, simplifiées).", "license": "etalab-2.0", "themes": ["REGI"], "keywords": ["commune", "limites administratives"]}}'))) AS t(slug, r);

\echo '-- Describing them (DCAT-AP metadata)'
SELECT opendata.set_metadata('gares', $${
  "title": "Emplacement des gares d'Île-de-France",
  "description": "Gares et stations du réseau ferré, métro et tramway d'Île-de-France, une ligne par gare et par ligne.",
  "themes": ["TRAN"], "keywords": ["gare", "transport", "métro", "RER", "tramway"], "key": ["objectid"],
  "license": "ODbL-1.0", "accrual_periodicity": "IRREG", "spatial": "Île-de-France",
  "landing_page": "https://data.iledefrance-mobilites.fr/explore/dataset/emplacement-des-gares-idf/",
  "contact_point": {"name": "Île-de-France Mobilités", "url": "https://www.iledefrance-mobilites.fr"}}$$) ->> 'title' AS title
UNION ALL
SELECT opendata.set_metadata('arbres-remarquables', $${
  "title": "Arbres remarquables de Paris",
  "description": "Les arbres remarquables des parcs, jardins et rues de Paris, avec leur espèce, leurs dimensions et leur histoire.",
  "themes": ["ENVI"], "keywords": ["arbre", "patrimoine", "nature", "espaces verts"],
  "license": "ODbL-1.0", "accrual_periodicity": "ANNUAL",
  "spatial": {"label": "Paris", "bbox": [2.22, 48.81, 2.47, 48.91]},
  "landing_page": "https://opendata.paris.fr/explore/dataset/arbresremarquablesparis/",
  "contact_point": {"name": "Direction des espaces verts", "email": "opendata@paris.fr"},
  "attributions": "Ville de Paris"}$$) ->> 'title'
UNION ALL
SELECT opendata.set_metadata('populations-legales', $${
  "title": "Populations légales des communes",
  "description": "Population municipale, comptée à part et totale de chaque commune de France, par l'Insee.",
  "themes": ["SOCI", "REGI"], "keywords": ["population", "recensement", "commune"],
  "license": "etalab-2.0", "accrual_periodicity": "ANNUAL", "spatial": "France",
  "landing_page": "https://www.insee.fr/fr/statistiques/6683035",
  "contact_point": {"name": "Insee", "url": "https://www.insee.fr"}}$$) ->> 'title'
UNION ALL
SELECT opendata.set_metadata('reseaux-chaleur', $${
  "title": "Réseaux de chaleur de l'Essonne et de la Seine-et-Marne",
  "description": "Les réseaux de chaleur urbains des deux départements avec leur contenu en CO2 (kg par kWh livré, direct et en analyse de cycle de vie) et leur taux d'énergies renouvelables et de récupération, tels que fixés pour le diagnostic de performance énergétique (arrêté DPE 2026).",
  "themes": ["ENER", "ENVI"], "keywords": ["réseau de chaleur", "énergie", "CO2", "DPE"],
  "license": "etalab-2.0", "accrual_periodicity": "ANNUAL", "spatial": "Essonne, Seine-et-Marne",
  "landing_page": "https://france-chaleur-urbaine.beta.gouv.fr",
  "attributions": "Ministère de la Transition écologique ; France Chaleur Urbaine"}$$) ->> 'title';

SELECT opendata.describe_field('gares', 'mode', '{"label": "Mode", "facet": true}') IS NOT NULL AS described,
       opendata.describe_field('gares', 'exploitant', '{"label": "Exploitant", "facet": true}') IS NOT NULL,
       opendata.describe_field('arbres-remarquables', 'genre', '{"label": "Genre", "facet": true}') IS NOT NULL,
       opendata.describe_field('arbres-remarquables', 'arrondissement', '{"label": "Arrondissement", "facet": true}') IS NOT NULL,
       opendata.describe_field('arbres-remarquables', 'hauteur_en_m', '{"label": "Hauteur", "unit": "m"}') IS NOT NULL,
       opendata.describe_field('populations-legales', 'ptot', '{"label": "Population totale", "unit": "habitants"}') IS NOT NULL,
       opendata.describe_field('reseaux-chaleur', 'contenu_co2', '{"label": "Contenu CO2", "unit": "kg/kWh"}') IS NOT NULL,
       opendata.describe_field('reseaux-chaleur', 'taux_enrr', '{"label": "Énergies renouvelables et de récupération", "unit": "%"}') IS NOT NULL,
       opendata.describe_field('reseaux-chaleur', 'localisation', '{"label": "Commune", "facet": true}') IS NOT NULL;

\echo '-- Publishing: one API view per dataset, a version in the history, NOTIFY pgrst'
SELECT p->>'slug' AS slug, p->>'version' AS version, p->>'row_count' AS records, p->>'view' AS api_view
  FROM (SELECT opendata.publish(s) AS p
          FROM unnest(ARRAY['gares', 'arbres-remarquables', 'populations-legales', 'reseaux-chaleur',
                            'communes-essonne', 'communes-seine-et-marne']) s) t;

\echo '-- GET /datasets?select=dataset_id,title,publisher,records_count (what anon sees)'
SET ROLE opendata_anon;
SELECT dataset_id, title, publisher, records_count FROM opendata_api.datasets ORDER BY dataset_id;
RESET ROLE;
