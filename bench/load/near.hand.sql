\set x random(0, 2000)
\set y random(0, 1000)
-- The box: 0.0045 degrees is over 300 m both ways at this latitude (329 m of longitude).
WITH here AS (SELECT ST_SetSRID(ST_MakePoint(2.2 + :x::int / 10000.0, 48.8 + :y::int / 10000.0), 4326) AS pt),
page AS (SELECT l.*, ST_Distance(geom::geography, pt::geography) d FROM opendata_api.load l, here
          WHERE geom && ST_Expand(pt, 0.0045) AND ST_DWithin(geom::geography, pt::geography, 300)
          ORDER BY d, id LIMIT 10)
SELECT json_build_object(
  'total_count', count(*),
  'results', coalesce(json_agg(json_build_object('id', id, 'category', category, 'city', city, 'value', value, 'label', label,
                                                 'geom', ST_AsGeoJSON(geom, 15, 2)::json, 'distance_m', d) ORDER BY d, id), '[]'))
  FROM page;
