# mixq-ingest watch, the daemon, against a tree the test changes under it, with a real
# PostgreSQL, Redis and mixq-broker.
#
# Checks: the start-up scan (bulk jobs); a new file is catalogued and gets an
# interactive job; a file still being written (open, half written, paused) is left alone
# until its writer closes it; renames and moves of files and folders keep their tracks
# and submit nothing; a folder created later is watched (its files are found, including
# files written into it before its watch existed); moving a folder out of the tree and
# deleting a file mark paths missing; moving a file in adds it; a PostgreSQL outage is
# survived and changes made during it are caught up by a rescan; an event-queue overflow
# (forced by pausing the daemon while >16384 events happen) triggers a rescan; metrics are
# served; SIGTERM stops it cleanly (exit 0, sanitizers included).
source tests/integration/ingest_lib.bash
set -u
ingest_start_pg
ingest_start_broker

W=$TMP/w
OUT=$TMP/outside
mkdir -p "$W/a" "$OUT"
gen "$W/a/one.wav" 1
gen "$TMP/src2.wav" 2
gen "$TMP/src3.flac" 3 3
gen "$TMP/src4.wav" 4
gen "$TMP/src5.wav" 5
gen "$TMP/src6.mp3" 6
gen "$TMP/src7.wav" 7
touch -d '-5 seconds' "$W/a/one.wav"

METRICS=$(free_port)
"$INGEST" watch --settle 0.4 --open-timeout 6 --retry 1 --metrics-port "$METRICS" "$W" \
  >> "$TMP/watch.out" 2>> "$TMP/log" &
PIDS[watch]=$!

