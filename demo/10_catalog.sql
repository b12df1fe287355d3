-- Step 2: the portal of a French agglomeration in miniature: the catalog,
-- its publishers, and who acts for them.  base_url is where the demo's
-- HTTP front answers the API (scripts/demo.sh passes it: nginx's or the
-- stand-in's /api/); download links are made from it at publication.
\if :{?base_url}
\else
\set base_url 'http://127.0.0.1:18100/api'
\endif
\echo '-- The catalog and its publishers'
SELECT opendata.set_catalog(jsonb_build_object(
  'title', 'Portail open data du Grand Paris Sud (démo)',
  'description', E'Données ouvertes des 23 communes de l''agglomération Grand Paris Sud Seine-Essonne-Sénart et de ses partenaires.\n\n'
                 'Qui déploie la fibre dans ma commune, où en est-il, quand le cuivre s''arrête-t-il ? '
                 'Quelle gare proche de chez moi est accessible en fauteuil roulant ? Les réponses sont dans les jeux de données ci-dessous.',
  'homepage', regexp_replace(:'base_url', '/api$', '/'),
  'base_url', :'base_url',
  'language', 'fr',
  'license', 'etalab-2.0')) - 'modified' AS catalog;

SELECT opendata.create_organization('ville-de-paris', 'Ville de Paris',
         '{"homepage": "https://www.paris.fr", "email": "opendata@paris.fr"}') AS ville_de_paris,
       opendata.create_organization('idfm', 'Île-de-France Mobilités',
         '{"homepage": "https://www.iledefrance-mobilites.fr"}') AS idfm,
       opendata.create_organization('insee', 'Institut national de la statistique et des études économiques',
         '{"homepage": "https://www.insee.fr"}') AS insee,
       opendata.create_organization('ign', 'Institut national de l''information géographique et forestière',
         '{"homepage": "https://www.ign.fr"}') AS ign,
       opendata.create_organization('anct', 'Agence nationale de la cohésion des territoires',
         '{"homepage": "https://agence-cohesion-territoires.gouv.fr", "description": "Observatoire France Très Haut Débit."}') AS anct,
       opendata.create_organization('transition-ecologique', 'Ministère de la Transition écologique',
         '{"homepage": "https://www.ecologie.gouv.fr"}') AS transition_ecologique,
       opendata.create_organization('grand-paris-sud', 'Grand Paris Sud Seine-Essonne-Sénart',
         '{"homepage": "https://www.grandparissud.fr", "description": "Communauté d''agglomération de 23 communes de l''Essonne et de la Seine-et-Marne. Ses jeux de données croisent ceux de ses partenaires."}') AS grand_paris_sud;
SELECT opendata.set_catalog('{"publisher": "ign"}') ->> 'publisher_id' AS default_publisher_id;

-- A publisher role per organization, as a deployment would have.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_publisher') THEN
    CREATE ROLE demo_publisher LOGIN IN ROLE opendata_publisher;
  END IF;
END
$$;
SELECT opendata.add_member(o, 'demo_publisher') FROM unnest(ARRAY['ville-de-paris', 'idfm', 'insee', 'ign', 'anct', 'transition-ecologique', 'grand-paris-sud']) o;
SELECT organization_id, name FROM opendata_api.organizations ORDER BY 1;
