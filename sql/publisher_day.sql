-- A publisher's day (issue 21): what answering "which stations near me are
-- accessible" and "who deploys fibre in my commune" broke, each pinned on
-- small inline files shaped like the real ones (IDFM stations and GTFS
-- stops, ARCEP fibre per commune).
CREATE ROLE regress_day LOGIN IN ROLE opendata_publisher;
SELECT opendata.create_organization('day-org', 'A publisher''s day') > 0 AS created;
SELECT opendata.add_member('day-org', 'regress_day');
SET ROLE regress_day;

-- Five stations: four within 1 km of the Eiffel Tower, one in Évry.
\set gares_csv 'id;nom;lat;lon;rer;acces\n1;Champ de Mars;48.8556;2.2894;true;1\n2;Bir-Hakeim;48.8539;2.2893;false;1\n3;Trocadéro;48.8630;2.2875;false;0\n4;Iéna;48.8647;2.2937;false;1\n5;Évry Courcouronnes;48.6245;2.4295;true;1\n'
SELECT r->>'rows_loaded' AS loaded, r->>'geometry_column' AS geometry
  FROM opendata.import_csv('day-gares', convert_to(:'gares_csv', 'UTF8')) r;
SELECT opendata.set_metadata('day-gares', '{"title": "Gares", "description": "Gares et accessibilité"}') IS NOT NULL AS described;
SELECT opendata.publish('day-gares')->>'version' AS version;

-- 5. near() counts every match, not the page: four stations within 1 km
-- (rows => 2 shows two of them), all five without a radius.
SET ROLE opendata_anon;
SELECT r->'total_count' AS within_1km, json_array_length(r->'results') AS shown
  FROM opendata_api.near('day-gares', 2.2945, 48.8584, 1000, rows => 2) r;
SELECT r->'total_count' AS anywhere, json_array_length(r->'results') AS shown
  FROM opendata_api.near('day-gares', 2.2945, 48.8584, rows => 2) r;
SELECT r->'total_count' AS rer_within_1km
  FROM opendata_api.near('day-gares', 2.2945, 48.8584, 1000, "where" => 'rer', rows => 2) r;
SET ROLE regress_day;

-- 6. Importing the same file again in replace mode: the dataset's column
-- is geometry(Point,4326), and so is the file's.
SELECT r->>'rows_loaded' AS loaded, r->>'mode' AS mode
  FROM opendata.import_csv('day-gares', convert_to(:'gares_csv', 'UTF8'), '{"mode": "replace"}') r;
-- A file of other shapes is still refused, naming both types.
SELECT regress.error_of($$SELECT opendata.import_csv('day-gares', convert_to(
E'id;nom;geo;rer;acces\n1;A;POLYGON((2 48, 2.1 48, 2.1 48.1, 2 48));true;1\n', 'UTF8'), '{"mode": "replace"}')$$);

-- 7. A column of 0 and 1 is boolean; ODSQL compares it with 1 and 0 as
-- refine does.
SET ROLE opendata_anon;
SELECT r->'total_count' AS accessible FROM opendata_api.records('day-gares', "where" => 'acces = 1') r;
SELECT r->'total_count' AS accessible FROM opendata_api.records('day-gares', refine => '{acces:1}') r;
SELECT r->'total_count' AS not_accessible FROM opendata_api.records('day-gares', "where" => 'acces = 0 or acces != 1') r;
SELECT r->'total_count' AS accessible FROM opendata_api.records('day-gares', "where" => 'acces in (1, true)') r;
SELECT r->'total_count' AS accessible FROM opendata_api.records('day-gares', "where" => 'acces = "1"') r;
SELECT regress.error_of($$SELECT opendata_api.records('day-gares', "where" => 'acces = 2')$$);
SELECT regress.error_of($$SELECT opendata_api.records('day-gares', "where" => 'acces > 0')$$);
SET ROLE regress_day;
-- The import says which option keeps 0 and 1 as numbers.  GTFS stops whose
-- wheelchair_boarding held only 0 and 1 (0 means unknown) became boolean; a
-- later extract with 2 cannot replace them, and the hint says exactly how
-- to keep the column integer.  The other way round, the hint is the option
-- that makes the replace work.
SELECT c->>'type' AS type, c->>'reason' AS reason
  FROM jsonb_array_elements(opendata.import_csv('day-arrets', convert_to(
E'stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding,location_type\n'
 'A1,PSR,48.742371,2.770081,0,0\nA2,Lavoisier,48.901333,2.589813,1,1\n', 'UTF8'))->'columns') c
 WHERE c->>'name' = 'wheelchair_boarding';
