-- ODSQL conformance: queries adapted from the Explore v2.1 documentation
-- (ODSQL, records and facets pages), run through opendata_api.records() and
-- opendata_api.facets() on the real sample files, each checked against a
-- hand-written SQL equivalent on the same tables.  Every row of the final
-- report must say t: a mismatch changes the output and fails the test.
\getenv abs_srcdir PG_ABS_SRCDIR
\set trees_csv :abs_srcdir '/data/paris_arbres_remarquables.csv'
\set stations_csv :abs_srcdir '/data/idfm_emplacement_des_gares_idf.csv'
\set populations_csv :abs_srcdir '/data/insee_populations_legales_communes.csv'
\set A 'opendata_data."conf-arbres"'
\set G 'opendata_data."conf-gares"'
\set C 'opendata_data."conf-communes"'

SELECT opendata.create_organization('conf-org', 'Conformance') > 0 AS created;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('conf-arbres', :'trees_csv') r;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('conf-gares', :'stations_csv') r;
SELECT r->>'rows_loaded' AS loaded FROM opendata.import_csv_file('conf-communes', :'populations_csv') r;
SELECT s, opendata.set_metadata(s, jsonb_build_object('title', s, 'description', 'conformance', 'publisher', 'conf-org')) IS NOT NULL AS described,
       opendata.publish(s)->>'version' AS version
  FROM unnest('{conf-arbres,conf-gares,conf-communes}'::text[]) s;

-- JSON equality with numbers compared to 1e-9 (relative): avg() and real
-- division may come back as double precision on one side, numeric on the other.
CREATE FUNCTION regress.json_eq(a jsonb, b jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(a) IS DISTINCT FROM jsonb_typeof(b) THEN RETURN false; END IF;
  CASE jsonb_typeof(a)
  WHEN 'number' THEN
    RETURN abs(a::numeric - b::numeric) <= 1e-9 * greatest(1, abs(a::numeric));
  WHEN 'array' THEN
    RETURN jsonb_array_length(a) = jsonb_array_length(b)
       AND NOT EXISTS (SELECT 1 FROM generate_series(0, jsonb_array_length(a) - 1) i
                        WHERE NOT regress.json_eq(a->i, b->i));
  WHEN 'object' THEN
    RETURN (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(a) k)
           IS NOT DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(b) k)
       AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(a) k WHERE NOT regress.json_eq(a->k, b->k));
  ELSE
    RETURN a = b;
  END CASE;
END
$$;
-- The results of an ODSQL answer against the rows of a hand-written query:
-- in order when the query has an order_by, as multisets otherwise.
CREATE FUNCTION regress.same(odsql_json json, expected json, ordered boolean DEFAULT false) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN ordered THEN regress.json_eq(g, w)
              ELSE regress.json_eq((SELECT coalesce(jsonb_agg(e ORDER BY e::text), '[]') FROM jsonb_array_elements(g) e),
                                   (SELECT coalesce(jsonb_agg(e ORDER BY e::text), '[]') FROM jsonb_array_elements(w) e))
         END
    FROM (SELECT (odsql_json->'results')::jsonb AS g, coalesce(expected::jsonb, '[]') AS w) x
$$;

CREATE TEMP TABLE conf (n int PRIMARY KEY, what text, got json, want json, ordered boolean DEFAULT false,
                        want_total bigint);
SET opendata.max_page_size = 100000;

-- select ---------------------------------------------------------------
INSERT INTO conf VALUES (1, 'select: fields',
  opendata_api.records('conf-arbres', fields => 'genre, hauteur_en_m', rows => 1000),
  (SELECT json_agg(json_build_object('genre', genre, 'hauteur_en_m', hauteur_en_m)) FROM :A), false,
  (SELECT count(*) FROM :A));
INSERT INTO conf VALUES (2, 'select: * (no geo)',
  opendata_api.records('conf-communes', fields => '*', "where" => 'coddep = "75"', rows => 1000),
  (SELECT json_agg(to_json(c)) FROM :C c WHERE coddep = '75'), false,
  (SELECT count(*) FROM :C WHERE coddep = '75'));
INSERT INTO conf VALUES (3, 'select: * with geo as GeoJSON',
  opendata_api.records('conf-gares', "where" => 'mode = "Navette"', rows => 1000),
  (SELECT json_agg(to_jsonb(g) - 'geo_point' - 'geo_shape'
                   || jsonb_build_object('geo_point', ST_AsGeoJSON(geo_point, 7)::jsonb, 'geo_shape', ST_AsGeoJSON(geo_shape, 7)::jsonb))
     FROM :G g WHERE mode = 'Navette'));
INSERT INTO conf VALUES (4, 'select: aliases',
  opendata_api.records('conf-communes', fields => 'com AS nom, ptot as population', "where" => 'coddep = "2A"', rows => 1000),
  (SELECT json_agg(json_build_object('nom', com, 'population', ptot)) FROM :C WHERE coddep = '2A'));
INSERT INTO conf VALUES (5, 'select: arithmetic + - * /, zero divisor',
  opendata_api.records('conf-communes', fields => 'ptot - pmun AS d, pmun * 2 + 1 AS m, pcap / 2 AS h, ptot / pcap AS r', "where" => 'coddep = "05"', rows => 1000),
  (SELECT json_agg(json_build_object('d', ptot - pmun, 'm', pmun * 2 + 1, 'h', pcap / 2.0, 'r', ptot::numeric / nullif(pcap, 0)))
     FROM :C WHERE coddep = '05'));
