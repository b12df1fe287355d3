#!/usr/bin/env bash
# The DCAT-AP catalog passes SEMIC's SHACL shapes.  On a throwaway cluster:
# the extension, two organizations, three published datasets with full
# metadata (one derived from the other two) and a draft; the catalog is
# exported as anon in Turtle, RDF/XML and JSON-LD, then test/shacl/validate.mjs
# (rdf-validate-shacl, n3, jsonld, rdfxml-streaming-parser, installed here
# with npm) checks that the three parse, hold the same triples count, and
# raise no violation or warning from shapes.ttl, shapes_recommended.ttl and
# range.ttl, and no violation from mdr-vocabularies.shape.ttl.  Also checks
# Hydra paging and the draft's absence.  Prints "ok NAME" / "not ok NAME".
#
# Set KEEP_TMP=1 to keep the cluster directory and the exported files.
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster dcat "${DCAT_TEST_PORT:-54351}"

conn=(-h "$dir" -p "$PORT" -U postgres -d postgres)
psql_q() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" "$@"; }
as_anon() {  # as_anon SQL: the result, unaligned, as PostgREST's anon role
  PGOPTIONS="$PGOPTIONS -c role=opendata_anon" "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "${conn[@]}" -c "$1"
}


psql_q >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE ROLE dcat_pub NOLOGIN IN ROLE opendata_publisher;
SELECT opendata.create_organization('ville-de-lyon', 'Ville de Lyon',
  '{"homepage": "https://www.lyon.fr", "email": "opendata@lyon.fr",
    "type_uri": "http://purl.org/adms/publishertype/LocalAuthority"}');
SELECT opendata.create_organization('metropole-de-lyon', 'Métropole de Lyon',
  '{"homepage": "https://www.grandlyon.com", "type_uri": "http://purl.org/adms/publishertype/RegionalAuthority"}');
SELECT opendata.add_member('ville-de-lyon', 'dcat_pub');
SELECT opendata.add_member('metropole-de-lyon', 'dcat_pub');
SELECT opendata.set_catalog('{"title": "Données ouvertes de Lyon", "description": "Le portail open data de la Ville et de la Métropole de Lyon.",
                              "homepage": "https://data.lyon.example", "base_url": "https://data.lyon.example/api",
                              "publisher": "ville-de-lyon", "license": "etalab-2.0", "language": "fr"}');

CREATE TABLE public.arbres (id int PRIMARY KEY, espece text, hauteur numeric, geom geometry(Point, 4326));
INSERT INTO public.arbres VALUES (1, 'Platanus x hispanica', 32.5, 'SRID=4326;POINT(4.83 45.76)'),
                                 (2, 'Ginkgo biloba', 18, 'SRID=4326;POINT(4.85 45.75)');
CREATE TABLE public.quartiers (code text PRIMARY KEY, nom text, geom geometry(MultiPolygon, 4326));
INSERT INTO public.quartiers VALUES ('1', 'Presqu''île', 'SRID=4326;MULTIPOLYGON(((4.82 45.75, 4.84 45.75, 4.84 45.77, 4.82 45.77, 4.82 45.75)))');
CREATE TABLE public.arbres_par_quartier AS
  SELECT q.code, q.nom, count(a.id) AS arbres FROM quartiers q LEFT JOIN arbres a ON ST_Contains(q.geom, a.geom) GROUP BY 1, 2;
ALTER TABLE public.arbres_par_quartier ADD PRIMARY KEY (code);
CREATE TABLE public.brouillon (id int PRIMARY KEY, secret text);
ALTER TABLE public.arbres OWNER TO dcat_pub;
ALTER TABLE public.quartiers OWNER TO dcat_pub;
ALTER TABLE public.arbres_par_quartier OWNER TO dcat_pub;
ALTER TABLE public.brouillon OWNER TO dcat_pub;

SET ROLE dcat_pub;
SELECT opendata.register('arbres', 'arbres-alignement', $${
  "title": "Arbres d'alignement", "description": "Les arbres d'alignement des voies : espèce, hauteur & position <GPS>.",
  "publisher": "ville-de-lyon", "themes": ["ENVI", "REGI"], "keywords": ["arbre", "végétation", "patrimoine"],
  "license": "ODbL-1.0", "contact_point": {"name": "Direction des espaces verts", "email": "espaces.verts@lyon.fr"},
  "landing_page": "https://data.lyon.example/arbres", "language": ["fr", "en"],
  "spatial": {"label": "Lyon", "bbox": [4.77, 45.70, 4.90, 45.81]},
  "temporal": {"start": "2010-01-01", "end": "2024-12-31"}, "accrual_periodicity": "annual",
  "attributions": "Ville de Lyon, Direction des espaces verts"}$$);
