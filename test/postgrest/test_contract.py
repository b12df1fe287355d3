"""The HTTP contract of opendata_api, request by request, through harness.py.

Run by test/shell/postgrest_contract.sh against a throwaway cluster it has
set up (extension, roles authenticator/pub_a/pub_b, organizations ville-a
and ville-b, tables arbres/chantiers/agents/parkings).  Prints one
"ok N - description" or "not ok N - description" line per check (followed by
"# " diagnostics on failure) and exits non-zero if any check failed.

Two PostgREST instances are simulated:
- `api`: the public deployment, db-schemas = "opendata_api";
- `pub`: a publisher deployment, db-schemas = "opendata_api, opendata".  The
  publisher functions live in schema opendata, which the public deployment
  does not expose; a portal's back office that lets publishers work over HTTP
  would expose it, and requests pick it with Content-Profile: opendata.  So
  every publisher write below is an HTTP request with the publisher's role
  set, exactly as such a deployment would run it; the same calls made over
  plain SQL (SET ROLE, then SELECT opendata.publish(...)) run the same code.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg2  # noqa: E402

from harness import PostgREST  # noqa: E402

OPENDATA = {"Content-Profile": "opendata"}
EU_THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI",
             "SOCI", "TECH", "TRAN"]
LICENSES = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODbL-1.0", "etalab-2.0"]


def connection_args():
    """The server to test, from --host, --port and --dbname."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", required=True)
    ap.add_argument("--dbname", required=True)
    a = ap.parse_args()
    return {"host": a.host, "port": a.port, "dbname": a.dbname}


def anon_scalar(conn, sql):
    """The one value of sql run as opendata_anon: what an app's SQL call returns."""
    with conn.cursor() as cur:
        cur.execute("SET ROLE opendata_anon")
        cur.execute(sql)
        value = cur.fetchone()[0]
        cur.execute("RESET ROLE")
    return value


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, description, condition, *diagnostics):
        self.n += 1
        if condition:
            print("ok %d - %s" % (self.n, description))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, description))
            for d in diagnostics:
                for line in str(d).splitlines():
                    print("#   " + line)
        sys.stdout.flush()
        return condition

    def status(self, description, response, status, code=None):
        """Checks an HTTP status and, for errors, the SQLSTATE/PGRST code."""
        got_code = None
        if response.status >= 400:
            try:
                got_code = response.json().get("code")
            except ValueError:
                pass
        ok = response.status == status and (code is None or got_code == code)
        return self.check(description, ok, "expected %s %s" % (status, code or ""), response,
                          "sql: %s" % response.sql)


def ids(response, key):
    try:
        return [row[key] for row in response.json()]
    except (TypeError, KeyError, ValueError):
        return None


def sql_error(conn, role, statement, params=None):
    """Runs `statement` as `role` in a transaction that is rolled back;
    returns the SQLSTATE it raised, or None."""
    with conn.cursor() as cur:
        try:
            cur.execute("BEGIN")
            cur.execute("SET LOCAL ROLE " + role)
            cur.execute(statement, params)
            return None
        except psycopg2.Error as e:
            return e.pgcode
        finally:
            cur.execute("ROLLBACK")