INSERT INTO conf VALUES (6, 'select: count(*)',
  opendata_api.records('conf-communes', fields => 'count(*)'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('count(*)', count(*)) x FROM :C) s));
INSERT INTO conf VALUES (7, 'select: count(f), count(distinct f)',
  opendata_api.records('conf-arbres', fields => 'count(varieteoucultivar) as n, count(distinct genre) as genres'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('n', count(varieteoucultivar), 'genres', count(DISTINCT genre)) x FROM :A) s));
INSERT INTO conf VALUES (8, 'select: sum, avg',
  opendata_api.records('conf-communes', fields => 'sum(ptot) as s, avg(pmun) as a', "where" => 'codreg = "11"'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('s', sum(ptot), 'a', avg(pmun)) x FROM :C WHERE codreg = '11') s));
INSERT INTO conf VALUES (9, 'select: min, max on numbers, texts, datetimes',
  opendata_api.records('conf-arbres', fields => 'min(hauteur_en_m) as a, max(hauteur_en_m) as b, min(genre) as c, max(date_de_plantation) as d'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('a', min(hauteur_en_m), 'b', max(hauteur_en_m), 'c', min(genre),
                                     'd', to_char(max(date_de_plantation) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')) x FROM :A) s));
INSERT INTO conf VALUES (10, 'select: median, percentile',
  opendata_api.records('conf-arbres', fields => 'median(hauteur_en_m) as m, percentile(circonference_en_cm, 90) as p'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('m', percentile_cont(0.5) WITHIN GROUP (ORDER BY hauteur_en_m),
                                     'p', percentile_cont(0.9) WITHIN GROUP (ORDER BY circonference_en_cm)) x FROM :A) s));
INSERT INTO conf VALUES (11, 'select: envelope(geo)',
  opendata_api.records('conf-gares', fields => 'envelope(geo_point) as e'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('e', ST_AsGeoJSON(ST_Envelope(ST_Collect(geo_point)), 7)::json) x FROM :G) s));
INSERT INTO conf VALUES (12, 'select: bbox(geo) with a filter',
  opendata_api.records('conf-gares', fields => 'bbox(geo_point) as b', "where" => 'mode = "RER"'),
  (SELECT json_agg(x) FROM (SELECT json_build_object('b', ST_AsGeoJSON(ST_Envelope(ST_Collect(geo_point)), 7)::json) x FROM :G WHERE mode = 'RER') s));
INSERT INTO conf VALUES (13, 'select: include(pattern*)',
  opendata_api.records('conf-communes', fields => 'include(p*)', "where" => 'coddep = "75"', rows => 100),
  (SELECT json_agg(json_build_object('pmun', pmun, 'pcap', pcap, 'ptot', ptot)) FROM :C WHERE coddep = '75'));
INSERT INTO conf VALUES (14, 'select: exclude(pattern*)',
  opendata_api.records('conf-communes', fields => 'exclude(cod*, p*)', "where" => 'coddep = "75"', rows => 100),
  (SELECT json_agg(json_build_object('reg', reg, 'com', com)) FROM :C WHERE coddep = '75'));
INSERT INTO conf VALUES (15, 'select: length(), upper(), lower()',
  opendata_api.records('conf-communes', fields => 'length(com) as l, upper(com) as u, lower(reg) as r', "where" => 'coddep = "2B"', rows => 1000),
  (SELECT json_agg(json_build_object('l', length(com), 'u', upper(com), 'r', lower(reg))) FROM :C WHERE coddep = '2B'));
INSERT INTO conf VALUES (16, 'select: literals',
  opendata_api.records('conf-communes', fields => 'com, "x" as s, 3 as n, true as b', "where" => 'coddep = "75"', rows => 100),
  (SELECT json_agg(json_build_object('com', com, 's', 'x', 'n', 3, 'b', true)) FROM :C WHERE coddep = '75'));

-- where ----------------------------------------------------------------
INSERT INTO conf VALUES (20, 'where: = on text',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'exploitant = "SNCF"', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE exploitant = 'SNCF'), false,
  (SELECT count(*) FROM :G WHERE exploitant = 'SNCF'));
INSERT INTO conf VALUES (21, 'where: != and <>',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'mode != "Metro" and exploitant <> "SNCF"', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE mode <> 'Metro' AND exploitant <> 'SNCF'), false,
  (SELECT count(*) FROM :G WHERE mode <> 'Metro' AND exploitant <> 'SNCF'));
INSERT INTO conf VALUES (22, 'where: < <= > >=',
  opendata_api.records('conf-communes', fields => 'codcom', "where" => 'ptot >= 1000 and ptot < 1010 and pmun > 500 and pcap <= 30', rows => 2000),
  (SELECT json_agg(json_build_object('codcom', codcom)) FROM :C WHERE ptot >= 1000 AND ptot < 1010 AND pmun > 500 AND pcap <= 30), false,
  (SELECT count(*) FROM :C WHERE ptot >= 1000 AND ptot < 1010 AND pmun > 500 AND pcap <= 30));
