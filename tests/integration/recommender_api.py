#!/usr/bin/env python3
"""recommender_api.py -- every route and error status of mixq-recommender, each response
held against docs/api.yaml. Run by recommender_api.sh (see there). Exits 0 when all is
well, else prints each failure and exits 1."""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recommender_client import Client, Failures, Spec  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)   # the main instance (keys required)
ap.add_argument("--down", type=int, required=True)   # an instance without a database
ap.add_argument("--key", required=True)              # a key with a generous rate
ap.add_argument("--slow", required=True)             # a key limited to 1 request/s
ap.add_argument("--spec", default="docs/api.yaml")
a = ap.parse_args()

F = Failures()
spec = Spec(a.spec)
c = Client(a.port, spec, F, a.key)
anon = Client(a.port, spec, F, None)
bad = Client(a.port, spec, F, "mqk_thisKeyWasNeverIssuedToAnyone0000000000")
slow = Client(a.port, spec, F, a.slow)
down = Client(a.down, spec, F, None)
check = F.check


def psql(sql):
    out = subprocess.run([os.path.join(os.environ["PG_BIN"], "psql"), os.environ["MIXQ_PG_DSN"],
                          "-X", "-q", "-A", "-t", "-c", sql], capture_output=True, text=True)
    return out.stdout.strip()


def err400(client, method, path, body=None, want=None, **kw):
    st, h, j, raw = client.request(method, path, body, **kw)
    msg = (j or {}).get("error", {}).get("message", "")
    check(st == 400, "%s %s: want 400, got %d %s" % (method, path, st, raw[:200]))
    if want:
        check(want in msg, "%s %s: message %r should mention %r" % (method, path, msg, want))
    return msg


# --- health and metrics ---------------------------------------------------------------------
st, h, j, _ = anon.request("GET", "/v1/health")
check(st == 200 and j["status"] == "ok" and j["tracks"] == 300 and j["listening"],
      "health: %d %s" % (st, j))
st, h, _, body = anon.request("GET", "/metrics")
check(st == 200 and b"mixq_recommender_tracks 300" in body, "metrics: %d %s" % (st, body[:200]))
check(h.get("content-type", "").startswith("text/plain"), "metrics content type")

# --- search -------------------------------------------------------------------------------
st, _, j, _ = c.request("GET", "/v1/tracks/1")
title, artist = j["title"], j["artist"]
typo = artist[:2] + artist[3:]  # drop a letter
st, _, j, _ = c.request("GET", "/v1/tracks?q=%s&limit=50" % typo.replace(" ", "+"))
check(st == 200 and any(r["artist"] == artist for r in j["results"]),
      "search for %r (typo of %r) finds it: %s" % (typo, artist, j))
err400(c, "GET", "/v1/tracks", want="q:")
err400(c, "GET", "/v1/tracks?q=", want="q:")
err400(c, "GET", "/v1/tracks?q=x&limit=0", want="limit")
err400(c, "GET", "/v1/tracks?q=x&colour=red", want="colour")
err400(c, "GET", "/v1/tracks?q=%ff%fe", want="UTF-8")
err400(c, "GET", "/v1/tracks?q=" + "a" * 201, want="200")
st, h, j, _ = anon.request("GET", "/v1/tracks?q=x")
check(st == 401 and "www-authenticate" in h, "search without a key: %d" % st)
st, _, _, _ = bad.request("GET", "/v1/tracks?q=x")
check(st == 401, "search with an unknown key: %d" % st)
st, _, _, _ = c.request("GET", "/v1/tracks?q=x", headers={"Authorization": "Basic Zm9vOmJhcg=="},
                        key=False)
check(st == 401, "Basic instead of Bearer: %d" % st)

# --- one track ------------------------------------------------------------------------------
st, _, j, _ = c.request("GET", "/v1/tracks/1")
check(st == 200 and j["id"] == 1 and isinstance(j["features"], dict) and len(j["tags"]) == 2,
      "track 1: %s" % j)
check("path" not in (j.get("features") or {}), "features never show the file path")
st, _, _, _ = c.request("GET", "/v1/tracks/999999")
check(st == 404, "unknown track: %d" % st)
err400(c, "GET", "/v1/tracks/abc", want="abc")
err400(c, "GET", "/v1/tracks/0")
err400(c, "GET", "/v1/tracks/1?x=1", want="x")
st, _, _, _ = anon.request("GET", "/v1/tracks/1")
check(st == 401, "track without a key: %d" % st)

# --- next -----------------------------------------------------------------------------------
st, _, j, _ = c.request("GET", "/v1/tracks/1/next?limit=10&user=alice&energy=up&exclude=2,3")
check(st == 200 and len(j["results"]) == 10, "next: %d %s" % (st, str(j)[:300]))
if st == 200:
    ids = [r["id"] for r in j["results"]]
    check(1 not in ids and 2 not in ids and 3 not in ids, "next excludes itself and exclude=")
    scores = [r["score"] for r in j["results"]]
    check(scores == sorted(scores, reverse=True), "next is sorted by score")
    kinds = {x["kind"] for x in j["results"][0]["reasons"]}
    check({"key", "tempo", "energy"} <= kinds, "reasons name key, tempo, energy: %s" % kinds)
    texts = [x["text"] for x in j["results"][0]["reasons"]]
    check(any("BPM" in t and "%" in t for t in texts) and any("\u2192" in t for t in texts),
          "reasons in words and numbers: %s" % texts)
    check(j["user"] == "alice" and j["energy"] == "up", "next echoes user and energy")
