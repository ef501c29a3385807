#!/usr/bin/env python3
"""fake_spotify.py -- a local stand-in for Spotify's accounts service and Web API, for the
ingest tests (python3 stdlib only). Serves JSON shaped like the real API's.

    fake_spotify.py --data DATA.json --port-file FILE [options]

DATA.json: {"tracks": {ID: full track object}, "albums": {ID: {"name", "artists",
"release_date", "track_ids": [...]}}, "playlists": {ID: {"name", "owner", "track_ids":
[... or null for a local file]}}}.

Endpoints: POST /api/token (client credentials, HTTP Basic), GET /v1/tracks/ID,
/v1/tracks?ids=, /v1/albums/ID, /v1/albums/ID/tracks, /v1/playlists/ID,
/v1/playlists/ID/tracks, /v1/search?q=isrc:CODE&type=track, /v1/audio-features?ids=.
Paging objects carry absolute `next` links, --page-size items a page.

Faults, for testing the client's rules:
  --faults 429@3,503@5,500@6   the Nth API request (counted from 1) gets that status
                               (429 with Retry-After: --retry-after)
  --token-requests N           a token stops working after N API requests (401)
  --expires-in S               the expires_in announced for tokens (they also stop
                               working after S seconds)
  --audio-features 403|200     403: refused, as for new apps since 2024
GET /_stats returns the counters (requests, tokens issued, faults sent, 401s, and the
largest burst of requests inside a 429's Retry-After window).
"""
import argparse
import base64
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ARGS = None
DATA = {}
LOCK = threading.Lock()
STATS = {"api_requests": 0, "token_requests": 0, "tokens_issued": 0, "sent_429": 0,
         "sent_5xx": 0, "sent_401": 0, "early_after_429": 0, "bad_auth": 0, "paths": []}
TOKENS = {}  # token -> {"requests": n, "expires": t}
FAULTS = {}
STATE = {"quiet_until": 0.0}


