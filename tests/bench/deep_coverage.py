#!/usr/bin/env python3
"""Compares deep features at default and full coverage (docs/features.md, "Deep features").

usage: deep_coverage.py DEFAULT.jsonl FULL.jsonl
For each model: mean absolute difference of the 50 tag probabilities, the share of tracks
whose top tag agrees, and the cosine similarity of the embeddings (mean and minimum).
"""
import json
import math
import sys


def load(p):
    out = {}
    for line in open(p, encoding="utf-8"):
        o = json.loads(line)
        if o.get("deep"):
            out[o["path"]] = o["deep"]
    return out


def cos(a, b):
    num = sum(x * y for x, y in zip(a, b))
    den = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return num / den if den else 0.0


def main():
    d, f = load(sys.argv[1]), load(sys.argv[2])
    paths = sorted(set(d) & set(f))
    models = sorted(d[paths[0]]) if paths else []
    for m in models:
        mad, top, sims = [], 0, []
        for p in paths:
            a, b = d[p][m], f[p][m]
            mad.append(sum(abs(a["tags"][t] - b["tags"][t]) for t in a["tags"]) / len(a["tags"]))
            top += a["top"][0][0] == b["top"][0][0]
            sims.append(cos(a["embedding"], b["embedding"]))
        print("%-12s tracks %d  tag MAD %.4f (max %.4f)  same top tag %.2f  embedding cosine mean %.4f min %.4f" %
              (m, len(paths), sum(mad) / len(mad), max(mad), top / len(paths), sum(sims) / len(sims), min(sims)))


if __name__ == "__main__":
    main()
