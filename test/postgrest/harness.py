"""A PostgREST stand-in for contract tests, at the SQL level.

PostgREST cannot be installed on the test machines, so this module plays
its part for one request at a time, the way PostgREST (v12) does it:

1. it holds a connection as the login role ``authenticator`` (NOINHERIT,
   granted the roles a JWT may name), like PostgREST's pool;
2. per request it opens a transaction, ``READ ONLY`` for GET and HEAD and
   for POST to a STABLE or IMMUTABLE function, ``READ WRITE`` otherwise,
   isolation level READ COMMITTED unless the role sets
   ``default_transaction_isolation``;
3. it sets the transaction-local settings PostgREST sets, in the same
   order, with ``set_config(name, value, true)``: ``search_path`` (the
   requested schema then the extra search path), the role's own settings
   (``ALTER ROLE ... SET``, which a SET ROLE alone would not apply),
   ``role``, ``request.jwt.claims`` (with ``role`` always in it),
   ``request.method``, ``request.path``, ``request.headers`` and
   ``request.cookies``;
   then, with ``db-pre-request`` (``pre_request``), calls that function;
4. it runs one statement of the shape PostgREST sends, ``WITH pgrst_source
   AS (...) SELECT total_result_set, page_total, body, response_headers,
   response_status FROM (...) _postgrest_t``, built from the URL;
5. it commits (or rolls back on error, or on ``Prefer: tx=rollback``), and
   turns the result or the error into an HTTP status, headers and body,
   with PostgreSQL's SQLSTATE mapped as PostgREST maps it; an error raised
   with SQLSTATE ``PGRST`` is the response it describes (status, headers,
   body), as PostgREST answers it.

A listener connection (``LISTEN pgrst``, as PostgREST's schema cache
listener) collects the NOTIFY payloads sent on the ``pgrst`` channel.
``notifications()`` is deterministic: it commits a sentinel NOTIFY on a
channel of its own and reads until the sentinel arrives, so whatever a
request committed before has been received, and what was rolled back never
will be; no test waits on a clock.

Only the subset of PostgREST's URL grammar the contract tests need is
understood; anything else raises ``Unsupported`` rather than being guessed.

- ``GET|HEAD /<relation>?<filters>&select=&order=&limit=&offset=``; filters
  ``col=[not.]op.value`` with op in eq, neq, gt, gte, lt, lte, like, ilike
  (``*`` is ``%``), is (null, not_null, true, false, unknown) and
  ``in.(a,b,"c,d")``; select items ``col``, ``alias:col``, ``col::type``
  and ``*``; order items ``col[.asc|.desc][.nullsfirst|.nullslast]``.
- ``POST /<relation>`` (insert), ``PATCH`` and ``DELETE`` with filters, with
  ``Prefer: return=representation|minimal``.
- ``GET /rpc/<fn>?arg=value`` (named arguments from the query string) and
  ``POST /rpc/<fn>`` with a JSON object body (named arguments).  On GET, as
  in PostgREST, a value that starts like a filter (``eq.``, ``not.``, ...) is
  a filter on the result even under an argument's name, and a repeated
  argument keeps its last value.  ``HEAD /rpc/<fn>`` selects no body (no
  handler, no aggregate), as PostgREST does.
- ``Accept``: application/json (default), ``application/vnd.pgrst.object+json``
  (exactly one row, else 406), text/csv, application/geo+json, and media
  type handlers (PostgREST v12 ``custom_media``): a function returning a
  domain named like a media type (``CREATE DOMAIN "text/csv" AS text``) is
  served with that Content-Type when the Accept header asks for it; an
  aggregate in an exposed schema whose (final) type is such a domain and
  whose argument is a table/view row type, or ``anyelement`` for every
  relation, is the handler of that media type for reads.  Negotiation
  follows PostgREST's ``negotiateContent``: the accepted media types in
  order of quality, the first that has a handler wins; for each one, the
  handlers of the target itself (when ``select`` is the default), then the
  ``anyelement`` ones, then the built-in ones (JSON for ``*/*``, CSV,
  GeoJSON); none: 406 PGRST107.  As in v12 (PostgREST issue #3391), a
  function returning a media-type domain still answers ``Accept: */*`` (or
  no Accept) with JSON.
- ``Prefer: count=exact`` (Content-Range total and 206 on a partial page),
  ``Prefer: tx=rollback|commit``.
- ``Accept-Profile`` (reads) / ``Content-Profile`` (writes, POST to rpc)
  choose among the exposed schemas, the first one by default.

Every value from the URL or the body reaches the database as a bound
parameter; identifiers are quoted.  The statement text is kept on the
response (``Response.sql``) to make failures easy to read.
"""

import json
import re
import select as _select
import time
import urllib.parse

import psycopg2
import psycopg2.extensions

__all__ = ["PostgREST", "Response", "Unsupported", "http_status_for_sqlstate"]

RESERVED_PARAMS = {"select", "order", "limit", "offset", "columns", "on_conflict", "and", "or"}
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
             "like": "LIKE", "ilike": "ILIKE"}
IS_VALUES = {"null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE",
             "unknown": "UNKNOWN"}
