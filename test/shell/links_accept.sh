#!/usr/bin/env bash
# Links that work without an Accept header (issue #17): every URL the
# portal advertises (the DCAT catalog and its pages, the distributions,
# the links of pages and of search and records results, TileJSON and its
# tiles, the OGC API links) answers its own media type with no Accept,
# with */*, with a browser's Accept and with its exact type, through nginx
# (deploy/nginx) and the PostgREST stand-in (test/postgrest/server.py,
# PostgREST v12's negotiation).  The URLs are collected from what the
# portal publishes (test/postgrest/test_links.py).
#
# LINKS_NGINX_PORT / LINKS_STAND_IN_PORT pick the HTTP ports (default:
# free ones).  KEEP_TMP=1 keeps the cluster directory.
source "$(dirname "$0")/lib.sh"

ensure_packages python3-psycopg2
ensure_command nginx nginx

NGINX_PORT="${LINKS_NGINX_PORT:-}"
api_test_site links "${LINKS_TEST_PORT:-54381}"
psql_su -d "$DB" >/dev/null <<SQL
SELECT opendata.set_catalog('{"title": "Liens"}');
SELECT opendata.create_organization('ville', 'Ville');
CREATE TABLE public.arbres (id int PRIMARY KEY, espece text, hauteur float8, geom geometry(Point, 4326));
INSERT INTO public.arbres
SELECT g, 'espèce ' || g % 3, g * 1.5, ST_SetSRID(ST_MakePoint(2.3 + g / 100.0, 48.8 + g / 100.0), 4326)
  FROM generate_series(1, 20) g;
SELECT opendata.register('arbres', 'arbres', '{"title": "Arbres", "description": "Les arbres",
  "publisher": "ville", "license": "etalab-2.0"}');
CREATE TABLE public.budget (id int PRIMARY KEY, poste text, montant numeric);
INSERT INTO public.budget VALUES (1, 'voirie', 1000), (2, 'écoles', 2500);
SELECT opendata.register('budget', 'budget', '{"title": "Budget", "description": "Le budget",
  "publisher": "ville", "license": "etalab-2.0"}');
SELECT opendata.publish(s) FROM unnest(ARRAY['arbres', 'budget']) s;
SQL

stand_in_port=()
if [ -n "${LINKS_STAND_IN_PORT:-}" ]; then stand_in_port=(--port "$LINKS_STAND_IN_PORT"); fi
serve_api "$work" "$DB" links "${stand_in_port[@]}"

if PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$REPO_DIR/test/postgrest/test_links.py" --site "$SITE" \
     --dataset arbres --dataset budget --map-dataset arbres >"$work/links.out" 2>&1; then
  ok links_accept
  grep '^# ' "$work/links.out"
else
  not_ok links_accept "$(grep -v '^ok ' "$work/links.out" | head -60)"
fi
exit "$FAILED"
