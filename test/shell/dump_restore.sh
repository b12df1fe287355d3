#!/usr/bin/env bash
# pg_dump -Fc | pg_restore keeps the catalog.  On a throwaway cluster: the
# extension, a catalog setting, an organization, two datasets (one published
# twice with metadata, described fields, a reuse and an attachment; one
# draft), then pg_dump -Fc, pg_restore into a new database of the same
# cluster (roles are cluster-wide), and compare, table by table.  Prints
# "ok NAME" / "not ok NAME" per check, with "# " diagnostics on failure.
#
# Set KEEP_TMP=1 to keep the cluster directory (dump, logs) after the run.
source "$(dirname "$0")/lib.sh"
ensure_packages

shell_test_cluster dump "${DUMP_TEST_PORT:-54342}"

# Clients run as whoever runs the test, over the socket in $dir (trust).
conn=(-h "$dir" -p "$PORT" -U postgres)
psql_in() {  # psql_in DB [psql args...]: quiet, stops on the first error
  local db="$1"; shift
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" -d "$db" "$@"
}
q() {  # q DB SQL: the result, unaligned, tuples only (or the error: checks then fail)
  "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "${conn[@]}" -d "$1" -c "$2" 2>&1 || true
}

same() {  # same NAME SQL: the query answers the same in both databases
  local a b
  a="$(q src "$2")"; b="$(q dst "$2")"
  if [ -z "$a" ]; then
    not_ok "$1" "empty result in the source database: the check proves nothing" "$2"
  elif [ "$a" = "$b" ]; then
    ok "$1"
  else
    not_ok "$1" "query: $2" "$(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 20)"
  fi
}

psql_in postgres -c "CREATE DATABASE src"
psql_in src >/dev/null <<'SQL'
CREATE EXTENSION opendata CASCADE;
CREATE ROLE pub_a NOLOGIN IN ROLE opendata_publisher;

SELECT opendata.create_organization('ville-a', 'Ville A',
  '{"description": "Une ville.", "homepage": "https://ville-a.example", "email": "data@ville-a.example"}');
SELECT opendata.add_member('ville-a', 'pub_a');
SELECT opendata.set_catalog('{"title": "Portail de la ville A", "base_url": "https://data.ville-a.example",
                              "publisher": "ville-a", "license": "ODbL-1.0"}');

CREATE TABLE public.arbres (
  id int PRIMARY KEY,
  espece text NOT NULL,
  hauteur numeric,
  note_interne text,
  geom geometry(Point, 2154)
);
INSERT INTO public.arbres VALUES
  (1, 'Platanus x hispanica', 32.5, 'à élaguer', 'SRID=2154;POINT(652000 6862000)'),
  (2, 'Quercus robur', 24, NULL, 'SRID=2154;POINT(842000 6519000)'),
  (3, 'Ginkgo biloba', 18.2, 'classé', NULL);
ALTER TABLE public.arbres OWNER TO pub_a;
CREATE TABLE public.parkings (id int PRIMARY KEY, nom text, places int);
INSERT INTO public.parkings VALUES (1, 'Gare', 400);
ALTER TABLE public.parkings OWNER TO pub_a;
CREATE TABLE public.bancs (id int PRIMARY KEY, rue text);
INSERT INTO public.bancs VALUES (1, 'rue Haute'), (2, 'rue Basse');
ALTER TABLE public.bancs OWNER TO pub_a;
CREATE TABLE public.bornes (id int PRIMARY KEY, nom text, geom geometry(Point, 4326));
INSERT INTO public.bornes VALUES (1, 'Borne nord', 'SRID=4326;POINT(2.35 48.87)'),
                                 (2, 'Borne sud', 'SRID=4326;POINT(5.0 45.7)'), (3, 'Borne vide', NULL);
ALTER TABLE public.bornes OWNER TO pub_a;

SET ROLE pub_a;
SELECT opendata.register('public.arbres', 'arbres',
  '{"title": "Arbres remarquables", "description": "Les arbres remarquables de la ville.",
    "themes": ["ENVI", "REGI"], "keywords": ["arbres", "nature"], "license": "etalab-2.0",
    "contact_point": {"name": "Service des espaces verts", "email": "verts@ville-a.example"},
    "spatial": {"label": "Ville A", "bbox": [2.2, 48.8, 2.5, 48.9]},
    "temporal": {"start": "2020-01-01", "end": "2024-12-31"}, "accrual_periodicity": "ANNUAL"}');
