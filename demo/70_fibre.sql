-- Step 8: fibre per commune.  Who deploys fibre in my commune, how far has
-- it got, when does copper end?  The FttH file (ANCT, per commune of 91 and
-- 77) joined to the commune boundaries on the INSEE code, for the 23
-- communes of Grand Paris Sud, published with its map.
\echo '-- Importing the FttH deployment file (codes kept as text: 91001, not the number 91001)'
SELECT r->>'rows_loaded' AS rows, r->>'rows_rejected' AS rejected, r->'dialect'->>'delimiter' AS delimiter,
       (SELECT string_agg(c->>'name' || ' ' || (c->>'pg_type'), ', ')
          FROM jsonb_array_elements(r->'columns') c
         WHERE c->>'name' IN ('code_insee', 'commune_gps', 'taux_raccordables_pct', 'locaux_fin_cuivre_2027')) AS some_columns
  FROM opendata.import_csv_file('fibre-ftth-91-77', :'datadir' || '/fibre_ftth_communes_91_77_2026T2.csv',
         '{"metadata": {"publisher": "anct"},
           "columns": {"code_insee": {"type": "text"}, "code_departement": {"type": "text"},
                       "siren_epci_2018": {"type": "text"}, "oi_arcep_2018T1": {"type": "text"}}}') r;

-- "When does copper end" as one number: the first year by which every
-- premises of the commune is past the copper switch-off (NULL: not before
-- 2030).  A stored generated column: publish() lists it like any field.
ALTER TABLE opendata_data."fibre-ftth-91-77" ADD COLUMN annee_fin_cuivre integer GENERATED ALWAYS AS (
  CASE WHEN locaux_fin_cuivre_2025 >= locaux THEN 2025
       WHEN locaux_fin_cuivre_2026 >= locaux THEN 2026
       WHEN locaux_fin_cuivre_2027 >= locaux THEN 2027
       WHEN locaux_fin_cuivre_2028 >= locaux THEN 2028
       WHEN locaux_fin_cuivre_2029 >= locaux THEN 2029
       WHEN locaux_fin_cuivre_2030 >= locaux THEN 2030 END) STORED;

SELECT opendata.set_metadata('fibre-ftth-91-77', $${
  "title": "Déploiement de la fibre optique (FttH) par commune, Essonne et Seine-et-Marne",
  "description": "Pour chaque commune de l'Essonne et de la Seine-et-Marne : nombre de locaux, locaux raccordables à la fibre jusqu'à l'abonné (FttH), opérateur d'infrastructure qui déploie le réseau, zone réglementaire (AMII, RIP, ZTD) et calendrier de fermeture du réseau cuivre. Deuxième trimestre 2026.",
  "themes": ["ECON", "REGI"], "keywords": ["fibre", "FttH", "très haut débit", "cuivre", "numérique"],
  "license": "etalab-2.0", "accrual_periodicity": "QUARTERLY", "spatial": "Essonne, Seine-et-Marne",
  "temporal": {"start": "2026-04-01", "end": "2026-06-30"},
  "landing_page": "https://www.francethd.fr/observatoire/",
  "attributions": "ANCT, Observatoire France Très Haut Débit ; ARCEP"}$$) ->> 'title' AS title;
-- Published first: publish() adds the generated column to the fields.
SELECT opendata.publish('fibre-ftth-91-77')->>'version' AS version;
SELECT count(*) AS fields_described FROM (VALUES
  ('porteur_reseau_oi', '{"label": "Opérateur d''infrastructure", "facet": true, "description": "Qui déploie et exploite le réseau fibre de la commune."}'),
  ('zone', '{"label": "Zone", "facet": true, "description": "AMII : déploiement privé sur appel à manifestation d''intentions ; RIP : réseau d''initiative publique ; ZTD : zone très dense."}'),
  ('locaux', '{"label": "Locaux", "unit": "locaux"}'),
  ('locaux_raccordables_ftth', '{"label": "Locaux raccordables", "unit": "locaux"}'),
  ('taux_raccordables_pct', '{"label": "Part des locaux raccordables", "unit": "%"}'),
  ('annee_fin_cuivre', '{"label": "Fin du cuivre", "facet": true, "description": "Première année où tous les locaux de la commune sont passés la fermeture du réseau cuivre (vide : après 2030)."}'),
  ('commune_gps', '{"label": "Commune de Grand Paris Sud", "facet": true}'),
  ('code_departement', '{"label": "Département", "facet": true}'),
  ('locaux_fin_cuivre_2025', '{"label": "Sans cuivre fin 2025", "unit": "locaux"}'),
  ('locaux_fin_cuivre_2026', '{"label": "Sans cuivre fin 2026", "unit": "locaux"}'),
  ('locaux_fin_cuivre_2027', '{"label": "Sans cuivre fin 2027", "unit": "locaux"}'),
  ('locaux_fin_cuivre_2028', '{"label": "Sans cuivre fin 2028", "unit": "locaux"}'),
  ('locaux_fin_cuivre_2029', '{"label": "Sans cuivre fin 2029", "unit": "locaux"}'),
  ('locaux_fin_cuivre_2030', '{"label": "Sans cuivre fin 2030", "unit": "locaux"}'),
  ('trimestre', '{"label": "Trimestre"}')) AS f(field, meta),
  LATERAL opendata.describe_field('fibre-ftth-91-77', f.field, f.meta::jsonb);