for q, want in [("limit=abc", "limit"), ("limit=101", "limit"), ("energy=sideways", "energy"),
                ("exclude=1,,2", "exclude"), ("exclude=x", "exclude"), ("user=" + "u" * 201, "user"),
                ("user=%ff", "user"), ("user=", "user"), ("bogus=1", "bogus")]:
    err400(c, "GET", "/v1/tracks/1/next?" + q, want=want)
err400(c, "GET", "/v1/tracks/-1/next")
err400(c, "GET", "/v1/tracks/12345678901234567890/next")
st, _, _, _ = c.request("GET", "/v1/tracks/999999/next")
check(st == 404, "next of an unknown track: %d" % st)
st, _, _, _ = anon.request("GET", "/v1/tracks/1/next")
check(st == 401, "next without a key: %d" % st)

# --- mixes/order ----------------------------------------------------------------------------
six = [1, 13, 25, 37, 49, 61]
st, _, j, _ = c.request("POST", "/v1/mixes/order", {"tracks": six})
check(st == 200 and sorted(j["order"]) == six and j["optimal"] and j["gap"] == 0
      and "exact" in j["method"] and len(j["transitions"]) == 5,
      "order of 6: %d %s" % (st, str(j)[:300]))
twenty = list(range(1, 241, 12))
st, _, j, _ = c.request("POST", "/v1/mixes/order", {"tracks": twenty, "start": 37,
                                                     "user": "alice", "energy": "up"})
check(st == 200 and sorted(j["order"]) == twenty and j["order"][0] == 37 and j["gap"] >= 0
      and j["score_bound"] >= j["total_score"] - 1e-6 and "heuristic" in j["method"],
      "order of 20: %d %s" % (st, str(j)[:300]))
for body, want in [({}, "tracks"), ({"tracks": [1]}, "tracks"), ({"tracks": "1,2"}, "tracks"),
                   ({"tracks": [1, 1]}, "twice"), ({"tracks": [1, 999999]}, "999999"),
                   ({"tracks": [1, -2]}, "tracks[1]"), ({"tracks": [1, 2], "shuffle": 1}, "shuffle"),
                   ({"tracks": [1, 2], "start": 3}, "start"), ({"tracks": [1, 2], "energy": "x"}, "energy"),
                   ({"tracks": [1, 2], "user": 7}, "user"), ({"tracks": list(range(1, 203))}, "200")]:
    err400(c, "POST", "/v1/mixes/order", body, want=want)
err400(c, "POST", "/v1/mixes/order", '{"tracks": [1, 2', want="line 1")
err400(c, "POST", "/v1/mixes/order", "[1, 2]", want="object")
err400(c, "POST", "/v1/mixes/order", "", want="empty")
err400(c, "POST", "/v1/mixes/order", '{"tracks": [1, 2], "tracks": [3, 4]}', want="duplicate")
st, _, _, _ = c.request("POST", "/v1/mixes/order", json.dumps({"tracks": [1, 2]}), ctype="text/plain")
check(st == 415, "order as text/plain: %d" % st)
st, _, _, _ = c.request("POST", "/v1/mixes/order", '{"tracks": [1, 2], "pad": "%s"}' % ("x" * 70000))
check(st == 413, "order larger than --max-body: %d" % st)
st, _, _, _ = anon.request("POST", "/v1/mixes/order", {"tracks": [1, 2]})
check(st == 401, "order without a key: %d" % st)

# --- feedback -------------------------------------------------------------------------------
ev = [{"event_id": "api-1", "user": "alice", "current_track": 1, "next_track": 2, "type": "like",
       "time": "2026-03-01T21:04:05Z"},
      {"event_id": "api-2", "user": "alice", "current_track": 2, "next_track": 3,
       "type": "transition_rating", "rating": 4.5, "position_s": 12.5}]
st, _, j, _ = c.request("POST", "/v1/feedback", {"events": ev})
check(st == 200 and j == {"received": 2, "stored": 2, "duplicates": 0}, "feedback: %s" % j)
st, _, j, _ = c.request("POST", "/v1/feedback", {"events": ev})
check(st == 200 and j == {"received": 2, "stored": 0, "duplicates": 2}, "feedback again: %s" % j)
more = ev + [{"event_id": "api-3", "user": "bob", "next_track": 4, "type": "skip"}]
st, _, j, _ = c.request("POST", "/v1/feedback", {"events": more})
check(st == 200 and j == {"received": 3, "stored": 1, "duplicates": 2}, "feedback, one new: %s" % j)
check(psql("SELECT count(*) FROM user_feedback WHERE event_id LIKE 'api-%'") == "3",
      "each event stored once in PostgreSQL")
