\set t random(1, 4)
SELECT json_build_object(
  'total_count', (SELECT count(*) FROM opendata_api.datasets
                   WHERE title ILIKE '%' || (ARRAY['arbres', 'parkings', 'piscines', 'gares'])[:t::int] || '%'),
  'results', (SELECT coalesce(json_agg(json_build_object('dataset_id', dataset_id, 'title', title) ORDER BY title, dataset_id), '[]')
                FROM (SELECT dataset_id, title FROM opendata_api.datasets
                       WHERE title ILIKE '%' || (ARRAY['arbres', 'parkings', 'piscines', 'gares'])[:t::int] || '%'
                       ORDER BY title, dataset_id LIMIT 5) p));
