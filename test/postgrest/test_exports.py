"""Exports over HTTP, through harness.py: the export functions' media types
and Accept negotiation on the per-dataset views (media type handlers).

Run by test/shell/postgrest_contract.sh after test_contract.py, on the same
throwaway cluster (extension, roles authenticator/pub_a, organization
ville-a).  Creates and publishes its own dataset, exp-points, as the
superuser.  Prints "ok N - ..." / "not ok N - ..." lines and exits non-zero
if any check failed.
"""

import csv
import io
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg2  # noqa: E402

from harness import PostgREST  # noqa: E402
from test_contract import Tap, anon_scalar, connection_args  # noqa: E402

BOM = "\ufeff"


def read_csv(body, delimiter=";"):
    if body.startswith(BOM):
        body = body[1:]
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))


def main():
    conn = connection_args()

    su = psycopg2.connect(user="postgres", **conn)
    su.autocommit = True
    with su.cursor() as cur:
        cur.execute("""
          CREATE TABLE public.exp_points (id int PRIMARY KEY, nom text, hauteur numeric, plante date,
                                          geom geometry(Point, 4326), interne text);
          INSERT INTO exp_points VALUES
            (1, 'Platane; "le grand"', 32.5, '1890-03-01', 'SRID=4326;POINT(2.3522219 48.856614)', 'x'),
            (2, E'Chêne\\nvert', NULL, NULL, 'SRID=4326;POINT(4.8320114 45.7578137)', 'y'),
            (3, 'Ginkgo', 18, '1990-01-31', NULL, 'z');
          ALTER TABLE exp_points OWNER TO pub_a;
          SELECT opendata.register('public.exp_points', 'exp-points', '{"title": "Points",
            "description": "Des points", "publisher": "ville-a", "license": "etalab-2.0"}');
          SELECT opendata.describe_field('exp-points', 'interne', '{"hidden": true}');
          CREATE TABLE public.exp_draft (id int PRIMARY KEY);
          ALTER TABLE exp_draft OWNER TO pub_a;
          SELECT opendata.register('public.exp_draft', 'exp-draft', '{"title": "Brouillon",
            "description": "Pas publié", "publisher": "ville-a", "license": "etalab-2.0"}');
          SELECT opendata.publish('exp-points');""")

    t = Tap()
    api = PostgREST(conn, schemas=("opendata_api",), max_rows=1000)

    # -- the export functions -------------------------------------------------
    r = api.get("/rpc/export_csv?dataset=exp-points", headers={"Accept": "text/csv"})
    rows = read_csv(r.body) if r.status == 200 else []
    t.check("GET /rpc/export_csv with Accept: text/csv is the CSV export, Content-Type text/csv",
            r.status == 200 and r.headers.get("content-type") == "text/csv; charset=utf-8"
            and r.body.startswith(BOM) and rows[0] == ["id", "nom", "hauteur", "plante", "geom"]
            and len(rows) == 4 and rows[1][1] == 'Platane; "le grand"' and rows[2][1] == "Chêne\nvert", r)
    t.check("the CSV body is exactly export_csv()'s value",
            r.body == anon_scalar(su, "SELECT opendata_api.export_csv('exp-points')"), r)
    r = api.get("/rpc/export_csv?dataset=exp-points&fields=id,nom&where=hauteur%20%3E%2020"
                "&options=%7B%22delimiter%22%3A%22%2C%22%2C%22bom%22%3Afalse%7D", headers={"Accept": "text/csv"})
    t.check("export_csv takes fields, where and options from the query string",
            r.status == 200 and r.body == 'id,nom\r\n1,"Platane; ""le grand"""\r\n', r)
    r = api.get("/rpc/export_geojson?dataset=exp-points", headers={"Accept": "application/geo+json"})
    doc = r.json() if r.status == 200 else {}
    t.check("GET /rpc/export_geojson with Accept: application/geo+json is a FeatureCollection",
            r.status == 200 and r.headers.get("content-type") == "application/geo+json; charset=utf-8"
            and doc.get("type") == "FeatureCollection" and len(doc.get("features", [])) == 3
            and [f.get("id") for f in doc["features"]] == [1, 2, 3]
            and doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [2.3522219, 48.856614]}
            and doc["features"][2]["geometry"] is None and "crs" not in doc
            and "interne" not in doc["features"][0]["properties"], r)
    r = api.get("/rpc/export_geojson?dataset=exp-points&options=%7B%22precision%22%3A2%7D",
                headers={"Accept": "application/geo+json"})
    t.check("export_geojson's precision option over HTTP",
            r.status == 200 and r.json()["features"][1]["geometry"]["coordinates"] == [4.83, 45.76], r)
    r = api.get("/rpc/export_jsonl?dataset=exp-points", headers={"Accept": "application/x-ndjson"})
    lines = r.body.split("\n") if r.status == 200 else []
    t.check("GET /rpc/export_jsonl with Accept: application/x-ndjson is one object per line",
            r.status == 200 and r.headers.get("content-type") == "application/x-ndjson"
            and len(lines) == 4 and lines[3] == "" and json.loads(lines[1])["nom"] == "Chêne\nvert", r)
    r = api.get("/rpc/export_json?dataset=exp-points")
    t.check("GET /rpc/export_json is a JSON array (application/json)",
            r.status == 200 and r.headers.get("content-type") == "application/json; charset=utf-8"
            and [o["id"] for o in r.json()] == [1, 2, 3], r)
    r = api.get("/rpc/export_csv?dataset=exp-points", headers={"Accept": "text/xml"})
    t.status("GET /rpc/export_csv with Accept: text/xml is 406 PGRST107", r, 406, "PGRST107")
    r = api.get("/rpc/export_geojson?dataset=exp-points", headers={"Accept": "text/html"})
    t.status("GET /rpc/export_geojson with Accept: text/html is 406 PGRST107", r, 406, "PGRST107")
    # A media type another handler produces: PostgREST applies that handler
    # (geojson_agg) to the CSV, which answers PT406, that is 406.
    r = api.get("/rpc/export_csv?dataset=exp-points", headers={"Accept": "application/geo+json"})
    t.status("GET /rpc/export_csv with Accept: application/geo+json is 406", r, 406, "PT406")
    r = api.get("/rpc/export_geojson?dataset=exp-points", headers={"Accept": "text/csv"})
    t.status("GET /rpc/export_geojson with Accept: text/csv is 406", r, 406, "PT406")
    r = api.get("/rpc/export_csv?dataset=exp-points", headers={"Accept": "text/xml, text/csv;q=0.5"})
    t.check("Accept: text/xml, text/csv;q=0.5 picks the CSV",
            r.status == 200 and r.headers.get("content-type", "").startswith("text/csv"), r)
    # PostgREST v12 answers */* (or no Accept) with JSON even for a function
    # returning a media-type domain (PostgREST issue #3391): hence the
    # download links go to /rpc/download (below), PostgREST's "any" handler.
    r = api.get("/rpc/export_csv?dataset=exp-points")
    t.check("without Accept, /rpc/export_csv answers JSON (PostgREST v12, issue #3391)",
            r.status == 200 and r.headers.get("content-type") == "application/json; charset=utf-8"
            and isinstance(r.json(), str) and r.json().startswith(BOM + "id;nom"), r)

    # -- download links: the "*/*" handler, whatever the Accept -------------
    csv_value = anon_scalar(su, "SELECT opendata_api.export_csv('exp-points')")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (None, "*/*", browser, "text/csv"):
        r = api.get("/rpc/download?dataset=exp-points&format=csv",
                    headers={"Accept": accept} if accept else {})
        t.check("GET /rpc/download?format=csv with Accept %r is the CSV, as a text/csv attachment" % accept,
                r.status == 200 and r.headers.get("content-type") == "text/csv; charset=utf-8"
                and r.headers.get("content-disposition") == 'attachment; filename="exp-points.csv"'
                and r.body == csv_value.encode("utf-8"), r)  # download() is bytes
    r = api.get("/rpc/download?dataset=exp-points&format=geojson&fields=id,geom", headers={"Accept": browser})
    doc = json.loads(r.body) if r.status == 200 else {}
    t.check("GET /rpc/download?format=geojson from a browser is the FeatureCollection, with the export arguments",
            r.status == 200 and r.headers.get("content-type") == "application/geo+json; charset=utf-8"
            and r.headers.get("content-disposition") == 'attachment; filename="exp-points.geojson"'
            and doc.get("type") == "FeatureCollection" and len(doc.get("features", [])) == 3
            and doc["features"][0]["properties"] == {"id": 1}, r)
    r = api.get("/rpc/download?dataset=exp-points&format=JSONL")
    lines = r.body.decode("utf-8").split("\n") if r.status == 200 else []
    t.check("GET /rpc/download?format=JSONL (any case) is JSON Lines, in UTF-8 (said in its charset)",
            r.status == 200 and r.headers.get("content-type") == "application/x-ndjson; charset=utf-8"
            and len(lines) == 4 and json.loads(lines[0])["id"] == 1, r)
    r = api.get("/rpc/download?dataset=exp-points&format=json")
    t.check("GET /rpc/download?format=json is the JSON array itself, not a JSON string",
            r.status == 200 and r.headers.get("content-type") == "application/json; charset=utf-8"
            and [o["id"] for o in json.loads(r.body)] == [1, 2, 3], r)
    r = api.get("/rpc/download?dataset=exp-points&format=xml")
    t.check("GET /rpc/download?format=xml is 400 (22023) naming the formats",
            r.status == 400 and r.json().get("code") == "22023" and "xml" in r.json().get("message", "")
            and "geojson" in (r.json().get("hint") or ""), r)
    r = api.get("/rpc/download?dataset=exp-draft&format=csv")
    t.status("GET /rpc/download of a draft is 404 (42P01)", r, 404, "42P01")
    # Link checkers send HEAD (issue #24 defect 7): an unknown dataset is not
    # a 200, a known one says its file name.
    r = api.head("/rpc/download?dataset=no-such-dataset&format=csv", headers={"Accept": browser})
    t.status("HEAD /rpc/download of an unknown dataset is 404 (42P01)", r, 404, "42P01")
    r = api.head("/rpc/download?dataset=exp-points&format=csv", headers={"Accept": browser})
    t.check("HEAD /rpc/download of a dataset is 200 with its file name and no body",
            r.status == 200 and not r.body
            and r.headers.get("content-disposition") == 'attachment; filename="exp-points.csv"', r)
    r = api.get("/rpc/download?dataset=exp-points&format=json&rows=-1")
    t.check("rows=-1 is no limit, as documented",
            r.status == 200 and [o["id"] for o in json.loads(r.body)] == [1, 2, 3], r)
    r = api.get("/rpc/download?dataset=exp-points&format=json&rows=-2")
    t.status("rows=-2 is 400 (22023)", r, 400, "22023")
    with su.cursor() as cur:
        cur.execute("""SELECT d.format, d.download_url FROM opendata.distributions d
                         JOIN opendata.datasets s ON s.id = d.dataset_id
                        WHERE s.slug = 'exp-points' AND d.format <> 'JSON' ORDER BY d.format""")
        links = cur.fetchall()
    served = []
    for fmt, url in links:
        path = url[url.index("/rpc/"):]
        r = api.get(path, headers={"Accept": browser})
        served.append((fmt, r.status, r.headers.get("content-type", "").split(";")[0]))
    t.check("every DCAT download URL of the dataset serves its format to a browser",
            served == [("CSV", 200, "text/csv"), ("FLATGEOBUF", 200, "application/flatgeobuf"),
                       ("GEOJSON", 200, "application/geo+json"), ("GPKG", 200, "application/geopackage+sqlite3"),
                       ("JSONL", 200, "application/x-ndjson"), ("KML", 200, "application/vnd.google-earth.kml+xml"),
                       ("PARQUET", 200, "application/vnd.apache.parquet"), ("SHP", 200, "application/zip"),
                       ("XLSX", 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
            served)

    r = api.get("/rpc/export_csv?dataset=exp-draft", headers={"Accept": "text/csv"})
    t.status("GET /rpc/export_csv of a draft is 404 (42P01)", r, 404, "42P01")
    r = api.get("/rpc/export_csv?dataset=exp-points&options=%7B%22delimitr%22%3A%22%2C%22%7D",
                headers={"Accept": "text/csv"})
    t.check("a misspelt option is 400 (22023) naming it",
            r.status == 400 and r.json().get("code") == "22023" and "delimitr" in r.json().get("message", ""), r)
    r = api.get("/rpc/export_csv?dataset=exp-points&fields=interne", headers={"Accept": "text/csv"})
    t.status("a hidden field is 400 (42703)", r, 400, "42703")

    # -- Accept negotiation on the per-dataset view ----------------------------
    r = api.get("/exp-points?order=id", headers={"Accept": "text/csv"})
    rows = read_csv(r.body) if r.status == 200 else []
    t.check("GET /exp-points with Accept: text/csv is written by csv_agg (BOM, ';', RFC 4180)",
            r.status == 200 and r.headers.get("content-type") == "text/csv; charset=utf-8"
            and r.body.startswith(BOM + "id;nom;hauteur;plante;geom\r\n") and len(rows) == 4
            and rows[1][:4] == ["1", 'Platane; "le grand"', "32.5", "1890-03-01"]
            and json.loads(rows[1][4]) == {"type": "Point", "coordinates": [2.3522219, 48.856614]}
            and rows[3][4] == "", r, "sql: %s" % r.sql)
    r = api.get("/exp-points?order=id", headers={"Accept": "application/geo+json"})
    doc = r.json() if r.status == 200 else {}
    t.check("GET /exp-points with Accept: application/geo+json is written by geojson_agg",
            r.status == 200 and r.headers.get("content-type") == "application/geo+json; charset=utf-8"
            and doc.get("type") == "FeatureCollection" and len(doc.get("features", [])) == 3
            and doc["features"][1]["geometry"] == {"type": "Point", "coordinates": [4.8320114, 45.7578137]}
            and doc["features"][1]["properties"] == {"id": 2, "nom": "Chêne\nvert", "hauteur": None,
                                                     "plante": None}
            and "crs" not in doc, r, "sql: %s" % r.sql)
    r = api.get("/exp-points?order=id", headers={"Accept": "application/x-ndjson"})
    lines = r.body.split("\n") if r.status == 200 else []
    t.check("GET /exp-points with Accept: application/x-ndjson is written by jsonl_agg",
            r.status == 200 and r.headers.get("content-type") == "application/x-ndjson"
            and len(lines) == 4 and json.loads(lines[2])["hauteur"] == 18, r, "sql: %s" % r.sql)
    r = api.get("/exp-points?select=id,nom&id=lt.3&order=id.desc", headers={"Accept": "text/csv"})
    t.check("filters, select and order apply before the handler",
            r.status == 200 and read_csv(r.body) == [["id", "nom"], ["2", "Chêne\nvert"],
                                                     ["1", 'Platane; "le grand"']], r)
    r = api.get("/exp-points?id=eq.-1", headers={"Accept": "application/geo+json"})
    t.check("no row: an empty FeatureCollection",
            r.status == 200 and r.json() == {"type": "FeatureCollection", "features": []}, r)
    r = api.get("/exp-points", headers={"Accept": "text/xml"})
    t.status("GET /exp-points with Accept: text/xml is 406 PGRST107", r, 406, "PGRST107")
    r = api.get("/exp-points?order=id", headers={"Accept": "text/xml;q=0.9, application/geo+json"})
    t.check("Accept: text/xml;q=0.9, application/geo+json picks GeoJSON",
            r.status == 200 and r.headers.get("content-type", "").startswith("application/geo+json"), r)
    r = api.get("/exp-points?order=id")
    t.check("GET /exp-points without Accept stays a JSON array",
            r.status == 200 and r.headers.get("content-type") == "application/json; charset=utf-8"
            and [o["id"] for o in r.json()] == [1, 2, 3], r)
    with su.cursor() as cur:
        cur.execute("SELECT opendata.set_metadata('exp-points', '{\"access\": \"restricted\"}')")
        cur.execute("SELECT opendata.publish('exp-points')")
    r = api.get("/exp-points", headers={"Accept": "text/csv"})
    t.check("a restricted dataset's view is not served to anon as CSV",
            r.status in (401, 404) or (r.status == 200 and len(read_csv(r.body)) <= 1), r)
    r = api.get("/rpc/export_csv?dataset=exp-points", headers={"Accept": "text/csv"})
    t.status("nor by /rpc/export_csv (404, 42P01)", r, 404, "42P01")
    r = api.get("/exp-draft", headers={"Accept": "text/csv"})
    t.check("a draft has no view (404)", r.status == 404, r)

    api.close()
    su.close()
    print("1..%d" % t.n)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
