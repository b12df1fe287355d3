-- The catalog lifecycle: organizations, register, describe, publish,
-- republish with history, unpublish, reuses, attachments, drop; every error
-- pinned by SQLSTATE.

-- Seeded reference data.
SELECT count(*) AS eu_themes FROM opendata.themes;
SELECT code, label_fr, label_en FROM opendata.themes WHERE code IN ('ENVI', 'TRAN') ORDER BY code;
SELECT id, url FROM opendata.licenses ORDER BY id;

-- People and organizations.  Roles are cluster-wide: these are test roles.
CREATE ROLE regress_alice LOGIN IN ROLE opendata_publisher;
CREATE ROLE regress_bob LOGIN IN ROLE opendata_publisher;
CREATE ROLE regress_nobody LOGIN;
SELECT opendata.create_organization('ville-de-paris', 'Ville de Paris', '{"homepage": "https://www.paris.fr"}') > 0 AS created;
SELECT opendata.create_organization('idfm', 'Île-de-France Mobilités') > 0 AS created;
SELECT opendata.add_member('ville-de-paris', 'regress_alice');
SELECT opendata.add_member('idfm', 'regress_bob');
SELECT regress.error_of($$SELECT opendata.create_organization('idfm', 'Again')$$);
SELECT regress.error_of($$SELECT opendata.create_organization('Bad Slug', 'x')$$);
SELECT regress.error_of($$SELECT opendata.create_organization('ok', 'x', '{"colour": 1}')$$);
SELECT regress.error_of($$SELECT opendata.add_member('nowhere', 'regress_bob')$$);
SELECT regress.error_of($$SELECT opendata.set_catalog('{"base_url": "ftp://x"}')$$);
SELECT regress.error_of($$SELECT opendata.set_catalog('{"colour": "red"}')$$);
SELECT opendata.set_catalog('{"title": "Portail test", "base_url": "https://data.example.org/api/", "publisher": "ville-de-paris"}')->>'base_url' AS base_url;

-- A table owned by alice.
CREATE TABLE public.trees (
  id int PRIMARY KEY, name text, height float8, planted date, seen timestamptz,
  remarkable boolean, geom geometry(Point, 4326), internal_note text);
INSERT INTO trees VALUES
  (1, 'Chêne', 12.5, '1900-01-01', '2024-05-01 10:00+02', true, 'SRID=4326;POINT(2.35 48.85)', 'n1'),
  (2, 'Tilleul', 8, NULL, NULL, false, 'SRID=4326;POINT(2.36 48.86)', 'n2');
ALTER TABLE trees OWNER TO regress_alice;
-- And one in Lambert-93 owned by bob.
CREATE SEQUENCE public.counter;
ALTER SEQUENCE public.counter OWNER TO regress_alice;
CREATE TABLE public.stations (code text, nom text, geom geometry(Point, 2154));
INSERT INTO stations VALUES ('A', 'Gare A', 'SRID=2154;POINT(652356.5489 6863544.515)');
ALTER TABLE stations OWNER TO regress_bob;

SET ROLE regress_alice;
-- Slugs are validated.
SELECT regress.error_of($$SELECT opendata.register('trees', 'Arbres')$$);
SELECT regress.error_of($$SELECT opendata.register('trees', 'arbres remarquables')$$);
SELECT regress.error_of($$SELECT opendata.register('trees', repeat('a', 64))$$);
SELECT regress.error_of($$SELECT opendata.register('trees', 'datasets')$$);
SELECT regress.error_of($$SELECT opendata.register('trees', 'arbres', '[]')$$);
SELECT regress.error_of($$SELECT opendata.register('counter', 'arbres')$$);
SELECT regress.error_of($$SELECT opendata.register('no_such_table', 'arbres')$$);
-- Alice cannot register bob's table: she could not grant it.
SELECT regress.error_of($$SELECT opendata.register('stations', 'gares')$$);
-- Unknown metadata keys and bad values are refused, naming the key.
SELECT regress.error_of($$SELECT opendata.register('trees', 'arbres', '{"colour": "green"}')$$);
-- Nothing was left behind by the failures.
SELECT count(*) AS datasets FROM opendata.datasets;

SELECT jsonb_pretty(opendata.register('trees', 'arbres', '{"title": "Arbres remarquables", "themes": ["envi"]}') - 'modified');
SELECT regress.error_of($$SELECT opendata.register('trees', 'arbres')$$);
SELECT regress.error_of($$SELECT opendata.register(NULL, 'arbres2')$$);

-- set_metadata merges and validates every key.
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"themes": ["NATURE"]}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"license": "WTFPL"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"landing_page": "javascript:alert(1)"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"contact_point": "not-an-email"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"contact_point": {"phone": "01"}}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"temporal": {"start": "2024-13-01"}}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"temporal": {"start": "2024-02-01", "end": "2023-01-01"}}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"accrual_periodicity": "sometimes"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"language": ["french"]}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"keywords": [1, 2]}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"title": 42}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"spatial": {"bbox": [1, 2]}}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"access": "secret"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"key": ["nope"]}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"publisher": "idfm"}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('nothing', '{}')$$);
-- A bad key anywhere leaves the dataset untouched.
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"title": "Changed", "license": "nope"}')$$);
SELECT title FROM opendata.datasets WHERE slug = 'arbres';