INSERT INTO conf VALUES (23, 'where: field:value',
  opendata_api.records('conf-gares', fields => 'nom_gare', "where" => 'mode:"Tramway"', rows => 2000),
  (SELECT json_agg(json_build_object('nom_gare', nom_gare)) FROM :G WHERE mode = 'Tramway'));
INSERT INTO conf VALUES (24, 'where: AND/OR/NOT and parentheses',
  opendata_api.records('conf-communes', fields => 'com', "where" => '(coddep = "92" or coddep = "93") and not ptot < 50000', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE (coddep = '92' OR coddep = '93') AND NOT ptot < 50000));
INSERT INTO conf VALUES (25, 'where: AND binds tighter than OR',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'coddep = "75" or coddep = "92" and ptot > 80000', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE coddep = '75' OR (coddep = '92' AND ptot > 80000)));
INSERT INTO conf VALUES (26, 'where: IN list, NOT IN',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'coddep in ("2A", "2B") and ptot not in (100, 101, 102)', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE coddep IN ('2A', '2B') AND ptot NOT IN (100, 101, 102)));
INSERT INTO conf VALUES (27, 'where: IN [a..b] closed range',
  opendata_api.records('conf-communes', fields => 'codcom', "where" => 'ptot in [1000..1005]', rows => 2000),
  (SELECT json_agg(json_build_object('codcom', codcom)) FROM :C WHERE ptot BETWEEN 1000 AND 1005));
INSERT INTO conf VALUES (28, 'where: IN ]a..b[ open range',
  opendata_api.records('conf-communes', fields => 'codcom', "where" => 'ptot in ]1000..1005[', rows => 2000),
  (SELECT json_agg(json_build_object('codcom', codcom)) FROM :C WHERE ptot > 1000 AND ptot < 1005));
INSERT INTO conf VALUES (29, 'where: LIKE (words, case, accents, *)',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'com like "saint etienne*"', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C
    WHERE unaccent(lower(com)) LIKE '%saint%' AND unaccent(lower(com)) LIKE '%etienne%'));
INSERT INTO conf VALUES (30, 'where: IS NULL',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'varieteoucultivar is null', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE varieteoucultivar IS NULL));
INSERT INTO conf VALUES (31, 'where: IS NOT NULL, = null',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'date_de_la_deliberation is not null or numero = null', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE date_de_la_deliberation IS NOT NULL OR numero IS NULL));
INSERT INTO conf VALUES (32, 'where: boolean field, = false, IS TRUE',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'metro and rer = false or tramway is true', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE (metro AND rer = false) OR tramway IS TRUE));
INSERT INTO conf VALUES (33, 'where: bare string = full-text search',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => '"chêne"', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A a
    WHERE EXISTS (SELECT 1 FROM json_each_text(row_to_json(a)) e
                   WHERE e.key IN (SELECT name FROM opendata.fields f JOIN opendata.datasets d ON d.id = f.dataset_id
                                    WHERE d.slug = 'conf-arbres' AND f.type = 'text')
                     AND unaccent(lower(e.value)) LIKE '%chene%')));
INSERT INTO conf VALUES (34, 'where: bare string, two words, NOT',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => '"gare nord" and not "rer"', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G g,
          LATERAL (SELECT unaccent(lower(concat_ws(' ', nom_gare, nomlong, nom_iv, mode, terfer, tertrain, terrer, termetro, tertram,
                                                   ternavette, terval, idrefliga, idrefligc, ligne, ligne_code, indice_lig, reseau,
                                                   res_com, exploitant))) AS t) s
    WHERE s.t LIKE '%gare%' AND s.t LIKE '%nord%' AND s.t NOT LIKE '%rer%'));
INSERT INTO conf VALUES (35, 'where: search(field, text)',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'search(nom_gare, "LAZARE")', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE unaccent(lower(nom_gare)) LIKE '%lazare%'));
INSERT INTO conf VALUES (36, 'where: search(*, text)',
  opendata_api.records('conf-communes', fields => 'codcom', "where" => 'search(*, "Égli")', rows => 2000),
  (SELECT json_agg(json_build_object('codcom', codcom)) FROM :C
    WHERE unaccent(lower(concat_ws(' ', codreg, reg, coddep, codarr, codcan, codcom, com))) LIKE '%egli%'));
INSERT INTO conf VALUES (37, 'where: startswith()',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'startswith(com, "Saint-Ger")', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE com LIKE 'Saint-Ger%'));
INSERT INTO conf VALUES (38, 'where: date literals, year and day precision',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'date_de_plantation >= date''1850'' and date_de_plantation < date''1990-06-15''', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE date_de_plantation >= '1850-01-01 00:00+00' AND date_de_plantation < '1990-06-15 00:00+00'));
INSERT INTO conf VALUES (39, 'where: date field = string, date''...'' on a date',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'date_de_la_deliberation = "2017-04-01" or date_de_la_deliberation < date''2016/01/01''', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE date_de_la_deliberation = '2017-04-01' OR date_de_la_deliberation < '2016-01-01'));
INSERT INTO conf VALUES (40, 'where: now() and now(years=-200)',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'date_de_plantation < now() and date_de_plantation > now(years=-200)', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE date_de_plantation < now() AND date_de_plantation > now() - interval '200 years'));
INSERT INTO conf VALUES (41, 'where: year(), month(), day()',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'year(date_de_plantation) >= 1900 and month(date_de_plantation) = 1 and day(date_de_plantation) = 1', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE extract(year FROM date_de_plantation AT TIME ZONE 'UTC') >= 1900 AND extract(month FROM date_de_plantation AT TIME ZONE 'UTC') = 1
      AND extract(day FROM date_de_plantation AT TIME ZONE 'UTC') = 1));
