-- Data summaries (src/sql/36_summaries.sql): the unfiltered facet counts
-- and record count publish() computes once per version.  After every kind
-- of write (import replace and append, INSERT, UPDATE, DELETE, TRUNCATE, a
-- write in the reader's own transaction, a rollback), facets() and
-- records() must answer what the data holds now: a stale summary fails
-- here.  Uses regress_alice and regress_bob (catalog.sql).

SELECT opendata.create_organization('sum-ville', 'Ville des sommes') > 0 AS created;
SELECT opendata.add_member('sum-ville', 'regress_alice');
CREATE SCHEMA sum_data AUTHORIZATION regress_alice;

-- What the answers must be, from the data: every facet value and count
-- facets() gives against GROUP BY, and records()' total against count(*).
-- Returns the differences (empty when they agree).
CREATE FUNCTION regress.summary_differences(slug text, tbl regclass) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  diffs text[] := '{}';
  f json;
  truth jsonb;
  given jsonb;
  total bigint;
  counted bigint;
BEGIN
  FOR f IN SELECT * FROM json_array_elements(opendata_api.facets(slug)->'facets') LOOP
    SELECT coalesce(jsonb_object_agg(v->>'value', (v->>'count')::bigint), '{}') INTO given
      FROM json_array_elements(f->'facets') v;
    EXECUTE format('SELECT coalesce(jsonb_object_agg(v, n), ''{}'') FROM (SELECT %1$I::text AS v, count(*) AS n FROM %2$s WHERE %1$I IS NOT NULL GROUP BY 1) g',
                   f->>'name', tbl) INTO truth;
    IF given <> truth THEN
      diffs := diffs || format('facet %s: %s, data: %s', f->>'name', given, truth);
    END IF;
  END LOOP;
  total := (opendata_api.records(slug, rows => 1)->>'total_count')::bigint;
  EXECUTE format('SELECT count(*) FROM %s', tbl) INTO counted;
  IF total <> counted THEN
    diffs := diffs || format('total %s, data: %s', total, counted);
  END IF;
  RETURN diffs;
END
$$;
GRANT EXECUTE ON FUNCTION regress.summary_differences(text, regclass) TO PUBLIC;

-- Whether the dataset's current version has a summary, and whether a write
-- marked it stale since.
CREATE FUNCTION regress.summarized(slug text) RETURNS text
LANGUAGE sql AS $$
  SELECT CASE WHEN s.dataset_id IS NULL THEN 'none'
              WHEN EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = d.id) THEN 'written since'
              WHEN s.version = d.version THEN 'current' ELSE 'old' END
    FROM opendata.datasets d LEFT JOIN opendata.data_summaries s ON s.dataset_id = d.id
   WHERE d.slug = summarized.slug
$$;

-- An imported dataset with two facet fields, published.
SET ROLE regress_alice;
SELECT r->>'rows_loaded' AS loaded
  FROM opendata.import_csv('sum-trees', convert_to(E'id;espece;commune;hauteur\n1;chêne;Évry;10\n2;chêne;Melun;12\n3;hêtre;Évry;8\n4;;Melun;5\n', 'UTF8'),
                           '{"metadata": {"title": "Arbres", "description": "Des arbres.", "publisher": "sum-ville", "key": "id"}}') r;
SELECT opendata.describe_field('sum-trees', 'espece', '{"facet": true}') IS NOT NULL AS described,
       opendata.describe_field('sum-trees', 'commune', '{"facet": true}') IS NOT NULL AS described;
SELECT opendata.publish('sum-trees')->>'version' AS version;
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT version, row_count, facet_types FROM opendata.data_summaries
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'sum-trees');
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'opendata_data."sum-trees"'::regclass;

-- The summary is facets()' own answer: the same text as computed from the
-- data (a time zone other than UTC computes it, the values are not dates).
SET ROLE opendata_anon;
SELECT opendata_api.facets('sum-trees')::text = opendata_api.facets('sum-trees', timezone => 'Europe/Paris')::text AS same_text;
SELECT opendata_api.facets('sum-trees');
SELECT opendata_api.facets('sum-trees', ARRAY['commune'])::text
     = opendata_api.facets('sum-trees', ARRAY['commune'], timezone => 'Europe/Paris')::text AS same_one;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
RESET ROLE;

-- It is what the API reads: a doctored summary shows (then is put right).
UPDATE opendata.data_summaries SET row_count = 42
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'sum-trees');
SELECT opendata_api.records('sum-trees', rows => 1)->>'total_count' AS doctored_total,
       opendata_api.records('sum-trees', rows => 1, "where" => 'hauteur > 0')->>'total_count' AS filtered_total;
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
RESET ROLE;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');

-- Import replace: a new version, its own counts.
SET ROLE regress_alice;
SELECT r->>'version' AS version
  FROM opendata.import_csv('sum-trees', convert_to(E'id;espece;commune;hauteur\n1;érable;Corbeil;3\n2;érable;Évry;4\n3;chêne;Corbeil;5\n', 'UTF8'),
                           '{"mode": "replace"}') r;
RESET ROLE;
SELECT regress.summarized('sum-trees');
SET ROLE opendata_anon;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
RESET ROLE;

-- Import append.
SET ROLE regress_alice;
SELECT r->>'version' AS version
  FROM opendata.import_csv('sum-trees', convert_to(E'id;espece;commune;hauteur\n7;tilleul;Évry;9\n8;érable;Massy;2\n', 'UTF8'),
                           '{"mode": "append"}') r;
RESET ROLE;
SELECT regress.summarized('sum-trees');
SET ROLE opendata_anon;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
RESET ROLE;

