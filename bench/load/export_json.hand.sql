\set c random(0, 19)
SELECT coalesce(json_agg(json_build_object('id', id, 'category', category, 'value', value) ORDER BY id), '[]')
  FROM (SELECT id, category, value FROM opendata_api.load WHERE category = 'c' || :c::int ORDER BY id LIMIT 50) p;