SELECT opendata.describe_field('arbres', 'note_interne', '{"hidden": true}');
SELECT opendata.describe_field('arbres', 'hauteur', '{"label": "Hauteur", "unit": "m", "facet": true}');
SELECT opendata.publish('arbres');
UPDATE public.arbres SET hauteur = 33 WHERE id = 1;
INSERT INTO public.arbres VALUES (4, 'Cedrus libani', 21, NULL, NULL);
SELECT opendata.publish('arbres');
SELECT opendata.add_reuse('Carte des arbres', 'https://carto.example/arbres', 'visualisation',
                          ARRAY['arbres'], 'Jeanne', 'Une carte.');
SELECT opendata.add_attachment('arbres', 'Méthodologie', 'https://ville-a.example/arbres.pdf',
                               'application/pdf', 'Comment les arbres sont choisis.');
SELECT opendata.register('public.parkings', 'parkings', '{"title": "Parkings"}');
-- A nearest crossing of two point tables (Lambert 93 and WGS 84): its
-- materialized view calls the in-memory index, which pg_restore refreshes
-- under an empty search_path.
SELECT opendata.register('public.bornes', 'bornes', '{"title": "Bornes"}');
SELECT opendata.cross('arbre-borne', 'arbres', 'bornes', 'nearest', '{"fields": ["nom"]}');
RESET ROLE;
SQL

dump="$dir/src.dump"
"$PG_BINDIR/pg_dump" "${conn[@]}" -Fc -f "$dump" src
psql_in postgres -c "CREATE DATABASE dst"
restore_log="$dir/restore.log"
restore_rc=0
"$PG_BINDIR/pg_restore" "${conn[@]}" -d dst "$dump" >"$restore_log" 2>&1 || restore_rc=$?
if [ "$restore_rc" -eq 0 ] && [ ! -s "$restore_log" ]; then
  ok "pg_restore completes without error"
else
  not_ok "pg_restore completes without error" "exit status $restore_rc" "$(head -n 20 "$restore_log")"
fi

# Every catalog table, row by row.
same "opendata.catalog is restored (title, base_url, publisher, licence)" \
  "SELECT to_jsonb(c) FROM opendata.catalog c"
same "opendata.organizations is restored" \
  "SELECT to_jsonb(o) FROM opendata.organizations o ORDER BY id"
same "opendata.organization_members is restored" \
  "SELECT organization_id, member FROM opendata.organization_members ORDER BY 1, 2"
same "opendata.datasets is restored (slug, metadata, source::text, status, version)" \
  "SELECT to_jsonb(d) - 'source' || jsonb_build_object('source', d.source::text) FROM opendata.datasets d ORDER BY id"
same "opendata.fields is restored" \
  "SELECT to_jsonb(f) FROM opendata.fields f ORDER BY dataset_id, position"
same "opendata.distributions is restored" \
  "SELECT to_jsonb(x) FROM opendata.distributions x ORDER BY id"
same "opendata.attachments is restored" \
  "SELECT to_jsonb(a) FROM opendata.attachments a ORDER BY id"
same "opendata.reuses is restored" \
  "SELECT to_jsonb(r) FROM opendata.reuses r ORDER BY id"
same "opendata.reuse_datasets is restored" \
  "SELECT reuse_id, dataset_id FROM opendata.reuse_datasets ORDER BY 1, 2"
same "opendata.history is restored (two publications of arbres)" \
  "SELECT to_jsonb(h) - 'at' FROM opendata.history h ORDER BY id"
check "the source had two versions in its history" "1,2" \
  "$(q src "SELECT string_agg(version::text, ',' ORDER BY version) FROM opendata.history WHERE action = 'publish'")"
same "opendata.row_fingerprints is restored" \
  "SELECT dataset_id, count(*), md5(string_agg(key || encode(hash, 'hex'), ',' ORDER BY key)) FROM opendata.row_fingerprints GROUP BY 1 ORDER BY 1"
check "exactly 5 licences after restore (seeded rows not duplicated)" "5" \
  "$(q dst "SELECT count(*) FROM opendata.licenses")"
check "exactly 13 themes after restore (seeded rows not duplicated)" "13" \
  "$(q dst "SELECT count(*) FROM opendata.themes")"
same "opendata.licenses is restored" "SELECT to_jsonb(l) FROM opendata.licenses l ORDER BY id"
same "opendata.themes is restored" "SELECT to_jsonb(t) FROM opendata.themes t ORDER BY code"
same "the sequences of the catalog continue where they were" \
  "SELECT c.relname, s.last_value FROM pg_class c, LATERAL (SELECT pg_sequence_last_value(c.oid) AS last_value) s
    WHERE c.relnamespace = 'opendata'::regnamespace AND c.relkind = 'S' ORDER BY 1"