def main():
    conn = connection_args()

    t = Tap()
    api = PostgREST(conn, schemas=("opendata_api",), max_rows=1000)
    pub = PostgREST(conn, schemas=("opendata_api", "opendata"), max_rows=1000)
    su = psycopg2.connect(user="postgres", **conn)
    su.autocommit = True
    auth = psycopg2.connect(user="authenticator", **conn)
    auth.autocommit = True

    def view_exists(name):
        with su.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", ("opendata_api.%s" % name,))
            return cur.fetchone()[0]

    # -- setting up, over the publisher deployment --------------------------
    r = pub.post("/rpc/register", role="pub_a", headers=OPENDATA, body={
        "source": "public.arbres", "slug": "arbres",
        "metadata": {"title": "Arbres remarquables", "description": "Les arbres remarquables.",
                     "themes": ["ENVI"], "keywords": ["arbres", "nature"], "license": "etalab-2.0"}})
    body = r.json() if r.status == 200 else {}
    t.check("POST /rpc/register as pub_a registers arbres in draft for ville-a",
            r.status == 200 and body.get("status") == "draft" and body.get("publisher") == "ville-a", r)
    r = pub.post("/rpc/describe_field", role="pub_a", headers=OPENDATA,
                 body={"slug": "arbres", "field": "note_interne", "metadata": {"hidden": True}})
    t.check("POST /rpc/describe_field hides arbres.note_interne",
            r.status == 200 and r.json().get("hidden") is True, r)
    pub.notifications()  # nothing pending before the first publication
    r = pub.post("/rpc/publish", role="pub_a", headers=OPENDATA, body={"slug": "arbres"})
    t.check("POST /rpc/publish as pub_a publishes arbres, version 1",
            r.status == 200 and r.json().get("version") == 1, r)
    got = pub.notifications()
    t.check("publish sent NOTIFY pgrst 'reload schema' once, after commit",
            got == ["reload schema"], "got %r" % got)

    r = pub.post("/rpc/register", role="pub_a", headers=OPENDATA, body={
        "source": "public.chantiers", "slug": "chantiers", "metadata": {"title": "Chantiers"}})
    t.status("POST /rpc/register chantiers (stays a draft)", r, 200)
    r = pub.post("/rpc/register", role="pub_a", headers=OPENDATA, body={
        "source": "public.agents", "slug": "agents",
        "metadata": {"title": "Agents", "description": "Effectifs par service.", "themes": ["ENVI"],
                     "access": "restricted"}})
    t.status("POST /rpc/register agents with access restricted", r, 200)
    r = pub.post("/rpc/publish", role="pub_a", headers=OPENDATA, body={"slug": "agents"})
    t.status("POST /rpc/publish agents (restricted)", r, 200)
    r = pub.post("/rpc/register", role="pub_b", headers=OPENDATA, body={
        "source": "public.parkings", "slug": "parkings",
        "metadata": {"title": "Parkings", "description": "Places de parking.", "license": "ODbL-1.0"}})
    t.status("POST /rpc/register parkings as pub_b for ville-b", r, 200)
    r = pub.post("/rpc/publish", role="pub_b", headers=OPENDATA, body={"slug": "parkings"})
    t.status("POST /rpc/publish parkings as pub_b", r, 200)
    pub.notifications()

    # -- the catalog --------------------------------------------------------
    r = api.get("/datasets?select=dataset_id,title&dataset_id=eq.arbres")
    t.check("GET /datasets?select=dataset_id,title&dataset_id=eq.arbres returns exactly that row",
            r.status == 200 and r.json() == [{"dataset_id": "arbres", "title": "Arbres remarquables"}]
            and r.headers.get("content-type") == "application/json; charset=utf-8"
            and r.headers.get("content-range") == "0-0/*", r)
    r = api.get("/datasets?select=dataset_id&order=dataset_id")
    t.check("GET /datasets lists only the public published datasets (no draft, no restricted)",
            r.status == 200 and ids(r, "dataset_id") == ["arbres", "parkings"], r)
    r = api.get("/datasets?select=dataset_id,publisher_id,license&publisher_id=eq.ville-b")
    t.check("GET /datasets?publisher_id=eq.ville-b filters by organization",
            r.status == 200 and r.json() == [{"dataset_id": "parkings", "publisher_id": "ville-b",
                                              "license": "ODbL-1.0"}], r)
    r = api.get("/datasets?select=dataset_id&dataset_id=in.(arbres,chantiers,agents)")
    t.check("GET /datasets?dataset_id=in.(arbres,chantiers,agents) returns arbres only",
            r.status == 200 and ids(r, "dataset_id") == ["arbres"], r)
    r = api.get("/datasets?select=dataset_id&title=ilike.*ARBRES*")
    t.check("GET /datasets?title=ilike.*ARBRES* matches case-insensitively",
            r.status == 200 and ids(r, "dataset_id") == ["arbres"], r)
    r = api.get("/datasets?select=dataset_id&dataset_id=not.eq.arbres")
    t.check("GET /datasets?dataset_id=not.eq.arbres negates the filter",
            r.status == 200 and ids(r, "dataset_id") == ["parkings"], r)
    r = api.get("/datasets?select=id:dataset_id,v:version&dataset_id=eq.arbres")
    t.check("GET /datasets?select=id:dataset_id,v:version renames columns",
            r.status == 200 and r.json() == [{"id": "arbres", "v": 1}], r)
    r = api.get("/datasets?select=fields,records_count&dataset_id=eq.arbres")
    names = [f.get("name") for f in r.json()[0]["fields"]] if r.status == 200 and r.json() else None
    t.check("GET /datasets fields of arbres omit the hidden field, records_count is 4",
            names == ["id", "espece", "hauteur", "commune", "geom"] and r.json()[0]["records_count"] == 4,
            r)
    r = api.head("/datasets?select=dataset_id", headers={"Prefer": "count=exact"})
    t.check("HEAD /datasets with Prefer: count=exact gives Content-Range 0-1/2 and no body",
            r.status == 200 and r.headers.get("content-range") == "0-1/2" and r.body == "", r)
    r = api.get("/datasets?select=dataset_id&order=dataset_id&limit=1", headers={"Prefer": "count=exact"})
    t.check("GET /datasets?limit=1 with count=exact is 206 Partial Content, Content-Range 0-0/2",
            r.status == 206 and r.headers.get("content-range") == "0-0/2"
            and ids(r, "dataset_id") == ["arbres"], r)
    r = api.get("/datasets?select=dataset_id,title&dataset_id=eq.arbres", headers={"Accept": "text/csv"})
    # CSV comes from opendata_api.csv_agg, the text/csv handler of every
    # relation (src/sql/56_export_agg.sql): BOM, ';', CRLF.
    t.check("GET /datasets with Accept: text/csv answers CSV",
            r.status == 200 and r.headers.get("content-type", "").startswith("text/csv")
            and r.body.splitlines() == ["\ufeffdataset_id;title", "arbres;Arbres remarquables"], r)
    r = api.get("/datasets?dataset_id=eq.nope", headers={"Accept": "application/vnd.pgrst.object+json"})
    t.status("GET /datasets singular object on no row is 406 PGRST116", r, 406, "PGRST116")
    r = api.get("/datasets?select=no_such_column")
    t.status("GET /datasets?select=no_such_column is 400 (42703)", r, 400, "42703")
    r = api.get("/datasets?version=gt.abc")
    t.status("GET /datasets?version=gt.abc is 400 (22P02)", r, 400, "22P02")

    # -- records of a published dataset ------------------------------------
    t.check("publish created the view opendata_api.arbres", view_exists("arbres"))
    r = api.get("/arbres?commune=eq.Paris&order=id")
    rows = r.json() if r.status == 200 else None
    t.check("GET /arbres?commune=eq.Paris&order=id returns the two Paris trees",
            rows is not None and [x["id"] for x in rows] == [1, 3]
            and rows[0]["espece"] == "Platanus x hispanica" and rows[0]["hauteur"] == 32.5, r)
    t.check("GET /arbres rows carry the visible fields and not the hidden note_interne",
            rows is not None and all(sorted(x) == ["commune", "espece", "geom", "hauteur", "id"] for x in rows),
            r)
    r = api.get("/arbres?select=id,espece&hauteur=gt.20&order=hauteur.desc")
    t.check("GET /arbres?select=id,espece&hauteur=gt.20&order=hauteur.desc",
            r.status == 200 and r.json() == [{"id": 1, "espece": "Platanus x hispanica"},
                                             {"id": 2, "espece": "Quercus robur"}], r)
    r = api.get("/arbres?select=id&hauteur=is.null")
    t.check("GET /arbres?hauteur=is.null", r.status == 200 and r.json() == [{"id": 4}], r)
    r = api.get("/arbres?select=id&espece=like.Q*")
    t.check("GET /arbres?espece=like.Q*", r.status == 200 and r.json() == [{"id": 2}], r)
    r = api.get("/arbres?select=id&id=in.(1,4,9)&order=id.desc")
    t.check("GET /arbres?id=in.(1,4,9)&order=id.desc", r.status == 200 and ids(r, "id") == [4, 1], r)
    r = api.get("/arbres?select=id&order=id&limit=2&offset=1", headers={"Prefer": "count=exact"})
    t.check("GET /arbres?limit=2&offset=1 with count=exact: 206, Content-Range 1-2/4",
            r.status == 206 and r.headers.get("content-range") == "1-2/4" and ids(r, "id") == [2, 3], r)
    r = api.get("/arbres?id=eq.2&select=id,commune", headers={"Accept": "application/vnd.pgrst.object+json"})
    t.check("GET /arbres?id=eq.2 as a singular object",
            r.status == 200 and r.json() == {"id": 2, "commune": "Lyon"}, r)
    r = api.get("/arbres?select=id,geom&id=eq.1")
    geom = r.json()[0]["geom"] if r.status == 200 and r.json() else None
    t.check("GET /arbres geometry comes out as GeoJSON in WGS 84",
            isinstance(geom, dict) and geom.get("type") == "Point" and geom.get("coordinates") == [2.35, 48.85],
            r)
    r = api.get("/arbres?select=note_interne")
    t.status("GET /arbres?select=note_interne (hidden field) is 400 (42703)", r, 400, "42703")
    r = api.get("/arbres?id=eq.x")
    t.status("GET /arbres?id=eq.x is 400 (22P02)", r, 400, "22P02")
    code = sql_error(su, "opendata_anon", "SELECT note_interne FROM public.arbres")
    t.check("anon cannot read the hidden column on the source table either (42501)", code == "42501",
            "got %s" % code)
    r = api.get("/nope")
    t.status("GET /nope (no such view) is 404", r, 404)

    # -- records() over RPC: keyset paging by token ---------------------------
    url = "/rpc/records?dataset=arbres&fields=id&order_by=hauteur%20desc&rows=2"
    r = api.get(url)
    page1 = r.json() if r.status == 200 else {}
    t.check("GET /rpc/records?order_by=hauteur desc&rows=2: first page and a next_after token",
            [x["id"] for x in page1.get("results", [])] == [1, 2] and page1.get("total_count") == 4
            and isinstance(page1.get("next_after"), str), r)
    r = api.get(url + "&after=" + page1.get("next_after", ""))
    page2 = r.json() if r.status == 200 else {}
    t.check("GET /rpc/records&after=<token> continues after the last record, nulls last",
            [x["id"] for x in page2.get("results", [])] == [3, 4] and page2.get("total_count") == 4, r)
    r = api.get(url + "&after=" + page2.get("next_after", ""))
    t.check("GET /rpc/records&after=<token of a full last page> is an empty page without a token",
            r.status == 200 and r.json().get("results") == [] and "next_after" not in r.json(), r)
    r = api.get(url + "&after=" + page1.get("next_after", "") + "x")
    t.status("GET /rpc/records&after=<edited token> is 400 (22023)", r, 400, "22023")
    r = api.get("/rpc/records?dataset=arbres&group_by=commune&after=" + page1.get("next_after", ""))
    t.status("GET /rpc/records&after= on a grouped query is 400 (0A000)", r, 400, "0A000")

    # -- drafts -----------------------------------------------------------------
    r = api.get("/datasets?dataset_id=eq.chantiers")
    t.check("a draft is not listed: GET /datasets?dataset_id=eq.chantiers is []",
            r.status == 200 and r.json() == [], r)
    t.check("a draft has no API view", not view_exists("chantiers"))
    r = api.get("/chantiers")
    t.status("GET /chantiers (draft) is 404", r, 404)
    r = api.get("/datasets?select=dataset_id,status&dataset_id=eq.chantiers", role="pub_a")
    t.check("its publisher pub_a does see the draft in /datasets",
            r.status == 200 and r.json() == [{"dataset_id": "chantiers", "status": "draft"}], r)
    r = pub.post("/rpc/publish", role="pub_a", headers=OPENDATA, body={"slug": "chantiers"})
    t.status("publishing chantiers without description/licence is 400 (22023)", r, 400, "22023")
    got = pub.notifications()
    t.check("a failed publish sends no NOTIFY", got == [], "got %r" % got)

    # -- restricted datasets ----------------------------------------------------
    r = api.get("/datasets?dataset_id=eq.agents")
    t.check("a restricted dataset is not listed for anon", r.status == 200 and r.json() == [], r)
    r = api.get("/datasets?select=dataset_id,access&dataset_id=eq.agents", role="pub_a")
    t.check("the restricted dataset is listed for its organization's publisher pub_a",
            r.status == 200 and r.json() == [{"dataset_id": "agents", "access": "restricted"}], r)
    r = api.get("/datasets?dataset_id=eq.agents", role="pub_b")
    t.check("the restricted dataset is not listed for another organization's publisher pub_b",
            r.status == 200 and r.json() == [], r)
    r = api.get("/agents")
    t.status("GET /agents as anon is 401 (42501)", r, 401, "42501")
    t.check("the 401 carries WWW-Authenticate: Bearer", r.headers.get("www-authenticate") == "Bearer", r)
    r = api.get("/agents?order=id", role="pub_a")
    t.check("GET /agents as pub_a returns its rows",
            r.status == 200 and r.json() == [{"id": 1, "service": "voirie", "effectif": 12},
                                             {"id": 2, "service": "espaces verts", "effectif": 30}], r)
    r = api.get("/agents", role="pub_b")
    t.status("GET /agents as pub_b is 403 (42501)", r, 403, "42501")
    r = api.get("/themes?select=theme_id,datasets_count&theme_id=eq.ENVI")
    r2 = api.get("/themes?select=theme_id,datasets_count&theme_id=eq.ENVI", role="pub_a")
    t.check("GET /themes datasets_count counts only what the role may see (anon 1, pub_a 2)",
            r.status == 200 and r.json() == [{"theme_id": "ENVI", "datasets_count": 1}]
            and r2.status == 200 and r2.json() == [{"theme_id": "ENVI", "datasets_count": 2}], r, r2)

    # -- permissions ------------------------------------------------------------
    r = pub.post("/rpc/set_metadata", role="pub_a", headers=OPENDATA,
                 body={"slug": "parkings", "metadata": {"title": "Pris"}})
    t.status("pub_a calling set_metadata on ville-b's parkings is 403 (42501)", r, 403, "42501")
    r = pub.post("/rpc/publish", role="pub_a", headers=OPENDATA, body={"slug": "parkings"})
    t.status("pub_a calling publish on ville-b's parkings is 403 (42501)", r, 403, "42501")
    r = pub.post("/rpc/unpublish", role="pub_a", headers=OPENDATA, body={"slug": "parkings"})
    t.status("pub_a calling unpublish on ville-b's parkings is 403 (42501)", r, 403, "42501")
    r = api.get("/datasets?select=title,version&dataset_id=eq.parkings")
    t.check("parkings is unchanged after the refused calls",
            r.status == 200 and r.json() == [{"title": "Parkings", "version": 1}], r)
    r = pub.patch("/datasets?slug=eq.arbres", role="pub_a", headers=OPENDATA, body={"title": "Piraté"})
    t.status("PATCH /datasets (table opendata.datasets) as pub_a is 403 (42501)", r, 403, "42501")
    code = sql_error(auth, "pub_a", "UPDATE opendata.datasets SET title = 'Piraté' WHERE slug = 'arbres'")
    t.check("a direct UPDATE on opendata.datasets as pub_a is refused (42501)", code == "42501",
            "got %s" % code)
    code = sql_error(auth, "pub_a", "INSERT INTO opendata.organization_members VALUES (2, 'pub_a')")
    t.check("a direct INSERT into opendata.organization_members as pub_a is refused (42501)",
            code == "42501", "got %s" % code)
    r = api.patch("/datasets?dataset_id=eq.arbres", body={"title": "Piraté"})
    # The catalog views join several tables, so PostgreSQL refuses any write
    # to them (55000, before privileges are even checked): PostgREST says 500.
    t.status("PATCH /datasets on the public API as anon is refused (55000, view not updatable)",
             r, 500, "55000")
    r = api.patch("/arbres?id=eq.1", body={"espece": "Piraté"})
    t.status("PATCH /arbres (a dataset's view) as anon is 401 (42501)", r, 401, "42501")
    r = api.delete("/arbres?id=eq.1", role="pub_a")
    t.status("DELETE /arbres as its publisher is 403 (42501): the API is read-only", r, 403, "42501")
    r = api.get("/arbres?select=espece&id=eq.1")
    t.check("arbres' records are unchanged",
            r.status == 200 and r.json() == [{"espece": "Platanus x hispanica"}], r)
    r = api.get("/datasets?select=title&dataset_id=eq.arbres")
    t.check("arbres' title is unchanged", r.status == 200 and r.json() == [{"title": "Arbres remarquables"}], r)
    r = pub.post("/rpc/publish", headers=OPENDATA, body={"slug": "arbres"})
    t.status("anon POST /rpc/publish (schema opendata exposed) is 401 (42501)", r, 401, "42501")
    r = api.post("/rpc/publish", body={"slug": "arbres"})
    t.status("POST /rpc/publish on the public API is 404 (not exposed)", r, 404, "PGRST202")
    code = sql_error(auth, "opendata_anon", "SELECT opendata.publish('arbres')")
    t.check("anon cannot execute opendata.publish over SQL (42501)", code == "42501", "got %s" % code)
    r = pub.post("/rpc/_record_import", headers=OPENDATA,
                 body={"slug": "arbres", "row_count": 1, "mode": "replace"})
    t.status("anon POST /rpc/_record_import (an internal function) is 401 (42501)", r, 401, "42501")
    r = pub.post("/rpc/_record_import", role="pub_b", headers=OPENDATA,
                 body={"slug": "arbres", "row_count": 1, "mode": "replace"})
    t.status("pub_b POST /rpc/_record_import is 403 (42501): internal functions are nobody's", r, 403, "42501")
    r = api.get("/rpc/records?dataset=arbres&rows=3", role="pub_b")
    t.status("pub_b's own opendata.max_page_size = 2 applies to its requests (rows=3 is 400)", r, 400, "22023")
    r = api.get("/rpc/records?dataset=arbres&rows=3")
    t.check("... and not to anon's (rows=3 is 200)", r.status == 200, r)
    # statement_timeout of the JWT role: a read waiting on a lock the test
    # holds is cancelled after hasty's 200 ms (57014), then succeeds.
    locker = psycopg2.connect(user="postgres", **conn)
    with locker.cursor() as cur:
        cur.execute("LOCK TABLE public.arbres IN ACCESS EXCLUSIVE MODE")
        r = api.get("/rpc/records?dataset=arbres&rows=1", role="hasty")
        t.status("hasty's own statement_timeout = 200ms cancels its request (57014)", r, 500, "57014")
    locker.rollback()
    locker.close()
    r = api.get("/rpc/records?dataset=arbres&rows=1", role="hasty")
    t.check("... and the same request succeeds once the lock is released", r.status == 200, r)
    r = pub.post("/rpc/_can_manage", headers=OPENDATA, body={"org": 1, "who": "postgres"})
    t.check("anon POST /rpc/_can_manage learns nothing about another role (false)",
            r.status == 200 and r.json() is False, r)
    r = pub.get("/rpc/publish?slug=arbres", role="pub_a", headers={"Accept-Profile": "opendata"})
    t.status("GET /rpc/publish runs READ ONLY and is refused with 405 (25006)", r, 405, "25006")
    r = pub.post("/rpc/register", role="pub_a", headers=OPENDATA,
                 body={"source": "public.chantiers", "slug": "datasets"})
    t.status("registering under a reserved slug is 400 (22023)", r, 400, "22023")
    r = pub.post("/rpc/register", role="pub_a", headers=OPENDATA,
                 body={"source": "public.chantiers", "slug": "arbres"})
    t.status("registering an existing slug is 409 (23505)", r, 409, "23505")
    r = pub.post("/rpc/register", role="pub_b", headers=OPENDATA,
                 body={"source": "public.arbres", "slug": "arbres-b"})
    t.status("pub_b registering pub_a's table is 403 (42501)", r, 403, "42501")
    pub.notifications()

    # -- reload NOTIFY on publish and unpublish -----------------------------
    r = pub.post("/rpc/unpublish", role="pub_b", headers=OPENDATA, body={"slug": "parkings"})
    t.check("POST /rpc/unpublish parkings as pub_b", r.status == 200 and r.json().get("status") == "draft", r)
    got = pub.notifications()
    t.check("unpublish sent NOTIFY pgrst 'reload schema' once", got == ["reload schema"], "got %r" % got)
    r = api.get("/parkings")
    t.status("GET /parkings after unpublish is 404", r, 404)
    r = api.get("/datasets?select=dataset_id&order=dataset_id")
    t.check("GET /datasets after unpublish lists arbres only", ids(r, "dataset_id") == ["arbres"], r)
    r = pub.post("/rpc/publish", role="pub_b", headers=OPENDATA, body={"slug": "parkings"})
    got = pub.notifications()
    t.check("publishing parkings again: version 2 and one 'reload schema'",
            r.status == 200 and r.json().get("version") == 2 and got == ["reload schema"], r, "got %r" % got)
    r = api.get("/parkings?select=nom,places&order=places.desc")
    t.check("GET /parkings answers again",
            r.status == 200 and r.json() == [{"nom": "Gare", "places": 400}, {"nom": "Centre", "places": 250}], r)
    r = pub.post("/rpc/publish", role="pub_a", headers=dict(OPENDATA, Prefer="tx=rollback"),
                 body={"slug": "arbres"})
    got = pub.notifications()
    t.check("a publish rolled back (Prefer: tx=rollback) succeeds but sends no NOTIFY",
            r.status == 200 and r.headers.get("preference-applied") == "tx=rollback" and got == [],
            r, "got %r" % got)
    r = api.get("/datasets?select=version&dataset_id=eq.arbres")
    t.check("... and leaves arbres at version 1", r.status == 200 and r.json() == [{"version": 1}], r)
    with auth.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SET LOCAL ROLE pub_a")
        cur.execute("SELECT opendata.publish('arbres')")
        cur.execute("ROLLBACK")
    got = pub.notifications()
    t.check("BEGIN; SELECT opendata.publish(...); ROLLBACK over SQL sends no NOTIFY", got == [],
            "got %r" % got)
    with auth.cursor() as cur:
        cur.execute("SET ROLE pub_a")
        cur.execute("SELECT opendata.unpublish('arbres'), opendata.publish('arbres')")
        cur.execute("RESET ROLE")
    got = pub.notifications()
    t.check("unpublish then publish in one committed transaction: NOTIFY delivered after commit",
            got == ["reload schema"], "got %r (PostgreSQL folds identical notifications of a transaction)" % got)

    # -- reference lists --------------------------------------------------------
    r = api.get("/themes?select=theme_id,uri&order=theme_id")
    t.check("GET /themes lists the 13 EU data themes",
            r.status == 200 and ids(r, "theme_id") == EU_THEMES
            and r.json()[4]["uri"] == "http://publications.europa.eu/resource/authority/data-theme/ENVI", r)
    r = api.get("/licenses?order=license_id", headers={"Prefer": "count=exact"})
    t.check("GET /licenses lists the 5 seeded licences",
            r.status == 200 and sorted(ids(r, "license_id") or []) == sorted(LICENSES)
            and r.headers.get("content-range") == "0-4/5", r)
    r = api.get("/organizations?order=organization_id")
    t.check("GET /organizations lists both organizations without private columns",
            r.status == 200 and ids(r, "organization_id") == ["ville-a", "ville-b"]
            and "email" not in r.json()[0], r)
    r = api.get("/reuses")
    t.check("GET /reuses is readable by anon", r.status == 200 and r.json() == [], r)

    api.close()
    pub.close()
    su.close()
    auth.close()
    print("# %d checks, %d failed" % (t.n, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
