\set k random(1, 8)
\set p random(0, 50)
SELECT json_build_object(
  'total_count', (SELECT count(*) FROM opendata_api.load
                   WHERE city = (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes'])[:k::int]),
  'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'city', city, 'value', value) ORDER BY id), '[]')
                FROM (SELECT id, city, value FROM opendata_api.load
                       WHERE city = (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes'])[:k::int]
                       ORDER BY id LIMIT 20 OFFSET :p::int * 20) p));
