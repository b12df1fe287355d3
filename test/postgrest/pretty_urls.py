"""The pretty URLs of deploy/nginx, for the stand-in (server.py --pretty-urls).

nginx maps the portal's URLs (/, /search, /datasets/<slug>, ...) onto the
functions of opendata_api (deploy/nginx/locations/portal.conf) and serves the
API under /api/ (deploy/nginx/opendata.conf).  Where nginx is not installed,
the demo's stand-in does the same mapping, read from the same location file,
so that the links of the pages work.  Only what portal.conf uses is
understood: exact (``location = /x``) and prefix (``location /x/``)
locations, ``rewrite REGEX REPLACEMENT break;``, ``return 404;`` and
``proxy_set_header NAME VALUE;``.  Any other kind of location (regular
expressions: the tiles and OGC files) is refused at start, so that nothing
is half-served: put nginx in front for those.
"""

import re
import shlex
from urllib.parse import unquote


class Location:
    def __init__(self, exact, path):
        self.exact = exact
        self.path = path
        self.rewrites = []  # (compiled regex, replacement)
        self.headers = {}  # lower-case name -> value ("" removes the header)
        self.return_status = None


def _nginx_replacement(replacement):
    """nginx's $1..$9 as Python's \\g<1>.."""
    return re.sub(r"\$([1-9])", r"\\g<\1>", replacement)


def parse(text):
    """The locations of an nginx location file (the subset above)."""
    text = re.sub(r"#[^\n]*", "", text)
    locations = []
    for m in re.finditer(r"location\s+([^{]+?)\s*\{([^}]*)\}", text):
        words = m.group(1).split()
        if words[0] == "=" and len(words) == 2:
            loc = Location(True, words[1])
        elif len(words) == 1 and words[0].startswith("/"):
            loc = Location(False, words[0])
        else:
            raise ValueError("location %r: only exact and prefix locations are understood" % m.group(1))
        for statement in m.group(2).split(";"):
            parts = shlex.split(statement)
            if not parts:
                continue
            if parts[0] == "rewrite" and len(parts) == 4 and parts[3] == "break":
                loc.rewrites.append((re.compile(parts[1]), _nginx_replacement(parts[2])))
            elif parts[0] == "return" and len(parts) == 2:
                loc.return_status = int(parts[1])
            elif parts[0] == "proxy_set_header" and len(parts) == 3:
                loc.headers[parts[1].lower()] = parts[2]
            elif parts[0] != "proxy_pass":
                raise ValueError("location %s: directive %r is not understood" % (loc.path, parts[0]))
        locations.append(loc)
    return locations


class Router:
    """route(path_and_query, headers) -> (status or None, path_and_query, headers)."""

    def __init__(self, location_texts, api_prefix="/api/"):
        self.locations = [loc for text in location_texts for loc in parse(text)]
        self.api_prefix = api_prefix

    def _match(self, path):
        for loc in self.locations:
            if loc.exact and loc.path == path:
                return loc
        prefixes = [loc for loc in self.locations if not loc.exact and path.startswith(loc.path)]
        return max(prefixes, key=lambda loc: len(loc.path)) if prefixes else None

    def route(self, url, headers):
        path, _, query = url.partition("?")
        if self.api_prefix and path.startswith(self.api_prefix):
            # location /api/ { proxy_pass http://upstream/; }: the prefix goes.
            return None, "/" + url[len(self.api_prefix):], headers
        loc = self._match(path)
        if loc is None:
            return None, url, headers
        for regex, replacement in loc.rewrites:
            m = regex.search(unquote(path))  # nginx matches the decoded URI
            if m:
                new = m.expand(replacement)  # the whole URI is replaced
                # nginx appends the original arguments (with & when the
                # replacement has its own).
                if query:
                    new += ("&" if "?" in new else "?") + query
                headers = dict(headers)
                for name, value in loc.headers.items():
                    if value == "":
                        headers.pop(name, None)
                    else:
                        headers[name] = value
                return None, new, headers
        return loc.return_status or 404, url, headers
