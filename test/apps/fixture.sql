-- The datasets of the apps contract (test/shell/apps_contract.sh): the
-- same stations with a key (gares) and without one (gares-sans-cle), and a
-- few hubs to cross them with.  Values chosen to exercise the encodings:
-- nulls, accents, commas, dates, datetimes with microseconds, points.
CREATE EXTENSION opendata CASCADE;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT opendata_anon TO authenticator;
SELECT opendata.create_organization('idfm', 'Île-de-France Mobilités');

CREATE TABLE public.gares (
  id int PRIMARY KEY,
  nom text NOT NULL,
  mode text,
  accessible boolean,
  ouverture date,
  vu timestamptz,
  frequentation numeric,
  geom geometry(Point, 4326));
-- Inserted out of key order: storage order is not the key's.
INSERT INTO public.gares
SELECT g, 'Gare ' || g || CASE WHEN g % 5 = 0 THEN ', quai "B"' ELSE '' END,
       (ARRAY['Metro', 'RER', 'Train', NULL])[g % 4 + 1], CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END,
       date '1900-01-01' + g * 1000, timestamptz '2024-03-01 08:00:00.123456+01' + g * interval '37 minutes',
       round(g * 1234.5 / 7, 2), CASE WHEN g % 11 = 0 THEN NULL ELSE ST_SetSRID(ST_MakePoint(2.2 + g / 100.0, 48.8 + (g % 7) / 100.0), 4326) END
  FROM (SELECT g FROM generate_series(1, 37) g ORDER BY (g * 17) % 37) s;
CREATE TABLE public.gares_sans_cle AS SELECT * FROM public.gares ORDER BY (id * 5) % 37;
CREATE TABLE public.poles (id int PRIMARY KEY, pole text, geom geometry(Point, 4326));
INSERT INTO public.poles VALUES (1, 'Ouest', 'SRID=4326;POINT(2.3 48.83)'), (2, 'Est', 'SRID=4326;POINT(2.5 48.83)');

SELECT opendata.register('gares', 'gares', '{"title": "Gares", "description": "Des gares", "publisher": "idfm"}');
SELECT opendata.register('gares_sans_cle', 'gares-sans-cle', '{"title": "Gares sans clé", "description": "Les mêmes, sans clé", "publisher": "idfm"}');
SELECT opendata.register('poles', 'poles', '{"title": "Pôles", "description": "Deux pôles", "publisher": "idfm"}');
SELECT opendata.publish('gares'), opendata.publish('gares-sans-cle'), opendata.publish('poles');
