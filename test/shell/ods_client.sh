#!/usr/bin/env bash
# Opendatasoft Explore API v2.1 compatibility with Opendatasoft's own
# JavaScript client: npm @opendatasoft/api-client (test/ods-client/ods.mjs)
# queries the portal through Debian's nginx with the shipped configuration
# (deploy/nginx/locations/ods.conf) in front of the PostgREST stand-in
# (test/postgrest/server.py), and each answer is compared here with
# records(), facets(), search() and the exports called in SQL as the
# anonymous role.  Prints "ok NAME" / "not ok NAME" lines.
#
# Set KEEP_TMP=1 to keep the cluster directory (logs, nginx config, answers).
source "$(dirname "$0")/lib.sh"

if [ ! -f "$REPO_DIR/test/postgrest/server.py" ]; then
  echo "ok ods_client # SKIP test/postgrest/server.py (the PostgREST stand-in) is absent"
  exit 0
fi
ensure_packages python3-psycopg2 nginx
ensure_command node nodejs
ensure_command npm npm

api_test_site ods "${ODS_TEST_PORT:-54372}"

# npm dependencies (versions pinned by test/ods-client/package-lock.json).
if (cd "$REPO_DIR/test/ods-client" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  ok "ods_client_npm_ci"
else
  not_ok "ods_client_npm_ci"; exit 1
fi

psql_su -d "$DB" >/dev/null <<SQL
SELECT opendata.create_organization('ods', 'ODS');

CREATE TABLE public.trees (id int PRIMARY KEY, name text NOT NULL, height int, kind text,
                           planted date, geom geometry(Point, 4326));
INSERT INTO public.trees
SELECT g, 'tree ' || g, g % 37, (ARRAY['oak', 'elm', 'ash'])[g % 3 + 1], date '2020-01-01' + g % 700,
       ST_SetSRID(ST_MakePoint(2 + (g % 150) / 1000.0, 48.7 + (g / 150) / 1000.0), 4326)
  FROM generate_series(1, 2345) g;
SELECT opendata.register('trees', 'trees', '{"title": "Arbres", "description": "Les arbres", "publisher": "ods",
                                             "themes": ["ENVI"], "keywords": ["arbres"]}');
SELECT opendata.describe_field('trees', 'kind', '{"label": "Espèce", "facet": true}');
SELECT opendata.describe_field('trees', 'name', '{"label": "Nom"}');

CREATE TABLE public.budget (id int PRIMARY KEY, amount int);
INSERT INTO public.budget VALUES (1, 10), (2, 20);
SELECT opendata.register('budget', 'budget', '{"title": "Budget", "description": "Le budget", "publisher": "ods"}');
CREATE TABLE public.drafts (id int PRIMARY KEY);
SELECT opendata.register('drafts', 'drafts', '{"title": "Brouillon", "description": "Brouillon", "publisher": "ods"}');
SELECT opendata.publish(s) FROM unnest(ARRAY['trees', 'budget']) s;
SQL

serve_api "$work" "$DB" ods_client

if node "$REPO_DIR/test/ods-client/ods.mjs" "$SITE" "$work/answers.json" >"$work/node.out" 2>&1; then
  ok "ods_client_queries # $(cat "$work/node.out")"
else
  not_ok ods_client_queries "$(cat "$work/node.out")"; exit 1
fi

# Each answer against SQL, as the anonymous role.
psql_su -d "$DB" -At -F ' '  -v file="$work/answers.json" -v site="$SITE" >"$work/compare.out" 2>&1 <<'SQL'
\set answers `cat :'file'`
SET ROLE opendata_anon;
WITH a AS (SELECT :'answers'::jsonb AS j)
SELECT c.name, CASE WHEN c.same THEN 'same' ELSE 'DIFFERENT ' || coalesce(c.got::text, 'null') END
  FROM a, LATERAL (VALUES
  ('catalog', (SELECT jsonb_agg(r ->> 'dataset_id') FROM jsonb_array_elements(a.j -> 'catalog' -> 'results') r)
              = (SELECT jsonb_agg(r ->> 'dataset_id') FROM jsonb_array_elements(opendata_api.search(rows => 10)::jsonb -> 'results') r)
              AND a.j -> 'catalog' -> 'total_count' = opendata_api.search(rows => 0)::jsonb -> 'total_count',
   a.j -> 'catalog'),
  ('catalog_search', a.j -> 'catalog_search' = '{"total_count": 1, "results": [{"dataset_id": "trees", "has_records": true}]}'
                     AND (opendata_api.search('arbres')::jsonb -> 'total_count')::int = 1,
   a.j -> 'catalog_search'),
  ('catalog_refine', (SELECT jsonb_agg(r ->> 'dataset_id') FROM jsonb_array_elements(a.j -> 'catalog_refine' -> 'results') r)
                     = '["trees", "budget"]'
                     AND (SELECT jsonb_agg(r ->> 'dataset_id') FROM jsonb_array_elements(opendata_api.search(refine => '{publisher:ods}', order_by => 'title asc')::jsonb -> 'results') r)
                     = '["trees", "budget"]',
   a.j -> 'catalog_refine'),
  ('catalog_facets', a.j -> 'catalog_facets' -> 'facets'
                     = opendata_api.search(facet => '{publisher,theme}', rows => 0)::jsonb -> 'facets',
   a.j -> 'catalog_facets'),
  ('dataset', a.j -> 'dataset' = opendata_api.ods_dataset('trees')::jsonb
              AND a.j -> 'dataset' -> 'features' ? 'geo' AND (a.j -> 'dataset' ->> 'has_records')::boolean
              AND a.j -> 'dataset' -> 'metas' -> 'default' ->> 'title' = 'Arbres'
              AND (SELECT jsonb_agg(f ->> 'label') FROM jsonb_array_elements(a.j -> 'dataset' -> 'fields') f)
                  = '["id", "Nom", "height", "Espèce", "planted", "geom"]',
   a.j -> 'dataset'),
  -- (The keyset token is bound to the request's text, which the client
  -- writes its own way: `kind` quoted.  It must be there; the rest equal.)
  ('records', (a.j -> 'records') - 'next_after'
              = opendata_api.records('trees', 'id, name, height', 'kind = "oak" and height > 20',
                                     order_by => 'height desc, id', rows => 20, start => 5)::jsonb - 'links' - 'next_after'
              AND a.j -> 'records' ? 'next_after'
              AND jsonb_array_length(a.j -> 'records' -> 'results') = 20,
   a.j -> 'records'),
  ('records_group', a.j -> 'records_group' = opendata_api.records('trees', 'kind, count(*) as n, avg(height) as h',
                                                                  group_by => 'kind', order_by => 'kind')::jsonb - 'links',
   a.j -> 'records_group'),
  ('records_refine', a.j -> 'records_refine' = opendata_api.records('trees', 'id', order_by => 'id', rows => 100,
                                                                    refine => '{kind:elm}', exclude => '{height:3}')::jsonb - 'links'
                     AND (a.j -> 'records_refine' ->> 'total_count')::int
                         = (SELECT count(*) FROM public.trees WHERE kind = 'elm' AND height <> 3),
   a.j -> 'records_refine'),
  ('records_default', a.j -> 'records_default' = opendata_api.records('trees')::jsonb - 'links', a.j -> 'records_default'),
  ('record', a.j -> 'record' = opendata_api.records('trees', refine => '{id:42}')::jsonb -> 'results' -> 0
             AND a.j -> 'record' ->> 'name' = 'tree 42',
   a.j -> 'record'),
  ('facets', a.j -> 'facets' = opendata_api.facets('trees', '{kind}', 'height > 30')::jsonb, a.j -> 'facets'),
  ('facets_refine', a.j -> 'facets_refine' = opendata_api.facets('trees', '{kind}', refine => '{kind:ash}')::jsonb,
   a.j -> 'facets_refine'),
  ('export_json', a.j -> 'export_json' = opendata_api.export_json('trees', 'id, kind', 'id <= 5', order_by => 'id')::jsonb,
   a.j -> 'export_json'),
  ('export_csv', a.j -> 'export_csv' ->> 'body' = opendata_api.export_csv('trees', 'id, name', 'id <= 3', order_by => 'id',
                   options => '{"delimiter": ",", "bom": false, "header": "label"}')
                 AND a.j -> 'export_csv' ->> 'body' LIKE E'id,Nom\r\n1,tree 1\r\n%'
                 AND a.j -> 'export_csv' ->> 'type' LIKE 'text/csv%',
   a.j -> 'export_csv'),
  -- The whole dataset, exactly its rows.
  ('export_geojson', (SELECT array_agg((f -> 'properties' ->> 'id')::int ORDER BY (f -> 'properties' ->> 'id')::int)
                        FROM jsonb_array_elements((a.j -> 'export_geojson' ->> 'body')::jsonb -> 'features') f)
                     = (SELECT array_agg(id ORDER BY id) FROM public.trees)
                     AND a.j -> 'export_geojson' ->> 'type' LIKE 'application/geo+json%',
   a.j -> 'export_geojson' -> 'type'),
  ('error_syntax', a.j -> 'error_syntax' ->> 'error_code' = 'ODSQLError', a.j -> 'error_syntax'),
  ('error_field', a.j -> 'error_field' ->> 'error_code' = 'ODSQLError'
                  AND a.j -> 'error_field' ->> 'message' LIKE '%nope%', a.j -> 'error_field'),
  ('error_dataset', a.j -> 'error_dataset' ->> 'error_code' = 'NotFound', a.j -> 'error_dataset'),
  ('error_record', a.j -> 'error_record' ->> 'error_code' = 'NotFound', a.j -> 'error_record'),
  ('error_draft', a.j -> 'error_draft' ->> 'error_code' = 'NotFound', a.j -> 'error_draft'),
  ('urls', (SELECT bool_and(u LIKE :'site' || '/api/explore/v2.1/catalog/%')
              FROM jsonb_array_elements_text(a.j -> 'urls') u)
           AND jsonb_array_length(a.j -> 'urls') >= 20,
   a.j -> 'urls')
  ) AS c(name, same, got);
SQL
if [ ! -s "$work/compare.out" ] || grep -q ERROR "$work/compare.out"; then
  not_ok ods_client_compare "$(cat "$work/compare.out")"
else
  while read -r name verdict; do
    if [ "$verdict" = same ]; then ok "ods_client_$name"; else not_ok "ods_client_$name" "$verdict"; fi
  done <"$work/compare.out"
fi
