#!/usr/bin/env bash
# Upgrading from release 0.1.0 (docs/upgrades.md).  In a copy of PostgreSQL
# made inside the test's directory (so that two versions of opendata can be
# installed one after the other without touching the system's):
#   1. 0.1.0, built from its tag (or commit), installed; a catalog made with
#      it: organizations and members, a registered table published twice,
#      a draft, CSV and GeoJSON imports of data/, a published crossing, a
#      reuse, an attachment; what anon reads from the API recorded.
#   2. pg_dump of that database restored into a fresh cluster, still 0.1.0:
#      a dump restores into the version it was taken from (pg_dump writes
#      CREATE EXTENSION without a version).
#   3. The checkout (0.2.0) installed; ALTER EXTENSION opendata UPDATE in
#      both databases; the API answers as before (upgrade_answers.sql leaves
#      out, with the reason, what 0.2.0 changes on purpose); the new functions (pages,
#      tiles, OGC API) and the writers (refresh, publish, import, drop) work.
#   4. The definitions of every object of the extension compared with a
#      fresh 0.2.0 install (test/shell/upgrade_catalog.sql): any difference
#      fails.
# Prints "ok NAME" / "not ok NAME".  KEEP_TMP=1 keeps the directory;
# UPGRADE_OLD_BUILD=DIR uses an already built 0.1.0 tree instead of building.
source "$(dirname "$0")/lib.sh"
ensure_packages

# Release 0.1.0 (docs/upgrades.md): the tag when the clone has it, else the
# commit it names.
OLD_TAG=v0.1.0
OLD_COMMIT=1af7dd5
OLD_VERSION=0.1.0
NEW_VERSION="$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO_DIR/opendata.control")"

dir="$(owned_tmpdir upgrade)"
clusters=()
cleanup() {
  local c
  for c in "${clusters[@]+"${clusters[@]}"}"; do stop_cluster "$c"; done
  if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$dir"; else echo "# kept $dir" >&2; fi
}
trap cleanup EXIT

# --- A PostgreSQL of our own: the installed one, copied (Debian's layout,
# which finds its files relative to its binaries), without any opendata.
pg_lib="$(dirname "$("$PG_CONFIG" --bindir)")"       # .../usr/lib/postgresql/15
prefix="${pg_lib%/usr/lib/postgresql/*}"
root="$dir/pg"
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
cp -a "$pg_lib" "$root/usr/lib/postgresql/"
cp -a "$prefix/usr/share/postgresql/$PG_MAJOR" "$root/usr/share/postgresql/"
cp -a "$prefix/usr/include/postgresql" "$root/usr/include/"
chmod -R a+rX "$root"
PG_CONFIG="$root/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
PG_BINDIR="$("$PG_CONFIG" --bindir)"
rm -rf "$("$PG_CONFIG" --sharedir)"/extension/opendata[.-]* "$("$PG_CONFIG" --pkglibdir)"/opendata.so "$("$PG_CONFIG" --pkglibdir)"/opendata_gdal.so \
       "$("$PG_CONFIG" --pkglibdir)"/bitcode/opendata*

# --- 0.1.0, from git.
rev="$(git -C "$REPO_DIR" rev-parse -q --verify "$OLD_TAG^{commit}" 2>/dev/null \
       || git -C "$REPO_DIR" rev-parse -q --verify "$OLD_COMMIT^{commit}" 2>/dev/null || true)"
if [ -z "$rev" ] && [ -z "${UPGRADE_OLD_BUILD:-}" ]; then  # a shallow clone: fetch the release
  timeout 60 git -C "$REPO_DIR" fetch -q --unshallow 2>/dev/null || timeout 60 git -C "$REPO_DIR" fetch -q origin "$OLD_COMMIT" 2>/dev/null || true
  rev="$(git -C "$REPO_DIR" rev-parse -q --verify "$OLD_COMMIT^{commit}" 2>/dev/null || true)"