logged() { [ "$(grep -c -- "$1" "$TMP/log")" -ge "${2:-1}" ]; }
has_path() { [ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'escape') = '$1' AND NOT missing" 2>/dev/null)" = 1 ]; }
is_missing() { [ "$(psql_q "SELECT missing FROM track_paths WHERE encode(path, 'escape') = '$1'" 2>/dev/null)" = t ]; }
track_of() { psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') = '$1'"; }
alive() { kill -0 "${PIDS[watch]}" 2>/dev/null || { tail -20 "$TMP/log"; fail "the daemon exited"; }; }

wait_for 30 "the start-up scan" logged '"rescan done"'
has_path "$W/a/one.wav" || fail "start-up scan missed one.wav"
[ "$(queued bulk)" = 1 ] || fail "start-up scan: expected 1 bulk job, broker has $(queued bulk)"

# A new file: catalogued, one interactive job.
cp "$TMP/src2.wav" "$W/two.wav"
wait_for 20 "two.wav" has_path "$W/two.wav"
wait_for 10 "an interactive job" test "$(queued interactive)" = 1

# A file still being written: opened, half written, then a pause with it still open.
python3 - "$TMP/src3.flac" "$W/slow.flac" "$TMP/slow.state" <<'PY' &
import sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(data[: len(data) // 2]); f.flush()
    open(sys.argv[3], "w").write("half")
    time.sleep(3)
    f.write(data[len(data) // 2:])
open(sys.argv[3], "w").write("done")
PY
WRITER=$!
wait_for 10 "the writer" grep -qs half "$TMP/slow.state"
sleep 2  # well past the settle time, still open
has_path "$W/slow.flac" && fail "a file still open for writing was catalogued"
wait "$WRITER"
wait_for 20 "slow.flac after its close" has_path "$W/slow.flac"
[ "$(psql_q "SELECT size_bytes FROM track_paths WHERE encode(path, 'escape') = '$W/slow.flac'")" = \
  "$(stat -c %s "$TMP/src3.flac")" ] || fail "slow.flac catalogued at the wrong size"
wait_for 10 "slow.flac's job" test "$(queued interactive)" = 2

# Renames: a file, then a folder (and a file written into the renamed folder).
id2=$(track_of "$W/two.wav")
mv "$W/two.wav" "$W/two-renamed.wav"
wait_for 10 "the file rename" has_path "$W/two-renamed.wav"
[ "$(track_of "$W/two-renamed.wav")" = "$id2" ] || fail "a renamed file changed track"
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'escape') = '$W/two.wav'")" = 0 ] ||
  fail "the old name is still catalogued"
id1=$(track_of "$W/a/one.wav")
mv "$W/a" "$W/a2"
wait_for 10 "the folder rename" has_path "$W/a2/one.wav"
[ "$(track_of "$W/a2/one.wav")" = "$id1" ] || fail "a file in a renamed folder changed track"
cp "$TMP/src4.wav" "$W/a2/four.wav"
wait_for 10 "a file in the renamed folder" has_path "$W/a2/four.wav"
[ "$(queued interactive)" = 3 ] || fail "renames submitted jobs (interactive: $(queued interactive))"

# A new folder tree; files copied in at once.
mkdir -p "$W/n/deep"
cp "$TMP/src5.wav" "$W/n/deep/five.wav"
cp "$TMP/src4.wav" "$W/n/four-again.wav"  # same content as four.wav: no new job
wait_for 10 "files in a new folder" has_path "$W/n/deep/five.wav"
wait_for 10 "the duplicate" has_path "$W/n/four-again.wav"
[ "$(track_of "$W/n/four-again.wav")" = "$(track_of "$W/a2/four.wav")" ] || fail "duplicate is a new track"
wait_for 10 "five.wav's job" test "$(queued interactive)" = 4

# Moves out of and into the tree; a deletion.
mv "$W/n" "$OUT/n"
wait_for 10 "the folder moved out" is_missing "$W/n/deep/five.wav"
is_missing "$W/n/four-again.wav" || fail "moved-out file not missing"
[ "$(psql_q "SELECT missing FROM tracks WHERE id = $(track_of "$W/n/deep/five.wav")")" = t ] ||
  fail "a track whose only file left is not missing"
cp "$TMP/src6.mp3" "$OUT/six.mp3"
mv "$OUT/six.mp3" "$W/six.mp3"
wait_for 10 "the file moved in" has_path "$W/six.mp3"
rm "$W/a2/one.wav"
wait_for 10 "the deletion" is_missing "$W/a2/one.wav"
# The folder moved out is no longer watched: changes there are not ours.
cp "$TMP/src7.wav" "$OUT/n/seven.wav"
sleep 1
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'escape') LIKE '%seven.wav'")" = 0 ] ||
  fail "a folder moved out of the tree is still watched"

# A PostgreSQL outage: the daemon survives, and catches up when it returns.
stop_pg
cp "$TMP/src7.wav" "$W/seven.wav"
sleep 2
alive
resume_pg || fail "postgresql did not come back"
wait_for 30 "seven.wav after the outage" has_path "$W/seven.wav"
wait_for 10 "a rescan after the outage" logged '"rescan done"' 2

# An event-queue overflow: pause the daemon, make more events than the queue holds.
[ "$(cat /proc/sys/fs/inotify/max_queued_events)" -le 60000 ] || skip "max_queued_events too large to overflow"
kill -STOP "${PIDS[watch]}"
python3 - "$W" "$(cat /proc/sys/fs/inotify/max_queued_events)" <<'PY'
import os, sys
d, limit = sys.argv[1], int(sys.argv[2])
a, b = os.path.join(d, "ev-a.txt"), os.path.join(d, "ev-b.txt")
for p in (a, b):
    open(p, "w").close()
for i in range(limit // 2 + 2000):  # alternating files: no event is merged with the last
    os.utime(a, None); os.utime(b, None)
PY
kill -CONT "${PIDS[watch]}"
wait_for 30 "the overflow to be noticed" logged '"inotify queue overflowed: rescanning"'
wait_for 30 "the rescan after the overflow" logged '"rescan done"' 3
alive

# Metrics, then a clean stop.
curl -s "http://127.0.0.1:$METRICS/metrics" > "$TMP/metrics.txt" || fail "no metrics"
for m in mixq_ingest_events_total mixq_ingest_renames_total mixq_ingest_overflows_total \
         mixq_ingest_rescans_total mixq_ingest_watches; do
  grep -q "^$m " "$TMP/metrics.txt" || fail "metric $m missing"
done
awk '/^mixq_ingest_overflows_total /{exit !($2 >= 1)}' "$TMP/metrics.txt" || fail "overflow not counted"
kill -TERM "${PIDS[watch]}"
wait "${PIDS[watch]}"; rc=$?
unset "PIDS[watch]"
[ $rc = 0 ] || { tail -20 "$TMP/log"; fail "watch exited with $rc after SIGTERM"; }
check_log
grep -q '"level":"error"' "$TMP/log" && echo "note: errors logged (expected during the outage):" &&
  grep '"level":"error"' "$TMP/log" | head -3
echo "measure: watch ok"