SINGULAR = "application/vnd.pgrst.object+json"
SENTINEL_CHANNEL = "pgrst_harness_sentinel"
# Media types PostgREST knows (MediaType.hs): their Content-Type carries a
# charset; a custom one (MTOther) is sent as its name alone.
BUILTIN_MEDIA = {"application/json", "text/csv", "application/geo+json", SINGULAR, "text/plain",
                 "text/xml", "application/openapi+json"}


class Unsupported(Exception):
    """A request this stand-in does not model: the test must not rely on it."""


class ApiError(Exception):
    """An error PostgREST raises itself (code PGRSTxxx), before any SQL runs."""

    def __init__(self, status, code, message, details=None, hint=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.hint = details, hint


def http_status_for_sqlstate(code, authenticated):
    """The HTTP status PostgREST answers for a PostgreSQL SQLSTATE."""
    exact = {"23503": 409, "23505": 409, "25006": 405, "53400": 500, "P0001": 400,
             "42883": 404, "42P01": 404, "42P17": 500}
    if code == "42501":
        return 403 if authenticated else 401
    if code.startswith("PT") and code[2:].isdigit():  # RAISE ... SQLSTATE 'PT406'
        return int(code[2:])
    if code in exact:
        return exact[code]
    by_class = {"08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "2D": 500,
                "38": 500, "39": 500, "3B": 500, "40": 500, "53": 503, "54": 500, "55": 500,
                "57": 500, "58": 500, "F0": 500, "HV": 500, "P0": 500, "XX": 500}
    return by_class.get(code[:2], 400)


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


class Sql:
    """A statement under construction: text with %s placeholders and its values."""

    def __init__(self):
        self.params = []

    def param(self, value):
        self.params.append(value)
        return "%s"

    @staticmethod
    def ident(name):
        # Identifiers go into the text psycopg2 formats: escape its marker.
        return quote_ident(name).replace("%", "%%")


class Response:
    def __init__(self, status, headers, body, sql=None):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.sql = sql

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return "<Response %s %s %s>" % (self.status, self.headers, (self.body or "")[:300])


def _split_top_level(text, sep=","):
    """Splits on `sep` outside double quotes and parentheses."""
    out, cur, depth, quoted, i = [], [], 0, False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text):
                cur.append(text[i:i + 2])
                i += 2
                continue
            if c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def _unquote(item):
    if len(item) >= 2 and item[0] == '"' and item[-1] == '"':
        return item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return item


# PostgREST's filter operators (QueryParams.hs: operators, ftsOperators,
# "in" and "is"): a GET /rpc value starting with one of them and a dot is
# read as a filter on the result, not as the argument.
FILTER_OPERATORS = {"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "in",
                    "is", "isdistinct", "fts", "plfts", "phfts", "wfts", "cs", "cd", "ov", "sl",
                    "sr", "nxr", "nxl", "adj"}


def _reads_as_filter(value):
    if value.startswith("not."):
        return True  # committed: the rest must be an operation, or 400 PGRST100
    op = re.match(r"^([a-z]+)(\([^)]*\))?\.", value)
    return bool(op) and op.group(1) in FILTER_OPERATORS


