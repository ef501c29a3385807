"""recommender_client.py -- HTTP client, OpenAPI checker and assertions for the
recommender's integration tests (Python standard library only).

  yaml_load(text)     the YAML subset docs/api.yaml is written in: block mappings and
                      sequences, plain and quoted scalars, flow sequences, > and | blocks
  Spec(path)          docs/api.yaml; check(method, path, status, headers, body) holds a
                      response against the operation's documented statuses, headers and
                      JSON schema, and records which (operation, status) pairs were seen
  Client(port, spec)  requests; every response is checked against the spec
"""
import http.client
import json
import re
import socket


# --- a YAML subset ----------------------------------------------------------------------

def _scalar(s):
    s = s.strip()
    if s == "" or s == "~" or s == "null":
        return None
    if s[0] == '"':
        return json.loads(s)
    if s[0] == "'":
        return s[1:-1].replace("''", "'")
    if s[0] == "[":
        inner = s[1:-1].strip()
        return [_scalar(x) for x in _split_flow(inner)] if inner else []
    if s in ("true", "false"):
        return s == "true"
    if re.fullmatch(r"-?[0-9]+", s):
        return int(s)
    if re.fullmatch(r"-?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?", s):
        return float(s)
    return s


def _split_flow(s):
    out, depth, cur, q = [], 0, "", None
    for ch in s:
        if q:
            cur += ch
            if ch == q:
                q = None
        elif ch in "\"'":
            q = ch
            cur += ch
        elif ch == "[":
            depth += 1
            cur += ch
        elif ch == "]":
            depth -= 1
            cur += ch
        elif ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _strip_comment(line):
    q = None
    for i, ch in enumerate(line):
        if q:
            if ch == q:
                q = None
        elif ch in "\"'":
            q = ch
        elif ch == "#" and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def yaml_load(text):
    lines = [(len(l) - len(l.lstrip(" ")), l) for l in text.split("\n")]
    pos = 0

    def skip_blank():
        nonlocal pos
        while pos < len(lines) and _strip_comment(lines[pos][1]).strip() == "":
            pos += 1

    def block_scalar(style, indent):
        nonlocal pos
        parts = []
        while pos < len(lines):
            ind, l = lines[pos]
            if l.strip() and ind <= indent:
                break
            parts.append(l.strip())
            pos += 1
        while parts and not parts[-1]:
            parts.pop()
        return (" ".join(p for p in parts) if style == ">" else "\n".join(parts)) + "\n"

    def value_after(rest, indent):
        nonlocal pos
        rest = rest.strip()
        if rest in (">", "|", ">-", "|-"):
            return block_scalar(rest[0], indent)
        if rest == "":
            skip_blank()
            if pos < len(lines) and lines[pos][0] > indent or (
                    pos < len(lines) and lines[pos][0] == indent and
                    lines[pos][1].strip().startswith("- ")):
                return node(lines[pos][0])
            return None
        return _scalar(rest)

    def node(indent):
        nonlocal pos
        skip_blank()
        first = lines[pos][1].strip()
        if first.startswith("- ") or first == "-":
            seq = []
            while True:
                skip_blank()
                if pos >= len(lines) or lines[pos][0] != indent:
                    break
                l = _strip_comment(lines[pos][1]).strip()
                if not (l.startswith("- ") or l == "-"):
                    break
                item = l[2:] if l.startswith("- ") else ""
                if re.match(r"^[^\"'\[][^:]*:( |$)", item) or re.match(r"^\"[^\"]*\":( |$)", item):
                    # A mapping starting on the dash's line: re-read it at its own indent.
                    lines[pos] = (indent + 2, " " * (indent + 2) + item)
                    seq.append(node(indent + 2))
                else:
                    pos += 1
                    seq.append(value_after(item, indent))
            return seq
        m = {}
        while True:
            skip_blank()
            if pos >= len(lines) or lines[pos][0] != indent:
                break
            l = _strip_comment(lines[pos][1]).strip()
            if l.startswith("- "):
                break
            mt = re.match(r'^("(?:[^"\\]|\\.)*"|[^:]+):(?: (.*)|)$', l)
            if not mt:
                raise ValueError("YAML: cannot read line %d: %r" % (pos + 1, l))
            key = _scalar(mt.group(1))
            pos += 1
            m[str(key)] = value_after(mt.group(2) or "", indent)
        return m

    return node(0)


# --- a JSON Schema subset (OpenAPI 3.0) --------------------------------------------------