-- Publishing checks what DCAT-AP makes mandatory, all at once.
SELECT opendata.set_metadata('arbres', '{"title": null}')->>'title' AS title;
SELECT regress.error_of($$SELECT opendata.publish('arbres')$$);

SELECT opendata.set_metadata('arbres', $${
  "title": "Arbres remarquables",
  "description": "Les arbres remarquables de Paris.",
  "keywords": ["arbre", "patrimoine", "arbre"],
  "license": "odbl-1.0",
  "contact_point": {"name": "Direction des espaces verts", "email": "dev@paris.fr"},
  "landing_page": "https://opendata.paris.fr/explore/dataset/arbresremarquablesparis",
  "language": "fr",
  "spatial": {"label": "Paris", "bbox": [2.22, 48.81, 2.47, 48.91]},
  "temporal": {"start": "1700-01-01"},
  "accrual_periodicity": "annual",
  "attributions": "Ville de Paris"}$$) - 'modified' - 'fields';

-- Metadata that changes no value writes nothing, not even `modified`: an
-- empty object, or the values the dataset already has.
CREATE TEMP TABLE modified_before AS SELECT modified, xmin::text AS row_version FROM opendata.datasets WHERE slug = 'arbres';
SELECT opendata.set_metadata('arbres', '{}') IS NOT NULL AS answered;
SELECT opendata.set_metadata('arbres', '{"title": "Arbres remarquables", "language": "fr"}') IS NOT NULL AS answered;
SELECT d.modified = b.modified AS modified_kept, d.xmin::text = b.row_version AS row_not_rewritten
  FROM opendata.datasets d, modified_before b WHERE d.slug = 'arbres';
DROP TABLE modified_before;

-- Fields: described one by one.
SELECT regress.error_of($$SELECT opendata.describe_field('arbres', 'nope', '{}')$$);
SELECT regress.error_of($$SELECT opendata.describe_field('arbres', 'height', '{"colour": "x"}')$$);
SELECT regress.error_of($$SELECT opendata.describe_field('arbres', 'height', '{"facet": "yes"}')$$);
SELECT regress.error_of($$SELECT opendata.describe_field('arbres', 'id', '{"hidden": true}')$$);
SELECT opendata.describe_field('arbres', 'height', '{"label": "Hauteur", "unit": "m", "description": "Hauteur en mètres"}');
SELECT opendata.describe_field('arbres', 'name', '{"label": "Nom", "facet": true}');
SELECT opendata.describe_field('arbres', 'internal_note', '{"hidden": true}')->>'hidden' AS hidden;
SELECT name, position, label, type, sql_type, unit, facet, hidden
  FROM opendata.fields WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'arbres')
 ORDER BY position;

-- Publish: the view, the grants, the first version.
SELECT opendata.publish('arbres');
RESET ROLE;
SELECT c.relname, c.reloptions FROM pg_class c WHERE c.oid = 'opendata_api.arbres'::regclass;
SELECT * FROM opendata_api.arbres ORDER BY id;
SELECT version, action, by_role, row_count, rows_added, rows_removed, rows_changed, note
  FROM opendata.history ORDER BY id;
SELECT format, media_type, access_url, download_url FROM opendata.distributions ORDER BY format;

-- Republish after changes: one update, one insert, one delete, a new column.
UPDATE trees SET height = 13 WHERE id = 1;
INSERT INTO trees VALUES (3, 'Érable', 5, NULL, NULL, NULL, NULL, NULL);
DELETE FROM trees WHERE id = 2;
ALTER TABLE trees ADD COLUMN circumference int;
SET ROLE regress_alice;
SELECT opendata.publish('arbres') - 'view';
RESET ROLE;
SELECT version, action, row_count, rows_added, rows_removed, rows_changed, note,
       schema_fingerprint IS NOT NULL AS has_fingerprint
  FROM opendata.history ORDER BY id;
SELECT count(DISTINCT schema_fingerprint) AS fingerprints FROM opendata.history;

-- What anon sees: the published dataset, without hidden fields, and nothing else.
SET ROLE opendata_anon;
SELECT dataset_id, title, themes, keywords, license, publisher, records_count, version, status
  FROM opendata_api.datasets;