# The API as anon sees it.
anon() { q "$1" "SET ROLE opendata_anon; $2"; }
check "the published view opendata_api.arbres exists after restore" "opendata_api.arbres" \
  "$(q dst "SELECT to_regclass('opendata_api.arbres')")"
a="$(anon src "SELECT json_agg(t ORDER BY id) FROM opendata_api.arbres t")"
b="$(anon dst "SELECT json_agg(t ORDER BY id) FROM opendata_api.arbres t")"
if [ -n "$a" ] && [ "$a" = "$b" ] && [[ "$a" == *Cedrus* ]]; then
  ok "anon reads the same rows from opendata_api.arbres after restore"
else
  not_ok "anon reads the same rows from opendata_api.arbres after restore" "source: $a" "restored: $b"
fi
sqlstate_of() {  # sqlstate_of DB SQL: the SQLSTATE the statement raises, if any
  "$PG_BINDIR/psql" -X -q -At "${conn[@]}" -d "$1" -c '\set VERBOSITY sqlstate' -c "$2" 2>&1 >/dev/null \
    | sed -n 's/^.*\([0-9A-Z]\{5\}\)$/\1/p' || true
}
check "the hidden field stays unreadable for anon after restore (42501)" "42501" \
  "$(sqlstate_of dst "SET ROLE opendata_anon; SELECT note_interne FROM public.arbres")"
same "anon lists the same datasets in opendata_api.datasets (no draft)" \
  "SET ROLE opendata_anon; SELECT dataset_id, title, version, records_count, links FROM opendata_api.datasets ORDER BY 1"
check "anon does not see the draft after restore" "arbres" \
  "$(anon dst "SELECT string_agg(dataset_id, ',') FROM opendata_api.datasets")"
same "opendata_api.reuses is restored" \
  "SET ROLE opendata_anon; SELECT reuse_id, title, datasets FROM opendata_api.reuses ORDER BY 1"

same "the nearest crossing's rows are restored" \
  "SELECT id, bornes_nom, round(distance_m::numeric, 3) FROM opendata_data.\"arbre-borne\" ORDER BY id"
check "each tree with a point has its nearest borne" "1:Borne nord,2:Borne sud,3:,4:" \
  "$(q dst "SELECT string_agg(id || ':' || coalesce(bornes_nom, ''), ',' ORDER BY id) FROM opendata_data.\"arbre-borne\"")"

# The restored database keeps working.
max_id="$(q src "SELECT max(id) FROM opendata.datasets")"
new="$(q dst "SET ROLE pub_a; SELECT opendata.register('public.bancs', 'bancs', '{\"title\": \"Bancs\", \"description\": \"Les bancs.\"}')->>'slug'; SELECT id FROM opendata.datasets WHERE slug = 'bancs'")"
new_id="$(printf '%s\n' "$new" | tail -n 1)"
if [[ "$new_id" =~ ^[0-9]+$ ]] && [ "$new_id" -gt "$max_id" ]; then
  ok "registering a dataset after restore takes a fresh id ($new_id > $max_id)"
else
  not_ok "registering a dataset after restore takes a fresh id" "source max id: $max_id" "got: $new"
fi
out="$(q dst "SET ROLE pub_a; SELECT opendata.publish('arbres')->>'version'")"
check "opendata.publish works again after restore (arbres version 3)" "3" "$out"
check "the new publication is in the history after restore" "1,2,3" \
  "$(q dst "SELECT string_agg(h.version::text, ',' ORDER BY h.id) FROM opendata.history h JOIN opendata.datasets d ON d.id = h.dataset_id WHERE d.slug = 'arbres' AND h.action = 'publish'")"
out="$(q dst "SET ROLE pub_a; SELECT opendata.publish('bancs')->>'version'")"
check "a dataset registered after restore publishes" "1" "$out"
check "anon reads the new dataset's view" '[{"id": 1, "rue": "rue Haute"}, {"id": 2, "rue": "rue Basse"}]' \
  "$(anon dst "SELECT jsonb_agg(to_jsonb(t) ORDER BY id) FROM opendata_api.bancs t")"
check "the base URL restored in the catalog is used for new distributions" \
  "https://data.ville-a.example/bancs" \
  "$(q dst "SELECT access_url FROM opendata.distributions x JOIN opendata.datasets d ON d.id = x.dataset_id WHERE d.slug = 'bancs' AND x.format = 'JSON'")"

check "the nearest crossing refreshes after restore" "4" \
  "$(q dst "SET ROLE pub_a; SELECT opendata.refresh('arbre-borne')->>'rows'")"

echo "# dump_restore: $FAILED failed"
[ "$FAILED" -eq 0 ]