fi
old_src="${UPGRADE_OLD_BUILD:-$dir/opendata-$OLD_VERSION}"
if [ -z "${UPGRADE_OLD_BUILD:-}" ]; then
  mkdir -p "$old_src"
  if [ -n "$rev" ]; then
    git -C "$REPO_DIR" archive "$rev" | tar -x -C "$old_src"
  else
    # A clone without the history and no way to fetch it: the release's
    # source archive (git archive v0.1.0 -- Makefile opendata.control src),
    # kept for this case.
    rev="$REPO_DIR/test/upgrade/opendata-$OLD_VERSION.tar.xz"
    tar -xJ -C "$old_src" --strip-components=1 -f "$rev"
  fi
  log "building opendata $OLD_VERSION ($rev)"
fi
make -C "$old_src" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >"$dir/build-old.log" 2>&1 \
  && make -C "$old_src" -s PG_CONFIG="$PG_CONFIG" install >>"$dir/build-old.log" 2>&1 \
  || { not_ok "opendata $OLD_VERSION builds and installs" "$(tail -n 20 "$dir/build-old.log")"; exit 1; }
ok "opendata $OLD_VERSION builds and installs from ${rev:-$old_src}"

# --- Clusters (each its own socket directory) and clients.
new_cluster() {  # new_cluster NAME PORT
  mkdir -p "$dir/$1"; chmod 755 "$dir/$1"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir/$1"; fi
  start_cluster "$dir/$1" "$2"
  clusters+=("$dir/$1")
}
export PGOPTIONS="-c client_min_messages=warning"
port_a="${UPGRADE_TEST_PORT:-54360}"
port_b=$((port_a + 1))
new_cluster a "$port_a"
psql_to() {  # psql_to CLUSTER PORT DB [psql args...]: stops on the first error
  local c="$1" p="$2" db="$3"; shift 3
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/$c" -p "$p" -U postgres -d "$db" "$@"
}
qa() { psql_to a "$port_a" "$1" -At -c "$2" 2>&1 || true; }
qb() { psql_to b "$port_b" "$1" -At -c "$2" 2>&1 || true; }