INSERT INTO conf VALUES (42, 'where: hour(), minute(), second() in a time zone',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'hour(date_de_plantation) = 0 and minute(date_de_plantation) = 18 and second(date_de_plantation) = 42', rows => 2000, timezone => 'Europe/Paris'),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE extract(hour FROM date_de_plantation AT TIME ZONE 'Europe/Paris') = 0
      AND extract(minute FROM date_de_plantation AT TIME ZONE 'Europe/Paris') = 18
      AND floor(extract(second FROM date_de_plantation AT TIME ZONE 'Europe/Paris')) = 42));
INSERT INTO conf VALUES (43, 'where: within_distance(geo, point, 1km)',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'within_distance(geo_point, geom''POINT(2.3522 48.8566)'', 1km)', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G
    WHERE ST_DWithin(geo_point::geography, 'SRID=4326;POINT(2.3522 48.8566)'::geography, 1000)));
INSERT INTO conf VALUES (44, 'where: within_distance in miles, distance() filter form in m',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'within_distance(geo_point, geom''POINT(2.35 48.85)'', 1mi) or distance(geo_point, geom''POINT(2.29 48.86)'', 500m)', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE ST_DWithin(geo_point::geography, 'SRID=4326;POINT(2.35 48.85)'::geography, 1609.344)
       OR ST_DWithin(geo_point::geography, 'SRID=4326;POINT(2.29 48.86)'::geography, 500)));
INSERT INTO conf VALUES (45, 'where: in_bbox(lat1, lon1, lat2, lon2)',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'in_bbox(geo_point, 48.85, 2.33, 48.87, 2.36)', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G
    WHERE ST_Intersects(geo_point, ST_MakeEnvelope(2.33, 48.85, 2.36, 48.87, 4326))));
INSERT INTO conf VALUES (46, 'where: intersects(geo, WKT polygon)',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'intersects(geo_point, geom''POLYGON((2.3 48.8, 2.4 48.8, 2.4 48.9, 2.3 48.8))'')', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G
    WHERE ST_Intersects(geo_point, 'SRID=4326;POLYGON((2.3 48.8, 2.4 48.8, 2.4 48.9, 2.3 48.8))'::geometry)));
INSERT INTO conf VALUES (47, 'where: within(geo, GeoJSON polygon)',
  opendata_api.records('conf-arbres', fields => 'idbase', "where" => 'within(geo_point, geom''{"type":"Polygon","coordinates":[[[2.25,48.8],[2.35,48.8],[2.35,48.9],[2.25,48.9],[2.25,48.8]]]}'')', rows => 2000),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A
    WHERE ST_Within(geo_point, ST_MakeEnvelope(2.25, 48.8, 2.35, 48.9, 4326))));
INSERT INTO conf VALUES (48, 'where: disjoint(geo, polygon)',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'disjoint(geo_point, geom''POLYGON((2 48, 3 48, 3 49, 2 49, 2 48))'')', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G
    WHERE ST_Disjoint(geo_point, ST_MakeEnvelope(2, 48, 3, 49, 4326))));
INSERT INTO conf VALUES (49, 'where: geometry(..., WITHIN), polygon()',
  opendata_api.records('conf-gares', fields => 'objectid', "where" => 'geometry(geo_point, geom''POLYGON((2.3 48.8, 2.4 48.8, 2.4 48.9, 2.3 48.9, 2.3 48.8))'', WITHIN) and not polygon(geo_point, geom''POLYGON((2.3 48.8, 2.35 48.8, 2.35 48.9, 2.3 48.9, 2.3 48.8))'')', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G
    WHERE ST_Within(geo_point, ST_MakeEnvelope(2.3, 48.8, 2.4, 48.9, 4326)) AND NOT ST_Within(geo_point, ST_MakeEnvelope(2.3, 48.8, 2.35, 48.9, 4326))));
INSERT INTO conf VALUES (50, 'where: number compared with text field, string with number field',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'codreg = 94 and ptot > "10000"', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE codreg = '94' AND ptot > 10000));
INSERT INTO conf VALUES (51, 'where: arithmetic and scalar functions',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'ptot - pmun > 5000 or length(com) > 40', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C WHERE ptot - pmun > 5000 OR length(com) > 40));
INSERT INTO conf VALUES (52, 'where: distance() in select, order_by distance',
  opendata_api.records('conf-gares', fields => 'nom_gare, distance(geo_point, geom''POINT(2.3522 48.8566)'') as d', order_by => 'd, nom_gare', rows => 15),
  (SELECT json_agg(x ORDER BY d, nom_gare) FROM (
     SELECT json_build_object('nom_gare', nom_gare, 'd', d) x, d, nom_gare FROM (
       SELECT nom_gare, ST_Distance(geo_point::geography, 'SRID=4326;POINT(2.3522 48.8566)'::geography) d FROM :G) s
      ORDER BY d, nom_gare LIMIT 15) t), true);

