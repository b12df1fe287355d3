"""Ad hoc crossings over HTTP, through harness.py: GET /rpc/cross and
GET /rpc/near as the anonymous role, the shape of their answers, and the
HTTP status and SQLSTATE of bad requests.

Run by test/shell/postgrest_contract.sh after test_contract.py, on the same
throwaway cluster (extension, roles authenticator/pub_a, organization
ville-a).  Creates and publishes its own datasets (x-stations, x-zones,
x-budget; x-draft stays a draft) as the superuser.  Every answer is
compared with the same call made in SQL and with a hand-written PostGIS
query.  Prints "ok N - ..." / "not ok N - ..." lines and exits non-zero if
any check failed.
"""

import os
import sys
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg2  # noqa: E402

from harness import PostgREST  # noqa: E402
from test_contract import Tap, anon_scalar, connection_args  # noqa: E402


def url(path, **args):
    return path + "?" + urllib.parse.urlencode(args)


def main():
    conn = connection_args()

    su = psycopg2.connect(user="postgres", **conn)
    su.autocommit = True
    with su.cursor() as cur:
        cur.execute("""
          CREATE TABLE public.x_stations (id int PRIMARY KEY, nom text, metro boolean, geom geometry(Point, 4326));
          INSERT INTO x_stations VALUES
            (1, 'Châtelet', true, 'SRID=4326;POINT(2.3470 48.8583)'),
            (2, 'Hôtel de Ville', true, 'SRID=4326;POINT(2.3522 48.8573)'),
            (3, 'Saint-Michel', false, 'SRID=4326;POINT(2.3440 48.8535)'),
            (4, 'Nation', true, 'SRID=4326;POINT(2.3958 48.8483)'),
            (5, 'Sans lieu', false, NULL);
          CREATE TABLE public.x_zones (code text PRIMARY KEY, geom geometry(Polygon, 4326));
          INSERT INTO x_zones VALUES
            ('centre', ST_MakeEnvelope(2.34, 48.85, 2.36, 48.86, 4326)),
            ('est', ST_MakeEnvelope(2.38, 48.84, 2.40, 48.85, 4326)),
            ('vide', ST_MakeEnvelope(2.20, 48.80, 2.21, 48.81, 4326));
          CREATE TABLE public.x_budget (id int PRIMARY KEY, poste text);
          INSERT INTO x_budget VALUES (1, 'voirie');
          CREATE TABLE public.x_draft (id int PRIMARY KEY, geom geometry(Point, 4326));
          ALTER TABLE x_stations OWNER TO pub_a;
          ALTER TABLE x_zones OWNER TO pub_a;
          ALTER TABLE x_budget OWNER TO pub_a;
          ALTER TABLE x_draft OWNER TO pub_a;""")
        for slug, table in (("x-stations", "x_stations"), ("x-zones", "x_zones"),
                            ("x-budget", "x_budget"), ("x-draft", "x_draft")):
            cur.execute("SELECT opendata.register(%s::regclass, %s, %s::jsonb)",
                        ("public." + table, slug,
                         '{"title": "%s", "description": "Pour les croisements", "publisher": "ville-a",'
                         ' "license": "etalab-2.0"}' % slug))
            if slug != "x-draft":
                cur.execute("SELECT opendata.publish(%s)", (slug,))

    t = Tap()
    api = PostgREST(conn, schemas=("opendata_api",), max_rows=1000)

    # -- near -----------------------------------------------------------------
    r = api.get(url("/rpc/near", dataset="x-stations", lon="2.3488", lat="48.8534", distance_m="1000", rows="2"))
    doc = r.json() if r.status == 200 else {}
    results = doc.get("results", []) if isinstance(doc, dict) else []
    hand = _rows(su, """SELECT nom, round(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(2.3488, 48.8534), 4326)::geography)::numeric, 3) AS d
                          FROM x_stations WHERE geom IS NOT NULL ORDER BY d LIMIT 2""")
    within = _rows(su, """SELECT count(*) FROM x_stations
                           WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(2.3488, 48.8534), 4326)::geography, 1000)""")[0][0]
    t.check("GET /rpc/near as anon: 200, {total_count: every match within distance_m, results}, nearest first, with distance_m",
            r.status == 200 and r.headers.get("content-type") == "application/json; charset=utf-8"
            and doc.get("total_count") == within and [x.get("nom") for x in results] == [h[0] for h in hand]
            and all(isinstance(x.get("distance_m"), float) for x in results), r, hand, within)
    t.check("near's geometries are GeoJSON",
            bool(results) and results[0].get("geom", {}).get("type") == "Point", r)
    t.check("near's distances are the hand-written geography distances",
            [round(x["distance_m"], 3) for x in results] == [float(h[1]) for h in hand], results, hand)
    t.check("the body is exactly opendata_api.near()'s value",
            r.body == anon_scalar(su, "SELECT opendata_api.near('x-stations', 2.3488, 48.8534, 1000, rows => 2)::text"), r)
    r = api.get(url("/rpc/near", dataset="x-stations", lon="2.3488", lat="48.8534", where="metro"))
    hand = [h[0] for h in _rows(su, """SELECT nom FROM x_stations WHERE metro ORDER BY
                                         ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(2.3488, 48.8534), 4326)::geography)""")]
    t.check("near's where filter (ODSQL) from the query string: only metro stations, nearest first",
            r.status == 200 and [x["nom"] for x in r.json()["results"]] == hand and len(hand) == 3, r, hand)
    r = api.post("/rpc/near", body={"dataset": "x-stations", "lon": 2.3488, "lat": 48.8534, "distance_m": 10})
    t.check("POST /rpc/near (read-only, STABLE) with nothing within 10 m: total_count 0, results []",
            r.status == 200 and r.json() == {"total_count": 0, "results": []}, r)

    # -- cross ------------------------------------------------------------------
    r = api.get(url("/rpc/cross", left="x-zones", right="x-stations", predicate="contains"))
    doc = r.json() if r.status == 200 else {}
    counts = {x.get("code"): x.get("right_count") for x in doc.get("results", [])} if isinstance(doc, dict) else {}
    t.check("GET /rpc/cross contains: each zone with right_count, the stations in no zone reported",
            r.status == 200 and doc.get("total_count") == 3 and counts == {"centre": 3, "est": 1, "vide": 0}
            and doc.get("report") == {"unmatched_right": 1}, r)
    hand = dict(_rows(su, """SELECT z.code, count(s.id) FROM x_zones z
                               LEFT JOIN x_stations s ON ST_Covers(z.geom, s.geom) GROUP BY z.code"""))
    t.check("contains' counts are the hand-written ST_Covers ... GROUP BY", counts == hand, counts, hand)
    r = api.get(url("/rpc/cross", left="x-zones", right="x-stations", predicate="contains",
                    where='code = "centre"', right_where="metro"))
    t.check("where and right_where filter each side (ODSQL)",
            r.status == 200 and [(x["code"], x["right_count"]) for x in r.json()["results"]] == [("centre", 2)], r)
    r = api.get(url("/rpc/cross", left="x-stations", right="x-stations", predicate="nearest", k="2",
                    where="id = 1"))
    res = r.json().get("results", []) if r.status == 200 else []
    hand = _rows(su, """SELECT b.id, round(ST_Distance(a.geom::geography, b.geom::geography)::numeric, 3) AS d
                          FROM x_stations a, x_stations b WHERE a.id = 1 AND b.geom IS NOT NULL ORDER BY d LIMIT 2""")
    t.check("nearest with k=2: the station itself at 0 m, then the nearest other, fields prefixed right_",
            r.status == 200 and [x.get("right_id") for x in res] == [h[0] for h in hand]
            and res[0]["right_nom"] == "Châtelet" and res[0]["distance_m"] == 0, r, hand)
    t.check("nearest's distances are the brute-force ranking on the spheroid",
            [round(x["distance_m"], 3) for x in res] == [float(h[1]) for h in hand], res, hand)
    r = api.get(url("/rpc/cross", left="x-stations", right="x-stations", predicate="within_distance",
                    distance_m="700", rows="2", start="1"))
    doc = r.json() if r.status == 200 else {}
    hand = _rows(su, """SELECT count(*) FROM x_stations a JOIN x_stations b
                          ON ST_DWithin(a.geom::geography, b.geom::geography, 700)""")[0][0]
    t.check("within_distance: total_count is every pair within 700 m, a page of rows=2 from start=1",
            r.status == 200 and doc.get("total_count") == hand and len(doc.get("results", [])) == 2, r, hand)
    r = api.get(url("/rpc/cross", left="x-stations", right="x-zones", predicate="enrich"))
    doc = r.json() if r.status == 200 else {}
    t.check("enrich: each station with its zone's fields, unmatched stations reported",
            r.status == 200 and {x["nom"]: x["right_code"] for x in doc.get("results", [])}
            == {"Châtelet": "centre", "Hôtel de Ville": "centre", "Saint-Michel": "centre", "Nation": "est",
                "Sans lieu": None}
            and doc.get("report") == {"unmatched_left": 1, "on_shared_border": 0}, r)

    # -- errors -------------------------------------------------------------------
    for description, path, args, status, code in (
        ("distance_m = 0 is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-zones", "predicate": "within_distance", "distance_m": "0"}, 400, "22023"),
        ("a negative distance_m is 400 (22023)", "/rpc/near",
         {"dataset": "x-stations", "lon": "2.3", "lat": "48.8", "distance_m": "-5"}, 400, "22023"),
        ("within_distance without distance_m is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-zones", "predicate": "within_distance"}, 400, "22023"),
        ("k = 0 is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-stations", "k": "0"}, 400, "22023"),
        ("k = 101 is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-stations", "k": "101"}, 400, "22023"),
        ("a distance that is not a number is 400 (22P02)", "/rpc/cross",
         {"left": "x-stations", "right": "x-stations", "distance_m": "far"}, 400, "22P02"),
        ("an unknown predicate is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-zones", "predicate": "touches"}, 400, "22023"),
        ("a dataset without geometry is 400 (22023)", "/rpc/cross",
         {"left": "x-stations", "right": "x-budget"}, 400, "22023"),
        ("near on a dataset without geometry is 400 (22023)", "/rpc/near",
         {"dataset": "x-budget", "lon": "2.3", "lat": "48.8"}, 400, "22023"),
        ("an unknown dataset is 404 (42P01)", "/rpc/cross",
         {"left": "x-stations", "right": "nowhere"}, 404, "42P01"),
        ("a draft is 404 (42P01), as if it did not exist", "/rpc/near",
         {"dataset": "x-draft", "lon": "2.3", "lat": "48.8"}, 404, "42P01"),
        ("an unknown field in right_where is 400 (42703)", "/rpc/cross",
         {"left": "x-stations", "right": "x-zones", "predicate": "enrich", "right_where": 'colour = "red"'}, 400, "42703"),
        ("lat out of range is 400 (22023)", "/rpc/near",
         {"dataset": "x-stations", "lon": "2.3", "lat": "91"}, 400, "22023"),
        ("rows = 0 for near is 400 (22023)", "/rpc/near",
         {"dataset": "x-stations", "lon": "2.3", "lat": "48.8", "rows": "0"}, 400, "22023"),
    ):
        t.status("GET %s: %s" % (path, description), api.get(url(path, **args)), status, code)
    r = api.post("/rpc/cross", body={"left": "x-stations", "right": "x-zones", "lon": 5})
    t.status("POST /rpc/cross with an argument it does not take (lon is near's) is 404 (PGRST202)",
             r, 404, "PGRST202")
    r = api.post("/rpc/near", body={"dataset": "x-stations", "lon": 2.3, "lat": 48.8, "radius_m": 5})
    t.status("POST /rpc/near with radius_m, its name before 0.2.0 (now distance_m), is 404 (PGRST202)",
             r, 404, "PGRST202")

    api.close()
    su.close()
    print("1..%d" % t.n)
    return 1 if t.failed else 0


def _rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


if __name__ == "__main__":
    sys.exit(main())
