#!/usr/bin/env python3
"""recommender_robust.py -- malformed HTTP and JSON thrown at mixq-recommender: nothing
may crash or hang it, and every HTTP answer must be a well-formed status (no 5xx other
than 503). Run by recommender_robust.sh, which then checks the sanitizer log."""
import json
import random
import socket
import sys
import os
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recommender_client import Client, Failures, raw  # noqa: E402

port, key = int(sys.argv[1]), sys.argv[2]
F = Failures()
auth = b"Authorization: Bearer " + key.encode() + b"\r\n"


def status_of(resp):
    if not resp.startswith(b"HTTP/1."):
        return None
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def send(data, what, allow_close=True, half_close=False, timeout=5):
    try:
        r = raw(port, data, half_close=half_close, timeout=timeout)
    except OSError as e:
        F.items.append("%s: %s" % (what, e))
        return None
    st = status_of(r)
    if st is None:
        F.check(allow_close and r == b"", "%s: not an HTTP answer: %r" % (what, r[:80]))
    else:
        # 5xx only for "unavailable" and libmicrohttpd's own 501/505 for unknown methods
        # and versions: never a 500.
        F.check(st < 500 or st in (501, 503, 505), "%s: answered %d: %r" % (what, st, r[:200]))
    return st


def post(path, body, ctype=b"application/json"):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Type: " + ctype +
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def get(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + auth + extra + b"Connection: close\r\n\r\n"


cases = [
    (b"\x00\xff\xfe garbage\r\n\r\n", "binary garbage"),
    (b"GET /v1/health\r\n\r\n", "HTTP/0.9"),
    (b"GET /v1/health HTTP/9.9\r\n\r\n", "HTTP/9.9"),
    (b"BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", "unknown method"),
    (b"GET /v1/health HTTP/1.1\r\n\r\n", "no Host"),
    (get(b"/v1/tracks/1/next?limit=" + b"9" * 5000), "long argument"),
    (get(b"/" + b"a" * 100000), "100 kB URL"),
    (get(b"/v1/health", b"X-Big: " + b"x" * 100000 + b"\r\n"), "100 kB header"),
    (get(b"/v1/tracks/%2e%2e/%2e%2e/etc/passwd"), "traversal"),
    (get(b"/v1/tracks/1/next?user=a%00b"), "NUL in an argument"),
    (get(b"/v1/tracks/1/next?user=%zz%"), "bad percent-encoding"),
    (get(b"/v1/tracks/1/next?exclude=" + b",".join(b"%d" % i for i in range(1, 600))), "501 exclusions"),
    (get(b"/v1/tracks/9223372036854775807/next"), "int64 max id"),
    (get(b"/v1/tracks/1/next?limit=1&limit=2&user=a&user=b"), "repeated arguments"),
    (get(b"/v1/tracks?q=" + b"%c3%28" * 30), "invalid UTF-8 query"),
    (get(b"/v1/tracks/1/next", b"Authorization: Bearer " + b"k" * 5000 + b"\r\n"), "long key"),
    (get(b"/v1/tracks/1/next", b"Authorization: Bearer \xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0\r\n"), "binary key"),
    (post(b"/v1/mixes/order", b"[" * 60000), "deeply nested JSON"),
    (post(b"/v1/mixes/order", b'{"tracks": [1e999, 2]}'), "huge number"),
    (post(b"/v1/mixes/order", b'{"tracks": [18446744073709551616, 2]}'), "integer overflow"),
    (post(b"/v1/feedback", b'{"events": [{"event_id": "a\\u0000b", "user": "u", "next_track": 1, "type": "play"}]}'), "NUL in JSON"),
    (post(b"/v1/feedback", b'{"events": [{"event_id": "\xff", "user": "u", "next_track": 1, "type": "play"}]}'), "invalid UTF-8 in JSON"),
    (post(b"/v1/feedback", b'{"events": [{"event_id": "e", "user": "u", "next_track": 1, "type": "play", "time": "2026-02-30T25:61:61Z"}]}'), "impossible time"),
    (post(b"/v1/feedback", b'{"events": [{"event_id": "e2", "user": "u", "next_track": 1, "type": "play", "time": "2026-02-30T10:00:00Z"}]}'), "Feb 30"),
    (post(b"/v1/feedback", b'{"events": [{"event_id": "e3", "user": "u", "next_track": 1, "type": "play", "time": "0001-01-01T00:00:00+23:59"}]}'), "year 1"),
    (post(b"/v1/mixes/order", json.dumps({"tracks": list(range(1, 201))}).encode()), "200 tracks to order"),
    (b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
     b"".join(b"10000\r\n" + b"x" * 0x10000 + b"\r\n" for _ in range(20)) + b"0\r\n\r\n", "1.3 MB chunked body"),
    (b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 99999999999999999999\r\n\r\n", "absurd Content-Length"),
    (b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: -5\r\n\r\n", "negative Content-Length"),
]
for data, what in cases:
    send(data, what)

# A body shorter than its Content-Length: the connection times out or is closed, the
# service goes on.
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(post(b"/v1/feedback", b"{}")[:-1])
s.close()

# Mutations of valid requests, seeded.
rng = random.Random(99)
valid = [get(b"/v1/tracks/1/next?limit=5&user=u&energy=up&exclude=2"), get(b"/v1/tracks?q=night+wave"),
         post(b"/v1/mixes/order", b'{"tracks": [1, 2, 3], "start": 2, "energy": "keep"}'),
         post(b"/v1/feedback", b'{"events": [{"event_id": "m", "user": "u", "current_track": 1, '
                               b'"next_track": 2, "type": "skip", "position_s": 3}]}')]
for i in range(400):
    d = bytearray(rng.choice(valid))
    for _ in range(rng.randint(1, 6)):
        op, at = rng.randrange(3), rng.randrange(len(d))
        if op == 0:
            d[at] = rng.randrange(256)
        elif op == 1:
            del d[at:at + rng.randint(1, 8)]
        else:
            d[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    # Some mutations leave a request libmicrohttpd waits on until its connection timeout
    # (30 s): do not wait that long here.
    send(bytes(d), "mutation %d" % i, half_close=True, timeout=1)

# Many connections at once, some idle, some busy.
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
errors = []


def busy():
    c = Client(port, key=key)
    try:
        for n in range(30):
            st = c.request("GET", "/v1/tracks/%d/next?limit=3" % (n % 50 + 1))[0]
            if st != 200:
                errors.append(st)
    except Exception as e:  # noqa: BLE001 -- any failure is a failure
        errors.append(repr(e))


threads = [threading.Thread(target=busy) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for s in idle:
    s.close()
F.check(not errors, "concurrent requests failed: %s" % errors[:5])

st = Client(port).request("GET", "/v1/health")[0]
F.check(st == 200, "health after the barrage: %s" % st)
for f in F.items:
    print("FAIL:", f)
print("measure: %d malformed requests and 400 mutations answered; service healthy" % len(cases))
sys.exit(1 if F.items else 0)