-- group_by ---------------------------------------------------------------
INSERT INTO conf VALUES (60, 'group_by: field with count(*)',
  opendata_api.records('conf-communes', fields => 'reg, count(*) as n', group_by => 'reg', rows => 100),
  (SELECT json_agg(json_build_object('reg', reg, 'n', n)) FROM (SELECT reg, count(*) n FROM :C GROUP BY reg) s), false,
  (SELECT count(DISTINCT reg) FROM :C));
INSERT INTO conf VALUES (61, 'group_by: field, several aggregates, ordered',
  opendata_api.records('conf-arbres', fields => 'genre, count(*) as n, avg(hauteur_en_m) as h, max(circonference_en_cm) as c', group_by => 'genre', order_by => 'genre', rows => 100),
  (SELECT json_agg(json_build_object('genre', genre, 'n', n, 'h', h, 'c', c) ORDER BY genre) FROM
     (SELECT genre, count(*) n, avg(hauteur_en_m) h, max(circonference_en_cm) c FROM :A WHERE genre IS NOT NULL GROUP BY genre) s), true);
INSERT INTO conf VALUES (62, 'group_by: two fields with a filter',
  opendata_api.records('conf-communes', fields => 'coddep, codarr, sum(ptot) as p', group_by => 'coddep, codarr', "where" => 'codreg = "11"', rows => 100),
  (SELECT json_agg(json_build_object('coddep', coddep, 'codarr', codarr, 'p', p)) FROM
     (SELECT coddep, codarr, sum(ptot) p FROM :C WHERE codreg = '11' GROUP BY 1, 2) s));
INSERT INTO conf VALUES (63, 'group_by: year(datetime)',
  opendata_api.records('conf-arbres', fields => 'year(date_de_plantation) as y, count(*) as n', group_by => 'year(date_de_plantation) as y', rows => 100),
  (SELECT json_agg(json_build_object('y', y, 'n', n)) FROM
     (SELECT extract(year FROM date_de_plantation AT TIME ZONE 'UTC')::int y, count(*) n FROM :A
       WHERE date_de_plantation IS NOT NULL GROUP BY 1) s));
INSERT INTO conf VALUES (64, 'group_by: month(date)',
  opendata_api.records('conf-arbres', group_by => 'month(date_de_la_deliberation) as m', rows => 100),
  (SELECT json_agg(json_build_object('m', m)) FROM
     (SELECT DISTINCT extract(month FROM date_de_la_deliberation)::int m FROM :A WHERE date_de_la_deliberation IS NOT NULL) s));
INSERT INTO conf VALUES (65, 'group_by: date_format(yyyy-MM)',
  opendata_api.records('conf-arbres', fields => 'count(*) as n', group_by => 'date_format(date_de_plantation, ''yyyy-MM'') as ym', rows => 100),
  (SELECT json_agg(json_build_object('n', n)) FROM
     (SELECT count(*) n FROM :A WHERE date_de_plantation IS NOT NULL
       GROUP BY to_char(date_de_plantation AT TIME ZONE 'UTC', 'YYYY-MM')) s));
INSERT INTO conf VALUES (66, 'group_by: range(f, a, b) static ranges',
  opendata_api.records('conf-communes', fields => 'range(ptot, 1000, 10000) as r, count(*) as n', group_by => 'range(ptot, 1000, 10000) as r', rows => 100),
  (SELECT json_agg(json_build_object('r', r, 'n', n)) FROM
     (SELECT CASE WHEN ptot < 1000 THEN '*-1000' WHEN ptot < 10000 THEN '1000-10000' ELSE '10000-*' END r, count(*) n
        FROM :C WHERE ptot IS NOT NULL GROUP BY 1) s));
INSERT INTO conf VALUES (67, 'group_by: range(f, [a, b, c]) drops outside values',
  opendata_api.records('conf-communes', fields => 'count(*) as n', group_by => 'range(ptot, [100, 1000, 10000]) as r', order_by => 'r', rows => 100),
  (SELECT json_agg(json_build_object('n', n) ORDER BY lo) FROM
     (SELECT CASE WHEN ptot < 1000 THEN 100 ELSE 1000 END lo, count(*) n
        FROM :C WHERE ptot BETWEEN 100 AND 10000 GROUP BY 1) s), true);
INSERT INTO conf VALUES (68, 'group_by: range(f, width) equal widths',
  opendata_api.records('conf-arbres', fields => 'range(hauteur_en_m, 5) as r, count(*) as n', group_by => 'range(hauteur_en_m, 5) as r', rows => 100),
  (SELECT json_agg(json_build_object('r', lo || '-' || (lo + 5), 'n', n)) FROM
     (SELECT (floor(hauteur_en_m / 5) * 5)::int lo, count(*) n FROM :A WHERE hauteur_en_m IS NOT NULL GROUP BY 1) s));
INSERT INTO conf VALUES (69, 'group_by: range(datetime, 1y) date histogram',
  opendata_api.records('conf-arbres', fields => 'count(*) as n', group_by => 'range(date_de_plantation, 1y) as y', order_by => 'y', rows => 100),
  (SELECT json_agg(json_build_object('n', n) ORDER BY y) FROM
     (SELECT date_trunc('year', date_de_plantation AT TIME ZONE 'UTC') y, count(*) n FROM :A
       WHERE date_de_plantation IS NOT NULL GROUP BY 1) s), true);