SELECT opendata.register('quartiers', 'quartiers', $${
  "title": "Quartiers de Lyon", "description": "Contours des quartiers administratifs.",
  "publisher": "metropole-de-lyon", "themes": ["REGI"], "keywords": ["quartier", "limites administratives"],
  "license": "etalab-2.0", "contact_point": {"name": "Service SIG", "email": "sig@grandlyon.com", "url": "https://www.grandlyon.com/sig"},
  "spatial": {"label": "Lyon", "bbox": [4.77, 45.70, 4.90, 45.81]},
  "temporal": {"start": "2015-01-01", "end": "2025-01-01"}, "accrual_periodicity": "irreg"}$$);
SELECT opendata.register('arbres_par_quartier', 'arbres-par-quartier', $${
  "title": "Nombre d'arbres par quartier", "description": "Croisement des arbres d'alignement et des quartiers.",
  "publisher": "ville-de-lyon", "themes": ["ENVI"], "keywords": ["arbre", "quartier"],
  "license": "CC-BY-4.0", "contact_point": "opendata@lyon.fr",
  "spatial": {"label": "Lyon", "uri": "https://sws.geonames.org/2996944/", "bbox": [4.77, 45.70, 4.90, 45.81]},
  "temporal": {"start": "2024-01-01", "end": "2024-12-31"}, "accrual_periodicity": "monthly"}$$);
SELECT opendata.register('brouillon', 'brouillon-secret', '{"title": "Brouillon secret", "publisher": "ville-de-lyon"}');
SELECT opendata.describe_field('arbres-alignement', 'hauteur', '{"label": "Hauteur", "unit": "m"}');
SELECT opendata.publish('arbres-alignement');
SELECT opendata.publish('quartiers');
SELECT opendata.publish('arbres-par-quartier');
RESET ROLE;
-- Lineage, as the crossing functions record it.
UPDATE opendata.datasets SET was_derived_from = '{"datasets": ["arbres-alignement", "quartiers"]}'
 WHERE slug = 'arbres-par-quartier';
SQL

work="$dir/export"
mkdir -p "$work"
as_anon "SELECT opendata_api.catalog_turtle()" >"$work/catalog.ttl"
as_anon "SELECT opendata_api.catalog_rdfxml()" >"$work/catalog.rdf"
as_anon "SELECT opendata_api.catalog_jsonld()" >"$work/catalog.jsonld"

check "catalog lists the published datasets, not the draft" "3" \
  "$(grep -c '^<https://data.lyon.example/api/datasets?dataset_id=eq.[a-z-]*> a dcat:Dataset' "$work/catalog.ttl")"
check "draft absent from the catalog" "0" "$(grep -c 'brouillon' "$work/catalog.ttl" || true)"
check "derived dataset has prov:wasDerivedFrom its two sources" "1" \
  "$(grep -c 'prov:wasDerivedFrom <https://data.lyon.example/api/datasets?dataset_id=eq.arbres-alignement>, <https://data.lyon.example/api/datasets?dataset_id=eq.quartiers>' "$work/catalog.ttl" || true)"
page2="$(as_anon "SELECT opendata_api.catalog_turtle(page => 2, page_size => 2)")"
if grep -q 'hydra:previous <https://data.lyon.example/api/rpc/catalog_turtle?page_size=2&page=1>' <<<"$page2" \
   && grep -q 'hydra:totalItems "3"' <<<"$page2" && ! grep -q 'hydra:next ' <<<"$page2" \
   && [ "$(grep -c ' a dcat:Dataset' <<<"$page2")" = 1 ]; then
  ok "hydra paging: page 2 of 2 has previous, no next, one dataset"
else
  not_ok "hydra paging: page 2 of 2 has previous, no next, one dataset" "$(grep hydra <<<"$page2" | head -5)"
fi
schema="$(as_anon "SELECT opendata_api.dataset_schema_org('arbres-par-quartier')")"
if jq -e '."@type" == "Dataset" and (.isBasedOn | length) == 2 and .spatialCoverage.geo.box != null' <<<"$schema" >/dev/null; then
  ok "schema.org Dataset JSON-LD"
else
  not_ok "schema.org Dataset JSON-LD" "$schema"
fi

# The validator and its npm packages, in a directory of the build tree
# reused between runs while package.json does not change.
node_dir="$REPO_DIR/build/shacl-node"
mkdir -p "$node_dir"
if ! cmp -s "$REPO_DIR/test/shacl/package.json" "$node_dir/package.json" || [ ! -d "$node_dir/node_modules" ]; then
  cp "$REPO_DIR/test/shacl/package.json" "$node_dir/package.json"
  if ! npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error >"$node_dir/npm.log" 2>&1; then
    not_ok "npm install of the SHACL validator" "$(tail -n 5 "$node_dir/npm.log")"
    exit 1
  fi
fi
cp "$REPO_DIR/test/shacl/validate.mjs" "$node_dir/validate.mjs"
node "$node_dir/validate.mjs" "$REPO_DIR/test/shacl" "$work/catalog.ttl" "$work/catalog.rdf" "$work/catalog.jsonld" \
  || FAILED=$((FAILED + 1))

[ "$FAILED" -eq 0 ]