-- Writes outside the extension forget the summary: the answers come from
-- the data until the next publication.  By the owner, then by a role it
-- granted INSERT to (which cannot touch the catalog itself).
SET ROLE regress_alice;
INSERT INTO opendata_data."sum-trees" VALUES (9, 'if', 'Melun', 7);
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
GRANT INSERT ON opendata_data."sum-trees" TO regress_bob;
RESET ROLE;
SET ROLE regress_bob;
INSERT INTO opendata_data."sum-trees" VALUES (10, 'if', 'Évry', 6);
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
UPDATE opendata_data."sum-trees" SET commune = 'Paris' WHERE id = 1;
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
DELETE FROM opendata_data."sum-trees" WHERE espece = 'érable';
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');

-- In the writer's own transaction: its write shows at once; a rollback
-- brings the summary back with the data it describes.
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
BEGIN;
INSERT INTO opendata_data."sum-trees" VALUES (11, 'saule', 'Évry', 4);
SELECT regress.summarized('sum-trees') AS inside;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
ROLLBACK;
SELECT regress.summarized('sum-trees') AS after_rollback;
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
TRUNCATE opendata_data."sum-trees";
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');
SET ROLE regress_alice;
SELECT opendata.publish('sum-trees')->>'version' AS version;
RESET ROLE;
SELECT regress.summarized('sum-trees'), regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');

-- A field flagged as a facet after the count is counted from the data.
SET ROLE regress_alice;
INSERT INTO opendata_data."sum-trees" VALUES (1, 'chêne', 'Évry', 10), (2, 'chêne', 'Melun', 10);
SELECT opendata.publish('sum-trees')->>'version' AS version;
SELECT opendata.describe_field('sum-trees', 'hauteur', '{"facet": true}') IS NOT NULL AS described;
RESET ROLE;
SELECT json_array_length(opendata_api.facets('sum-trees')->'facets') AS facets_with_new_field,
       regress.summary_differences('sum-trees', 'opendata_data."sum-trees"');

-- Only readers of the dataset read its summary.
SET ROLE regress_alice;
SELECT opendata.set_metadata('sum-trees', '{"access": "restricted"}') IS NOT NULL AS restricted;
RESET ROLE;
SET ROLE opendata_anon;
SELECT count(*) AS anon_sees FROM opendata.data_summaries s
  JOIN opendata.datasets d ON d.id = s.dataset_id WHERE d.slug = 'sum-trees';
RESET ROLE;
SET ROLE regress_alice;
SELECT count(*) AS member_sees FROM opendata.data_summaries s
  JOIN opendata.datasets d ON d.id = s.dataset_id WHERE d.slug = 'sum-trees';
SELECT opendata.set_metadata('sum-trees', '{"access": "public"}') IS NOT NULL AS public;

-- Unpublishing forgets the summary and removes the trigger.
SELECT opendata.unpublish('sum-trees')->>'status' AS status;
RESET ROLE;
SELECT regress.summarized('sum-trees');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'opendata_data."sum-trees"'::regclass;

-- No summary where a trigger cannot see every change or readers see
-- different rows: a view, a table under row-level security.
SET ROLE regress_alice;
CREATE TABLE sum_data.vues (id int PRIMARY KEY, quartier text);
INSERT INTO sum_data.vues VALUES (1, 'Nord'), (2, 'Sud');
CREATE VIEW sum_data.vue AS SELECT * FROM sum_data.vues;
CREATE TABLE sum_data.privee (id int PRIMARY KEY, quartier text);
INSERT INTO sum_data.privee VALUES (1, 'Nord');
ALTER TABLE sum_data.privee ENABLE ROW LEVEL SECURITY;
SELECT opendata.register(r, s, '{"title": "T", "description": "D", "publisher": "sum-ville"}') IS NOT NULL AS registered
  FROM (VALUES ('sum_data.vue'::regclass, 'sum-vue'), ('sum_data.privee'::regclass, 'sum-privee')) v(r, s);
SELECT opendata.describe_field('sum-vue', 'quartier', '{"facet": true}') IS NOT NULL AS described;
SELECT opendata.publish('sum-vue')->>'version' AS version, opendata.publish('sum-privee')->>'version' AS version;
INSERT INTO sum_data.vues VALUES (3, 'Est');
RESET ROLE;
SELECT regress.summarized('sum-vue') AS view, regress.summarized('sum-privee') AS rls;
SELECT regress.summary_differences('sum-vue', 'sum_data.vues');

-- The dataset page says when its total is an estimate (above the
-- threshold, without a summary: a view).
SET ROLE regress_alice;
INSERT INTO sum_data.vues SELECT g, 'Q' || g FROM generate_series(4, 60) g;
ANALYZE sum_data.vues;
RESET ROLE;
SET opendata.exact_count_threshold = 10;
SET ROLE opendata_anon;
SELECT substring(opendata_api.dataset_page('sum-vue') FROM '<p class="total" role="status">[^<]*</p>') AS estimated_total,
       substring(opendata_api.dataset_page('sum-vue', lang => 'en') FROM '<p class="total" role="status">[^<]*</p>') AS in_english;
RESET ROLE;
RESET opendata.exact_count_threshold;

SET ROLE regress_alice;
SELECT opendata.drop_dataset(s) FROM unnest(ARRAY['sum-trees', 'sum-vue', 'sum-privee']) s;
RESET ROLE;
DROP SCHEMA sum_data CASCADE;
DROP FUNCTION regress.summary_differences(text, regclass), regress.summarized(text);