SELECT regress.error_of($$SELECT opendata.import_csv('day-arrets', convert_to(
E'stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding,location_type\n'
 'A1,PSR,48.742371,2.770081,0,0\nA2,Lavoisier,48.901333,2.589813,2,1\n', 'UTF8'), '{"mode": "replace"}')$$);
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-arrets-int', convert_to(
E'stop_id,wheelchair_boarding\nA1,0\nA2,2\n', 'UTF8')) r;
SELECT regress.error_of($$SELECT opendata.import_csv('day-arrets-int', convert_to(
E'stop_id,wheelchair_boarding\nA1,0\nA2,1\n', 'UTF8'), '{"mode": "replace"}')$$);
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-arrets-int', convert_to(
E'stop_id,wheelchair_boarding\nA1,0\nA2,1\n', 'UTF8'),
  '{"mode": "replace", "columns": {"wheelchair_boarding": {"type": "integer"}}}') r;

-- 8. Error positions and names.  A bad value in a forced-type column is
-- reported on its row; an error in right_where names right_where.
-- (No CONTEXT line: COPY's would say "line 1", the line it waits for.)
SELECT opendata.import_csv('day-forced', convert_to(E'code;n\na;1\nb;2\nc;3\nd;quatre\n', 'UTF8'),
                           '{"columns": {"n": {"type": "integer"}}}');
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.cross('day-gares', 'day-gares', 'nearest', right_where => 'nope = 1')$$);
SELECT regress.error_of($$SELECT opendata_api.cross('day-gares', 'day-gares', 'nearest', "where" => 'nope = 1')$$);
SET ROLE regress_day;

-- 9. refine and exclude in every spelling an app sends: one bare item (a
-- GET link), an array literal, a JSON array (a POST body), an SQL array.
-- PostgREST hands a GET value to the argument's type as text: this is
-- that text.  (A repeated refine in a URL is refused by the shipped nginx:
-- test/shell/refine_forms.sh.)
SET ROLE opendata_anon;
SELECT spelling, (opendata_api.records('day-gares', refine => v::opendata_api.facet_items, exclude => 'nom:Iéna')->>'total_count')::int AS accessible
  FROM (VALUES ('bare', 'acces:1'), ('array', '{acces:1,"rer:false"}'), ('json', '["acces:1"]'),
               ('blank', ''), ('empty array', '{}'), ('empty json', '[]')) t(spelling, v);
SELECT (opendata_api.records('day-gares', refine => ARRAY['acces:1', 'rer:true'])->>'total_count')::int AS sql_array;
SELECT opendata_api.facets('day-gares', ARRAY['rer'], refine => 'acces:1') AS refined_facets;
SELECT (opendata_api.search(refine => 'theme:nothing-such')->>'total_count')::int AS catalog_bare_refine;
SELECT 'acces:1'::opendata_api.facet_items AS bare, '["a:\u00e9", "b:{c}"]'::opendata_api.facet_items AS json;
-- A malformed list is 22P02 with the accepted forms.
SELECT regress.error_of($$SELECT opendata_api.records('day-gares', refine => '{acces:1')$$);
SELECT regress.error_of($$SELECT opendata_api.records('day-gares', exclude => '[1]')$$);
SELECT regress.error_of($$SELECT opendata_api.records('day-gares', refine => '{NULL}')$$);
SET ROLE regress_day;