class Spec:
    def __init__(self, path):
        with open(path) as f:
            self.doc = yaml_load(f.read())
        self.seen = set()
        self.ops = {}
        for p, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"
            for method, op in item.items():
                self.ops[(p, method.upper())] = (re.compile(rx), op)

    def ref(self, o):
        while isinstance(o, dict) and "$ref" in o:
            node = self.doc
            for part in o["$ref"].lstrip("#/").split("/"):
                node = node[part]
            o = node
        return o

    def validate(self, schema, v, where="body"):
        s = self.ref(schema)
        errs = []
        if "allOf" in s:
            for sub in s["allOf"]:
                errs += self.validate(sub, v, where)
            return errs
        if v is None:
            return [] if s.get("nullable") or "type" not in s else ["%s: null not allowed" % where]
        t = s.get("type")
        ok = {"object": isinstance(v, dict), "array": isinstance(v, list),
              "string": isinstance(v, str), "boolean": isinstance(v, bool),
              "integer": isinstance(v, int) and not isinstance(v, bool),
              "number": isinstance(v, (int, float)) and not isinstance(v, bool)}.get(t, True)
        if not ok:
            return ["%s: %r is not %s" % (where, v, t)]
        if "enum" in s and v not in s["enum"]:
            errs.append("%s: %r not in %s" % (where, v, s["enum"]))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in s and v < s["minimum"]:
                errs.append("%s: %r < %r" % (where, v, s["minimum"]))
            if "maximum" in s and v > s["maximum"]:
                errs.append("%s: %r > %r" % (where, v, s["maximum"]))
        if isinstance(v, str):
            if "pattern" in s and not re.search(s["pattern"], v):
                errs.append("%s: %r does not match %s" % (where, v, s["pattern"]))
            if "maxLength" in s and len(v.encode()) > s["maxLength"]:
                errs.append("%s: longer than %d" % (where, s["maxLength"]))
        if isinstance(v, dict):
            for r in s.get("required", []):
                if r not in v:
                    errs.append("%s: lacks %s" % (where, r))
            props = s.get("properties", {})
            for k, x in v.items():
                if k in props:
                    errs += self.validate(props[k], x, where + "." + k)
                elif s.get("additionalProperties") is False:
                    errs.append("%s: undocumented member %s" % (where, k))
        if isinstance(v, list):
            if "items" in s:
                for i, x in enumerate(v):
                    errs += self.validate(s["items"], x, "%s[%d]" % (where, i))
        return errs

    def check(self, method, path, status, headers, body):
        """Errors (a list of strings) of one response against the spec."""
        path = path.split("?")[0]
        for (p, m), (rx, op) in self.ops.items():
            if m == method and rx.match(path):
                break
        else:
            return []  # not an operation of the spec (404, 405): nothing to hold it to
        resp = op["responses"].get(str(status))
        if resp is None:
            return ["%s %s: status %d is not documented (%s)" % (method, p, status,
                                                                  ", ".join(op["responses"]))]
        self.seen.add((p, method, str(status)))
        resp = self.ref(resp)
        errs = []
        for h in (resp.get("headers") or {}):
            if h.lower() not in {k.lower() for k in headers}:
                errs.append("%s %s %d: header %s missing" % (method, p, status, h))
        content = resp.get("content") or {}
        ctype = headers.get("content-type", headers.get("Content-Type", ""))
        if "application/json" in content:
            if not ctype.startswith("application/json"):
                return errs + ["%s %s %d: Content-Type %s" % (method, p, status, ctype)]
            try:
                j = json.loads(body)
            except ValueError as e:
                return errs + ["%s %s %d: body is not JSON: %s" % (method, p, status, e)]
            errs += ["%s %s %d: %s" % (method, p, status, e)
                     for e in self.validate(content["application/json"]["schema"], j)]
        elif "text/plain" in content and not ctype.startswith("text/plain"):
            errs.append("%s %s %d: Content-Type %s" % (method, p, status, ctype))
        return errs

    def uncovered(self):
        out = []
        for (p, m), (rx, op) in self.ops.items():
            for st in op["responses"]:
                if (p, m, st) not in self.seen:
                    out.append("%s %s %s" % (m, p, st))
        return out


# --- the client --------------------------------------------------------------------------

class Failures:
    def __init__(self):
        self.items = []

    def check(self, cond, what):
        if not cond:
            self.items.append(what)
        return cond


class Client:
    def __init__(self, port, spec=None, fails=None, key=None):
        self.port, self.spec, self.fails, self.key = port, spec, fails, key
        self.conn = None

    def request(self, method, path, body=None, headers=None, key=True, ctype="application/json"):
        h = dict(headers or {})
        if key and self.key:
            h["Authorization"] = "Bearer " + self.key
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None and ctype:
            h.setdefault("Content-Type", ctype)
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        if self.spec is not None:
            for e in self.spec.check(method, path, r.status, hdrs, data):
                self.fails.items.append(e)
        try:
            j = json.loads(data) if data and hdrs.get("content-type", "").startswith("application/json") else None
        except ValueError:
            j = None
            self.fails.items.append("%s %s: invalid JSON %r" % (method, path, data[:100]))
        return r.status, hdrs, j, data


def raw(port, data, read=True, timeout=5, half_close=False):
    """Sends bytes on a fresh connection (then shuts down the sending side when half_close,
    so that an incomplete request ends at once); the response bytes (b'' when closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                head, _, rest = out.partition(b"\r\n\r\n")
                m = re.search(rb"content-length: *([0-9]+)", head, re.I)
                if m and len(rest) >= int(m.group(1)):
                    break
        return out
    finally:
        s.close()
