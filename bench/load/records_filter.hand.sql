\set c random(0, 19)
\set v random(0, 990)
SELECT json_build_object(
  'total_count', (SELECT count(*) FROM opendata_api.load WHERE category = 'c' || :c::int AND value > :v::int),
  'results', (SELECT coalesce(json_agg(json_build_object('id', id, 'category', category, 'value', value) ORDER BY value DESC, id), '[]')
                FROM (SELECT id, category, value FROM opendata_api.load WHERE category = 'c' || :c::int AND value > :v::int
                       ORDER BY value DESC, id LIMIT 10) p));