-- 10. An export aggregate over something else than rows (PostgREST applies
-- it to a function's result when Accept asks for another media type) is
-- PT406, which PostgREST answers with 406 Not Acceptable.
SET ROLE opendata_anon;
SELECT regress.error_of($$SELECT opendata_api.geojson_agg(x) FROM opendata_api.export_csv('day-gares') x$$);
SELECT regress.error_of($$SELECT opendata_api.csv_agg(x) FROM opendata_api.export_geojson('day-gares') x$$);
SET ROLE regress_day;

-- 11. A JSON null clears a metadata key.
SELECT opendata.set_metadata('day-gares', '{"key": "id", "keywords": ["gares"], "spatial": "Paris"}') IS NOT NULL AS set;
SELECT key_fields, keywords, spatial FROM opendata.datasets WHERE slug = 'day-gares';
SELECT opendata.set_metadata('day-gares', '{"key": null, "keywords": null, "spatial": null, "landing_page": null,
                                            "contact_point": null, "temporal": null, "language": null}') IS NOT NULL AS cleared;
SELECT key_fields, keywords, spatial, landing_page, contact_point, temporal, language
  FROM opendata.datasets WHERE slug = 'day-gares';
-- Keys a dataset cannot be without are refused, naming the key.
SELECT regress.error_of($$SELECT opendata.set_metadata('day-gares', '{"publisher": null}')$$);
SELECT regress.error_of($$SELECT opendata.set_metadata('day-gares', '{"access": null}')$$);

-- Several files of one shape into one dataset: "mode": "append".  The
-- fibre deployment of Essonne, then that of Seine-et-Marne.
SELECT r->>'rows_loaded' AS loaded, r->>'mode' AS mode FROM opendata.import_csv('day-fibre', convert_to(
E'code_insee;nom_commune;locaux;locaux_raccordables_ftth;porteur_reseau_oi\n'
 '91001;Abbéville-la-Rivière;169;169;Essonne Numérique\n91016;Angerville;2426;2413;Essonne Numérique\n', 'UTF8')) r;
SELECT opendata.set_metadata('day-fibre', '{"title": "Fibre", "description": "Déploiement FttH", "key": "code_insee"}') IS NOT NULL AS described;
SELECT opendata.publish('day-fibre')->>'version' AS version;
SELECT r->>'rows_loaded' AS loaded, r->>'mode' AS mode, r->'version' AS version FROM opendata.import_csv('day-fibre', convert_to(
E'code_insee;nom_commune;locaux;locaux_raccordables_ftth;porteur_reseau_oi\n'
 '77001;Achères-la-Forêt;603;598;Seine-et-Marne Numérique\n77002;Amillis;420;420;Seine-et-Marne Numérique\n'
 '77003;Amponville;205;201;Seine-et-Marne Numérique\n', 'UTF8'), '{"mode": "append"}') r;
SELECT left(code_insee, 2) AS dep, count(*) AS communes, sum(locaux) AS locaux FROM opendata_data."day-fibre" GROUP BY 1 ORDER BY 1;
SELECT h.version, h.action, h.note, h.row_count, h.rows_added FROM opendata.history h
  JOIN opendata.datasets d ON d.id = h.dataset_id WHERE d.slug = 'day-fibre' ORDER BY h.id;
-- Another shape, or no such dataset: refused, nothing added.
SELECT regress.error_of($$SELECT opendata.import_csv('day-fibre', convert_to(E'code_insee;locaux\n77004;1\n', 'UTF8'), '{"mode": "append"}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('day-nothing', convert_to(E'a\n1\n', 'UTF8'), '{"mode": "append"}')$$);
SELECT regress.error_of($$SELECT opendata.import_csv('day-fibre', convert_to(E'a\n1\n', 'UTF8'), '{"mode": "merge"}')$$);
SELECT count(*) AS communes FROM opendata_data."day-fibre";

-- 4. A derived dataset built on a registered view is marked stale when the
-- dataset under the view changes.  The communes of Essonne with their
-- fibre, through two views (the fibre's 91 lines, read by a view of its
-- counts); the same crossing on the fibre itself; and one on a registered
-- materialized view of it, which keeps its own rows until refreshed.
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-communes', convert_to(
E'code;nom;population\n91001;Abbéville-la-Rivière;300\n91016;Angerville;1700\n91021;Arpajon;10800\n', 'UTF8')) r;
CREATE VIEW opendata_data.day_fibre_91 AS
  SELECT code_insee, nom_commune, locaux, locaux_raccordables_ftth FROM opendata_data."day-fibre" WHERE code_insee LIKE '91%';
CREATE VIEW opendata_data.day_fibre_91_counts AS SELECT code_insee, locaux FROM opendata_data.day_fibre_91;
CREATE MATERIALIZED VIEW opendata_data.day_fibre_snapshot AS SELECT * FROM opendata_data.day_fibre_91;
SELECT opendata.register('opendata_data.day_fibre_91_counts', 'day-fibre-91', '{"title": "Fibre 91"}')->>'slug' AS registered,
       opendata.register('opendata_data.day_fibre_snapshot', 'day-fibre-snapshot', '{"title": "Fibre 91, figée"}')->>'slug' AS registered;
SELECT slug, r->>'rows' AS rows
  FROM (VALUES ('day-communes-fibre-view', 'day-fibre-91'), ('day-communes-fibre', 'day-fibre'),
               ('day-communes-fibre-snapshot', 'day-fibre-snapshot')) AS t(slug, src),
       LATERAL opendata.cross(slug, 'day-communes', src, 'attribute',
                              '{"left_key": "code", "right_key": "code_insee", "fields": ["locaux"], "prefix": "fibre_"}') r;
-- Arpajon's fibre arrives, appended to the published fibre (a new version).
SELECT r->'version' AS version FROM opendata.import_csv('day-fibre', convert_to(
E'code_insee;nom_commune;locaux;locaux_raccordables_ftth;porteur_reseau_oi\n91021;Arpajon;5900;5850;Orange\n', 'UTF8'),
  '{"mode": "append"}') r;
SELECT ds.slug, d.stale, d.stale_since IS NOT NULL AS since FROM opendata.derived_datasets d
  JOIN opendata.datasets ds ON ds.id = d.dataset_id WHERE ds.slug LIKE 'day-communes-fibre%' ORDER BY 1;
SELECT r->>'stale' AS stale FROM opendata.refresh('day-communes-fibre-view') r;
SELECT code, fibre_locaux FROM opendata_data."day-communes-fibre-view" ORDER BY code;
-- A crossing of a crossing is stale when the crossing it reads is
-- recomputed, published (a new version) or not.
SELECT r->>'rows' AS rows FROM opendata.cross('day-twice', 'day-communes-fibre-view', 'day-fibre', 'attribute',
  '{"left_key": "code", "right_key": "code_insee", "fields": ["locaux_raccordables_ftth"]}') r;
SELECT r->>'stale' AS stale FROM opendata.refresh('day-communes-fibre-view') r;
SELECT d.stale FROM opendata.derived_datasets d JOIN opendata.datasets ds ON ds.id = d.dataset_id
 WHERE ds.slug = 'day-twice';
-- Replacing the rows of a draft (no new version) marks its crossings
-- stale too: the communes are a draft.
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-communes', convert_to(
E'code;nom;population\n91001;Abbéville-la-Rivière;310\n91016;Angerville;1710\n91021;Arpajon;10900\n', 'UTF8'),
  '{"mode": "replace"}') r;
