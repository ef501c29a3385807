#!/usr/bin/env python3
"""Checks `mixq analyze` output on the malformed-input corpus against expected.json.

usage: check_bad.py EXPECTED.json RESULTS.jsonl
Every line must be valid JSON (valid UTF-8, no NaN/Infinity); each file expected as
error/result/either gets exactly one line of the right kind; skip entries get none.
"""
import json
import math
import os
import sys


def no_nonfinite(v):
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, dict):
        return all(no_nonfinite(x) for x in v.values())
    if isinstance(v, list):
        return all(no_nonfinite(x) for x in v)
    return True


def reject_constant(name):
    raise ValueError("non-finite number " + name)


def main():
    expected = json.load(open(sys.argv[1]))
    if "files" in expected:
        expected = {e["file"]: e["expect"] for e in expected["files"]}
    raw = open(sys.argv[2], "rb").read()
    lines = {}
    bad = []
    for i, b in enumerate(raw.splitlines()):
        try:
            o = json.loads(b.decode("utf-8"), parse_constant=reject_constant)
        except Exception as e:
            bad.append("line %d is not valid JSON: %s" % (i + 1, e))
            continue
        if not no_nonfinite(o):
            bad.append("line %d has a non-finite number" % (i + 1))
        path = o.get("path", "")
        if "path_hex" in o:
            path = bytes.fromhex(o["path_hex"]).decode("latin-1")
        rel = path.split("/bad/", 1)[-1]
        if rel in lines:
            bad.append("two lines for " + rel)
        lines[rel] = o
    for name, exp in expected.items():
        o = lines.pop(name, None)
        if exp == "skip":
            if o is not None:
                bad.append("%s: expected no line, got one" % name)
            continue
        if o is None:
            bad.append("%s: no line" % name)
            continue
        err = o.get("error")
        if err is not None and (not isinstance(err, dict) or not err.get("code") or not err.get("message")):
            bad.append("%s: error object lacks code or message" % name)
        if exp == "error" and err is None:
            bad.append("%s: expected an error, got features" % name)
        if exp == "result" and err is not None:
            bad.append("%s: expected features, got error %s" % (name, err))
        if err is None:
            for f in ("duration_s", "sample_rate", "channels", "tempo_bpm", "beats", "key",
                      "camelot", "loudness_lufs", "analyzer_version"):
                if f not in o:
                    bad.append("%s: field %s missing" % (name, f))
        print("%-40s %-7s %s" % (name, exp, err["code"] if err else "result"))
    for name in lines:
        if not name.startswith("dir.wav/") and not name.startswith("loop"):
            continue
        bad.append("%s: unexpected line" % name)
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
