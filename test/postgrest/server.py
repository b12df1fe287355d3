#!/usr/bin/python3
"""An HTTP server in front of harness.PostgREST, for tests and demos.

    python3 test/postgrest/server.py --dsn "host=/tmp/x port=5432 dbname=portal" --port 3000

It listens on 127.0.0.1 only and answers each request exactly as
harness.PostgREST answers it (status, Content-Type from the negotiated media
type handler, Content-Range, Preference-Applied, the ``response.headers`` and
``response.status`` settings a function sets), with real sockets, so that
browsers, nginx, GDAL or npm clients can be pointed at the database.  It is a
stand-in: production runs PostgREST itself (docs/postgrest.md).

Threaded: each request borrows one harness instance (a connection as
``authenticator`` and its NOTIFY listener) from a small pool, so concurrent
requests run in separate transactions as PostgREST's pool runs them.
Requests are anonymous (``db-anon-role``).  With ``--trust-jwt-role`` the
``role`` claim of a ``Bearer`` token is used *without checking its
signature*: for tests only, never for a server others can reach.

With ``--locations FILE`` (deploy/nginx/locations/portal.conf) it also
answers the pretty URLs nginx would map (``/``, ``/datasets/<slug>``, ...)
and the API under ``/api/`` (pretty_urls.py), for the demo on a machine
without nginx.

It prints ``listening on http://127.0.0.1:PORT`` once it accepts
connections (``--port 0`` picks a free port), and stops on SIGTERM or
SIGINT.
"""

import argparse
import base64
import json
import os
import queue
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg2  # noqa: E402

from harness import PostgREST, Unsupported, http_status_for_sqlstate  # noqa: E402
from pretty_urls import Router  # noqa: E402

# Hop-by-hop headers never go into request.headers (PostgREST's server does
# not pass them either), and never come from a function's response.headers.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
              "trailer"}
MAX_BODY = 64 * 1024 * 1024


class Pool:
    """At most `size` harness instances, created on first use, reused after."""

    def __init__(self, size, factory):
        self.factory = factory
        self.idle = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)

    def run(self, fn):
        self.slots.acquire()
        try:
            try:
                api = self.idle.get_nowait()
            except queue.Empty:
                api = self.factory()
            try:
                result = fn(api)
            except (psycopg2.InterfaceError, psycopg2.OperationalError):
                # A broken connection (server restarted): drop it, retry once.
                _close(api)
                api = self.factory()
                result = fn(api)
            self.idle.put(api)
            return result
        finally:
            self.slots.release()

    def close(self):
        while True:
            try:
                _close(self.idle.get_nowait())
            except queue.Empty:
                return


def _close(api):
    try:
        api.close()
    except psycopg2.Error:
        pass


def jwt_role(header):
    """The role claim of `Authorization: Bearer <jwt>`, signature unchecked."""
    if not header or not header.lower().startswith("bearer "):
        return None
    parts = header.split(None, 1)[1].strip().split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    role = claims.get("role") if isinstance(claims, dict) else None
    return role if isinstance(role, str) and role else None


def make_handler(pool, trust_jwt_role, quiet, router=None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
        server_version = "opendata-postgrest-standin"

        def log_message(self, fmt, *args):
            if not quiet:
                sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

        def _answer(self, status, headers, body):
            if isinstance(body, str):
                body = body.encode("utf-8")
            body = body or b""
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                    continue
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status, code, message):
            body = json.dumps({"code": code, "details": None, "hint": None, "message": message})
            self._answer(status, {"Content-Type": "application/json; charset=utf-8"}, body)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                return self._error(413, "PGRST000", "request body too large")
            raw = self.rfile.read(length) if length else None
            headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            path = self.path
            if router is not None:
                status, path, headers = router.route(path, headers)
                if status is not None:  # nginx's own answer (return 404;)
                    return self._answer(status, {"Content-Type": "text/html"},
                                        "<h1>Not Found</h1>\n" if status == 404 else b"")
            role = jwt_role(headers.get("authorization")) if trust_jwt_role else None
            body = raw.decode("utf-8") if raw else None
            method = self.command

            def call(api):
                return api.request(method, path, role=role, body=body, headers=headers)

            try:
                resp = pool.run(call)
            except Unsupported as e:
                return self._error(501, "PGRST501", "not modelled by the stand-in: %s" % e)
            except UnicodeDecodeError:
                return self._error(400, "PGRST102", "request body is not UTF-8")
            except psycopg2.Error as e:
                # Raised outside the request's statement (while planning it).
                if e.pgcode:
                    return self._error(http_status_for_sqlstate(e.pgcode, role is not None), e.pgcode,
                                       (e.diag.message_primary or str(e)).strip())
                return self._error(503, "PGRST001", "database unavailable: %s" % str(e).strip())
            self._answer(resp.status, resp.headers, resp.body)

        do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = _handle

        def do_OPTIONS(self):
            self._answer(200, {"Allow": "OPTIONS,GET,HEAD,POST,PATCH,DELETE"}, b"")

    return Handler


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", required=True, help="libpq connection string (the user is --authenticator)")
    ap.add_argument("--port", type=int, default=3000, help="TCP port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--pool", type=int, default=4, help="connections (harness instances) at most")
    ap.add_argument("--schemas", default="opendata_api", help="db-schemas, comma-separated")
    ap.add_argument("--anon-role", default="opendata_anon", help="db-anon-role")
    ap.add_argument("--extra-search-path", default="public", help="db-extra-search-path, comma-separated")
    ap.add_argument("--max-rows", type=int, default=None, help="db-max-rows")
    ap.add_argument("--authenticator", default="authenticator", help="the login role")
    ap.add_argument("--pre-request", default=None, help="db-pre-request: schema.function called before each request")
    ap.add_argument("--trust-jwt-role", action="store_true",
                    help="take the role claim of Bearer tokens WITHOUT checking signatures (tests only)")
    ap.add_argument("--quiet", action="store_true", help="no access log on stderr")
    ap.add_argument("--no-channel", action="store_true",
                    help="db-channel-enabled = false: no LISTEN (a hot standby refuses it)")
    ap.add_argument("--locations", action="append", default=[], metavar="FILE",
                    help="also answer the pretty URLs of this nginx location file, and /api/ (repeatable)")
    args = ap.parse_args(argv)

    def split(text):
        return tuple(s.strip() for s in text.split(",") if s.strip())

    def factory():
        return PostgREST({"dsn": args.dsn}, schemas=split(args.schemas), anon_role=args.anon_role,
                         extra_search_path=split(args.extra_search_path), max_rows=args.max_rows,
                         authenticator=args.authenticator, pre_request=args.pre_request,
                         channel=not args.no_channel)

    router = None
    if args.locations:
        texts = []
        for name in args.locations:
            with open(name, encoding="utf-8") as f:
                texts.append(f.read())
        router = Router(texts)
    pool = Pool(max(1, args.pool), factory)
    pool.run(lambda api: None)  # fail now, not at the first request, on a bad DSN
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(pool, args.trust_jwt_role, args.quiet, router))
    server.daemon_threads = True

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