SELECT jsonb_path_query_array(fields, '$[*].name') AS visible_fields FROM opendata_api.datasets;
SELECT links FROM opendata_api.datasets;
-- links.self answers the object itself, the same as the view's row.
SELECT opendata_api.dataset('arbres')::jsonb = (SELECT to_jsonb(d) FROM opendata_api.datasets d) AS self_is_the_row;
SELECT regress.error_of($$SELECT opendata_api.dataset('nope')$$);
SELECT id, name, height, circumference FROM opendata_api.arbres ORDER BY id;
SELECT regress.error_of('SELECT internal_note FROM public.trees');
SELECT regress.error_of('SELECT * FROM opendata_api.arbres WHERE internal_note IS NULL');
SELECT regress.error_of($$UPDATE opendata.datasets SET title = 'hacked'$$);
SELECT regress.error_of($$SELECT opendata.publish('arbres')$$);
SELECT regress.error_of('SELECT * FROM opendata.organization_members');
SELECT organization_id, name, datasets_count FROM opendata_api.organizations ORDER BY 1;
SELECT theme_id, datasets_count FROM opendata_api.themes WHERE datasets_count > 0;
RESET ROLE;

-- Bob registers his Lambert-93 stations; the API view speaks WGS 84.
SET ROLE regress_bob;
SELECT opendata.register('stations', 'gares', '{"title": "Gares", "description": "Gares IDF", "publisher": "idfm", "key": "code"}')->'geometry' AS geometry;
SELECT regress.error_of($$SELECT opendata.set_metadata('arbres', '{"title": "mine now"}')$$);
SELECT regress.error_of($$SELECT opendata.publish('arbres')$$);
SELECT regress.error_of($$SELECT opendata.drop_dataset('arbres')$$);
-- Bob sees his own draft; alice's published dataset too.
SELECT dataset_id, status FROM opendata_api.datasets ORDER BY 1;
SELECT opendata.publish('gares')->>'version' AS version;
SELECT code, nom, ST_AsText(geom, 5) AS wgs84 FROM opendata_api.gares;
RESET ROLE;

-- A restricted dataset: only its organization (and admins) can read it.
SET ROLE regress_bob;
SELECT opendata.set_metadata('gares', '{"access": "restricted"}')->>'access' AS access;
-- Restricting a published dataset takes effect at once, before any republish.
SET ROLE opendata_anon;
SELECT regress.error_of('SELECT * FROM opendata_api.gares');
SET ROLE regress_bob;
SELECT opendata.publish('gares')->>'version' AS version;
SELECT count(*) AS bob_reads FROM opendata_api.gares;
SET ROLE opendata_anon;
SELECT dataset_id FROM opendata_api.datasets ORDER BY 1;
SELECT regress.error_of('SELECT * FROM opendata_api.gares');
SET ROLE regress_alice;
SELECT regress.error_of('SELECT * FROM opendata_api.gares');
RESET ROLE;

-- Reuses and attachments.
SET ROLE regress_alice;
SELECT opendata.add_reuse('Carte des arbres', 'https://example.org/carte', 'visualisation', '{arbres}', 'Association X') > 0 AS added;
SELECT regress.error_of($$SELECT opendata.add_reuse('x', 'https://example.org', 'game')$$);
SELECT regress.error_of($$SELECT opendata.add_reuse('x', 'not a url', 'api')$$);
SELECT regress.error_of($$SELECT opendata.add_reuse('x', 'https://example.org', 'api', '{nope}')$$);
SELECT opendata.add_attachment('arbres', 'Notice', 'https://example.org/notice.pdf', 'application/pdf') > 0 AS added;
SELECT regress.error_of($$SELECT opendata.add_attachment('arbres', 'x', 'https://example.org', 'not a type')$$);
SELECT regress.error_of($$SELECT opendata.add_attachment('gares', 'x', 'https://example.org')$$);
SET ROLE opendata_anon;
SELECT title, type, author, datasets FROM opendata_api.reuses;
RESET ROLE;

-- Unpublish: the view goes, the dataset stays as a draft, anon sees nothing.
SET ROLE regress_alice;
SELECT opendata.unpublish('arbres');
SELECT regress.error_of($$SELECT opendata.unpublish('arbres')$$);
RESET ROLE;
SELECT to_regclass('opendata_api.arbres') AS view_after_unpublish;
SELECT action, version FROM opendata.history
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'arbres') ORDER BY id;
SET ROLE opendata_anon;
SELECT count(*) AS anon_datasets FROM opendata_api.datasets;
SELECT count(*) AS anon_reuse_links FROM opendata.reuse_datasets;
-- The owner of the source keeps its own rights on it.
SET ROLE regress_alice;
SELECT count(*) AS alice_reads_her_table FROM public.trees;
RESET ROLE;

-- A non-publisher can do nothing.
SET ROLE regress_nobody;
SELECT regress.error_of($$SELECT opendata.register('trees', 'x')$$);
RESET ROLE;

-- Drop: the catalog rows go; the data only when asked, and only by its owner.
SET ROLE regress_bob;
SELECT regress.error_of($$SELECT opendata.drop_dataset('gares', drop_data => true)$$) AS bob_drops_own;
RESET ROLE;
SELECT to_regclass('public.stations') AS stations_after_drop;
SET ROLE regress_alice;
SELECT opendata.drop_dataset('arbres');
RESET ROLE;
SELECT to_regclass('public.trees') AS trees_kept, count(*) AS datasets_left FROM opendata.datasets;
SELECT count(*) AS orphans FROM opendata.fields;