\echo '-- The 23 communes of Grand Paris Sud: the boundaries whose INSEE code the FttH file flags (commune_gps)'
CREATE VIEW opendata_data.communes_grand_paris_sud AS
  SELECT c.code, c.nom, c.geom
    FROM opendata_data."communes-91-77" c
   WHERE c.code IN (SELECT f.code_insee FROM opendata_data."fibre-ftth-91-77" f WHERE f.commune_gps);
SELECT opendata.register('opendata_data.communes_grand_paris_sud', 'communes-grand-paris-sud', $${
  "title": "Communes de Grand Paris Sud", "publisher": "grand-paris-sud",
  "description": "Limites des 23 communes de la communauté d'agglomération Grand Paris Sud Seine-Essonne-Sénart (Admin Express COG 2018, simplifiées).",
  "themes": ["REGI"], "keywords": ["commune", "limites administratives", "Grand Paris Sud"], "license": "etalab-2.0",
  "spatial": "Grand Paris Sud"}$$)->>'slug' AS registered;
SELECT count(*) AS fields_described FROM (VALUES
  ('code', '{"label": "Code INSEE"}'),
  ('nom', '{"label": "Commune", "facet": true}'),
  ('geom', '{"label": "Contour de la commune"}')) AS f(field, meta),
  LATERAL opendata.describe_field('communes-grand-paris-sud', f.field, f.meta::jsonb);
SELECT opendata.publish('communes-grand-paris-sud')->>'row_count' AS communes;
-- Mismatches between the two vintages are shown, not hidden.
SELECT count(*) AS flagged_communes_without_boundary, string_agg(f.code_insee || ' ' || f.nom_commune_2018, ', ') AS which
  FROM opendata_data."fibre-ftth-91-77" f
 WHERE f.commune_gps AND f.code_insee NOT IN (SELECT code FROM opendata_data."communes-91-77");

\echo '-- Fibre per commune: the boundaries crossed with the FttH file on the INSEE code (attribute), a derived dataset'
SELECT r->>'slug' AS slug, r->>'rows' AS rows, r->'report'->>'unmatched_left' AS communes_without_fibre_row,
       r->'report'->'unmatched_left_keys' AS their_codes
  FROM opendata.cross('fibre-grand-paris-sud', 'communes-grand-paris-sud', 'fibre-ftth-91-77', 'attribute',
         '{"left_key": "code", "right_key": "code_insee", "prefix": "",
           "fields": ["porteur_reseau_oi", "zone", "taux_raccordables_pct", "locaux", "locaux_raccordables_ftth",
                      "annee_fin_cuivre", "locaux_fin_cuivre_2025", "locaux_fin_cuivre_2026", "locaux_fin_cuivre_2027",
                      "locaux_fin_cuivre_2028", "locaux_fin_cuivre_2029", "locaux_fin_cuivre_2030", "trimestre"],
           "metadata": {"publisher": "grand-paris-sud"}}') r;
SELECT opendata.set_metadata('fibre-grand-paris-sud', $${
  "title": "La fibre dans ma commune : Grand Paris Sud",
  "description": "Qui déploie la fibre dans ma commune, où en est-il, quand le cuivre s'arrête-t-il ?\n\nPour chacune des 23 communes de Grand Paris Sud : l'opérateur d'infrastructure qui déploie le réseau (Orange, XP Fibre, Essonne Numérique, Seine-et-Marne Numérique...), la part des locaux déjà raccordables à la fibre, et l'année où tous les locaux de la commune auront quitté le réseau cuivre, avec le calendrier année par année. Les limites communales viennent de l'IGN, les chiffres de l'observatoire France Très Haut Débit (deuxième trimestre 2026).",
  "themes": ["ECON", "REGI"], "keywords": ["fibre", "FttH", "cuivre", "Grand Paris Sud"],
  "license": "etalab-2.0", "accrual_periodicity": "QUARTERLY", "spatial": "Grand Paris Sud",
  "temporal": {"start": "2026-04-01", "end": "2026-06-30"},
  "attributions": "ANCT, Observatoire France Très Haut Débit ; IGN, Admin Express"}$$) ->> 'title' AS title;
-- Its fields carry the labels, units and facets of the communes and of
-- the FttH file (inherited); one is renamed for the question it answers.
SELECT opendata.describe_field('fibre-grand-paris-sud', 'porteur_reseau_oi', '{"label": "Qui déploie la fibre"}')->>'label' AS label;
SELECT opendata.publish('fibre-grand-paris-sud')->>'version' AS version;

\echo '-- The answer, as anyone reads it (GET /api/fibre-grand-paris-sud?select=nom,porteur_reseau_oi,taux_raccordables_pct,annee_fin_cuivre&order=nom)'
SET ROLE opendata_anon;
SELECT nom AS commune, porteur_reseau_oi AS qui_deploie, taux_raccordables_pct AS raccordables_pct,
       annee_fin_cuivre AS fin_du_cuivre
  FROM opendata_api."fibre-grand-paris-sud" ORDER BY nom;
\echo '-- Who deploys, how many communes (GET /api/rpc/facets?dataset=fibre-grand-paris-sud&facet={porteur_reseau_oi})'
SELECT v->>'value' AS operator, v->>'count' AS communes
  FROM json_array_elements(opendata_api.facets('fibre-grand-paris-sud', facet => '{porteur_reseau_oi}')->'facets'->0->'facets') v;
RESET ROLE;