def _array_literal(values):
    """A PostgreSQL array literal, every element quoted, for `= ANY(%s)`."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


class PostgREST:
    """One PostgREST instance: a request connection and a NOTIFY listener.

    conn: keyword arguments for psycopg2.connect (host, port, dbname); the
    user is always `authenticator`.  schemas: db-schemas, the first being the
    default profile.  extra_search_path: db-extra-search-path.  max_rows:
    db-max-rows.  tx_end: db-tx-end.
    """

    def __init__(self, conn, schemas=("opendata_api",), anon_role="opendata_anon",
                 extra_search_path=("public",), max_rows=None,
                 tx_end="commit-allow-override", authenticator="authenticator", pre_request=None,
                 channel=True):
        self.conn_args = dict(conn, user=authenticator)
        self.schemas = list(schemas)
        self.anon_role = anon_role
        self.extra_search_path = list(extra_search_path)
        self.max_rows = max_rows
        self.tx_end = tx_end
        self.pre_request = pre_request
        self.db = psycopg2.connect(**self.conn_args)
        self.db.autocommit = True  # transactions are opened by hand, as PostgREST does
        # db-channel-enabled: PostgREST on a hot standby runs without it
        # (LISTEN is refused during recovery; docs/scaling.md).
        self.listener = None
        if channel:
            self.listener = psycopg2.connect(**self.conn_args)
            self.listener.autocommit = True
            with self.listener.cursor() as cur:
                cur.execute("LISTEN pgrst")
                cur.execute("LISTEN " + SENTINEL_CHANNEL)
        self._received = []
        self._sentinels = 0

    def close(self):
        self.db.close()
        if self.listener is not None:
            self.listener.close()

    # -- NOTIFY -------------------------------------------------------------

    def notifications(self, timeout=30.0):
        """Payloads received on channel pgrst since the last call.

        Commits a sentinel NOTIFY after everything sent so far and reads until
        it arrives: notifications are delivered in commit order.
        """
        self._sentinels += 1
        token = "sentinel-%d" % self._sentinels
        with self.db.cursor() as cur:
            cur.execute("SELECT pg_notify(%s, %s)", (SENTINEL_CHANNEL, token))
        deadline = time.monotonic() + timeout
        while True:
            self.listener.poll()
            seen = False
            while self.listener.notifies:
                n = self.listener.notifies.pop(0)
                if n.channel == SENTINEL_CHANNEL:
                    seen = seen or n.payload == token
                else:
                    self._received.append(n.payload)
            if seen:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("the NOTIFY sentinel never arrived")
            _select.select([self.listener], [], [], left)
        got, self._received = self._received, []
        return got

    # -- requests -------------------------------------------------------------

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def head(self, url, **kw):
        return self.request("HEAD", url, **kw)

    def post(self, url, body=None, **kw):
        return self.request("POST", url, body=body, **kw)

    def patch(self, url, body=None, **kw):
        return self.request("PATCH", url, body=body, **kw)

    def delete(self, url, **kw):
        return self.request("DELETE", url, **kw)

    def request(self, method, url, role=None, body=None, headers=None, claims=None):
        """Runs one request.  role: the JWT's role claim (None: anonymous).
        body: a JSON-serialisable value or a str.  Returns a Response."""
        method = method.upper()
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        authenticated = role is not None
        role = role or self.anon_role
        try:
            plan = self._plan(method, url, headers, body)
        except ApiError as e:
            return self._error_response(e.status, e.code, e.message, e.details, e.hint, authenticated)
        claims = dict(claims or {})
        claims["role"] = role
        return self._run(method, plan, role, claims, headers, authenticated)

    # -- planning: URL -> statement ---------------------------------------

    def _profile(self, method, headers):
        name = "accept-profile" if method in ("GET", "HEAD") else "content-profile"
        schema = headers.get(name)
        if schema is None:
            return self.schemas[0]
        if schema not in self.schemas:
            raise ApiError(406, "PGRST106", "Invalid schema: " + schema,
                           hint="Only the following schemas are exposed: " + ", ".join(self.schemas))
        return schema

    @staticmethod
    def _accepts(headers):
        """The accepted media types, best quality first (stable)."""
        items = []
        for pos, item in enumerate(headers.get("accept", "*/*").split(",")):
            parts = [p.strip() for p in item.split(";")]
            mt = parts[0].lower()
            q = 1.0
            for param in parts[1:]:
                if param.startswith("q="):
                    try:
                        q = float(param[2:])
                    except ValueError:
                        q = 0.0
            if mt and q > 0:
                items.append((-q, pos, mt))
        return [mt for _, _, mt in sorted(items)] or ["*/*"]

    def _handlers(self, schemas):
        """PostgREST's schema cache of media type handlers (SchemaCache.hs
        mediaHandlers): {(target, media type): (kind, handler)} where target
        is "schema.relation", "schema.function" or None for anyelement."""
        with self.db.cursor() as cur:
            cur.execute(r"""
              WITH all_relations AS (
                SELECT reltype FROM pg_class WHERE relkind IN ('v','r','m','f','p')
                UNION SELECT oid FROM pg_type WHERE typname = 'anyelement'),
              media_types AS (
                SELECT t.oid, lower(t.typname) AS typname, t.typnamespace, b.typname = 'bytea' AS binary
                  FROM pg_type t JOIN pg_type b ON t.typbasetype = b.oid
                 WHERE t.typbasetype <> 0
                   AND (t.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.\+-]+$' OR t.typname = '*/*'))
              SELECT 'agg', ps.nspname, p.proname,
                     CASE WHEN a.typname = 'anyelement' THEN NULL ELSE asch.nspname END,
                     CASE WHEN a.typname = 'anyelement' THEN NULL ELSE a.typname::text END, mt.typname, mt.binary
                FROM media_types mt
                JOIN pg_proc p ON p.prorettype = mt.oid
                JOIN pg_namespace ps ON ps.oid = p.pronamespace
                JOIN pg_aggregate g ON g.aggfnoid = p.oid
                JOIN pg_type a ON a.oid = p.proargtypes[0]
                JOIN pg_namespace asch ON asch.oid = a.typnamespace
               WHERE ps.nspname = ANY(%s) AND p.pronargs = 1 AND a.oid IN (SELECT reltype FROM all_relations)
              UNION ALL
              SELECT 'func', ts.nspname, mt.typname, ps.nspname, p.proname::text, mt.typname, mt.binary
                FROM pg_proc p
                JOIN pg_namespace ps ON ps.oid = p.pronamespace
                JOIN media_types mt ON p.prorettype = mt.oid
                JOIN pg_namespace ts ON ts.oid = mt.typnamespace
               WHERE ps.nspname = ANY(%s) AND NOT p.proretset AND p.prokind = 'f'""",
                        (list(schemas), list(schemas)))
            rows = cur.fetchall()
        handlers = {(None, "*/*"): ("builtin", "json"), (None, "application/json"): ("builtin", "json"),
                    (None, "text/csv"): ("builtin", "csv"), (None, "application/geo+json"): ("builtin", "geojson")}
        for kind, hschema, hname, tschema, tname, mt, binary in rows:
            target = None if tname is None else (tschema, tname)
            # binary: a bytea domain, whose body PostgREST sends as raw bytes.
            handlers[(target, mt)] = (kind, (hschema, hname), target, binary)
        return handlers

    def _negotiate(self, plan, schema, name, default_select):
        """Picks the handler and media type of a read or a call
        (Plan.hs negotiateContent), or raises 406 PGRST107."""
        handlers = self._handlers(self.schemas)
        target = (schema, name)
        for mt in plan["accepts"]:
            if mt == SINGULAR:
                plan["media"], plan["handler"] = SINGULAR, ("builtin", "singular")
                return
            if mt == "application/*":  # the stand-in's historical leniency
                mt = "application/json"
            found = None
            if default_select:
                found = handlers.get((target, "*/*")) or handlers.get((target, mt))
            found = found or handlers.get((None, mt))
            if found:
                plan["handler"] = found
                plan["media"] = "application/json" if mt == "*/*" else mt
                return
        raise ApiError(406, "PGRST107", "None of these media types are available: " + ", ".join(plan["accepts"]))

    def _media(self, headers):
        accept = headers.get("accept", "application/json")
        for item in accept.split(","):
            mt = item.split(";")[0].strip().lower()
            if mt in ("application/json", "*/*", "application/*", ""):
                return "application/json"
            if mt in (SINGULAR, "text/csv"):
                return mt
        raise ApiError(406, "PGRST107", "None of these media types are available: " + accept)

    def _prefer(self, headers):
        prefs = {}
        for item in headers.get("prefer", "").split(","):
            if "=" in item:
                k, v = item.strip().split("=", 1)
                prefs[k.strip()] = v.strip()
        return prefs

    def _plan(self, method, url, headers, body):
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path)
        params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        segments = [s for s in path.split("/") if s]
        schema = self._profile(method, headers)
        try:
            media = self._media(headers)
        except ApiError:
            if method not in ("GET", "HEAD") and not (len(segments) == 2 and segments[0] == "rpc"):
                raise
            media = None  # reads and calls negotiate with the handlers below
        prefer = self._prefer(headers)
        if isinstance(body, (str, bytes)):
            try:
                body = json.loads(body) if body else None
            except ValueError as e:
                raise ApiError(400, "PGRST102", "Empty or invalid json", details=str(e))
        plan = {"schema": schema, "media": media, "prefer": prefer, "path": path,
                "accepts": self._accepts(headers), "handler": None,
                "read_only": method in ("GET", "HEAD"), "count": prefer.get("count") == "exact"}
        if len(segments) == 2 and segments[0] == "rpc":
            if method not in ("GET", "HEAD", "POST"):
                raise ApiError(405, "PGRST101", "Only GET and POST are allowed for functions")
            self._plan_call(plan, schema, segments[1], method, params, body)
        elif len(segments) == 1:
            self._plan_relation(plan, schema, segments[0], method, params, body)
        else:
            raise Unsupported("path " + path)
        return plan

    def _lookup_relation(self, schema, name):
        with self.db.cursor() as cur:
            cur.execute("""SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r','v','m','f','p')""",
                        (schema, name))
            row = cur.fetchone()
        if row is None:
            # PostgREST answers from its schema cache, before any SQL runs.
            raise ApiError(404, "PGRST205",
                           "Could not find the table '%s.%s' in the schema cache" % (schema, name))

    def _filters(self, sql, target, params, skip=()):
        clauses, rest = [], {}
        for key, value in params:
            if key in RESERVED_PARAMS or key in skip:
                rest.setdefault(key, value)
                continue
            clauses.append(self._filter(sql, target, key, value))
        return clauses, rest

    def _filter(self, sql, target, column, value):
        negate = False
        if value.startswith("not."):
            negate, value = True, value[4:]
        op, _, operand = value.partition(".")
        if "->" in column or "." in column:
            raise Unsupported("filter on " + column)
        col = target + "." + Sql.ident(column)
        if op in OPERATORS:
            if op in ("like", "ilike"):
                operand = operand.replace("*", "%")
            clause = "%s %s %s" % (col, OPERATORS[op], sql.param(operand))
        elif op == "is":
            if operand.lower() not in IS_VALUES:
                raise ApiError(400, "PGRST100", '"failed to parse filter (is.%s)"' % operand)
            clause = "%s IS %s" % (col, IS_VALUES[operand.lower()])
        elif op == "in":
            if not (operand.startswith("(") and operand.endswith(")")):
                raise ApiError(400, "PGRST100", '"failed to parse filter (in.%s)"' % operand)
            inner = operand[1:-1]
            items = [_unquote(v) for v in _split_top_level(inner)] if inner else []
            clause = "%s = ANY (%s)" % (col, sql.param(_array_literal(items)))
        elif op.split("(")[0] in FILTER_OPERATORS:
            raise Unsupported("filter operator " + op)
        else:
            raise ApiError(400, "PGRST100", '"failed to parse filter (%s)"' % value)
        return "NOT " + clause if negate else clause

    def _select_list(self, target, select):
        if not select or select == "*":
            return [target + ".*"]
        items = []
        for item in _split_top_level(select):
            item = item.strip()
            if "(" in item or "->" in item:
                raise Unsupported("select item " + item)
            alias = None
            m = re.match(r"^([^:]+):(?!:)(.+)$", item)
            if m:
                alias, item = m.group(1), m.group(2)
            cast = None
            if "::" in item:
                item, cast = item.split("::", 1)
                if not cast.replace("_", "").replace(" ", "").isalnum():
                    raise ApiError(400, "PGRST100", "invalid cast " + cast)
            if item == "*":
                items.append(target + ".*")
                continue
            expr = target + "." + Sql.ident(item)
            if cast:
                expr = "CAST(%s AS %s)" % (expr, cast)
            items.append("%s AS %s" % (expr, Sql.ident(alias or item)) if (alias or cast) else expr)
        return items

    def _order(self, target, order):
        if not order:
            return ""
        terms = []
        for item in _split_top_level(order):
            bits = item.strip().split(".")
            col, mods = bits[0], bits[1:]
            term = target + "." + Sql.ident(col)
            for m in mods:
                if m in ("asc", "desc"):
                    term += " " + m.upper()
                elif m in ("nullsfirst", "nullslast"):
                    term += " NULLS " + m[5:].upper()
                else:
                    raise ApiError(400, "PGRST100", '"failed to parse order (%s)"' % order)
            terms.append(term)
        return " ORDER BY " + ", ".join(terms)

    def _limit_offset(self, rest):
        try:
            limit = int(rest["limit"]) if "limit" in rest else None
            offset = int(rest.get("offset", 0))
        except ValueError:
            raise ApiError(400, "PGRST100", "limit and offset must be integers")
        if self.max_rows is not None:
            limit = self.max_rows if limit is None else min(limit, self.max_rows)
        text = ""
        if limit is not None:
            text += " LIMIT %d" % limit
        if offset:
            text += " OFFSET %d" % offset
        return text, offset

    def _plan_relation(self, plan, schema, name, method, params, body):
        self._lookup_relation(schema, name)
        sql = Sql()
        target = Sql.ident(schema) + "." + Sql.ident(name)
        where_clauses, rest = self._filters(sql, target, params)
        where = (" WHERE " + " AND ".join(where_clauses)) if where_clauses else ""
        plan["kind"] = "read" if method in ("GET", "HEAD") else "write"
        select = rest.get("select")
        if method in ("GET", "HEAD"):
            self._negotiate(plan, schema, name, not select or select == "*")
            limit_text, offset = self._limit_offset(rest)
            plan["offset"] = offset
            source = "SELECT %s FROM %s%s%s%s" % (", ".join(self._select_list(target, select)), target,
                                                  where, self._order(target, rest.get("order")), limit_text)
            count = ("pgrst_source_count AS (SELECT 1 FROM %s%s), " % (target, where)) if plan["count"] else ""
            total = "(SELECT pg_catalog.count(*) FROM pgrst_source_count)" if plan["count"] else "null::bigint"
            plan["sql"] = self._outer(source, count, total, plan["handler"], "SELECT * FROM pgrst_source")
            plan["params"] = sql.params
            return
        # Writes: the statement's own parameters first, the filters' after.
        wsql = Sql()
        returning = plan["prefer"].get("return", "minimal") == "representation"
        if method == "POST":
            if not isinstance(body, (dict, list)):
                raise ApiError(400, "PGRST102", "Empty or invalid json")
            rows = body if isinstance(body, list) else [body]
            cols = sorted({k for r in rows for k in r})
            col_list = ", ".join(Sql.ident(c) for c in cols)
            mutate = ("INSERT INTO %s (%s) SELECT %s FROM json_populate_recordset(NULL::%s, %s) _ RETURNING %s.*"
                      % (target, col_list, col_list, target, wsql.param(json.dumps(rows)), target))
            plan["created"] = True
        elif method == "PATCH":
            if not isinstance(body, dict) or not body:
                raise ApiError(400, "PGRST102", "Empty or invalid json")
            sets = ", ".join("%s = pgrst_body.%s" % (Sql.ident(c), Sql.ident(c)) for c in sorted(body))
            mutate = ("UPDATE %s SET %s FROM (SELECT * FROM json_populate_record(NULL::%s, %s)) pgrst_body%s RETURNING %s.*"
                      % (target, sets, target, wsql.param(json.dumps(body)), where, target))
        elif method == "DELETE":
            mutate = "DELETE FROM %s%s RETURNING %s.*" % (target, where, target)
        else:
            raise ApiError(405, "PGRST117", "Unsupported HTTP method: " + method)
        plan["returning"] = returning
        select_items = self._select_list("pgrst_source", select) if returning else ["pgrst_source.*"]
        plan["sql"] = self._outer(mutate, "", "''", plan["media"] if returning else "none",
                                  "SELECT %s FROM pgrst_source" % ", ".join(select_items))
        plan["params"] = wsql.params + sql.params

    def _lookup_function(self, schema, name, arg_names):
        with self.db.cursor() as cur:
            cur.execute("""
              SELECT p.oid, p.provolatile, p.proretset, p.prorettype = 'void'::regtype,
                     t.typrelid <> 0 OR p.prorettype = 'record'::regtype,
                     coalesce(p.pronargdefaults, 0),
                     ARRAY(SELECT a.name FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                                                     coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])),
                                                     coalesce(p.proargnames, array_fill(''::text, ARRAY[p.pronargs])))
                                     WITH ORDINALITY AS a(typ, mode, name, ord)
                            WHERE a.mode IN ('i', 'b', 'v') ORDER BY a.ord),
                     ARRAY(SELECT format_type(a.typ, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                                                     coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])))
                                     WITH ORDINALITY AS a(typ, mode, ord)
                            WHERE a.mode IN ('i', 'b', 'v') ORDER BY a.ord)
                FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                JOIN pg_type t ON t.oid = p.prorettype
               WHERE n.nspname = %s AND p.proname = %s AND p.prokind = 'f'""", (schema, name))
            rows = cur.fetchall()
        matches = []
        for oid, volatility, retset, void, composite, ndefaults, names, types in rows:
            required = set(names[:len(names) - ndefaults])
            if set(arg_names) <= set(names) and required <= set(arg_names):
                matches.append({"volatility": volatility, "retset": retset, "void": void,
                                "composite": composite, "args": dict(zip(names, types)), "order": names})
        if not matches:
            raise ApiError(404, "PGRST202",
                           "Could not find the function %s.%s(%s) in the schema cache"
                           % (schema, name, ", ".join(sorted(arg_names))),
                           hint="If a new function was created in the database with this name and "
                                "parameters, try reloading the schema cache.")
        if len(matches) > 1:
            raise ApiError(300, "PGRST203", "Could not choose the best candidate function")
        return matches[0]

    def _plan_call(self, plan, schema, name, method, params, body):
        if method == "POST":
            if body is None:
                body = {}
            if not isinstance(body, dict):
                raise Unsupported("rpc body that is not a JSON object")
            args = body
            query_params = params
        else:
            # GET: query parameters named like an argument are arguments, the
            # rest are filters on the result.
            with self.db.cursor() as cur:
                cur.execute("""SELECT DISTINCT a.name FROM pg_proc p
                                 JOIN pg_namespace n ON n.oid = p.pronamespace
                                 CROSS JOIN LATERAL unnest(p.proargnames,
                                     coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)])))
                                     AS a(name, mode)
                                WHERE n.nspname = %s AND p.proname = %s AND a.mode IN ('i', 'b', 'v')""",
                            (schema, name))
                names = {r[0] for r in cur.fetchall()}
            # A value that reads as a filter is a filter even under an
            # argument's name (QueryParams.hs: pRequestFilter on an rpc read
            # falls back to an argument only when the value has no
            # operator); "not." commits to a filter, so "not.found" is a
            # parse error.  Repeated names: the last value wins
            # (toRpcParams, HM.fromList); only VARIADIC arguments collect them,
            # and opendata_api has none.
            args = {k: v for k, v in params
                    if k in names and k not in RESERVED_PARAMS and not _reads_as_filter(v)}
            query_params = [(k, v) for k, v in params if k not in args]
        fn = self._lookup_function(schema, name, list(args))
        select_param = dict(query_params).get("select")
        self._negotiate(plan, schema, name, not select_param or select_param == "*")
        if method == "POST":
            plan["read_only"] = fn["volatility"] in ("s", "i")
        sql = Sql()
        fn_ident = Sql.ident(schema) + "." + Sql.ident(name)
        if args:
            cols = ", ".join("%s %s" % (Sql.ident(a), fn["args"][a]) for a in fn["order"] if a in args)
            ctes = ("WITH pgrst_payload AS (SELECT %s::json AS json_data), "
                    "pgrst_body AS (SELECT CASE WHEN json_typeof(json_data) = 'array' THEN json_data "
                    "ELSE json_build_array(json_data) END AS val FROM pgrst_payload), "
                    "pgrst_args AS (SELECT * FROM json_to_recordset((SELECT val FROM pgrst_body)) AS _(%s)) "
                    % (sql.param(json.dumps(args)), cols))
            call_args = ", ".join("%s := (SELECT %s FROM pgrst_args LIMIT 1)" % (Sql.ident(a), Sql.ident(a))
                                  for a in fn["order"] if a in args)
        else:
            ctes, call_args = "", ""
        call = "%s(%s)" % (fn_ident, call_args)
        if fn["composite"]:
            source = "%sSELECT pgrst_call.* FROM %s pgrst_call" % (ctes, call)
            shape = "rows"
        else:
            source = "%sSELECT %s pgrst_scalar" % (ctes, call) if not fn["retset"] else \
                     "%sSELECT pgrst_call pgrst_scalar FROM %s pgrst_call" % (ctes, call)
            shape = "set_of_scalar" if fn["retset"] else "scalar"
        if fn["void"]:
            shape = "void"
        filters, rest = self._filters(sql, "pgrst_source", query_params)
        if shape == "rows":
            limit_text, offset = self._limit_offset(rest)
            select = "SELECT %s FROM pgrst_source%s%s%s" % (
                ", ".join(self._select_list("pgrst_source", rest.get("select"))),
                (" WHERE " + " AND ".join(filters)) if filters else "",
                self._order("pgrst_source", rest.get("order")), limit_text)
            plan["offset"] = offset
        else:
            # Filters apply to a scalar result too (on a column it does not
            # have: 42703, as PostgREST's "column search.q does not exist").
            select = "SELECT pgrst_source.pgrst_scalar FROM pgrst_source%s" % (
                (" WHERE " + " AND ".join(filters)) if filters else "")
            plan["offset"] = 0
        plan["kind"] = "call"
        plan["shape"] = shape
        # A function returning one value or one row: page_total is the
        # constant 1, and the body handler sees that one row (Statements.hs
        # mainCall, pageCountSelectF), so a scalar handler needs no aggregate.
        # HEAD selects no body: no handler, no aggregate (Plan.hs
        # negotiateContent, "no need for an aggregate on HEAD", PostgREST
        # issue #2849), so the planner may not even call a STABLE function
        # whose value nothing reads.
        body_media = "none" if method == "HEAD" else plan["handler"]
        plan["sql"] = self._outer(source, "", "null::bigint", body_media, select, shape,
                                  single=not fn["retset"])
        plan["params"] = sql.params

    @staticmethod
    def _outer(source, count_cte, total, media, select, shape="rows", single=False):
        """media: "none", a media type of the writes' legacy path, or a
        handler from _negotiate()."""
        if isinstance(media, tuple):
            kind = media[0]
            if kind in ("agg", "func"):
                fn = Sql.ident(media[1][0]) + "." + Sql.ident(media[1][1])
                if kind == "func" or shape in ("scalar", "set_of_scalar"):
                    # Customs on scalar results take the scalar (SqlFragment.customFuncF).
                    arg = "_postgrest_t.pgrst_scalar"
                elif media[2] is None:
                    arg = "_postgrest_t"
                else:
                    arg = "_postgrest_t::" + Sql.ident(media[2][0]) + "." + Sql.ident(media[2][1])
                body = "%s(%s)" % (fn, arg)
                return PostgREST._outer_with(source, count_cte, total, body, select, single)
            if media[1] == "geojson":
                body = ("json_build_object('type', 'FeatureCollection', 'features', "
                        "coalesce(json_agg(ST_AsGeoJSON(_postgrest_t)::json), '[]'))")
                return PostgREST._outer_with(source, count_cte, total, body, select, single)
            media = {"json": "application/json", "csv": "text/csv", "singular": SINGULAR}[media[1]]
        if media == "none":
            body = "''"
        elif media == "text/csv":
            body = ("(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k "
                    "FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a) || '\n' || "
                    "coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), '\n'), '')")
        elif shape in ("scalar", "void"):
            body = "coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, 'null')"
        elif shape == "set_of_scalar":
            body = "coalesce(json_agg(_postgrest_t.pgrst_scalar), '[]')"
        elif media == SINGULAR:
            body = "coalesce(json_agg(_postgrest_t)->0, 'null')"
        else:
            body = "coalesce(json_agg(_postgrest_t), '[]')"
        return PostgREST._outer_with(source, count_cte, total, body, select, single)

    @staticmethod
    def _outer_with(source, count_cte, total, body, select, single=False):
        page_total = "1" if single else "pg_catalog.count(_postgrest_t)"
        return ("WITH %spgrst_source AS (%s) SELECT %s AS total_result_set, "
                "%s AS page_total, %s::text AS body, "
                "nullif(current_setting('response.headers', true), '') AS response_headers, "
                "nullif(current_setting('response.status', true), '') AS response_status "
                "FROM (%s) _postgrest_t" % (count_cte, source, total, page_total, body, select))

    # -- running ----------------------------------------------------------------

    def _role_settings(self, cur, role):
        # As PostgREST's queryRoleSettings: the cluster-wide settings
        # (pg_roles.rolconfig, i.e. ALTER ROLE ... SET without IN DATABASE)
        # of the roles the authenticator is a member of, values lower-cased,
        # read whatever the library that defines them has loaded.
        cur.execute("""SELECT substr(s, 1, strpos(s, '=') - 1), lower(substr(s, strpos(s, '=') + 1))
                         FROM pg_auth_members m
                         JOIN pg_roles r ON r.oid = m.roleid
                         CROSS JOIN LATERAL unnest(r.rolconfig) s
                        WHERE m.member = current_user::regrole::oid AND r.rolname = %s""", (role,))
        return dict(cur.fetchall())

    def _run(self, method, plan, role, claims, headers, authenticated):
        prefer = plan["prefer"]
        rollback = self.tx_end == "rollback" or (
            self.tx_end in ("commit-allow-override", "rollback-allow-override") and prefer.get("tx") == "rollback")
        mode = "READ ONLY" if plan["read_only"] else "READ WRITE"
        cur = self.db.cursor()
        try:
            role_settings = self._role_settings(cur, role)
            isolation = role_settings.pop("default_transaction_isolation", "read committed").upper()
            if isolation not in ("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"):
                isolation = "READ COMMITTED"
            cur.execute("BEGIN ISOLATION LEVEL %s %s" % (isolation, mode))
            settings = [("search_path", ", ".join(quote_ident(s) for s in [plan["schema"]] + self.extra_search_path))]
            settings += sorted(role_settings.items())
            settings += [("role", role), ("request.jwt.claims", json.dumps(claims)),
                         ("request.method", method), ("request.path", plan["path"]),
                         ("request.headers", json.dumps(headers)),
                         ("request.cookies", json.dumps(self._cookies(headers)))]
            cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                        [x for kv in settings for x in kv])
            if self.pre_request:
                # db-pre-request: called after the settings, before the
                # request's statement, in the same transaction.
                cur.execute("SELECT %s()" % ".".join(quote_ident(p) for p in self.pre_request.split(".", 1)))
            cur.execute(plan["sql"], plan["params"])
            total, page_total, body, gheaders, gstatus = cur.fetchone()
            if plan["media"] == SINGULAR and plan["kind"] != "call" and page_total != 1 and \
                    (plan["kind"] == "read" or plan.get("returning")):
                cur.execute("ROLLBACK")
                return self._error_response(406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
                                            "The result contains %d rows" % page_total, None, authenticated,
                                            sql=plan["sql"])
            cur.execute("ROLLBACK" if rollback else "COMMIT")
        except psycopg2.Error as e:
            try:
                cur.execute("ROLLBACK")
            except psycopg2.Error:
                pass
            diag = e.diag
            if e.pgcode == "PGRST":
                return self._raised_response(diag.message_primary, diag.message_detail, plan["sql"])
            return self._error_response(http_status_for_sqlstate(e.pgcode or "XX000", authenticated),
                                        e.pgcode, diag.message_primary, diag.message_detail, diag.message_hint,
                                        authenticated, sql=plan["sql"])
        finally:
            cur.close()
        return self._success(method, plan, total, page_total, body, gheaders, gstatus, rollback)

    @staticmethod
    def _cookies(headers):
        cookies = {}
        for part in headers.get("cookie", "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                cookies[k] = v
        return cookies

    def _success(self, method, plan, total, page_total, body, gheaders, gstatus, rollback):
        out = {}
        media = plan["media"]
        status = 200
        if plan["kind"] == "read" or (plan["kind"] == "call" and plan["shape"] == "rows"):
            offset = plan.get("offset", 0)
            upper = offset + page_total - 1
            total_text = "*" if total is None else str(total)
            out["Content-Range"] = ("%d-%d/%s" % (offset, upper, total_text)) if page_total else "*/" + total_text
            if total is not None and offset > total:
                status = 416
            elif total is not None and page_total < total:
                status = 206
        if plan["kind"] == "call" and plan["shape"] == "void":
            status, body = 204, ""
        elif plan["kind"] == "write":
            status = 201 if plan.get("created") else (200 if plan.get("returning") else 204)
            out["Content-Range"] = "*/*"
            if not plan.get("returning"):
                body = ""
        if body:
            out["Content-Type"] = ("%s; charset=utf-8" % media if media in BUILTIN_MEDIA else media)
        if rollback and plan["prefer"].get("tx"):
            out["Preference-Applied"] = "tx=" + plan["prefer"]["tx"]
        if plan["count"]:
            out["Preference-Applied"] = ", ".join(filter(None, [out.get("Preference-Applied"), "count=exact"]))
        if gheaders:
            for obj in json.loads(gheaders):
                out.update(obj)
        if gstatus:
            status = int(gstatus)
        handler = plan.get("handler")
        if body and isinstance(handler, tuple) and len(handler) > 3 and handler[3] and body.startswith("\\x"):
            # bytea comes back as its hex text (body::text): the bytes themselves.
            body = bytes.fromhex(body[2:])
        if method == "HEAD":
            body = ""
        return Response(status, out, body, sql=plan["sql"])

    @staticmethod
    def _raised_response(message, detail, sql):
        """RAISE SQLSTATE 'PGRST': the message is the JSON body (code,
        message, details, hint), the detail the status and headers, as
        PostgREST (11.2+) reads them; anything else is its PGRST121."""
        try:
            body = json.loads(message or "")
            meta = json.loads(detail or "")
            if not isinstance(body, dict) or not isinstance(meta, dict) or \
                    not isinstance(meta.get("status"), int) or not isinstance(meta.get("headers", {}), dict):
                raise ValueError
        except ValueError:
            return PostgREST._error_response(500, "PGRST121",
                                             "Could not parse JSON in the RAISE SQLSTATE 'PGRST' error",
                                             None, None, False, sql=sql)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update({str(k): str(v) for k, v in meta.get("headers", {}).items()})
        out = {"code": body.get("code"), "details": body.get("details"), "hint": body.get("hint"),
               "message": body.get("message")}
        return Response(meta["status"], headers, json.dumps(out), sql=sql)

    @staticmethod
    def _error_response(status, code, message, details, hint, authenticated, sql=None):
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body = json.dumps({"code": code, "details": details, "hint": hint, "message": message})
        return Response(status, headers, body, sql=sql)
