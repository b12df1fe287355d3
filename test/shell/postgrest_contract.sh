#!/usr/bin/env bash
# The HTTP contract of the opendata_api schema, checked at the SQL level by
# test/postgrest/harness.py, which runs each request the way PostgREST does
# (see docs/postgrest.md).  Starts a throwaway cluster, installs the
# extension, creates the roles a deployment creates and a few small tables,
# then runs test/postgrest/test_contract.py, test_exports.py and
# test_cross.py, which print "ok N - ..." / "not ok N - ..." lines.
#
# Set KEEP_TMP=1 to keep the cluster directory (logs) after the run.
source "$(dirname "$0")/lib.sh"
ensure_packages python3-psycopg2

shell_test_cluster pgrst "${PGRST_TEST_PORT:-54341}"

# Clients run as whoever runs the test and connect over the socket in $dir
# with trust authentication: nothing here needs to be readable by postgres.
DB=contract
psql_su -d postgres -c "CREATE DATABASE $DB"
psql_su -d "$DB" >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;

-- What a deployment creates (docs/postgrest.md): the login role PostgREST
-- connects as, which switches to the role a request's JWT names.
CREATE ROLE authenticator LOGIN NOINHERIT;
CREATE ROLE pub_a NOLOGIN IN ROLE opendata_publisher;   -- acts for ville-a
CREATE ROLE pub_b NOLOGIN IN ROLE opendata_publisher;   -- acts for ville-b
GRANT opendata_anon, opendata_publisher, opendata_admin, pub_a, pub_b TO authenticator;
ALTER ROLE opendata_anon SET statement_timeout = '10s';
-- A per-role limit on the JWT role itself (docs/security.md): PostgREST
-- applies the settings of the role it switches to.
ALTER ROLE pub_b SET opendata.max_page_size = 2;
-- A reader role with a short statement_timeout of its own.
CREATE ROLE hasty NOLOGIN IN ROLE opendata_anon;
GRANT hasty TO authenticator;
ALTER ROLE hasty SET statement_timeout = '200ms';

SELECT opendata.create_organization('ville-a', 'Ville A', '{"homepage": "https://ville-a.example"}');
SELECT opendata.create_organization('ville-b', 'Ville B');
SELECT opendata.add_member('ville-a', 'pub_a');
SELECT opendata.add_member('ville-b', 'pub_b');

-- Source tables, owned by the publishers who register them.
CREATE TABLE public.arbres (
  id int PRIMARY KEY,
  espece text NOT NULL,
  hauteur numeric,
  commune text,
  note_interne text,
  geom geometry(Point, 4326)
);
INSERT INTO public.arbres VALUES
  (1, 'Platanus x hispanica', 32.5, 'Paris', 'à élaguer', 'SRID=4326;POINT(2.35 48.85)'),
  (2, 'Quercus robur', 24, 'Lyon', NULL, 'SRID=4326;POINT(4.83 45.76)'),
  (3, 'Ginkgo biloba', 18.2, 'Paris', 'classé', 'SRID=4326;POINT(2.34 48.86)'),
  (4, 'Cedrus libani', NULL, 'Nantes', NULL, NULL);
ALTER TABLE public.arbres OWNER TO pub_a;

CREATE TABLE public.chantiers (id int PRIMARY KEY, adresse text);
INSERT INTO public.chantiers VALUES (1, '1 rue de la Paix');
ALTER TABLE public.chantiers OWNER TO pub_a;

CREATE TABLE public.agents (id int PRIMARY KEY, service text, effectif int);
INSERT INTO public.agents VALUES (1, 'voirie', 12), (2, 'espaces verts', 30);
ALTER TABLE public.agents OWNER TO pub_a;

CREATE TABLE public.parkings (id int PRIMARY KEY, nom text, places int);
INSERT INTO public.parkings VALUES (1, 'Gare', 400), (2, 'Centre', 250);
ALTER TABLE public.parkings OWNER TO pub_b;
SQL

# Then the exports (test_exports.py: media types, Accept negotiation) and the
# ad hoc crossings (test_cross.py: /rpc/cross and /rpc/near), on the same
# cluster; all three always run.
rc=0
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$REPO_DIR/test/postgrest/test_contract.py" --host "$dir" --port "$PORT" --dbname "$DB" || rc=1
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$REPO_DIR/test/postgrest/test_exports.py" --host "$dir" --port "$PORT" --dbname "$DB" || rc=1
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$REPO_DIR/test/postgrest/test_cross.py" --host "$dir" --port "$PORT" --dbname "$DB" || rc=1
# The stand-in's pretty URLs (make demo without nginx): no database needed.
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$REPO_DIR/test/postgrest/test_pretty_urls.py" || rc=1
exit "$rc"