INSERT INTO conf VALUES (70, 'group_by: range(date, 1 month) labels',
  opendata_api.records('conf-arbres', group_by => 'range(date_de_la_deliberation, 1 month) as m', rows => 100),
  (SELECT json_agg(json_build_object('m', m)) FROM
     (SELECT DISTINCT to_char(date_de_la_deliberation, 'YYYY-MM') m FROM :A WHERE date_de_la_deliberation IS NOT NULL) s));
INSERT INTO conf VALUES (71, 'group_by: labelled key, keys returned without select',
  opendata_api.records('conf-gares', group_by => 'mode as m', rows => 100),
  (SELECT json_agg(json_build_object('m', m)) FROM (SELECT DISTINCT mode m FROM :G WHERE mode IS NOT NULL) s), false,
  (SELECT count(DISTINCT mode) FROM :G));
-- The hand-written side computes tiles in EPSG:3857 metres (PostGIS's
-- projection), the compiler with the spherical formula on degrees.
INSERT INTO conf VALUES (72, 'group_by: geo_cluster(geo, 10) with count and envelope',
  opendata_api.records('conf-gares', fields => 'cluster, count(*) as n, envelope(geo_point) as e', group_by => 'geo_cluster(geo_point, 10) as cluster', rows => 1000),
  (SELECT json_agg(json_build_object('cluster', ST_AsGeoJSON(c, 7)::json, 'n', n, 'e', ST_AsGeoJSON(e, 7)::json)) FROM
     (SELECT ST_Centroid(ST_Collect(g)) c, count(*) n, ST_Envelope(ST_Collect(g)) e FROM
        (SELECT geo_point g,
                floor((ST_X(ST_Transform(geo_point, 3857)) + 20037508.342789244) / (40075016.685578488 / 1024)) tx,
                floor((20037508.342789244 - ST_Y(ST_Transform(geo_point, 3857))) / (40075016.685578488 / 1024)) ty
           FROM :G WHERE geo_point IS NOT NULL) t GROUP BY tx, ty) s), false,
  (SELECT count(DISTINCT (floor((ST_X(ST_Transform(geo_point, 3857)) + 20037508.342789244) / (40075016.685578488 / 1024)),
                          floor((20037508.342789244 - ST_Y(ST_Transform(geo_point, 3857))) / (40075016.685578488 / 1024))))
     FROM :G WHERE geo_point IS NOT NULL));
INSERT INTO conf VALUES (73, 'group_by: geo_cluster(geo_shape, 13) by centroid, clusters in tile order',
  opendata_api.records('conf-gares', fields => 'k, count(*) as n', group_by => 'geo_cluster(geo_shape, 13) as k', rows => 1000),
  (SELECT json_agg(json_build_object('k', ST_AsGeoJSON(k, 7)::json, 'n', n) ORDER BY ty, tx) FROM
     (SELECT ST_Centroid(ST_Collect(c)) k, count(*) n, tx, ty FROM
        (SELECT ST_Centroid(geo_shape) c,
                floor((ST_X(ST_Transform(ST_Centroid(geo_shape), 3857)) + 20037508.342789244) / (40075016.685578488 / 8192)) tx,
                floor((20037508.342789244 - ST_Y(ST_Transform(ST_Centroid(geo_shape), 3857))) / (40075016.685578488 / 8192)) ty
           FROM :G WHERE geo_shape IS NOT NULL) t GROUP BY tx, ty) s), true);
INSERT INTO conf VALUES (74, 'group_by: geo_cluster at zoom 0 and a field, ordered by count',
  opendata_api.records('conf-arbres', fields => 'genre, w, count(*) as n', group_by => 'genre, geo_cluster(geo_point, 0) as w', order_by => 'n desc, genre', rows => 5),
  (SELECT json_agg(json_build_object('genre', genre, 'w', ST_AsGeoJSON(w, 7)::json, 'n', n) ORDER BY n DESC, genre)
     FROM (SELECT genre, ST_Centroid(ST_Collect(geo_point)) w, count(*) n FROM :A
            WHERE genre IS NOT NULL AND geo_point IS NOT NULL GROUP BY genre ORDER BY n DESC, genre LIMIT 5) s), true);

-- order_by -----------------------------------------------------------------
INSERT INTO conf VALUES (80, 'order_by: field desc, tiebreak, rows and start',
  opendata_api.records('conf-communes', fields => 'com, ptot', order_by => 'ptot desc, com', rows => 10, start => 5),
  (SELECT json_agg(json_build_object('com', com, 'ptot', ptot) ORDER BY ptot DESC, com) FROM
     (SELECT com, ptot FROM :C ORDER BY ptot DESC NULLS LAST, com LIMIT 10 OFFSET 5) s), true,
  (SELECT count(*) FROM :C));
INSERT INTO conf VALUES (81, 'order_by: asc default, on an alias',
  opendata_api.records('conf-communes', fields => 'com as nom, codcom', "where" => 'coddep = "2A"', order_by => 'nom, codcom', rows => 200),
  (SELECT json_agg(json_build_object('nom', com, 'codcom', codcom) ORDER BY com, codcom) FROM :C WHERE coddep = '2A'), true);