SELECT ds.slug, d.stale FROM opendata.derived_datasets d
  JOIN opendata.datasets ds ON ds.id = d.dataset_id WHERE ds.slug LIKE 'day-communes-fibre%' ORDER BY 1;
-- Publishing the fibre again marks them through the views as well: the
-- crossings of the communes are refreshed first.
SELECT count(*) AS refreshed FROM unnest(ARRAY['day-communes-fibre-view', 'day-communes-fibre', 'day-communes-fibre-snapshot']) s,
  LATERAL opendata.refresh(s);
SELECT opendata.publish('day-fibre')->>'version' AS version;
SELECT ds.slug, d.stale FROM opendata.derived_datasets d
  JOIN opendata.datasets ds ON ds.id = d.dataset_id WHERE ds.slug LIKE 'day-communes-fibre%' ORDER BY 1;

-- A derived dataset's fields inherit the label, description, unit and
-- facet flag of the fields they carry, left or right (prefixed or not);
-- measures are new fields.
SELECT opendata.describe_field('day-communes', 'population', '{"label": "Population", "unit": "habitants"}') IS NOT NULL AS described,
       opendata.describe_field('day-communes', 'nom', '{"label": "Commune", "facet": true, "description": "Nom officiel."}') IS NOT NULL,
       opendata.describe_field('day-fibre', 'locaux', '{"label": "Locaux", "unit": "locaux"}') IS NOT NULL,
       opendata.describe_field('day-fibre', 'porteur_reseau_oi', '{"label": "Opérateur", "facet": true}') IS NOT NULL;