def simplified(t):
    return {k: t[k] for k in ("id", "name", "artists", "duration_ms", "track_number", "uri")
            if k in t}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def send(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        if self.path != "/api/token":
            return self.send(404, {"error": "not found"})
        with LOCK:
            STATS["token_requests"] += 1
        want = base64.b64encode(f"{ARGS.client_id}:{ARGS.client_secret}".encode()).decode()
        if self.headers.get("Authorization") != "Basic " + want or \
                parse_qs(body).get("grant_type") != ["client_credentials"]:
            with LOCK:
                STATS["bad_auth"] += 1
            return self.send(400, {"error": "invalid_client"})
        tok = secrets.token_hex(16)
        with LOCK:
            TOKENS[tok] = {"requests": 0, "expires": time.time() + ARGS.expires_in}
            STATS["tokens_issued"] += 1
        self.send(200, {"access_token": tok, "token_type": "Bearer",
                        "expires_in": ARGS.expires_in})

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/_stats":
            with LOCK:
                return self.send(200, STATS)
        with LOCK:
            STATS["api_requests"] += 1
            n = STATS["api_requests"]
            STATS["paths"].append(self.path)
            if time.time() < STATE["quiet_until"]:
                STATS["early_after_429"] += 1
            fault = FAULTS.get(n)
            auth = self.headers.get("Authorization", "")
            tok = TOKENS.get(auth[7:]) if auth.startswith("Bearer ") else None
            valid = tok is not None and time.time() < tok["expires"] and \
                (ARGS.token_requests == 0 or tok["requests"] < ARGS.token_requests)
            if tok is not None:
                tok["requests"] += 1
        if fault == 429:
            with LOCK:
                STATS["sent_429"] += 1
                STATE["quiet_until"] = time.time() + ARGS.retry_after * 0.9
            return self.send(429, {"error": {"status": 429, "message": "API rate limit exceeded"}},
                             {"Retry-After": str(ARGS.retry_after)})
        if fault and fault >= 500:
            with LOCK:
                STATS["sent_5xx"] += 1
            return self.send(fault, {"error": {"status": fault, "message": "server error"}})
        if not valid:
            with LOCK:
                STATS["sent_401"] += 1
            return self.send(401, {"error": {"status": 401,
                                             "message": "The access token expired"}})
        q = parse_qs(u.query)
        parts = [p for p in u.path.split("/") if p]
        try:
            return self.route(parts, q)
        except (KeyError, IndexError, ValueError):
            return self.send(404, {"error": {"status": 404, "message": "Not found"}})

    def paging(self, items, path, q, total_items=None):
        limit = min(int(q.get("limit", [ARGS.page_size])[0]), ARGS.page_size)
        offset = int(q.get("offset", ["0"])[0])
        page = items[offset:offset + limit]
        nxt = None
        if offset + limit < len(items):
            nxt = f"{self.base()}{path}?offset={offset + limit}&limit={limit}"
        return {"href": f"{self.base()}{path}?offset={offset}&limit={limit}", "items": page,
                "limit": limit, "offset": offset, "total": len(items), "next": nxt,
                "previous": None}

    def album_obj(self, aid):
        a = DATA["albums"][aid]
        return {"id": aid, "name": a["name"], "artists": a.get("artists", []),
                "release_date": a.get("release_date"), "total_tracks": len(a["track_ids"])}

    def full_track(self, tid):
        t = dict(DATA["tracks"][tid])
        return t

    def playlist_items(self, pid):
        out = []
        for i, tid in enumerate(DATA["playlists"][pid]["track_ids"]):
            added = f"2024-01-{(i % 28) + 1:02d}T10:00:00Z"
            if tid is None:
                out.append({"added_at": added, "is_local": True,
                            "track": {"id": None, "name": "A local file", "is_local": True,
                                      "artists": [{"name": "Someone"}], "duration_ms": 1000}})
            else:
                out.append({"added_at": added, "track": self.full_track(tid)})
        return out

    def route(self, parts, q):
        if parts[:2] == ["v1", "tracks"]:
            if len(parts) == 3:
                return self.send(200, self.full_track(parts[2]))
            ids = q["ids"][0].split(",")
            if len(ids) > 50:
                return self.send(400, {"error": {"status": 400, "message": "too many ids"}})
            return self.send(200, {"tracks": [self.full_track(i) if i in DATA["tracks"] else None
                                              for i in ids]})
        if parts[:2] == ["v1", "albums"]:
            aid = parts[2]
            a = DATA["albums"][aid]
            items = [simplified(DATA["tracks"][t]) for t in a["track_ids"]]
            if len(parts) == 4:
                return self.send(200, self.paging(items, f"/v1/albums/{aid}/tracks", q))
            obj = self.album_obj(aid)
            obj["tracks"] = self.paging(items, f"/v1/albums/{aid}/tracks", {})
            return self.send(200, obj)
        if parts[:2] == ["v1", "playlists"]:
            pid = parts[2]
            p = DATA["playlists"][pid]
            items = self.playlist_items(pid)
            if len(parts) == 4:
                return self.send(200, self.paging(items, f"/v1/playlists/{pid}/tracks", q))
            return self.send(200, {"id": pid, "name": p["name"],
                                   "owner": {"id": p.get("owner", "owner"),
                                             "display_name": p.get("owner", "owner")},
                                   "tracks": self.paging(items, f"/v1/playlists/{pid}/tracks", {})})
        if parts == ["v1", "search"]:
            query = q["q"][0]
            hits = []
            if query.startswith("isrc:"):
                code = query[5:].upper()
                hits = [t for t in DATA["tracks"].values()
                        if t.get("external_ids", {}).get("isrc", "").upper() == code]
            return self.send(200, {"tracks": self.paging(hits, "/v1/search", {})})
        if parts == ["v1", "audio-features"]:
            if ARGS.audio_features == 403:
                return self.send(403, {"error": {"status": 403, "message": "Forbidden"}})
            ids = q["ids"][0].split(",")
            return self.send(200, {"audio_features": [
                {"id": i, "tempo": 120.0, "key": 9, "mode": 0, "energy": 0.8}
                if i in DATA["tracks"] else None for i in ids]})
        return self.send(404, {"error": {"status": 404, "message": "Not found"}})


def main():
    global ARGS, DATA
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--client-id", default="test-client")
    ap.add_argument("--client-secret", default="test-secret")
    ap.add_argument("--page-size", type=int, default=2)
    ap.add_argument("--faults", default="")
    ap.add_argument("--retry-after", type=float, default=1)
    ap.add_argument("--token-requests", type=int, default=0)
    ap.add_argument("--expires-in", type=int, default=3600)
    ap.add_argument("--audio-features", type=int, default=403)
    ARGS = ap.parse_args()
    DATA = json.load(open(ARGS.data))
    for f in filter(None, ARGS.faults.split(",")):
        status, _, n = f.partition("@")
        FAULTS[int(n)] = int(status)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