INSERT INTO conf VALUES (82, 'order_by: aggregate desc',
  opendata_api.records('conf-arbres', fields => 'genre, count(*) as n', group_by => 'genre', order_by => 'count(*) desc, genre', rows => 5),
  (SELECT json_agg(json_build_object('genre', genre, 'n', n) ORDER BY n DESC, genre) FROM
     (SELECT genre, count(*) n FROM :A WHERE genre IS NOT NULL GROUP BY genre ORDER BY n DESC, genre LIMIT 5) s), true);
INSERT INTO conf VALUES (83, 'order_by: aggregate alias',
  opendata_api.records('conf-communes', fields => 'coddep, sum(ptot) as pop', group_by => 'coddep', order_by => 'pop desc', rows => 10),
  (SELECT json_agg(json_build_object('coddep', coddep, 'pop', pop) ORDER BY pop DESC) FROM
     (SELECT coddep, sum(ptot) pop FROM :C GROUP BY coddep ORDER BY pop DESC LIMIT 10) s), true);
INSERT INTO conf VALUES (84, 'order_by: distance(geo, point) without select',
  opendata_api.records('conf-arbres', fields => 'idbase', order_by => 'distance(geo_point, geom''POINT(2.2945 48.8584)'')', rows => 10),
  (SELECT json_agg(json_build_object('idbase', idbase) ORDER BY d) FROM
     (SELECT idbase, ST_Distance(geo_point::geography, 'SRID=4326;POINT(2.2945 48.8584)'::geography) d FROM :A
       ORDER BY d NULLS LAST LIMIT 10) s), true);
INSERT INTO conf VALUES (85, 'order_by: range groups in natural order',
  opendata_api.records('conf-communes', fields => 'count(*) as n', group_by => 'range(ptot, 1000, 10000) as r', order_by => 'r desc', rows => 100),
  (SELECT json_agg(json_build_object('n', n) ORDER BY b DESC) FROM
     (SELECT CASE WHEN ptot < 1000 THEN 0 WHEN ptot < 10000 THEN 1 ELSE 2 END b, count(*) n FROM :C GROUP BY 1) s), true);
INSERT INTO conf VALUES (86, 'order_by: expression, nulls last',
  opendata_api.records('conf-arbres', fields => 'idbase, numero', order_by => 'numero desc, idbase', rows => 200),
  (SELECT json_agg(json_build_object('idbase', idbase, 'numero', numero) ORDER BY numero DESC NULLS LAST, idbase) FROM :A), true);

-- refine / exclude -------------------------------------------------------
INSERT INTO conf VALUES (90, 'refine: text value',
  opendata_api.records('conf-arbres', fields => 'idbase', refine => '{genre:Platanus}', rows => 200),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE genre = 'Platanus'), false,
  (SELECT count(*) FROM :A WHERE genre = 'Platanus'));
INSERT INTO conf VALUES (91, 'exclude: text value',
  opendata_api.records('conf-gares', fields => 'objectid', exclude => '{mode:Metro}', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE mode IS DISTINCT FROM 'Metro'), false,
  (SELECT count(*) FROM :G WHERE mode IS DISTINCT FROM 'Metro'));
INSERT INTO conf VALUES (92, 'refine: number and boolean',
  opendata_api.records('conf-gares', fields => 'objectid', refine => '{num_mod:2211,metro:true}', rows => 2000),
  (SELECT json_agg(json_build_object('objectid', objectid)) FROM :G WHERE num_mod = 2211 AND metro));
INSERT INTO conf VALUES (93, 'refine: datetime by year',
  opendata_api.records('conf-arbres', fields => 'idbase', refine => '{date_de_plantation:1860}', rows => 200),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE extract(year FROM date_de_plantation AT TIME ZONE 'UTC') = 1860));
INSERT INTO conf VALUES (94, 'refine: date by month',
  opendata_api.records('conf-arbres', fields => 'idbase', refine => '{date_de_la_deliberation:2017/04}', rows => 200),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE to_char(date_de_la_deliberation, 'YYYY-MM') = '2017-04'));
INSERT INTO conf VALUES (95, 'exclude: date by day',
  opendata_api.records('conf-arbres', fields => 'idbase', exclude => '{date_de_la_deliberation:2015/11/23}', rows => 200),
  (SELECT json_agg(json_build_object('idbase', idbase)) FROM :A WHERE date_de_la_deliberation IS DISTINCT FROM '2015-11-23'));
INSERT INTO conf VALUES (96, 'refine twice (AND), exclude, where together',
  opendata_api.records('conf-communes', fields => 'com', "where" => 'ptot > 2000', refine => '{codreg:11,coddep:78}', exclude => '{codarr:1}', rows => 2000),
  (SELECT json_agg(json_build_object('com', com)) FROM :C
    WHERE ptot > 2000 AND codreg = '11' AND coddep = '78' AND codarr IS DISTINCT FROM '1'));