SELECT string_agg(f->>'label', ', ') AS labels
  FROM opendata.cross('day-communes-operateurs', 'day-communes', 'day-fibre', 'attribute',
  '{"left_key": "code", "right_key": "code_insee", "fields": ["locaux", "porteur_reseau_oi", "nom_commune"], "prefix": "fibre_"}') r,
  jsonb_array_elements(r->'fields') f;
SELECT f.name, f.label, f.description, f.unit, f.facet FROM opendata.fields f
  JOIN opendata.datasets d ON d.id = f.dataset_id WHERE d.slug = 'day-communes-operateurs' ORDER BY f.position;

-- 3. A page of cross() does not compute the whole crossing to count it:
-- the 30 stops crossed with the stations (nearest), one row asked.  The
-- total comes from counts of the two sides; the stations are scanned a
-- few times (the count, the in-memory index, the page's one stop), not
-- once per stop as when the count ran the crossing itself.
SET ROLE regress_day;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-stops', (
  SELECT convert_to(E'stop_id,stop_lat,stop_lon\n' ||
                    string_agg(format('S%s,%s,%s', i, 48.83 + i / 1000.0, 2.27 + i / 1000.0), E'\n' ORDER BY i) ||
                    E'\nS0,,\n', 'UTF8')
    FROM generate_series(1, 30) i)) r;
SELECT opendata.set_metadata('day-stops', '{"title": "Arrêts", "description": "Arrêts de bus"}') IS NOT NULL AS described;
SELECT opendata.publish('day-stops')->>'version' AS version;
RESET ROLE;
-- (The transaction's counters may hold earlier ones not yet flushed: the
-- scans are counted as a difference, within one transaction.)
BEGIN;
SELECT seq_scan + coalesce(idx_scan, 0) AS scans_before
  FROM pg_stat_xact_user_tables WHERE relid = 'opendata_data."day-gares"'::regclass \gset
SET LOCAL ROLE opendata_anon;
SELECT r->'total_count' AS total, json_array_length(r->'results') AS shown
  FROM opendata_api.cross('day-stops', 'day-gares', 'nearest', rows => 1) r;
RESET ROLE;
SELECT seq_scan + coalesce(idx_scan, 0) - :scans_before < 10 AS stations_scanned_a_few_times
  FROM pg_stat_xact_user_tables WHERE relid = 'opendata_data."day-gares"'::regclass;
COMMIT;
-- The total is the crossing's row count: k rows for each located stop,
-- one row of NULLs for the stop without coordinates, and one for every
-- stop when the right side is empty.
SET ROLE opendata_anon;
SELECT k, rw, (r->>'total_count')::int AS total, json_array_length(r->'results') AS rows_computed
  FROM (VALUES (1, NULL), (2, NULL), (9, NULL), (2, 'rer'), (3, 'nom = "nowhere"')) v(k, rw),
       opendata_api.cross('day-stops', 'day-gares', 'nearest', k => k, right_where => rw, rows => 100) r;
SELECT (r->>'total_count')::int AS within_1km, json_array_length(r->'results') AS rows_computed
  FROM opendata_api.cross('day-stops', 'day-gares', 'within_distance', distance_m => 1000, rows => 100) r;
SELECT (r->>'total_count')::int AS within_1km, json_array_length(r->'results') AS shown
  FROM opendata_api.cross('day-stops', 'day-gares', 'within_distance', distance_m => 1000, rows => 2, start => 3) r;
RESET ROLE;

-- 2. A derived nearest crossing with a small right side fetches each
-- candidate by a TID scan: no scan of the stations calling
-- _nearest_candidates for every row it reads.
RESET ROLE;
CREATE FUNCTION regress.plan_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    plan := plan || line || E'\n';
  END LOOP;
  RETURN plan;
