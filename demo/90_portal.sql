-- Step 10: the portal for people.  The role PostgREST logs in as, and the
-- pages the database answers (GET /rpc/portal, /rpc/dataset_page, ...:
-- docs/portal.md).  scripts/demo.sh passes the password of
-- demo/postgrest.conf; the demo cluster accepts it from 127.0.0.1 only.
\echo '-- The authenticator of demo/postgrest.conf: LOGIN NOINHERIT, may become opendata_anon only'
SELECT format('CREATE ROLE authenticator LOGIN NOINHERIT PASSWORD %L', :'authenticator_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') \gexec
GRANT opendata_anon TO authenticator;

\echo '-- The pages, as opendata_anon gets them (bytes of HTML)'
SET ROLE opendata_anon;
SELECT page, octet_length(html) AS bytes, (regexp_match(html, '<title>([^<]*)</title>'))[1] AS title
  FROM (VALUES
    ('/', opendata_api.portal()),
    ('/search?q=fibre', opendata_api.search_page('fibre')),
    ('/datasets/fibre-grand-paris-sud', opendata_api.dataset_page('fibre-grand-paris-sud')),
    ('/datasets/accessibilite-par-commune', opendata_api.dataset_page('accessibilite-par-commune')),
    ('/organizations/grand-paris-sud', opendata_api.organization_page('grand-paris-sud')),
    ('/reuses', opendata_api.reuses_page())) AS p(page, html);
RESET ROLE;
