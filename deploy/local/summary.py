#!/usr/bin/env python3
"""Prints a readable table of `mixq analyze` results, beside labels when given.

usage: summary.py FEATURES.jsonl [LABELS.json [START END]]
"""
import json
import os
import sys


def fmt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def main():
    rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    labels = {}
    if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
        labels = {t["file"]: t for t in json.load(open(sys.argv[2]))["tracks"]}
    head = "%-16s %6s %7s %7s  %-10s %-4s %7s %6s %6s  %s" % (
        "file", "secs", "BPM", "(true)", "key", "cam", "LUFS", "energy", "dance", "(true key)")
    print(head)
    print("-" * len(head))
    total = 0.0
    failed = 0
    for r in rows:
        name = os.path.basename(r.get("path", ""))
        lab = labels.get(name, {})
        if "error" in r:
            failed += 1
            print("%-16s  error: %s: %s" % (name, r["error"]["code"], r["error"]["message"]))
            continue
        total += r.get("duration_s") or 0
        print("%-16s %6s %7s %7s  %-10s %-4s %7s %6s %6s  %s" % (
            name[:16], fmt(r.get("duration_s"), ".1f"), fmt(r.get("tempo_bpm"), ".1f"),
            fmt(lab.get("tempo_bpm"), ".1f"), r.get("key") or "-", r.get("camelot") or "-",
            fmt(r.get("loudness_lufs"), ".1f"), fmt(r.get("energy"), ".2f"),
            fmt(r.get("danceability"), ".2f"), lab.get("key", "")))
    print()
    line = "%d files, %d failed, %.0f s of audio" % (len(rows), failed, total)
    if len(sys.argv) > 4:
        wall = float(sys.argv[4]) - float(sys.argv[3])
        if wall > 0:
            line += ", analysed in %.1f s wall time (%.0fx real time)" % (wall, total / wall)
    print(line)


if __name__ == "__main__":
    main()
