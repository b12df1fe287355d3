-- The portal's test fixture (test/shell/portal_browser.sh): an organization,
-- geographic and plain datasets, a draft and a restricted dataset whose
-- titles must never show, hostile metadata, a reuse, a crossing (lineage).
-- Run as a superuser in a database where the extension is installed.
SELECT opendata.set_catalog('{"title": "Portail test", "description": "Les données ouvertes du test.\n\nDeuxième paragraphe."}');
SELECT opendata.create_organization('ville-a', 'Ville A', '{"homepage": "https://ville-a.example", "description": "La ville A publie ses données."}');
SELECT opendata.create_organization('evil-org', 'Evil <script>alert("org")</script>', '{"homepage": "https://evil.example/?a=\"><script>window.__pwned=7</script>"}');

CREATE TABLE public.arbres (id int PRIMARY KEY, espece text NOT NULL, hauteur numeric, commune text,
                            geom geometry(Point, 4326));
INSERT INTO public.arbres
SELECT i, (ARRAY['Platanus x hispanica', 'Quercus robur', 'Ginkgo biloba', 'Tilia cordata'])[1 + i % 4],
       10 + (i % 25), (ARRAY['Paris', 'Lyon', 'Nantes'])[1 + i % 3],
       ST_SetSRID(ST_MakePoint(2.2 + (i % 37) * 0.01, 48.8 + (i % 23) * 0.005), 4326)
  FROM generate_series(1, 45) i;
SELECT opendata.register('public.arbres', 'arbres', '{"title": "Arbres remarquables",
  "description": "Les arbres remarquables de la ville.", "publisher": "ville-a", "license": "etalab-2.0",
  "themes": ["ENVI"], "keywords": ["arbres", "nature"], "spatial": {"label": "Ville A"}}');
SELECT opendata.describe_field('arbres', 'commune', '{"facet": true, "label": "Commune"}');
SELECT opendata.describe_field('arbres', 'hauteur', '{"unit": "m", "label": "Hauteur"}');
SELECT opendata.publish('arbres');

CREATE TABLE public.quartiers (id int PRIMARY KEY, nom text, geom geometry(Polygon, 4326));
INSERT INTO public.quartiers VALUES
  (1, 'Nord', 'SRID=4326;POLYGON((2.2 48.85, 2.56 48.85, 2.56 48.92, 2.2 48.92, 2.2 48.85))'),
  (2, 'Sud', 'SRID=4326;POLYGON((2.2 48.78, 2.56 48.78, 2.56 48.85, 2.2 48.85, 2.2 48.78))');
SELECT opendata.register('public.quartiers', 'quartiers', '{"title": "Quartiers", "description": "Les quartiers.",
  "publisher": "ville-a", "license": "ODbL-1.0", "themes": ["REGI"]}');
SELECT opendata.publish('quartiers');

CREATE TABLE public.budget (id int PRIMARY KEY, poste text, montant numeric);
INSERT INTO public.budget VALUES (1, 'Voirie', 1200000), (2, 'Écoles', 3400000);
SELECT opendata.register('public.budget', 'budget', '{"title": "Budget primitif",
  "description": "Le budget voté.", "publisher": "ville-a", "license": "etalab-2.0", "themes": ["ECON"]}');
SELECT opendata.publish('budget');

-- Hostile metadata: markup, a javascript: landing page, bidi overrides.
CREATE TABLE public.hostile (id int PRIMARY KEY, "note" text);
INSERT INTO public.hostile VALUES (1, '<img src=x onerror="window.__pwned=1">'), (2, '"><script>window.__pwned=2</script>');
SELECT opendata.register('public.hostile', 'hostile', jsonb_build_object(
  'title', '<script>window.__pwned=3</script>Titre piégé',
  'description', E'Texte \u202Egnp.exe\u202C et <b onclick="x()">gras</b> </script><!--',
  'publisher', 'evil-org', 'license', 'etalab-2.0', 'themes', jsonb_build_array('GOVE'),
  'keywords', jsonb_build_array('<i>mot</i>'),
  'landing_page', 'https://evil.example/"onmouseover="window.__pwned=4',
  'contact_point', jsonb_build_object('name', '<u>x</u>', 'email', 'a"b@b.example')));
SELECT opendata.publish('hostile');

-- Never on a page for anonymous visitors.
CREATE TABLE public.secret_draft (id int PRIMARY KEY);
SELECT opendata.register('public.secret_draft', 'brouillon', '{"title": "Titre secret du brouillon",
  "description": "x", "publisher": "ville-a", "license": "etalab-2.0"}');
CREATE TABLE public.secret_restricted (id int PRIMARY KEY);
SELECT opendata.register('public.secret_restricted', 'restreint', '{"title": "Titre secret restreint",
  "description": "x", "publisher": "ville-a", "license": "etalab-2.0", "access": "restricted"}');
SELECT opendata.publish('restreint');

SELECT opendata.add_reuse('Carte des arbres', 'https://reuse.example/arbres', 'visualisation', '{arbres}', 'Association X',
                          'Une carte interactive.');
SELECT opendata.add_reuse('<script>window.__pwned=5</script>Réutilisation', 'https://evil.example/<script>window.__pwned=6</script>', 'application',
                          '{hostile}', '<b>auteur</b>', 'x');

-- A derived dataset: the trees of each district (lineage both ways).
SELECT opendata.cross('arbres-quartiers', 'arbres', 'quartiers', 'enrich',
                      '{"metadata": {"title": "Arbres par quartier", "description": "Croisement.", "publisher": "ville-a", "license": "etalab-2.0"}}');
SELECT opendata.publish('arbres-quartiers');

-- Enough datasets for a second page of search results (ten a page).
DO $$
BEGIN
  FOR i IN 1..8 LOOP
    EXECUTE format('CREATE TABLE public.serie_%s (id int PRIMARY KEY, valeur numeric)', i);
    EXECUTE format('INSERT INTO public.serie_%s SELECT g, g * %s FROM generate_series(1, 3) g', i, i);
    PERFORM opendata.register(format('public.serie_%s', i)::regclass, format('serie-%s', i),
      jsonb_build_object('title', format('Série statistique %s', i), 'description', 'Une série de mesures.',
                         'publisher', 'ville-a', 'license', 'CC-BY-4.0', 'themes', jsonb_build_array('SOCI')));
    PERFORM opendata.publish(format('serie-%s', i));
  END LOOP;
END
$$;
