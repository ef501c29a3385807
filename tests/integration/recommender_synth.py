"""recommender_synth.py -- synthetic catalogues and listeners for the recommender's tests.

Python standard library only. Used by tests/integration/recommender_*.sh:

  catalogue(n, seed)           tracks with features generated directly (no audio): genre,
                               tempo, Camelot key, energy, MFCC means, chroma, a 64-d
                               embedding, tags
  write_copy(tracks, dir)      tracks.tsv, features.tsv, tags.tsv in COPY text format
  load(psql, dsn, dir)         bulk-loads those files with \\copy (psql), sets the sequence
  simulate(tracks, ...)        listeners with hidden preferences who make feedback sessions

The hidden preferences are described in docs/recommender.md ("Offline evaluation").
"""
import json
import math
import os
import random
import subprocess
import time

GENRES = [
    # name, mean tempo (BPM)
    ("house", 124), ("techno", 130), ("trance", 138), ("drum and bass", 174),
    ("hip hop", 92), ("disco", 118), ("funk", 104), ("downtempo", 96),
    ("dubstep", 140), ("garage", 132), ("electro", 127), ("soul", 100),
]
MOODS = ["dark", "uplifting", "melancholic", "party", "dreamy", "aggressive"]
WORDS = ("night light deep blue fire city dream wave signal echo golden storm river "
         "machine shadow velvet neon sunset motion crystal pulse horizon ghost ocean "
         "rhythm orbit fever paradise static glass").split()

# Camelot index k: number k // 2 + 1, ring B (major) when k is odd.
def camelot_name(k):
    return "%d%s" % (k // 2 + 1, "B" if k % 2 else "A")


def camelot_tonic(k):
    """Pitch class of the tonic of Camelot index k (C = 0)."""
    num, major = k // 2 + 1, k % 2
    t = ((num - 8) * 7) % 12          # the major key on this number
    return t if major else (t + 9) % 12


def camelot_move(a, b):
    """'same', '+1', '-1', 'relative', 'diagonal', 'boost' or 'clash' (as compat.c)."""
    na, nb = a // 2 + 1, b // 2 + 1
    d = (nb - na) % 12
    if d > 6:
        d -= 12
    if a % 2 == b % 2:
        return {0: "same", 1: "+1", -1: "-1", 2: "boost", -2: "boost"}.get(d, "clash")
    return {0: "relative", 1: "diagonal", -1: "diagonal"}.get(d, "clash")


def _unit(v):
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / n for x in v]


