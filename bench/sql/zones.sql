-- The generated polygons of the benchmarks (bench/cross.sh, bench/tiles.sh):
-- :polygons Voronoi cells of random points over Essonne and Seine-et-Marne
-- (lon 1.9-3.6, lat 48.1-49.1), clipped to that box and densified to about
-- 100 vertices each (26 to 190; the communes of the sample files have 12 to
-- 230, 46 at the median), in the table opendata_data.zones (id, geom).
-- Included with \i after setseed(): the same seed and the same random()
-- calls before it give the same polygons.
CREATE TABLE opendata_data.zones AS
  SELECT row_number() OVER ()::int AS id, ST_Segmentize(ST_Intersection(c.geom, e.box), 0.0015)::geometry(Polygon, 4326) AS geom
    FROM (SELECT ST_MakeEnvelope(1.9, 48.1, 3.6, 49.1, 4326) AS box) e,
         LATERAL ST_Dump(ST_VoronoiPolygons(
           (SELECT ST_Collect(ST_SetSRID(ST_MakePoint(1.9 + random() * 1.7, 48.1 + random() * 1.0), 4326))
              FROM generate_series(1, :polygons)), 0, e.box)) c;
