#!/usr/bin/env python3
"""Scores `mixq analyze` output against a labels.json (the dev corpus's format).

usage: score.py LABELS.json RESULTS.jsonl [--min-acc1 X --min-acc2 X --min-key X --min-beat-f X]
       [--json] [--verbose]

Conventions (../shared/corpus/README.md): tempo Acc1 within 4 %, Acc2 also counting
x2, x1/2, x3, x1/3; key MIREX weighted score (same 1, fifth 0.5, relative 0.3, parallel
0.2); beats F-measure with a +-70 ms window, one-to-one matching, beats before 5 s ignored
(or the label's beat_skip_s). Edge cases: tempo_ramp counts any tempo in tempo_range +-4 %,
key_change counts the best over key_segments. A missing or failed file scores 0.
Exits 1 when a --min threshold is not met.
"""
import json
import os
import sys

PCS = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
       "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}


def parse_key(name):
    if not name:
        return None
    tonic, mode = name.split()
    return PCS[tonic], mode


def tempo_ok(est, ref, lo=None, hi=None, factors=(1.0,)):
    if est is None:
        return False
    for f in factors:
        if lo is not None and lo / 1.04 <= est / f <= hi * 1.04:
            return True
        if abs(est / f - ref) <= 0.04 * ref:
            return True
    return False


def key_score(est, ref):
    if est is None or ref is None:
        return 0.0
    (ep, em), (rp, rm) = est, ref
    if ep == rp and em == rm:
        return 1.0
    if em == rm and (ep - rp) % 12 in (5, 7):
        return 0.5
    if em != rm:
        if rm == "major" and em == "minor" and ep == (rp + 9) % 12:
            return 0.3
        if rm == "minor" and em == "major" and ep == (rp + 3) % 12:
            return 0.3
        if ep == rp:
            return 0.2
    return 0.0


def beat_f(est, ref, skip=5.0, win=0.07):
    est = sorted(b for b in est if b >= skip)
    ref = sorted(b for b in ref if b >= skip)
    if not est and not ref:
        return 1.0
    if not est or not ref:
        return 0.0
    used = [False] * len(est)
    hits = 0
    j0 = 0
    for r in ref:
        best, bj = None, -1
        for j in range(j0, len(est)):
            d = est[j] - r
            if d > win:
                break
            if abs(d) <= win and not used[j] and (best is None or abs(d) < best):
                best, bj = abs(d), j
        if bj >= 0:
            used[bj] = True
            hits += 1
        while j0 < len(est) and est[j0] < r - win:
            j0 += 1
    p, rcl = hits / len(est), hits / len(ref)
    return 0.0 if hits == 0 else 2 * p * rcl / (p + rcl)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = {}
    it = iter(argv[1:])
    for a in it:
        if a.startswith("--min-"):
            opts[a[6:]] = float(next(it))
    labels = json.load(open(args[0]))["tracks"]
    results = {}
    for line in open(args[1]):
        line = line.strip()
        if line:
            o = json.loads(line)
            results[os.path.basename(o.get("path", ""))] = o
    n = len(labels)
    acc1 = acc2 = keys = beats = 0.0
    rows = []
    for t in labels:
        r = results.get(t["file"])
        ok = r is not None and "error" not in r
        est_t = r.get("tempo_bpm") if ok else None
        lo = hi = None
        if t.get("edge_case") == "tempo_ramp" and t.get("tempo_range"):
            lo, hi = t["tempo_range"]
        refs = [t["tempo_bpm"]] + list(t.get("tempo_alternatives", []))
        a1 = any(tempo_ok(est_t, ref, lo, hi) for ref in refs)
        a2 = any(tempo_ok(est_t, ref, lo, hi, (1, 2, 0.5, 3, 1 / 3)) for ref in refs)
        ek = parse_key(r.get("key")) if ok else None
        if t.get("key_segments"):
            ks = max(key_score(ek, parse_key(s["key"])) for s in t["key_segments"])
        elif t.get("key"):
            ks = key_score(ek, parse_key(t["key"]))
        else:
            ks = None
        bf = beat_f(r.get("beats") or [], t["beats"], t.get("beat_skip_s", 5.0)) if ok else 0.0
        acc1 += a1
        acc2 += a2
        keys += ks or 0
        beats += bf
        rows.append((t["file"], t["tempo_bpm"], est_t, a1, a2, t.get("key"), r.get("key") if ok else None, ks, bf))
    out = {"tracks": n, "tempo_acc1": acc1 / n, "tempo_acc2": acc2 / n, "key_mirex": keys / n,
           "beat_f": beats / n}
    if "--verbose" in argv:
        for row in rows:
            print("%-14s ref %6.1f est %-7s acc1 %d acc2 %d  key %-9s est %-9s %.1f  beatF %.3f" %
                  (row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] or 0, row[8]))
    if "--json" in argv:
        print(json.dumps(out))
    else:
        print("tracks %d  tempo Acc1 %.3f  Acc2 %.3f  key %.3f  beat F %.3f" %
              (n, out["tempo_acc1"], out["tempo_acc2"], out["key_mirex"], out["beat_f"]))
    fail = [k for k, v in (("acc1", out["tempo_acc1"]), ("acc2", out["tempo_acc2"]),
                           ("key", out["key_mirex"]), ("beat-f", out["beat_f"]))
            if k in opts and v < opts[k]]
    if fail:
        print("below threshold: " + ", ".join(fail))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
