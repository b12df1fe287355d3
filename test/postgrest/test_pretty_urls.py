"""The stand-in's pretty URLs (pretty_urls.py): the routes it reads from
deploy/nginx/locations/portal.conf are those nginx serves (docs/portal.md),
query strings follow as nginx appends them, Accept and Authorization are
set as the location file sets them, and a location file it cannot follow
(regular expressions: tiles, OGC) is refused rather than half-served.

No database: run by test/shell/postgrest_contract.sh.  Prints "ok N - ..."
/ "not ok N - ..." lines and exits non-zero if any check failed.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from pretty_urls import Router  # noqa: E402
from test_contract import Tap  # noqa: E402

LOCATIONS = os.path.join(HERE, "..", "..", "deploy", "nginx", "locations")


def read(name):
    with open(os.path.join(LOCATIONS, name), encoding="utf-8") as f:
        return f.read()


def main():
    tap = Tap()
    router = Router([read("portal.conf")])
    browser = {"accept": "*/*", "authorization": "Bearer x"}
    cases = [
        ("/", "/rpc/portal", "text/html"),
        ("/?lang=en", "/rpc/portal?lang=en", "text/html"),
        ("/search?q=arbres&refine=%7Btheme%3AENVI%7D", "/rpc/search_page?q=arbres&refine=%7Btheme%3AENVI%7D", "text/html"),
        ("/datasets/fibre-gps", "/rpc/dataset_page?dataset=fibre-gps", "text/html"),
        ("/datasets/fibre-gps/", "/rpc/dataset_page?dataset=fibre-gps", "text/html"),
        ("/datasets/x?where=a%3D1&lang=en", "/rpc/dataset_page?dataset=x&where=a%3D1&lang=en", "text/html"),
        ("/organizations/idfm", "/rpc/organization_page?id=idfm", "text/html"),
        ("/reuses", "/rpc/reuses_page", "text/html"),
        ("/assets/portal.css", "/rpc/portal_css", "text/css"),
    ]
    for url, target, accept in cases:
        status, path, headers = router.route(url, browser)
        tap.check("%s -> %s" % (url, target),
                  status is None and path == target and headers.get("accept") == accept
                  and "authorization" not in headers, (status, path, headers))
    status, path, headers = router.route("/api/rpc/records?dataset=x", browser)
    tap.check("/api/ is the API, headers untouched",
              status is None and path == "/rpc/records?dataset=x" and headers == browser, (status, path, headers))
    status, path, headers = router.route("/rpc/portal", browser)
    tap.check("other paths pass through", status is None and path == "/rpc/portal", (status, path))
    for url in ("/datasets/a%3Cb", "/datasets/a/b", "/organizations/"):
        status, _, _ = router.route(url, browser)
        tap.check("%s is a 404, as nginx answers it" % url, status == 404, status)
    tap.check("/favicon.ico is nginx's 204", router.route("/favicon.ico", browser)[0] == 204)
    for name in ("tiles.conf", "ogc.conf"):
        try:
            Router([read(name)])
            refused = False
        except ValueError:
            refused = True
        tap.check("%s (regular expression locations) is refused" % name, refused)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
