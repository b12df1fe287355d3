-- Step 2: the portal of a French agglomeration in miniature: the catalog,
-- its publishers, and who acts for them.
\echo '-- The catalog and its publishers'
SELECT opendata.set_catalog($${
  "title": "Portail open data du Grand Paris Sud (démo)",
  "description": "Données ouvertes des communes de l'agglomération et de ses partenaires.",
  "homepage": "https://data.example.org",
  "base_url": "https://data.example.org/api",
  "language": "fr",
  "license": "etalab-2.0"}$$) - 'modified' AS catalog;

SELECT opendata.create_organization('ville-de-paris', 'Ville de Paris',
         '{"homepage": "https://www.paris.fr", "email": "opendata@paris.fr"}') AS ville_de_paris,
       opendata.create_organization('idfm', 'Île-de-France Mobilités',
         '{"homepage": "https://www.iledefrance-mobilites.fr"}') AS idfm,
       opendata.create_organization('insee', 'Institut national de la statistique et des études économiques',
         '{"homepage": "https://www.insee.fr"}') AS insee,
       opendata.create_organization('ign', 'Institut national de l''information géographique et forestière',
         '{"homepage": "https://www.ign.fr"}') AS ign;
SELECT opendata.set_catalog('{"publisher": "ign"}') ->> 'publisher_id' AS default_publisher_id;

-- A publisher role per organization, as a deployment would have.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_publisher') THEN
    CREATE ROLE demo_publisher LOGIN IN ROLE opendata_publisher;
  END IF;
END
$$;
SELECT opendata.add_member(o, 'demo_publisher') FROM unnest(ARRAY['ville-de-paris', 'idfm', 'insee', 'ign']) o;
SELECT organization_id, name FROM opendata_api.organizations ORDER BY 1;
