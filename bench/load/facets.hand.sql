\set v random(0, 990)
-- Both facets from one scan: GROUPING SETS.
SELECT json_build_object('facets', json_build_array(
  json_build_object('name', 'category', 'facets',
    coalesce(json_agg(json_build_object('value', category, 'count', n) ORDER BY n DESC, category) FILTER (WHERE g = 1), '[]')),
  json_build_object('name', 'city', 'facets',
    coalesce(json_agg(json_build_object('value', city, 'count', n) ORDER BY n DESC, city) FILTER (WHERE g = 2), '[]'))))
  FROM (SELECT category, city, count(*) n, grouping(category, city) g FROM opendata_api.load
         WHERE value > :v::int GROUP BY GROUPING SETS ((category), (city))) s
 WHERE (g = 1 AND category IS NOT NULL) OR (g = 2 AND city IS NOT NULL);