END
$$;
SET ROLE regress_day;
-- 400 stations on a jittered grid (no two at the same distance from a
-- stop; a few pages, so that fetching one tid costs less than a scan).
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv('day-gares-idf', (
  SELECT convert_to(E'gare,lat,lon\n' ||
                    string_agg(format('G%s,%s,%s', i, 48.80 + (i / 20) / 200.0 + (i * 7919 % 997) / 1e6,
                                      2.20 + (i % 20) / 200.0 + (i * 104729 % 991) / 1e6), E'\n' ORDER BY i),
                    'UTF8')
    FROM generate_series(0, 399) i)) r;
SELECT r->>'rows' AS rows FROM opendata.cross('day-stops-gares', 'day-stops', 'day-gares-idf', 'nearest', '{"k": 2}') r;
RESET ROLE;
SELECT strpos(p, 'TID Cond: (ctid = c.tid)') > 0 AS tid_scan,
       strpos(p, 'Filter: (ctid = ANY') = 0 AS no_filter_on_ctid
  FROM regress.plan_of((opendata._derived_statements(
         (SELECT was_derived_from FROM opendata.datasets WHERE slug = 'day-stops-gares'))).select_sql) p;
-- The same rows as a hand-written LATERAL KNN.
SELECT regress.differences(
  $$SELECT stop_id, day_gares_idf_gare, round(distance_m::numeric, 3) FROM opendata_data."day-stops-gares"$$,
  $$SELECT a.stop_id, m.gare, round(m.d::numeric, 3) FROM opendata_data."day-stops" a
      LEFT JOIN LATERAL (SELECT b.gare, ST_Distance(a.geom::geography, b.geom::geography) AS d
                           FROM opendata_data."day-gares-idf" b ORDER BY 2 LIMIT 2) m ON a.geom IS NOT NULL$$) AS differences;

-- A derived dataset crossing subsets, without registering views: options
-- left_where and right_where, in ODSQL.  Two stops, and the RER stations.
SET ROLE regress_day;
SELECT r->>'rows' AS rows, r->'was_derived_from' AS derived_from
  FROM opendata.cross('day-stops-rer', 'day-stops', 'day-gares', 'nearest',
                      '{"left_where": "stop_id in (\"S1\", \"S30\")", "right_where": "rer and acces = 1",
                        "fields": ["nom"]}') r;
SELECT stop_id, day_gares_nom, round(distance_m) AS metres FROM opendata_data."day-stops-rer" ORDER BY stop_id;
-- refresh() compiles the stored filters again.
SELECT r->>'rows' AS rows FROM opendata.refresh('day-stops-rer') r;
SELECT regress.error_of($$SELECT opendata.cross('day-x', 'day-stops', 'day-gares', 'nearest', '{"right_where": "colour = 1"}')$$);
SELECT regress.error_of($$SELECT opendata.cross('day-x', 'day-stops', 'day-gares', 'nearest', '{"left_where": "stop_id ="}')$$);
SELECT regress.error_of($$SELECT opendata.cross('day-x', 'day-stops', 'day-gares', 'nearest', '{"left_where": 3}')$$);
RESET ROLE;

-- 1. JIT never compiles the catalog: PostgreSQL's defaults (jit on, above
-- a cost of 100,000) made every GET /datasets and every search pay about
-- 0.5 to 1 s of compilation, the estimates under row-level security
-- crossing jit_above_cost on a catalog of a few datasets.  The catalog
-- views are planned below it, and search() runs with jit off.
RESET ROLE;
CREATE FUNCTION regress.jit_compiled(query text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || query INTO plan;
  RETURN (plan->0->'JIT') IS NOT NULL;
END
$$;
RESET jit;
RESET jit_above_cost;
SET ROLE opendata_anon;
SELECT v AS catalog_view, regress.jit_compiled(format('SELECT * FROM opendata_api.%I', v)) AS jit_compiled
  FROM unnest(ARRAY['datasets', 'themes', 'organizations', 'licenses', 'reuses']) v;
SELECT regress.jit_compiled($$SELECT * FROM opendata_api.datasets WHERE dataset_id = 'day-gares'$$) AS jit_compiled;
RESET ROLE;
SELECT proconfig @> '{jit=off}' AS search_without_jit FROM pg_proc WHERE oid = 'opendata_api.search'::regproc;
