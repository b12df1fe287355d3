-- Partitioned datasets (issue #20, docs/scaling.md): a table partitioned by
-- département is a dataset like any other.  Every answer is compared with
-- the same rows in a plain table published beside it; filters on the
-- partition key prune partitions (explain_odsql(plan => true)); a replace
-- import can refresh one partition and leave the others untouched.
\set VERBOSITY terse

CREATE TABLE public.part_addr (
  id int NOT NULL, departement text NOT NULL, commune text, annee int,
  geom geometry(Point, 4326),
  PRIMARY KEY (departement, id)
) PARTITION BY LIST (departement);
CREATE TABLE public.part_addr_75 PARTITION OF part_addr FOR VALUES IN ('75');
CREATE TABLE public.part_addr_91 PARTITION OF part_addr FOR VALUES IN ('91');
CREATE TABLE public.part_addr_92 PARTITION OF part_addr FOR VALUES IN ('92');
INSERT INTO part_addr
SELECT g, (ARRAY['75', '91', '92'])[g % 3 + 1], 'commune ' || (g % 7), 2020 + g % 4,
       ST_SetSRID(ST_MakePoint(2.20 + (g % 3) * 0.1 + g / 10000.0, 48.60 + (g % 3) * 0.1 + g / 10000.0), 4326)
  FROM generate_series(1, 300) g;
-- The same rows, unpartitioned: the reference of every answer below.
CREATE TABLE public.part_flat (LIKE part_addr INCLUDING ALL);
INSERT INTO part_flat SELECT * FROM part_addr;
ANALYZE part_addr, part_flat;

SELECT opendata.create_organization('part-org', 'Partitions org') > 0 AS created;
SELECT r->>'slug' AS slug, r->'key_fields' AS key_fields, r->'indexes_created' AS indexes_created
  FROM opendata.register('part_addr', 'part-addr', $${"title": "Adresses", "description": "Par département",
         "publisher": "part-org"}$$) r;
SELECT opendata.register('part_flat', 'part-flat', $${"title": "Adresses (une table)", "description": "Toutes",
         "publisher": "part-org"}$$) IS NOT NULL AS registered;
SELECT opendata.describe_field(d, 'departement', '{"facet": true}') IS NOT NULL AS facet
  FROM unnest(ARRAY['part-addr', 'part-flat']) d;
SELECT opendata.publish(d)->>'version' AS version FROM unnest(ARRAY['part-addr', 'part-flat']) d;
-- The GiST index register() creates on a partitioned table is partitioned
-- too: every partition has its own.
SELECT c.relname, count(*) AS gist_indexes
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
  JOIN pg_am a ON a.oid = x.relam
 WHERE c.relname LIKE 'part_addr%' AND a.amname = 'gist' GROUP BY 1 ORDER BY 1;

-- What apps read, as opendata_anon: the same answers from both.
SET ROLE opendata_anon;
-- Results and totals (links and keyset tokens name the dataset).
CREATE FUNCTION pg_temp.same(a json, b json) RETURNS boolean
LANGUAGE sql AS $$ SELECT (a::jsonb - 'links' - 'next_after') = (b::jsonb - 'links' - 'next_after') $$;
SELECT q, pg_temp.same(a, b) AS same, a::jsonb->'total_count' AS total
  FROM (VALUES
    ('filter on the key',
     opendata_api.records('part-addr', "where" => 'departement = "91"', order_by => 'id', rows => 4),
     opendata_api.records('part-flat', "where" => 'departement = "91"', order_by => 'id', rows => 4)),
    ('filter elsewhere',
     opendata_api.records('part-addr', "where" => 'annee = 2021 and id < 100', order_by => 'id desc', rows => 3),
     opendata_api.records('part-flat', "where" => 'annee = 2021 and id < 100', order_by => 'id desc', rows => 3)),
    ('aggregate across partitions',
     opendata_api.records('part-addr', fields => 'departement, count(*) as n, max(annee) as last',
                          group_by => 'departement', order_by => 'departement'),
     opendata_api.records('part-flat', fields => 'departement, count(*) as n, max(annee) as last',
                          group_by => 'departement', order_by => 'departement')),
    ('in a bounding box',
     opendata_api.records('part-addr', fields => 'id', "where" => 'in_bbox(geom, 48.6, 2.2, 48.75, 2.35)', order_by => 'id', rows => 5),
     opendata_api.records('part-flat', fields => 'id', "where" => 'in_bbox(geom, 48.6, 2.2, 48.75, 2.35)', order_by => 'id', rows => 5)),
    ('facets',
     opendata_api.facets('part-addr', "where" => 'annee >= 2022'),
     opendata_api.facets('part-flat', "where" => 'annee >= 2022')),
    ('near',
     opendata_api.near('part-addr', 2.31, 48.71, rows => 3),
     opendata_api.near('part-flat', 2.31, 48.71, rows => 3))
  ) t(q, a, b);
-- Keyset pages: the key is (departement, id), the second page follows the
-- first across the partition boundary.
SELECT p1->'results' AS first_page, p2->'results' AS second_page
  FROM (SELECT opendata_api.records('part-addr', fields => 'departement, id', "where" => 'id > 290',
                                    order_by => 'departement, id', rows => 3)::jsonb AS p1) a,
       LATERAL (SELECT opendata_api.records('part-addr', fields => 'departement, id', "where" => 'id > 290',
                                            order_by => 'departement, id', rows => 3, after => p1->>'next_after')::jsonb AS p2) b;
-- Exports and tiles, byte for byte.
SELECT opendata_api.export_csv('part-addr', order_by => 'id')::text
       = opendata_api.export_csv('part-flat', order_by => 'id')::text AS same_csv,
       opendata_api.export_geojson('part-addr', "where" => 'departement = "75"', order_by => 'id')::text
       = opendata_api.export_geojson('part-flat', "where" => 'departement = "75"', order_by => 'id')::text AS same_geojson,
       length(opendata_api.export_csv('part-addr', "where" => 'departement = "92"')::text) > 0 AS csv_not_empty;
-- The tile's layer is named after the dataset (names of one length here).
SELECT length(a) > 0 AS tile_has_features,
       replace(encode(a, 'hex'), encode('part-addr', 'hex'), encode('part-flat', 'hex')) = encode(b, 'hex') AS same_tile
  FROM (SELECT opendata_api.tile('part-addr', 10, 518, 353)::bytea AS a,
               opendata_api.tile('part-flat', 10, 518, 353)::bytea AS b) t;
-- An ad hoc crossing, each side partitioned or not.
SELECT pg_temp.same(opendata_api.cross('part-addr', 'part-flat', 'nearest', "where" => 'id <= 3', rows => 3),
                    opendata_api.cross('part-flat', 'part-flat', 'nearest', "where" => 'id <= 3', rows => 3)) AS same_crossing;
RESET ROLE;

-- Partition pruning: a filter on the partition key scans one partition;
-- a filter elsewhere scans them all.  The plan is made with the request's
-- values, as records() plans it.
CREATE FUNCTION pg_temp.scanned(plan text) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(DISTINCT m[1], ', ' ORDER BY m[1]) FROM regexp_matches(plan, 'on public\.(part_addr_\w+)', 'g') m
$$;
SELECT pg_temp.scanned(opendata.explain_odsql('part-addr', "where" => 'departement = "91"', plan => true)) AS key_filter,
       pg_temp.scanned(opendata.explain_odsql('part-addr', "where" => 'departement in ("75", "92")', plan => true)) AS key_list,
       pg_temp.scanned(opendata.explain_odsql('part-addr', "where" => 'annee = 2021', plan => true)) AS other_filter,
       opendata.explain_odsql('part-addr', "where" => 'annee = 2021') !~ '-- plan' AS plan_only_when_asked;

-- A crossing published as a derived dataset reads the partitions too.
SELECT r->>'rows' AS rows FROM opendata.cross('part-nearest', 'part-addr', 'part-flat', 'nearest',
         '{"metadata": {"description": "Voisins"}}') r;

-- Refreshing one département: replace import into one partition.  The
-- others keep their rows; the dataset is published again.
SELECT opendata.import_csv('part-addr', convert_to(
         'id,departement,commune,annee,geom' || chr(10) ||
         '1001,91,Évry,2024,"48.63,2.44"' || chr(10) ||
         '1002,91,Corbeil,2024,"48.61,2.48"' || chr(10), 'UTF8'),
         '{"mode": "replace", "partition": "part_addr_91", "columns": {"departement": {"type": "text"}}}')
       - 'timings_ms' - 'columns' - 'dialect' - 'warnings' - 'rejected' AS report;
SELECT departement, count(*), min(id), max(id) FROM part_addr GROUP BY 1 ORDER BY 1;
SELECT h.version, h.row_count, h.note FROM opendata.history h JOIN opendata.datasets d ON d.id = h.dataset_id
 WHERE d.slug = 'part-addr' AND action = 'import';
-- Appending to one partition, named with its schema.
SELECT opendata.import_csv('part-addr', convert_to(
         'id,departement,commune,annee,geom' || chr(10) || '2001,75,Paris,2024,"48.85,2.35"' || chr(10), 'UTF8'),
         '{"mode": "append", "partition": "public.part_addr_75", "columns": {"departement": {"type": "text"}}}')->>'rows_loaded' AS appended;
SELECT departement, count(*) FROM part_addr GROUP BY 1 ORDER BY 1;

-- Bad uses, each with its SQLSTATE; nothing changed by any of them.
SELECT regress.error_of($$SELECT opendata.import_csv('part-addr', convert_to('id,departement,commune,annee,geom' || chr(10) || '3001,92,Nanterre,2024,"48.89,2.2"', 'UTF8'),
         '{"mode": "replace", "partition": "part_addr_91", "columns": {"departement": {"type": "text"}}}')$$) AS wrong_partition_row;
SELECT regress.error_of($$SELECT opendata.import_csv('part-addr', convert_to('id' || chr(10) || '1', 'UTF8'),
         '{"mode": "replace", "partition": "part_addr_13"}')$$) AS no_such_partition;
SELECT regress.error_of($$SELECT opendata.import_csv('part-flat', convert_to('id' || chr(10) || '1', 'UTF8'),
         '{"mode": "replace", "partition": "part_addr_91"}')$$) AS not_partitioned;
SELECT regress.error_of($$SELECT opendata.import_csv('part-new', convert_to('id' || chr(10) || '1', 'UTF8'),
         '{"partition": "part_addr_91"}')$$) AS partition_without_mode;
SELECT regress.error_of($$SELECT opendata.import_csv('part-addr', convert_to('id' || chr(10) || '1', 'UTF8'),
         '{"mode": "replace", "partition": 91}')$$) AS partition_not_a_name;
SELECT regress.error_of($$SELECT opendata.import_csv('part-addr', convert_to('id' || chr(10) || '1', 'UTF8'),
         '{"mode": "replace", "partition": "part_addr"}')$$) AS root_is_not_a_partition;
SELECT departement, count(*) FROM part_addr GROUP BY 1 ORDER BY 1;
