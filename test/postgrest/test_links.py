"""Every URL the portal advertises answers its own media type however it is
fetched (issue #17, part 1): with no Accept header (a harvester, curl,
a link checker), with ``Accept: */*``, with a browser's Accept (a person
clicking the link) and with its exact media type.

    python3 test/postgrest/test_links.py --site http://127.0.0.1:PORT [--dataset SLUG ...]

The site is nginx (deploy/nginx/opendata.conf, every location file) in
front of the PostgREST stand-in (test/postgrest/server.py, which negotiates
as PostgREST v12 does), the catalog's base_url being SITE/api.  The URLs
are collected from what the portal publishes, not listed by hand:

- the DCAT catalog (its IRI, its Hydra pages, every distribution's
  downloadURL and accessURL with its dcat:mediaType);
- the portal's pages (home, search, each dataset's page): every href and
  src of the site;
- the links of search() and records() results;
- each dataset's TileJSON and the tile URL template it gives;
- the OGC API landing page and the links it and the collections carry
  (with their "type").

Where the publisher states the media type (a distribution, an OGC link, a
``type`` attribute) that is what is expected; otherwise the URL's kind
decides (expected_type).  A URL of no known kind fails the test: a new kind
of link gets its expected type here.  Prints "ok N - ..." / "not ok N -
..." lines and exits non-zero if any check failed.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# The media type of each kind of URL the portal publishes, by path.
KINDS = [
    (r"^/$|^/search$|^/reuses$|^/datasets/[^/]+/?$|^/organizations/[^/]+/?$", "text/html"),
    (r"^/assets/portal\.css$", "text/css"),
    (r"^/api/rpc/catalog_(dcat|jsonld)$", "application/ld+json"),
    (r"^/api/rpc/catalog_turtle$", "text/turtle"),
    (r"^/api/rpc/catalog_rdfxml$", "application/rdf+xml"),
    (r"^/api/rpc/(records|facets|search|datasets)$|^/api/[a-z0-9_-]+$|^/api/$", "application/json"),
    (r"^/tiles/[^/]+\.json$", "application/json"),
    (r"^/tiles/[^/]+/\d+/\d+/\d+\.(mvt|pbf)$", "application/vnd.mapbox-vector-tile"),
    (r"^/ogc/?$|^/ogc/conformance$|^/ogc/collections(/[^/]+)?/?$", "application/json"),
    (r"^/ogc/api$", "application/vnd.oai.openapi+json"),
    (r"^/ogc/collections/[^/]+/items(/[^/]+)?/?$", "application/geo+json"),
]
DOWNLOADS = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson",
             "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "gpkg": "application/geopackage+sqlite3", "fgb": "application/flatgeobuf",
             "kml": "application/vnd.google-earth.kml+xml", "shp": "application/zip"}
# Not links to follow: the favicon (nginx answers 204), map assets, anchors.
SKIP = re.compile(r"^/favicon\.ico$|^/assets/map/")


def expected_type(path, query):
    if path == "/api/rpc/download":
        fmt = re.search(r"(?:^|&)format=([^&]+)", query)
        return DOWNLOADS.get(fmt.group(1).lower()) if fmt else None
    if path == "/api/rpc/catalog_dcat":
        fmt = re.search(r"(?:^|&)format=([^&]+)", query)
        return {"turtle": "text/turtle", "ttl": "text/turtle", "rdfxml": "application/rdf+xml"}.get(
            fmt.group(1).lower() if fmt else "", "application/ld+json")
    for pattern, media in KINDS:
        if re.search(pattern, path):
            return media
    return None


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []  # (url, type attribute or None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name) and tag in ("a", "link", "script", "img", "form"):
                self.found.append((a[name], a.get("type")))


def fetch(url, accept):
    headers = {} if accept is None else {"Accept": accept}
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


class Crawl:
    def __init__(self, site):
        self.site = site.rstrip("/")
        self.urls = {}  # url -> (expected media type or None, where it was found)

    def add(self, url, where, media=None):
        url = urljoin(self.site + "/", url)
        parts = urlsplit(url)
        if not url.startswith(self.site + "/") or SKIP.search(parts.path):
            return
        url = url.split("#")[0]
        if "{z}" in url:  # a tile template: the world tile
            url = url.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
            parts = urlsplit(url)
        declared = media.split(";")[0].strip().lower() if media else None
        media = declared or expected_type(parts.path, parts.query)
        if url not in self.urls or (declared and not self.urls[url][0]):
            self.urls[url] = (media, where)

    def json(self, path):
        status, _, body = fetch(self.site + path, "application/json")
        if status != 200:
            raise RuntimeError("GET %s: %s %s" % (path, status, body[:300]))
        return json.loads(body)

    def html(self, path):
        status, _, body = fetch(self.site + path, BROWSER)
        if status != 200:
            raise RuntimeError("GET %s: %s" % (path, status))
        p = Links()
        p.feed(body.decode("utf-8"))
        for url, media in p.found:
            self.add(url, "page " + path, media)

    def dcat(self):
        self.add("/api/rpc/catalog_dcat", "the catalog's IRI")
        _, _, body = fetch(self.site + "/api/rpc/catalog_jsonld?page_size=1", "application/ld+json")
        self.walk_jsonld(json.loads(body), "DCAT JSON-LD")

    @staticmethod
    def iris(value):
        """The IRIs of a JSON-LD property value: "x", {"@id": "x"} or a list."""
        values = value if isinstance(value, list) else [value]
        out = []
        for v in values:
            if isinstance(v, dict) and "@id" in v and len(v) == 1:
                out.append(v["@id"])
            elif isinstance(v, str):
                out.append(v)
        return out

    def walk_jsonld(self, node, where):
        """Every IRI-valued property of the catalog document (a node's own
        @id is a name, not a link); a distribution's URLs with its
        dcat:mediaType."""
        if isinstance(node, list):
            for n in node:
                self.walk_jsonld(n, where)
            return
        if not isinstance(node, dict):
            return
        media = None
        for m in self.iris(node.get("dcat:mediaType", [])):
            if "iana.org/assignments/media-types/" in m:
                media = m.split("iana.org/assignments/media-types/")[1]
        for key, value in node.items():
            if key.startswith("@"):
                if key == "@graph":
                    self.walk_jsonld(value, where)
                continue
            for iri in self.iris(value):
                if iri.startswith(self.site + "/"):
                    # dcat:mediaType is the downloadURL's; an accessURL is
                    # a way in (the API view), of its own kind.
                    link_media = media if key == "dcat:downloadURL" else None
                    self.add(iri, where + " " + key, link_media)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, dict) and not (len(v) == 1 and "@id" in v):
                    self.walk_jsonld(v, where)

    def api_links(self, dataset):
        doc = self.json("/api/rpc/search?q=")
        for result in doc.get("results", [])[:5]:
            for link in (result.get("links") or []) if isinstance(result, dict) else []:
                if isinstance(link, dict) and link.get("href"):
                    self.add(link["href"], "search() result", link.get("type"))
        doc = self.json("/api/rpc/records?dataset=%s&rows=2" % dataset)
        for link in doc.get("links", []) if isinstance(doc, dict) else []:
            if isinstance(link, dict) and link.get("href"):
                self.add(link["href"], "records() links", link.get("type"))

    def maps(self, dataset):
        self.add("/tiles/%s.json" % dataset, "TileJSON")
        doc = self.json("/tiles/%s.json" % dataset)
        for url in doc.get("tiles", []):
            self.add(url, "TileJSON tiles")

    def ogc(self):
        self.add("/ogc", "OGC landing")
        docs = [self.json("/ogc"), self.json("/ogc/collections")]
        for doc in docs:
            for coll in doc.get("collections", []):
                for link in coll.get("links", []):
                    self.add(link["href"], "OGC collection", link.get("type"))
            for link in doc.get("links", []):
                self.add(link["href"], "OGC links", link.get("type"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--dataset", action="append", default=[], help="a published dataset (its page, tiles)")
    ap.add_argument("--map-dataset", action="append", default=[], help="a dataset with a geometry")
    args = ap.parse_args()
    crawl = Crawl(args.site)
    crawl.dcat()
    for path in ["/", "/search"] + ["/datasets/" + d for d in args.dataset]:
        crawl.add(path, "the portal")
        crawl.html(path)
    for d in args.dataset:
        crawl.api_links(d)
    for d in args.map_dataset:
        crawl.maps(d)
    crawl.ogc()

    n = 0
    failed = 0
    for url in sorted(crawl.urls):
        media, where = crawl.urls[url]
        for accept in (None, "*/*", BROWSER, media):
            n += 1
            label = "no Accept" if accept is None else "Accept: " + (accept if accept != BROWSER else "(browser)")
            name = "%s with %s (found in %s)" % (url[len(crawl.site):], label, where)
            if media is None:
                failed += 1
                print("not ok %d - %s: no known media type for this URL" % (n, name))
                break
            status, ctype, body = fetch(url, accept)
            got = ctype.split(";")[0].strip().lower()
            if 200 <= status < 300 and got == media:
                print("ok %d - %s is %s" % (n, name, media))
            else:
                failed += 1
                print("not ok %d - %s: %s %s, expected %s\n#   %r" % (n, name, status, got or "(none)", media,
                                                                    body[:200]))
    print("# %d advertised URLs" % len(crawl.urls))
    return 1 if failed or not crawl.urls else 0


if __name__ == "__main__":
    sys.exit(main())
