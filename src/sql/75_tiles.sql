-- Vector tiles and TileJSON (docs/maps.md).
--
-- GET /rpc/tile?dataset=arbres&z=12&x=2074&y=1409 with
-- Accept: application/vnd.mapbox-vector-tile (nginx's /tiles/ location sets
-- it, deploy/nginx/locations/tiles.conf).  Everything runs as the caller
-- and reads the dataset's API view: drafts, restricted datasets and hidden
-- fields are no more in tiles than in records.  Nothing here writes: tiles
-- work in READ ONLY transactions and on standbys.

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $domains$
BEGIN
  IF to_regtype('opendata_api."application/vnd.mapbox-vector-tile"') IS NULL THEN
    CREATE DOMAIN opendata_api."application/vnd.mapbox-vector-tile" AS bytea;
  END IF;
END
$domains$;
COMMENT ON DOMAIN opendata_api."application/vnd.mapbox-vector-tile" IS 'media type application/vnd.mapbox-vector-tile: a Mapbox Vector Tile 2.1';

-- The site's root, where nginx serves /tiles and /ogc: the catalog's
-- base_url (PostgREST's root, seen from outside) without its final /api,
-- the layout of deploy/nginx/opendata.conf; base_url itself otherwise.
CREATE FUNCTION opendata._site_root() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT regexp_replace(rtrim(c.base_url, '/'), '/api$', '') FROM opendata.catalog c
$$;

-- The request header `name` as PostgREST passes it (request.headers, a JSON
-- object with lower-case names); NULL outside PostgREST.
CREATE FUNCTION opendata._request_header(name text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('request.headers', true), '')::json ->> lower(name)
$$;

-- The entity tag and cache policy of everything a published dataset serves
-- (tiles, TileJSON): its published version and last modification.  A
-- restricted dataset's responses are private to the caller.
-- PL/pgSQL, whose plan of the query is kept for the session: an SQL
-- function in FROM is planned again in every request's transaction.
CREATE FUNCTION opendata._dataset_cache_headers(dataset text, OUT etag text, OUT cache_control text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT format('"%s-%s-%s"', d.slug, d.version, (extract(epoch FROM d.modified) * 1000000)::bigint),
         CASE WHEN d.access = 'public' THEN 'public, max-age=300' ELSE 'private, max-age=300' END
    INTO etag, cache_control
    FROM opendata.datasets d
   WHERE d.slug = dataset AND d.status = 'published';
END
$$;

-- A C function (src/pg/tiles.cpp), HTTP side included: a map asks for
-- tiles by the hundred, and each nested call (a PL/pgSQL wrapper, the ETag
-- lookup, the tile itself) saved and restored its SET clauses.
-- Without JIT: ST_AsMVTGeom's cost estimate puts a tile of a few thousand
-- rows above jit_above_cost, and compiling the query took longer than
-- running it (bench/tiles.sh: a zoom-14 tile of 9,000 points, 1.1 s with
-- JIT, 0.4 s without, on a loaded machine).
-- Generic plans: the statements of a tile are kept for the session with
-- z, x and y as parameters, and the plan cache found the generic plan
-- dearer than the custom ones (it cannot see how small the tile's envelope
-- is), so it planned each tile again: half of a small tile's time, timed
-- from the client (bench/tiles.sh).  The generic plan is the one a tile
-- wants at any zoom: the envelope on the geometry's GiST index.
CREATE FUNCTION opendata_api.tile(dataset text, z int, x int, y int,
                                  "where" text DEFAULT NULL, fields text DEFAULT NULL)
RETURNS opendata_api."application/vnd.mapbox-vector-tile"
LANGUAGE c STABLE SET jit = off SET plan_cache_mode = force_generic_plan
AS 'MODULE_PATHNAME', 'opendata_tile';
COMMENT ON FUNCTION opendata_api.tile(text, int, int, int, text, text) IS
  'a Mapbox vector tile of a published dataset (one layer named after it), filtered in ODSQL';

-- TileJSON 3.0.0 of a dataset's tiles.
CREATE FUNCTION opendata_api.tilejson(dataset text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  d record;
  geo text;
  ext box2d;
  bounds float8[];
  layer_fields jsonb;
  h record;
BEGIN
  SELECT v.dataset_id, v.title, v.description, v.attributions, v.version, v.fields
    INTO d
    FROM opendata_api.datasets v
   WHERE v.dataset_id = $1 AND v.status = 'published';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dataset "%" does not exist or is not published', $1
      USING ERRCODE = '42P01', HINT = 'GET /datasets lists the published datasets.';
  END IF;
  SELECT f ->> 'name' INTO geo FROM jsonb_array_elements(d.fields) WITH ORDINALITY AS a(f, i)
   WHERE f ->> 'type' IN ('geo_point_2d', 'geo_shape') ORDER BY i LIMIT 1;
  IF geo IS NULL THEN
    RAISE EXCEPTION 'dataset "%" has no geometry', $1
      USING ERRCODE = '22023', HINT = 'Only datasets with a geo_point_2d or geo_shape field have tiles.';
  END IF;
  EXECUTE format('SELECT ST_Extent(%I)::box2d FROM opendata_api.%I', geo, $1) INTO ext;
  bounds := CASE WHEN ext IS NULL THEN ARRAY[-180, -85.0511287798066, 180, 85.0511287798066]
                 ELSE ARRAY[ST_XMin(ext), ST_YMin(ext), ST_XMax(ext), ST_YMax(ext)] END;
  SELECT coalesce(jsonb_object_agg(f ->> 'name',
                    CASE f ->> 'type' WHEN 'int' THEN 'Number' WHEN 'double' THEN 'Number'
                                      WHEN 'boolean' THEN 'Boolean' ELSE 'String' END), '{}')
    INTO layer_fields
    FROM jsonb_array_elements(d.fields) AS a(f)
   WHERE f ->> 'type' NOT IN ('geo_point_2d', 'geo_shape');
  layer_fields := layer_fields || jsonb_build_object('_thinned', 'Boolean');
  IF (SELECT f ->> 'type' FROM jsonb_array_elements(d.fields) AS a(f) WHERE f ->> 'name' = geo) = 'geo_point_2d' THEN
    layer_fields := layer_fields || jsonb_build_object('cluster', 'Boolean', 'point_count', 'Number', '_partial', 'Boolean');
  END IF;
  SELECT * INTO h FROM opendata._dataset_cache_headers($1);
  PERFORM set_config('response.headers', json_build_array(
            json_build_object('ETag', h.etag),
            json_build_object('Cache-Control', h.cache_control))::text, true);
  PERFORM opendata._count_call('tiles', $1, NULL, NULL);
  RETURN json_build_object(
    'tilejson', '3.0.0',
    'name', coalesce(d.title, d.dataset_id),
    'description', d.description,
    'attribution', d.attributions,
    'version', d.version || '.0.0',
    'scheme', 'xyz',
    'tiles', json_build_array(format('%s/tiles/%s/{z}/{x}/{y}.mvt', opendata._site_root(), d.dataset_id)),
    'minzoom', 0,
    'maxzoom', 22,
    'bounds', to_json(bounds),
    'center', json_build_array((bounds[1] + bounds[3]) / 2, (bounds[2] + bounds[4]) / 2,
                               least(22, greatest(0, floor(log(2::numeric, (360 / greatest(bounds[3] - bounds[1], 1e-9))::numeric))))::int),
    'vector_layers', json_build_array(json_build_object(
       'id', d.dataset_id,
       'description', coalesce(d.title, d.dataset_id),
       'minzoom', 0,
       'maxzoom', 22,
       'fields', layer_fields)));
END
$$;
COMMENT ON FUNCTION opendata_api.tilejson(text) IS
  'TileJSON 3.0.0 of a published dataset''s vector tiles';