-- datetimes in a time zone -----------------------------------------------
SET timezone = 'Europe/Paris';
INSERT INTO conf VALUES (97, 'datetime output in the requested time zone',
  opendata_api.records('conf-arbres', fields => 'idbase, date_de_plantation', "where" => 'year(date_de_plantation) > 1900', timezone => 'Europe/Paris', rows => 200),
  -- The offset from extract(timezone), in seconds east of UTC: +HH:MM, or
  -- +00:09:21 before 1911 (the seconds of Paris mean time are kept).
  (SELECT json_agg(json_build_object('idbase', idbase, 'date_de_plantation',
                   to_char(date_de_plantation, 'YYYY-MM-DD"T"HH24:MI:SS')
                   || CASE WHEN tz < 0 THEN '-' ELSE '+' END
                   || lpad((abs(tz) / 3600)::text, 2, '0') || ':' || lpad((abs(tz) % 3600 / 60)::text, 2, '0')
                   || CASE WHEN abs(tz) % 60 <> 0 THEN ':' || lpad((abs(tz) % 60)::text, 2, '0') ELSE '' END))
     FROM :A, LATERAL (SELECT extract(timezone FROM date_de_plantation)::int AS tz) o
    WHERE extract(year FROM date_de_plantation) > 1900));
RESET timezone;

-- facets -----------------------------------------------------------------
INSERT INTO conf
SELECT 98, 'facets: value counts under a filter',
       json_build_object('results', (SELECT json_agg(json_build_object('name', f->>'name', 'count', (f->>'count')::int))
                                       FROM json_array_elements(r->'facets'->0->'facets') f)),
       (SELECT json_agg(json_build_object('name', genre, 'count', n)) FROM
          (SELECT genre, count(*) n FROM opendata_data."conf-arbres" WHERE hauteur_en_m > 25 AND genre IS NOT NULL GROUP BY genre) s)
  FROM opendata_api.facets('conf-arbres', facet => '{genre}', "where" => 'hauteur_en_m > 25') r;
INSERT INTO conf
SELECT 99, 'facets: two facets, refine and exclude (excluded value listed)',
       json_build_object('results', (SELECT json_agg(json_build_object('facet', x->>'name', 'name', f->>'name',
                                                                       'count', (f->>'count')::int, 'state', f->>'state'))
                                       FROM json_array_elements(r->'facets') x, json_array_elements(x->'facets') f)),
       (SELECT json_agg(j) FROM (
          SELECT json_build_object('facet', 'mode', 'name', mode, 'count', count(*), 'state', 'displayed') j FROM opendata_data."conf-gares"
           WHERE exploitant = 'RATP' AND mode IS DISTINCT FROM 'Metro' AND mode IS NOT NULL GROUP BY mode
          UNION ALL
          SELECT json_build_object('facet', 'mode', 'name', 'Metro', 'count', NULL, 'state', 'excluded')
          UNION ALL
          SELECT json_build_object('facet', 'ligne', 'name', ligne, 'count', count(*), 'state', 'displayed') FROM opendata_data."conf-gares"
           WHERE exploitant = 'RATP' AND mode IS DISTINCT FROM 'Metro' AND ligne IS NOT NULL GROUP BY ligne) s)
  FROM opendata_api.facets('conf-gares', facet => '{mode,ligne}', refine => '{exploitant:RATP}', exclude => '{mode:Metro}') r;

-- The report: one row per query; rows returned pins that no check is
-- vacuous, total is null where not checked.
SELECT n, what, json_array_length(got->'results') AS rows, regress.same(got, want, ordered) AS same,
       CASE WHEN want_total IS NOT NULL THEN (got->>'total_count')::bigint = want_total END AS total
  FROM conf ORDER BY n;
SELECT count(*) AS queries, count(*) FILTER (WHERE regress.same(got, want, ordered)) AS matching FROM conf;

-- Keyset paging on the sample data.  An imported file has no key: no
-- token, and none accepted.  (The trees file cannot have one: it holds the
-- same tree twice.)
SELECT opendata_api.records('conf-gares', rows => 5)::jsonb ? 'next_after' AS keyless_has_token;
SELECT regress.error_of($$SELECT opendata_api.records('conf-gares', after => 'eyJ2IjoxfQ')$$);
-- Once the publisher declares the keys, walking every page by token gives
-- exactly the records of the walk by start, in the same order: nullable
-- sort fields, mixed directions, a two-field key.
SELECT s, opendata.set_metadata(s, jsonb_build_object('key', k)) IS NOT NULL AS keyed,
       opendata.publish(s)->>'version' AS version
  FROM (VALUES ('conf-gares', '["objectid"]'::jsonb), ('conf-communes', '["coddep", "codcom"]')) v(s, k);
SELECT ds, ord, page, t.pages, jsonb_array_length(t.records) AS walked,
       t.records = regress.offset_walk(ds, ord, page, filter, flds) AS same_as_offset_walk
  FROM (VALUES ('conf-gares', '', 100, NULL, 'objectid'),
               ('conf-gares', 'metro desc, x', 50, NULL, 'objectid, x'),
               ('conf-gares', 'idrefliga, y desc', 40, 'exploitant = "RATP"', 'objectid'),
               ('conf-gares', 'terrer desc, res_stif', 90, NULL, 'objectid'),
               ('conf-gares', 'mode desc, nom_gare', 64, NULL, 'objectid, nom_gare'),
               ('conf-communes', 'ptot desc', 2000, NULL, 'codcom, coddep'),
               ('conf-communes', 'reg, com desc', 997, 'ptot > 1000', 'codcom, coddep'))
       AS c(ds, ord, page, filter, flds),
       LATERAL regress.token_walk(ds, ord, page, filter, flds) t
 ORDER BY ds, ord;
RESET opendata.max_page_size;
