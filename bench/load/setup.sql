-- The data of bench/load.sh: one published dataset of :n rows with two
-- facets and points around Paris, and a catalog of 60 small published
-- datasets for search.
CREATE EXTENSION opendata CASCADE;
SELECT opendata.create_organization('load-org', 'Load');
SELECT opendata.set_catalog('{"publisher": "load-org"}');
CREATE TABLE public.load_rec (
  id int PRIMARY KEY, category text, city text, value numeric NOT NULL, label text,
  geom geometry(Point, 4326));
INSERT INTO load_rec
SELECT i, 'c' || (i % 20),
       (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes'])[1 + (i * 7) % 8],
       round(((i::bigint * 7919) % 100000) / 100.0, 2),
       'record ' || i || ' ' || (ARRAY['arbre', 'école', 'parking', 'piscine', 'musée'])[1 + i % 5],
       ST_SetSRID(ST_MakePoint(2.2 + ((i::bigint * 7919) % 10007) / 50035.0, 48.8 + ((i::bigint * 6151) % 9973) / 99730.0), 4326)
  FROM generate_series(1, :n) i;
CREATE INDEX ON load_rec (category);
CREATE INDEX ON load_rec (value);
CREATE INDEX ON load_rec USING gist (geom);
ANALYZE load_rec;
SELECT opendata.register('load_rec', 'load', '{"title": "Load", "description": "Load test records."}');
SELECT opendata.describe_field('load', 'category', '{"facet": true}');
SELECT opendata.describe_field('load', 'city', '{"facet": true}');
SELECT opendata.publish('load');

-- The catalog: 60 datasets titled "<topic> de <city>".
DO $$
DECLARE
  topics text[] := ARRAY['Arbres', 'Parkings', 'Piscines', 'Musées', 'Écoles', 'Gares'];
  cities text[] := ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes', 'Nice', 'Brest'];
  slug text;
BEGIN
  FOR t IN 1 .. 6 LOOP
    FOR c IN 1 .. 10 LOOP
      slug := format('cat-%s-%s', t, c);
      EXECUTE format('CREATE TABLE public.%I (id int PRIMARY KEY)', slug);
      PERFORM opendata.register(format('public.%I', slug)::regclass, slug,
        jsonb_build_object('title', topics[t] || ' de ' || cities[c],
                           'description', 'Les ' || lower(topics[t]) || ' de la ville de ' || cities[c] || '.'));
      PERFORM opendata.publish(slug);
    END LOOP;
  END LOOP;
END
$$;
ANALYZE;