# --- 1. A catalog made with 0.1.0.
cp "$REPO_DIR"/data/*.csv "$REPO_DIR"/data/*.geojson "$dir/a/"
psql_to a "$port_a" postgres -c "CREATE DATABASE portal"
psql_to a "$port_a" portal -v datadir="$dir/a" >"$dir/setup.log" 2>&1 <<'SQL' \
  || { not_ok "a catalog is made with $OLD_VERSION" "$(tail -n 20 "$dir/setup.log")"; exit 1; }
CREATE EXTENSION opendata CASCADE;
CREATE ROLE pub_a NOLOGIN IN ROLE opendata_publisher;
CREATE ROLE pub_b NOLOGIN IN ROLE opendata_publisher;
CREATE ROLE gone NOLOGIN IN ROLE opendata_publisher;
SELECT opendata.set_catalog('{"title": "Portail de test", "base_url": "https://data.example.org/api",
                              "homepage": "https://data.example.org", "license": "etalab-2.0"}');
SELECT opendata.create_organization('ville', 'Ville', '{"homepage": "https://ville.example"}');
SELECT opendata.create_organization('idfm', 'Île-de-France Mobilités', '{"homepage": "https://idfm.example"}');
SELECT opendata.add_member('ville', 'pub_a'), opendata.add_member('idfm', 'pub_b'),
       opendata.add_member('idfm', 'gone');
DROP ROLE gone;   -- its name stays among the members, as 0.1.0 stored names

-- The files, readable by the publishers that import them.
CREATE TABLE public.upload (name text PRIMARY KEY, data bytea);
INSERT INTO public.upload
SELECT f, pg_read_binary_file(:'datadir' || '/' || f)
  FROM unnest(ARRAY['idfm_emplacement_des_gares_idf.csv', 'communes_91_essonne.geojson']) f;
GRANT SELECT ON public.upload TO pub_a, pub_b;

-- A table of pub_a's, registered, described and published twice.
CREATE TABLE public.parkings (id int PRIMARY KEY, nom text, places int, note text,
                              geom geometry(Point, 2154));
INSERT INTO public.parkings VALUES
  (1, 'Gare', 400, 'interne', 'SRID=2154;POINT(652000 6862000)'),
  (2, 'Mairie', 80, NULL, 'SRID=2154;POINT(652500 6862500)'),
  (3, 'Marché', 120, NULL, NULL);
ALTER TABLE public.parkings OWNER TO pub_a;
CREATE TABLE public.brouillon (id int PRIMARY KEY, x text);
ALTER TABLE public.brouillon OWNER TO pub_a;

SET ROLE pub_a;
SELECT opendata.register('public.parkings', 'parkings', '{"title": "Parkings", "publisher": "ville",
  "description": "Les parkings de la ville.", "themes": ["TRAN"], "keywords": ["parking", "voiture"],
  "license": "ODbL-1.0", "contact_point": {"name": "Mobilité", "email": "mobilite@ville.example"}}');
SELECT opendata.describe_field('parkings', 'note', '{"hidden": true}');
SELECT opendata.describe_field('parkings', 'places', '{"label": "Places", "facet": true}');
SELECT opendata.publish('parkings');
INSERT INTO public.parkings VALUES (4, 'Stade', 300, NULL, 'SRID=2154;POINT(653000 6863000)');
SELECT opendata.publish('parkings');
SELECT opendata.add_attachment('parkings', 'Méthode', 'https://ville.example/parkings.pdf', 'application/pdf', 'Comment.');
SELECT opendata.register('public.brouillon', 'brouillon', '{"title": "Brouillon", "publisher": "ville"}');
SELECT opendata.import_geojson('communes-essonne', (SELECT data FROM public.upload WHERE name = 'communes_91_essonne.geojson'),
  '{"metadata": {"publisher": "ville", "title": "Communes de l''Essonne",
    "description": "Limites des communes.", "themes": ["REGI"], "license": "etalab-2.0"}}');
SELECT opendata.publish('communes-essonne');
SELECT opendata.import_csv('comptages', convert_to(E'site;jour;passages\nPont;2024-05-01;120\nQuai;2024-05-01;85\n', 'UTF8'),
  '{"metadata": {"publisher": "ville", "title": "Comptages", "description": "Passages de vélos."}}');
SELECT opendata.publish('comptages');
SET ROLE pub_b;
SELECT opendata.import_csv('gares', (SELECT data FROM public.upload WHERE name = 'idfm_emplacement_des_gares_idf.csv'),
  '{"metadata": {"publisher": "idfm"}}');
SELECT opendata.set_metadata('gares', '{"title": "Gares d''Île-de-France", "description": "Une ligne par gare et par ligne.",
  "themes": ["TRAN"], "keywords": ["gare", "métro"], "key": ["objectid"], "license": "ODbL-1.0"}');
SELECT opendata.describe_field('gares', 'mode', '{"label": "Mode", "facet": true}');
SELECT opendata.describe_field('gares', 'exploitant', '{"label": "Exploitant", "facet": true}');
SELECT opendata.publish('gares');
SELECT opendata.cross('gares-par-commune', 'communes-essonne', 'gares', 'contains',
                      '{"fields": [], "metadata": {"publisher": "idfm", "description": "Gares par commune."}}');
SELECT opendata.publish('gares-par-commune');
SELECT opendata.add_reuse('Carte des gares', 'https://carto.example/gares', 'visualisation',
                          ARRAY['gares', 'gares-par-commune'], 'Jeanne', 'Une carte.');
RESET ROLE;
SQL
ok "a catalog is made with $OLD_VERSION (imports, crossing, members, reuse)"

answers() {  # answers CLUSTER PORT DB FILE: what anon reads (test/shell/upgrade_answers.sql), errors included
  psql_to "$1" "$2" "$3" -v ON_ERROR_STOP=0 -f "$REPO_DIR/test/shell/upgrade_answers.sql" >"$4" 2>&1 || true
}
answers a "$port_a" portal "$dir/answers-old.txt"
if grep -q ERROR "$dir/answers-old.txt"; then
  not_ok "anon reads the $OLD_VERSION API" "$(grep ERROR "$dir/answers-old.txt" | head -n 5)"
else
  ok "anon reads the $OLD_VERSION API ($(wc -l <"$dir/answers-old.txt") answers recorded)"
fi

# --- 2. The dump, restored into a fresh cluster (roles first: they are the
# cluster's), while 0.1.0 is what is installed.
"$PG_BINDIR/pg_dump" -h "$dir/a" -p "$port_a" -U postgres -Fc -f "$dir/portal.dump" portal
"$PG_BINDIR/pg_dumpall" -h "$dir/a" -p "$port_a" -U postgres --roles-only -f "$dir/roles.sql"
new_cluster b "$port_b"
# (One error expected and ignored: role "postgres" already exists.)
"$PG_BINDIR/psql" -X -q -h "$dir/b" -p "$port_b" -U postgres -d postgres -f "$dir/roles.sql" >/dev/null 2>&1 || true
psql_to b "$port_b" postgres -c "CREATE DATABASE portal"
restore_rc=0
"$PG_BINDIR/pg_restore" -h "$dir/b" -p "$port_b" -U postgres -d portal "$dir/portal.dump" \
  >"$dir/restore.log" 2>&1 || restore_rc=$?
if [ "$restore_rc" -eq 0 ] && [ ! -s "$dir/restore.log" ]; then
  ok "the $OLD_VERSION dump restores into a fresh cluster"
else
  not_ok "the $OLD_VERSION dump restores into a fresh cluster" "exit status $restore_rc" "$(head -n 20 "$dir/restore.log")"
fi
answers b "$port_b" portal "$dir/answers-restored-old.txt"
same_answers() {  # same_answers NAME EXPECTED_FILE ACTUAL_FILE
  if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff "$2" "$3" | cut -c 1-300 | head -n 20)"; fi
}
same_answers "the restored $OLD_VERSION database answers as the original" "$dir/answers-old.txt" "$dir/answers-restored-old.txt"

# --- 3. This checkout installed, both databases updated.
log "building opendata $NEW_VERSION into the test's PostgreSQL"
make -C "$REPO_DIR" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >"$dir/build-new.log" 2>&1 \
  && make -C "$REPO_DIR" -s PG_CONFIG="$PG_CONFIG" install >>"$dir/build-new.log" 2>&1 \
  || { not_ok "opendata $NEW_VERSION builds and installs" "$(tail -n 20 "$dir/build-new.log")"; exit 1; }
# Between the install and the update, 0.1.0's definitions meet 0.2.0's
# library: the C functions whose arguments changed refuse the call.
sqlstate_a() {  # sqlstate_a SQL: the SQLSTATE the statement raises in cluster a, if any
  psql_to a "$port_a" portal -c '\set VERBOSITY sqlstate' -c "$1" 2>&1 >/dev/null | sed -n 's/^.*\([0-9A-Z]\{5\}\)$/\1/p' || true
}
check "before the update, import_csv() on $OLD_VERSION's definitions is refused (55000)" "55000" \
  "$(sqlstate_a "SET ROLE pub_a; SELECT opendata.import_csv('essai', convert_to(E'a;b\\n1;2\\n', 'UTF8'))")"
check "before the update, sniff_csv() on $OLD_VERSION's definitions is refused (55000)" "55000" \
  "$(sqlstate_a "SELECT opendata.sniff_csv(convert_to(E'a;b\\n1;2\\n', 'UTF8'))")"

for c in a b; do
  if [ "$c" = a ]; then p="$port_a"; else p="$port_b"; fi
  out="$(psql_to "$c" "$p" portal -c "ALTER EXTENSION opendata UPDATE" 2>&1)" && rc=0 || rc=$?
  check "ALTER EXTENSION opendata UPDATE succeeds ($c)" "0" "$rc"
  check "the update warns of the member whose role was dropped ($c)" \
    "WARNING:  removing organization members whose role no longer exists: gone (idfm)" "$out"
  check "the extension is at $NEW_VERSION after the update ($c)" "$NEW_VERSION $NEW_VERSION" \
    "$(psql_to "$c" "$p" portal -At -c "SELECT extversion || ' ' || opendata.version() FROM pg_extension WHERE extname = 'opendata'" 2>&1)"
done
check "the member whose role was dropped is gone; the others stay" "idfm:pub_b ville:pub_a" \
  "$(qa portal "SELECT string_agg(o.slug || ':' || m.member::text, ' ' ORDER BY o.slug) FROM opendata.organization_members m JOIN opendata.organizations o ON o.id = m.organization_id")"

answers a "$port_a" portal "$dir/answers-updated.txt"
answers b "$port_b" portal "$dir/answers-restored-updated.txt"
same_answers "anon reads the same API answers after the update" "$dir/answers-old.txt" "$dir/answers-updated.txt"
same_answers "anon reads the same API answers in the restored database after the update" \
  "$dir/answers-old.txt" "$dir/answers-restored-updated.txt"

# The other way to a 0.2.0 server (docs/upgrades.md): update, then dump and
# restore 0.2.0 into a fresh database of a server that has only 0.2.0.
"$PG_BINDIR/pg_dump" -h "$dir/a" -p "$port_a" -U postgres -Fc -f "$dir/portal-updated.dump" portal
psql_to b "$port_b" postgres -c "CREATE DATABASE portal_updated"
restore_rc=0
"$PG_BINDIR/pg_restore" -h "$dir/b" -p "$port_b" -U postgres -d portal_updated "$dir/portal-updated.dump" \
  >"$dir/restore-updated.log" 2>&1 || restore_rc=$?
check "the updated database dumps and restores into a fresh $NEW_VERSION database" "0 " \
  "$restore_rc $(head -n 5 "$dir/restore-updated.log")"
answers b "$port_b" portal_updated "$dir/answers-restored-from-updated.txt"
same_answers "which answers as $OLD_VERSION did" "$dir/answers-old.txt" "$dir/answers-restored-from-updated.txt"

# The new functions, as anon, on the data 0.1.0 made.
for c in a b; do
  if [ "$c" = a ]; then q=qa; else q=qb; fi
  check "portal() lists the datasets ($c)" "t t" \
    "$($q portal "SET ROLE opendata_anon; SELECT p LIKE '%Gares d&#39;Île-de-France%', p LIKE '%Parkings%' FROM opendata_api.portal() p" | tr '|' ' ')"
  check "dataset_page() shows a dataset made by $OLD_VERSION ($c)" "t" \
    "$($q portal "SET ROLE opendata_anon; SELECT opendata_api.dataset_page('gares') LIKE '%Une ligne par gare%'")"
  check "tile() draws the stations of Paris ($c)" "t" \
    "$($q portal "SET ROLE opendata_anon; SELECT length(opendata_api.tile('gares', 10, 518, 352)) > 100")"
  check "tilejson() describes the imported GeoJSON ($c)" "Communes de l'Essonne" \
    "$($q portal "SET ROLE opendata_anon; SELECT opendata_api.tilejson('communes-essonne')->>'name'")"
  check "OGC API lists the published geometries ($c)" "communes-essonne,gares,gares-par-commune,parkings" \
    "$($q portal "SET ROLE opendata_anon; SELECT string_agg(c->>'id', ',' ORDER BY c->>'id') FROM json_array_elements(opendata_api.ogc_collections()->'collections') c")"
done

# The writers, on what 0.1.0 made.
check "refresh() recomputes the crossing 0.1.0 made" "$(qa portal "SELECT count(*) FROM opendata_data.\"gares-par-commune\"") 2" \
  "$(qa portal "SET ROLE pub_b; SELECT r->>'rows', r->>'version' FROM opendata.refresh('gares-par-commune') r" | tr '|' ' ')"
check "publish() replaces the API view 0.1.0 made (a new column)" "3 t" \
  "$(qa portal "ALTER TABLE public.parkings ADD COLUMN payant boolean DEFAULT true; SET ROLE pub_a; SELECT opendata.publish('parkings')->>'version'; SELECT bool_and(payant) FROM opendata_api.parkings" | tr '\n' ' ' | sed 's/ $//')"
check "a replace import reloads a table 0.1.0 imported" "3 Pont,Quai,Rive" \
  "$(qa portal "SET ROLE pub_a; SELECT opendata.import_csv('comptages', convert_to(E'site;jour;passages\\nPont;2024-05-02;110\\nQuai;2024-05-02;90\\nRive;2024-05-02;12\\n', 'UTF8'), '{\"mode\": \"replace\"}')->>'rows_loaded'; SET ROLE opendata_anon; SELECT string_agg(site, ',' ORDER BY site) FROM opendata_api.comptages" | tr '\n' ' ' | sed 's/ $//')"
check "unpublish() and drop_dataset() remove what 0.1.0 published" "f f" \
  "$(qa portal "SET ROLE pub_a; SELECT opendata.unpublish('communes-essonne') IS NULL; SELECT opendata.drop_dataset('brouillon', true) IS NULL; RESET ROLE; SELECT to_regclass('opendata_api.\"communes-essonne\"') IS NOT NULL, to_regclass('public.brouillon') IS NOT NULL" | tail -n 1 | tr '|' ' ')"
check "a new dataset registers and publishes" "1" \
  "$(qa portal "CREATE TABLE public.bancs (id int PRIMARY KEY, rue text); INSERT INTO public.bancs VALUES (1, 'Haute'); ALTER TABLE public.bancs OWNER TO pub_a; SET ROLE pub_a; SELECT opendata.register('public.bancs', 'bancs', '{\"publisher\": \"ville\", \"title\": \"Bancs\", \"description\": \"Les bancs.\"}') IS NULL; SELECT opendata.publish('bancs')->>'version'" | tail -n 1)"

# --- 4. The same objects, the same definitions, as a fresh install.
psql_to a "$port_a" postgres -c "CREATE DATABASE fresh"
psql_to a "$port_a" fresh -c "CREATE EXTENSION opendata CASCADE"
catalog() { psql_to "$1" "$2" "$3" -At -f "$REPO_DIR/test/shell/upgrade_catalog.sql" >"$4" 2>&1 || true; }
catalog a "$port_a" fresh "$dir/catalog-fresh.txt"
catalog a "$port_a" portal "$dir/catalog-updated.txt"
catalog b "$port_b" portal "$dir/catalog-restored-updated.txt"
if [ "$(grep -c '^function ' "$dir/catalog-fresh.txt")" -lt 100 ]; then
  not_ok "the catalog of a fresh install is read" "$(head -n 5 "$dir/catalog-fresh.txt")"
fi
same_answers "an updated database has the objects and definitions of a fresh $NEW_VERSION install" \
  "$dir/catalog-fresh.txt" "$dir/catalog-updated.txt"
same_answers "an updated restored database has the objects and definitions of a fresh $NEW_VERSION install" \
  "$dir/catalog-fresh.txt" "$dir/catalog-restored-updated.txt"

echo "# upgrade: $FAILED failed"
[ "$FAILED" -eq 0 ]