# The model learns from them through NOTIFY (the trigger of db/002).
for _ in range(50):
    st, _, j, _ = anon.request("GET", "/v1/health")
    if j["feedback_events"] >= 3:
        break
    time.sleep(0.1)
check(j["feedback_events"] == 3, "the model counted each stored event once: %s" % j)
good = {"event_id": "x", "user": "u", "next_track": 1, "type": "play"}
for change, want in [({"event_id": None}, "event_id"), ({"event_id": ""}, "event_id"),
                     ({"user": 5}, "user"), ({"type": "love"}, "type"),
                     ({"next_track": None}, "next_track"), ({"next_track": "1"}, "next_track"),
                     ({"current_track": 0}, "current_track"), ({"rating": 6}, "rating"),
                     ({"type": "transition_rating", "current_track": 1}, "rating"),
                     ({"type": "transition_rating", "rating": 3}, "current_track"),
                     ({"position_s": -1}, "position_s"), ({"time": "yesterday"}, "time"),
                     ({"time": "2026-13-01T00:00:00Z"}, "time"), ({"colour": "red"}, "colour"),
                     ({"next_track": 999999}, "catalogue")]:
    e = dict(good, event_id="bad")
    e.update(change)
    e = {k: v for k, v in e.items() if v is not None or k in ("current_track",)}
    err400(c, "POST", "/v1/feedback", {"events": [good, e]}, want=want)
err400(c, "POST", "/v1/feedback", {"events": []}, want="events")
err400(c, "POST", "/v1/feedback", {"events": [good] * 1001}, want="1000")
err400(c, "POST", "/v1/feedback", {"evnts": [good]}, want="evnts")
err400(c, "POST", "/v1/feedback", "{\"events\": [", want="malformed JSON")
check(psql("SELECT count(*) FROM user_feedback WHERE event_id = 'x'") == "0",
      "a batch with a bad event stores nothing")
st, _, _, _ = c.request("POST", "/v1/feedback", json.dumps({"events": [good]}), ctype=None)
check(st == 415, "feedback without Content-Type: %d" % st)
big = {"events": [dict(good, event_id="big-%d" % i, user="u" * 150) for i in range(400)]}
st, _, _, _ = c.request("POST", "/v1/feedback", big)
check(st == 413, "feedback larger than --max-body: %d" % st)
st, _, _, _ = anon.request("POST", "/v1/feedback", {"events": [good]})
check(st == 401, "feedback without a key: %d" % st)

# --- 429: a key limited to 1 request per second ---------------------------------------------
for method, path, body in [("GET", "/v1/tracks?q=night", None), ("GET", "/v1/tracks/1", None),
                           ("GET", "/v1/tracks/1/next", None),
                           ("POST", "/v1/mixes/order", {"tracks": [1, 2]}),
                           ("POST", "/v1/feedback", {"events": [dict(good, event_id="slow")]})]:
    time.sleep(1.1)
    st1, _, _, _ = slow.request(method, path, body)
    st2, h, j, _ = slow.request(method, path, body)
    check(st1 == 200 and st2 == 429 and int(h.get("retry-after", "0")) >= 1,
          "%s %s twice at once with a 1/s key: %d then %d" % (method, path, st1, st2))

# --- 503: an instance whose database cannot be reached --------------------------------------
st, h, j, _ = down.request("GET", "/v1/health")
check(st == 503 and j["status"] == "loading" and "retry-after" in h, "health while loading: %d" % st)
for method, path, body in [("GET", "/v1/tracks?q=night", None), ("GET", "/v1/tracks/1", None),
                           ("GET", "/v1/tracks/1/next", None),
                           ("POST", "/v1/mixes/order", {"tracks": [1, 2]}),
                           ("POST", "/v1/feedback", {"events": [good]})]:
    st, h, j, _ = down.request(method, path, body)
    check(st == 503 and "retry-after" in h, "%s %s without a database: %d" % (method, path, st))

# --- outside the spec: 404 and 405 ----------------------------------------------------------
for method, path, want in [("GET", "/v2/tracks", 404), ("GET", "/v1/tracks/1/prev", 404),
                           ("GET", "/", 404), ("DELETE", "/v1/feedback", 405),
                           ("POST", "/v1/tracks", 405), ("PUT", "/v1/tracks/1/next", 405),
                           ("GET", "/v1/feedback", 405)]:
    st, h, j, _ = c.request(method, path)
    check(st == want and j and spec.validate({"$ref": "#/components/schemas/Error"}, j) == [],
          "%s %s: want %d, got %d %s" % (method, path, want, st, j))
    if want == 405:
        check("allow" in h, "%s %s: 405 without Allow" % (method, path))

for u in spec.uncovered():
    F.items.append("documented but never seen: " + u)
for f in F.items:
    print("FAIL:", f)
print("measure: %d (route, status) pairs of docs/api.yaml exercised and held to it" % len(spec.seen))
sys.exit(1 if F.items else 0)
