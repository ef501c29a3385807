#!/usr/bin/env python3
"""Prints the analysed sample catalogue from PostgreSQL as a table, beside its labels.

usage: summary_pg.py DSN LABELS.json PSQL
"""
import json
import os
import subprocess
import sys


def main():
    dsn, labels_path, psql = sys.argv[1:4]
    labels = {t["file"]: t for t in json.load(open(labels_path))["tracks"]}
    sql = """SELECT t.uri, f.duration_s, f.tempo_bpm, f.key_name, f.camelot, f.loudness_lufs,
                    f.energy, f.danceability, coalesce(f.genre, '-')
               FROM track_features f JOIN tracks t ON t.id = f.track_id ORDER BY t.uri"""
    out = subprocess.run([psql, dsn, "-X", "-A", "-t", "-F", "\t", "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    print("\n%-14s %6s %7s %7s  %-10s %-4s %7s %6s %6s  %-11s %s" % (
        "file", "secs", "BPM", "(true)", "key", "cam", "LUFS", "energy", "dance", "genre", "(true key)"))
    n = 0
    for line in out.splitlines():
        uri, dur, bpm, key, cam, lufs, energy, dance, genre = line.split("\t")
        name = os.path.basename(uri)
        lab = labels.get(name, {})
        f = lambda v, spec: format(float(v), spec) if v else "-"
        print("%-14s %6s %7s %7s  %-10s %-4s %7s %6s %6s  %-11s %s" % (
            name[:14], f(dur, ".1f"), f(bpm, ".1f"), f(lab.get("tempo_bpm"), ".1f") if lab else "-",
            key or "-", cam or "-", f(lufs, ".1f"), f(energy, ".2f"), f(dance, ".2f"), genre[:11],
            lab.get("key", "")))
        n += 1
    fails = subprocess.run([psql, dsn, "-X", "-A", "-t", "-c",
                            "SELECT count(*) FROM analysis_failures"],
                           capture_output=True, text=True).stdout.strip() or "0"
    print("\n%d tracks analysed in PostgreSQL, %s failures" % (n, fails))


if __name__ == "__main__":
    main()
