-- Step 6: exports, as GET /rpc/export_csv (and geojson, jsonl) serve them,
-- streamed by the C++ writers, with the same filtering context as records.
SET ROLE opendata_anon;
\echo '-- GET /rpc/export_csv?dataset=gares&fields=nom_gare,mode,ligne&where=tramway&order_by=nom_gare&rows=5 (Accept: text/csv)'
SELECT opendata_api.export_csv('gares', fields => 'nom_gare, mode, ligne', "where" => 'tramway',
                               order_by => 'nom_gare', rows => 5,
                               options => '{"bom": false, "line_ending": "lf"}') AS csv;
\echo '-- GET /rpc/export_geojson?dataset=arbres-remarquables&fields=libelle_francais,hauteur_en_m,geo_point&where=hauteur_en_m >= 40&options={"precision": 5}'
SELECT jsonb_pretty(opendata_api.export_geojson('arbres-remarquables',
         fields => 'libelle_francais, hauteur_en_m, geo_point', "where" => 'hauteur_en_m >= 40',
         options => '{"precision": 5}')::jsonb) AS geojson;
\echo '-- GET /rpc/export_jsonl?dataset=populations-legales&fields=com,ptot&refine=coddep:91&order_by=ptot desc&rows=3'
SELECT opendata_api.export_jsonl('populations-legales', fields => 'com, ptot', refine => '{coddep:91}',
                                 order_by => 'ptot desc', rows => 3) AS jsonl;
RESET ROLE;
\echo '-- Any size, in chunks of about 64 KB for COPY: the whole populations file as CSV'
SELECT count(*) AS chunks, sum(octet_length(c)) AS bytes
  FROM opendata.export_chunks('populations-legales', 'csv') c;
\echo '-- The DCAT distributions a published dataset lists'
SELECT format, media_type, download_url FROM opendata.distributions
 WHERE dataset_id = (SELECT id FROM opendata.datasets WHERE slug = 'gares') ORDER BY format;
