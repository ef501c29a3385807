#!/usr/bin/env python3
"""recommender_eval.py -- offline evaluation of mixq-recommender's ranking.

Python standard library only. Run by tests/integration/recommender_quality.sh with a fresh,
migrated database (MIXQ_PG_DSN) and PG_BIN; starts the recommender itself.

  1. a synthetic catalogue (features generated directly) is bulk-loaded with COPY;
  2. synthetic listeners with hidden preferences (two liked genres, a favourite Camelot
     move, rising or level energy, close tempo) make feedback sessions: each step the app
     serves two tracks they play or skip, then they pick their own next track;
  3. the training events are bulk-loaded into user_feedback; the last pick of each
     listener's last two sessions is held out;
  4. each held-out transition is ranked by GET /v1/tracks/{from}/next?user=&limit=10
     (excluding what the session already played); a hit is the true pick in the top 10.
Compared with a popularity baseline (the 10 most picked tracks in training) and a
features-only baseline (the same service with the feedback weights at 0).

Prints "score: ..." lines; exits 0 when the hit rate at 10 is at least --min-hr and beats
both baselines by at least --min-margin, else 1.
"""
import argparse
import collections
import http.client
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recommender_synth as synth  # noqa: E402


def start(binary, dsn, workdir, name, extra):
    port_file = os.path.join(workdir, name + ".port")
    log = open(os.path.join(workdir, name + ".log"), "w")
    p = subprocess.Popen([binary, "--pg", dsn, "--port", "0", "--port-file", port_file,
                          "--no-auth", "--threads", "2"] + extra,
                         stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        if p.poll() is not None:
            sys.exit("%s exited early with %s (see %s.log)" % (name, p.returncode, name))
        if os.path.exists(port_file) and open(port_file).read().strip():
            port = int(open(port_file).read())
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", "/v1/health")
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    return p, c
            except OSError:
                pass
        time.sleep(0.1)
    p.terminate()
    sys.exit("%s did not become ready" % name)


def hit_rate(conn, tests, k):
    hits = 0
    for user, a, b, history in tests:
        excl = ",".join(str(x) for x in history if x != a)
        q = "/v1/tracks/%d/next?limit=%d&user=%s" % (a, k, user)
        if excl:
            q += "&exclude=" + excl
        conn.request("GET", q)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit("GET %s: %d %s" % (q, r.status, body[:200]))
        ids = [x["id"] for x in json.loads(body)["results"]]
        hits += b in ids
    return hits / len(tests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--tracks", type=int, default=2000)
    ap.add_argument("--users", type=int, default=80)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--min-hr", type=float, default=0.8)
    ap.add_argument("--min-margin", type=float, default=0.2)
    a = ap.parse_args()
    dsn, psql = os.environ["MIXQ_PG_DSN"], os.path.join(os.environ["PG_BIN"], "psql")

    t0 = time.time()
    tracks = synth.catalogue(a.tracks, a.seed)
    synth.write_copy(tracks, a.workdir)
    synth.load(psql, dsn, a.workdir)
    train, tests = synth.simulate(tracks, a.users, a.sessions, a.steps, a.seed + 1)
    fb = os.path.join(a.workdir, "feedback.tsv")
    synth.write_feedback_copy(train, fb)
    subprocess.run([psql, dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    "\\copy user_feedback (event_id, user_id, current_track_id, next_track_id,"
                    " event_type, occurred_at) FROM '%s'" % fb], check=True)
    kinds = collections.Counter(e["type"] for e in train)
    print("measure: catalogue %d tracks, %d listeners, %d training events (%s), %d held out"
          " (generated and loaded in %.1f s)" % (
              len(tracks), a.users, len(train),
              ", ".join("%s %d" % kv for kv in sorted(kinds.items())), len(tests),
              time.time() - t0))

    # Popularity baseline: the most picked (played or liked) tracks in training.
    picks = collections.Counter(e["next_track"] for e in train if e["type"] != "skip")
    ranked = [t for t, _ in picks.most_common()]
    pop_hits = 0
    for user, a_id, b, history in tests:
        top = [t for t in ranked if t != a_id and t not in history][:10]
        pop_hits += b in top
    hr_pop = pop_hits / len(tests)

    full, c_full = start(a.bin, dsn, a.workdir, "full", [])
    hr_full = hit_rate(c_full, tests, 10)
    full.terminate()
    full.wait()
    feat, c_feat = start(a.bin, dsn, a.workdir, "features",
                         ["--weights", "transition=0,pattern=0,taste=0"])
    hr_feat = hit_rate(c_feat, tests, 10)
    feat.terminate()
    feat.wait()

    print("score: hit rate at 10: recommender %.3f, features-only %.3f, popularity %.3f"
          % (hr_full, hr_feat, hr_pop))
    ok = hr_full >= a.min_hr and hr_full - max(hr_feat, hr_pop) >= a.min_margin
    if not ok:
        print("FAIL: want hit rate >= %.2f and >= %.2f above both baselines"
              % (a.min_hr, a.min_margin))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
