#!/usr/bin/env python3
"""Accuracy and CPU of mixq, aubio and the Queen Mary tracker on labelled sets, one table.

usage: accuracy.py --out DIR [--mixq BIN] [--qm BIN] [--skip-tool TOOL=WHY ...]
                   SET=DIR [SET=DIR ...]

Each DIR holds labels.json (the dev corpus's shape); exactly the files it lists are given
to every tool, one process at a time, single-threaded:

  mixq   `mixq analyze -j1 FILE...`, one process for the set
  qm     `qm-wrapper FILE...` (tests/bench/qm_wrapper.cpp), one process for the set
  aubio  `aubio beat FILE` for the beats and `aubio tempo FILE` for the tempo, per file

Each tool's JSON lines go to DIR_OUT/TOOL-SET.jsonl and are scored by tests/score.py
--json. CPU is user + system seconds of the tool's child processes (getrusage), divided
by the minutes of audio the labels list. For aubio only the `aubio beat` runs are
counted: `aubio tempo` runs the same tracker again just to print its mean tempo. The
rows are printed as a table and written to DIR_OUT/accuracy.json.
"""
import json
import os
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCORE = os.path.join(HERE, "..", "score.py")


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd, stdout):
    """Runs cmd with stdout to the open file; returns (exit status, CPU seconds)."""
    t0 = child_cpu()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    return p.returncode, child_cpu() - t0


def run_mixq(binary, files, out):
    with open(out, "w") as f:
        _, cpu = run_timed([binary, "analyze", "-j1"] + files, f)
    return cpu


def run_qm(binary, files, out):
    with open(out, "w") as f:
        _, cpu = run_timed([binary] + files, f)
    return cpu


def run_aubio(files, out):
    cpu = 0.0
    with open(out, "w") as f:
        for path in files:
            t0 = child_cpu()
            beat = subprocess.run(["aubio", "beat", path], capture_output=True, text=True)
            cpu += child_cpu() - t0
            tempo = subprocess.run(["aubio", "tempo", path], capture_output=True, text=True)
            if beat.returncode != 0 or tempo.returncode != 0:
                o = {"path": path, "error": {"code": "aubio_failed",
                                             "message": (beat.stderr or tempo.stderr)[-200:]}}
            else:
                beats = [float(x) for x in beat.stdout.split()]
                words = tempo.stdout.split()
                bpm = float(words[0]) if words and words[0] != "unknown" else None
                o = {"path": path, "tempo_bpm": bpm, "beats": beats}
            f.write(json.dumps(o) + "\n")
    return cpu


def score(labels, results):
    p = subprocess.run([sys.executable, SCORE, labels, results, "--json"],
                       capture_output=True, text=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv):
    out_dir, mixq, qm = None, None, None
    skip = {}
    sets = []
    it = iter(argv[1:])
    for a in it:
        if a == "--out":
            out_dir = next(it)
        elif a == "--mixq":
            mixq = next(it)
        elif a == "--qm":
            qm = next(it)
        elif a == "--skip-tool":
            tool, _, why = next(it).partition("=")
            skip[tool] = why
        elif "=" in a:
            sets.append(tuple(a.split("=", 1)))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if not out_dir or not sets:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)

    tools = [("mixq", mixq), ("aubio", "aubio"), ("qm", qm)]
    rows = []
    print("  %-6s %-14s %5s %6s %6s %6s %7s %10s" %
          ("tool", "set", "files", "Acc1", "Acc2", "key", "beat F", "CPU s/min"))
    for name, d in sets:
        labels = os.path.join(d, "labels.json")
        tracks = json.load(open(labels))["tracks"]
        files = [os.path.join(d, t["file"]) for t in tracks]
        minutes = sum(t["duration_s"] for t in tracks) / 60.0
        for tool, binary in tools:
            if tool in skip or (tool != "aubio" and not binary):
                print("  %-6s %-14s skipped: %s" % (tool, name, skip.get(tool, "no binary")))
                continue
            res = os.path.join(out_dir, "%s-%s.jsonl" % (tool, name))
            if tool == "mixq":
                cpu = run_mixq(binary, files, res)
            elif tool == "qm":
                cpu = run_qm(binary, files, res)
            else:
                cpu = run_aubio(files, res)
            s = score(labels, res)
            row = {"tool": tool, "set": name, "files": len(files), "audio_min": minutes,
                   "acc1": s["tempo_acc1"], "acc2": s["tempo_acc2"],
                   "key": None if tool == "aubio" else s["key_mirex"], "beat_f": s["beat_f"],
                   "cpu_s": cpu, "cpu_s_per_min": cpu / minutes if minutes else None}
            rows.append(row)
            print("  %-6s %-14s %5d %6.3f %6.3f %6s %7.3f %10.3f" %
                  (tool, name, len(files), row["acc1"], row["acc2"],
                   "-" if row["key"] is None else "%.3f" % row["key"], row["beat_f"],
                   row["cpu_s_per_min"]), flush=True)
    json.dump({"rows": rows}, open(os.path.join(out_dir, "accuracy.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