def catalogue(n, seed):
    rng = random.Random(seed)
    cents_mfcc = [[rng.gauss(0, 20) for _ in range(13)] for _ in GENRES]
    cents_emb = [_unit([rng.gauss(0, 1) for _ in range(64)]) for _ in GENRES]
    artists = [["%s %s" % (rng.choice(WORDS).title(), rng.choice(WORDS).title())
                for _ in range(max(2, n // 60))] for _ in GENRES]
    tracks = []
    for i in range(n):
        g = i % len(GENRES)
        name, bpm = GENRES[g]
        k = rng.randrange(24)
        tonic, major = camelot_tonic(k), k % 2
        chroma = [0.1 + 0.1 * rng.random() for _ in range(12)]
        for step, w in ((0, 1.0), (4 if major else 3, 0.6), (7, 0.8)):
            chroma[(tonic + step) % 12] += w
        top = max(chroma)
        mood = rng.choice(MOODS)
        tracks.append({
            "id": i + 1,
            "genre": g,
            "title": "%s %s" % (rng.choice(WORDS).title(), rng.choice(WORDS)),
            "artist": rng.choice(artists[g]),
            "album": "%s %s" % (rng.choice(WORDS).title(), rng.choice(["EP", "LP", "Sessions"])),
            "tempo": round(rng.gauss(bpm, 2.5), 2),
            "key": k,
            "energy": round(rng.uniform(0.05, 0.95), 3),
            "loudness": round(rng.uniform(-14, -6), 2),
            "mfcc": [round(c + rng.gauss(0, 6), 2) for c in cents_mfcc[g]],
            "chroma": [round(c / top, 4) for c in chroma],
            "embedding": [round(c + rng.gauss(0, 0.08), 4) for c in cents_emb[g]],
            "tags": [(name, round(rng.uniform(0.6, 0.95), 3)), (mood, round(rng.uniform(0.3, 0.6), 3))],
        })
    return tracks


def _arr(v):
    return "{" + ",".join(repr(x) for x in v) + "}"


def write_copy(tracks, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tracks.tsv"), "w") as f:
        for t in tracks:
            h = "%032x" % (t["id"] * 0x9E3779B97F4A7C15 % (1 << 128))
            f.write("%d\t\\\\x%s\tfile:///synthetic/%d.flac\t%s\t%s\t%s\t240\n" % (
                t["id"], h, t["id"], t["title"], t["artist"], t["album"]))
    with open(os.path.join(out, "features.tsv"), "w") as f:
        for t in tracks:
            k = t["key"]
            feats = {"tempo_bpm": t["tempo"], "camelot": camelot_name(k), "energy": t["energy"],
                     "key_tonic": camelot_tonic(k), "key_mode": "major" if k % 2 else "minor"}
            f.write("\t".join([
                str(t["id"]), "mixq-synthetic/1", str(t["tempo"]), str(camelot_tonic(k)),
                "major" if k % 2 else "minor", camelot_name(k), str(t["energy"]),
                str(t["loudness"]), _arr(t["mfcc"]), _arr(t["chroma"]), _arr(t["embedding"]),
                json.dumps(feats)]) + "\n")
    with open(os.path.join(out, "tags.tsv"), "w") as f:
        for t in tracks:
            for tag, p in t["tags"]:
                f.write("%d\tmixq-synthetic/1\tsynthetic\t%s\t%s\n" % (t["id"], tag, p))


def load(psql, dsn, out):
    """Bulk-loads the files of write_copy with psql's \\copy."""
    cmds = [
        "\\copy tracks (id, content_hash, uri, title, artist, album, duration_s) FROM '%s'"
        % os.path.join(out, "tracks.tsv"),
        "\\copy track_features (track_id, analyzer_version, tempo_bpm, key_tonic, key_mode,"
        " camelot, energy, loudness_lufs, mfcc_mean, chroma, embedding, features) FROM '%s'"
        % os.path.join(out, "features.tsv"),
        "\\copy track_tags (track_id, analyzer_version, model, tag, probability) FROM '%s'"
        % os.path.join(out, "tags.tsv"),
        "SELECT setval('tracks_id_seq', (SELECT max(id) FROM tracks))",
    ]
    args = [psql, dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for c in cmds:
        args += ["-c", c]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


# --- listeners ---------------------------------------------------------------------------

class Listener:
    """A listener's hidden preferences (never given to the recommender)."""

    def __init__(self, uid, rng):
        self.uid = uid
        g = rng.sample(range(len(GENRES)), 2)
        self.genre = {g[0]: 1.0, g[1]: 0.7}
        self.fav_move = rng.choice(["+1", "-1", "relative", "same"])
        self.rising = rng.random() < 0.7     # else keeps the energy level

    def utility(self, a, b):
        u = 1.6 * self.genre.get(b["genre"], -0.5)
        m = camelot_move(a["key"], b["key"])
        u += 1.2 * (1.0 if m == self.fav_move else
                    0.3 if m in ("same", "+1", "-1", "relative") else
                    -0.5 if m in ("diagonal", "boost") else -2.0)
        d = b["energy"] - a["energy"]
        target, width = (0.09, 0.06) if self.rising else (0.0, 0.05)
        u += 1.0 * max(-1.0, 1.0 - abs(d - target) / width)
        ratio = b["tempo"] / a["tempo"]
        rel = min(abs(ratio - 1), abs(ratio * 2 - 1), abs(ratio / 2 - 1))
        u += -rel / 0.03
        return u


def simulate(tracks, users, sessions, steps, seed):
    """Feedback sessions: each step the app serves two tracks the listener rates (played,
    or skipped when they do not suit), then the listener picks their own next track (play,
    sometimes like). Returns (train_events, tests); tests are the held-out picks of the
    last two sessions of each listener: (user, from_id, true_next_id, session_history)."""
    rng = random.Random(seed)
    by_genre = {}
    for t in tracks:
        by_genre.setdefault(t["genre"], []).append(t)
    listeners = [Listener("user-%03d" % i, rng) for i in range(users)]
    train, tests = [], []
    clock = 1_700_000_000
    for L in listeners:
        own = [t for g in L.genre for t in by_genre[g]]
        for s in range(sessions):
            held = s >= sessions - 2
            fav = max(L.genre, key=L.genre.get) if rng.random() < 0.7 else rng.choice(list(L.genre))
            cur = rng.choice(by_genre[fav])
            history = [cur["id"]]
            for step in range(steps):
                last = held and step == steps - 1
                step_events = []
                # Served: a random track of a liked genre and one of any genre.
                for pool in (by_genre[rng.choice(list(L.genre))], tracks):
                    t = rng.choice(pool)
                    if t["id"] in history:
                        continue
                    u = L.utility(cur, t)
                    kind = "play" if u > 3.0 else "skip"
                    step_events.append((cur["id"], t["id"], kind))
                # The listener's own pick: the best next track of a genre they like, with a
                # little noise.
                best, bu = None, -1e9
                for t in own:
                    if t["id"] in history:
                        continue
                    u = L.utility(cur, t) + rng.gauss(0, 0.15)
                    if u > bu:
                        best, bu = t, u
                if last:
                    tests.append((L.uid, cur["id"], best["id"], list(history)))
                else:
                    kind = "like" if rng.random() < 0.3 else "play"
                    step_events.append((cur["id"], best["id"], kind))
                for a, b, kind in step_events:
                    clock += 37
                    train.append({"event_id": "%s-%d-%d-%d-%d" % (L.uid, s, step, b, len(train)),
                                  "user": L.uid, "current_track": a, "next_track": b,
                                  "type": kind, "ts": clock})
                history.append(best["id"])
                cur = best
    return train, tests


def write_feedback_copy(events, path):
    """The training events as COPY rows of user_feedback."""
    with open(path, "w") as f:
        for e in events:
            f.write("%s\t%s\t%d\t%d\t%s\t%s\n" % (
                e["event_id"], e["user"], e["current_track"], e["next_track"], e["type"],
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e["ts"]))))
