# mixq-ingest scan against a fixture tree it builds itself, with a real PostgreSQL, Redis
# and mixq-broker: the catalogue is checked after every scan, and the broker's queues
# show which jobs were submitted.
#
# The tree has duplicates (a copy and a symbolic link to the same audio), a name that is
# not UTF-8, a file with no extension (audio by content), a text file named .mp3, a
# symbolic-link loop, and unreadable entries. Tests run as root, so a chmod 000 file
# would still be readable: unreadable entries are a dangling symbolic link and a FIFO
# named .wav (both logged and skipped), and -- in a scan run as `nobody` through runuser
# -- a directory without read/execute permission. A file still being written is a writer
# appending to it while the scan runs. Then: an unchanged rescan submits nothing and reads
# no audio; a rename keeps its track; deletions mark paths (and tracks whose every path
# went) missing; changed content becomes a new track; a file put back is found again;
# --dry-run changes nothing; --reanalyze submits every present track again.
source tests/integration/ingest_lib.bash
set -u
ingest_start_pg
ingest_start_broker

L=$TMP/lib
mkdir -p "$L/a" "$L/b"
gen "$L/a/one.wav" 1
gen "$L/a/two.flac" 2
gen "$L/a/three.mp3" 3
cp "$L/a/one.wav" "$L/b/one-copy.wav"
ln -s ../a/two.flac "$L/b/two-link.flac"
NONUTF=$(printf 'caf\xe9 \xff.wav')
gen "$TMP/nonutf.wav" 4 && mv "$TMP/nonutf.wav" "$L/$NONUTF"
gen "$TMP/noext.wav" 5 && mv "$TMP/noext.wav" "$L/noext"
echo "just text" > "$L/fake.mp3"
echo "notes" > "$L/notes.txt"
ln -s . "$L/loop"
ln -s nowhere.wav "$L/dangling.wav"
mkfifo "$L/fifo.wav"
cp -p "$L/a/two.flac" "$TMP/two.flac.saved"
sleep 1.2 # older than the scan's settle time

# A file still being written while the first scan runs.
gen "$TMP/slow.src.wav" 6 3
python3 - "$TMP/slow.src.wav" "$L/slow.wav" <<'PY' &
import sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    step = len(data) // 20 + 1
    for i in range(0, len(data), step):
        f.write(data[i:i + step]); f.flush(); time.sleep(0.15)
PY
WRITER=$!
sleep 0.3

# ---- scan 1 ----
out=$(ingest scan --settle 1 "$L") || fail "scan 1 failed: $out"
echo "scan 1: $out"
[ "$(field "$out" new_tracks)" = 5 ] || fail "scan 1: expected 5 new tracks"
[ "$(field "$out" new_paths)" = 7 ] || fail "scan 1: expected 7 new paths"
[ "$(field "$out" busy)" = 1 ] || fail "scan 1: the file being written was not left alone"
[ "$(field "$out" not_audio)" = 1 ] || fail "scan 1: fake.mp3 not reported as not audio"
[ "$(field "$out" jobs)" = 5 ] || fail "scan 1: expected 5 jobs"
[ "$(psql_q "SELECT count(*) FROM tracks WHERE duration_s BETWEEN 1.9 AND 2.1")" = 5 ] ||
  fail "scan 1: durations not read"
[ "$(psql_q "SELECT count(*) FROM tracks")" = 5 ] || fail "scan 1: tracks"
[ "$(psql_q "SELECT count(*) FROM track_paths")" = 7 ] || fail "scan 1: track_paths"
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'escape') LIKE '%slow.wav'")" = 0 ] ||
  fail "scan 1 catalogued a half-written file"
# Duplicates: one track, several paths.
[ "$(psql_q "SELECT count(DISTINCT track_id) FROM track_paths WHERE encode(path, 'escape') LIKE '%one%'")" = 1 ] ||
  fail "a.wav and its copy are not one track"
[ "$(psql_q "SELECT count(DISTINCT track_id) FROM track_paths WHERE encode(path, 'escape') LIKE '%two%'")" = 1 ] ||
  fail "two.flac and the link to it are not one track"
# The non-UTF-8 name, byte for byte (and its URI percent-encoded).
want_hex=$(printf '%s/%s' "$L" "$NONUTF" | od -An -tx1 | tr -d ' \n')
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'hex') = '$want_hex'")" = 1 ] ||
  fail "the non-UTF-8 path is not stored byte-exact"
psql_q "SELECT uri FROM tracks" | grep -q 'caf%E9%20%FF.wav' || fail "non-UTF-8 URI not percent-encoded"
# Audio by content: a WAV without extension is in; a text .mp3 is not.
[ "$(psql_q "SELECT format FROM tracks t JOIN track_paths p ON p.track_id = t.id WHERE encode(p.path, 'escape') LIKE '%/noext'")" = wav ] ||
  fail "the extension-less WAV was not recognised by content"
grep -q '"skipped: unreadable".*dangling.wav.*dangling symbolic link' "$TMP/log" || fail "dangling link not logged"
grep -q '"skipped: unreadable".*fifo.wav.*FIFO' "$TMP/log" || fail "FIFO not logged"
grep -q '"not entered: directory already walked".*loop' "$TMP/log" || fail "the link loop was not stopped"
grep -q '"skipped: not audio".*fake.mp3' "$TMP/log" || fail "fake.mp3 not logged"
[ "$(queued bulk)" = 5 ] || fail "broker holds $(queued bulk) bulk jobs, not 5"
[ "$(psql_q "SELECT count(*) FROM ingest_submissions")" = 5 ] || fail "submissions not recorded"
[ "$(psql_q "SELECT count(*) FROM ingest_submissions WHERE job_id = track_id::text || ':mixq-analysis/0.1.0'")" = 5 ] ||
  fail "job ids are not <track_id>:<analyzer_version>"

wait "$WRITER"
sleep 1.2
# ---- scan 2: the finished file comes in ----
out=$(ingest scan --settle 1 "$L") || fail "scan 2 failed"
echo "scan 2: $out"
[ "$(field "$out" new_tracks)" = 1 ] && [ "$(field "$out" jobs)" = 1 ] || fail "scan 2: slow.wav not added once"
cmp -s "$TMP/slow.src.wav" "$L/slow.wav" || fail "writer did not finish"
[ "$(psql_q "SELECT size_bytes FROM track_paths WHERE encode(path, 'escape') LIKE '%slow.wav'")" = "$(stat -c %s "$L/slow.wav")" ] ||
  fail "slow.wav catalogued with the wrong size"

# ---- scan 3: nothing changed ----
out=$(ingest scan --settle 1 "$L") || fail "scan 3 failed"
echo "scan 3: $out"
for k in new_tracks new_paths changed missing jobs bytes_hashed; do
  [ "$(field "$out" $k)" = 0 ] || fail "unchanged rescan: $k = $(field "$out" $k)"
done
[ "$(field "$out" unchanged)" = 8 ] || fail "unchanged rescan: expected 8 unchanged files"
[ "$(queued bulk)" = 6 ] || fail "an unchanged rescan submitted jobs"

# ---- changes: rename, deletions, new content ----
id_three=$(psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') LIKE '%three.mp3'")
id_one=$(psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') LIKE '%a/one.wav'")
id_two=$(psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') LIKE '%a/two.flac'")
mv "$L/a/three.mp3" "$L/a/three-renamed.mp3"
rm "$L/b/one-copy.wav" "$L/a/two.flac"   # two-link.flac now dangles: all of two is gone
gen "$L/a/one.wav" 9                        # new content at an old path
touch -d '-5 seconds' "$L/a/one.wav"
out=$(ingest scan --settle 1 "$L") || fail "scan 4 failed"
echo "scan 4: $out"
[ "$(psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') LIKE '%three-renamed.mp3'")" = "$id_three" ] ||
  fail "a renamed file changed track"
[ "$(psql_q "SELECT missing FROM track_paths WHERE encode(path, 'escape') LIKE '%/three.mp3'")" = t ] ||
  fail "the old name of a renamed file is not missing"
[ "$(psql_q "SELECT missing FROM tracks WHERE id = $id_three")" = f ] || fail "renamed track marked missing"
[ "$(psql_q "SELECT missing FROM tracks WHERE id = $id_two")" = t ] || fail "track two (all paths gone) not missing"
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE track_id = $id_two AND missing")" = 2 ] ||
  fail "two's paths not both missing"
new_one=$(psql_q "SELECT track_id FROM track_paths WHERE encode(path, 'escape') LIKE '%a/one.wav'")
[ "$new_one" != "$id_one" ] || fail "changed content kept its old track"
[ "$(psql_q "SELECT missing FROM tracks WHERE id = $id_one")" = t ] || fail "old content of one.wav not missing"
[ "$(field "$out" jobs)" = 1 ] || fail "scan 4: expected 1 job (the new content), not $(field "$out" jobs)"
[ "$(psql_q "SELECT count(*) FROM tracks")" = 7 ] || fail "rows were deleted or duplicated"
[ "$(queued bulk)" = 7 ] || fail "scan 4: queue"

# ---- a file put back (same size and time) is found again without reading it ----
cp -p "$TMP/two.flac.saved" "$L/a/two.flac"
out=$(ingest scan --settle 1 "$L") || fail "scan 5 failed"
echo "scan 5: $out"
[ "$(field "$out" revived)" = 2 ] || fail "scan 5: expected two.flac and its link found again"
[ "$(field "$out" bytes_hashed)" = 0 ] || fail "scan 5 read a file it knew"
[ "$(psql_q "SELECT missing FROM tracks WHERE id = $id_two")" = f ] || fail "track two still missing"
[ "$(field "$out" jobs)" = 0 ] || fail "a revived track was submitted again"

# ---- --dry-run changes nothing ----
gen "$L/b/new.wav" 10
touch -d '-5 seconds' "$L/b/new.wav"
rm "$L/a/three-renamed.mp3"
before=$(psql_q "SELECT md5(string_agg(encode(path,'hex') || track_id || missing, ',' ORDER BY path)) FROM track_paths")
out=$(ingest scan --dry-run --settle 1 "$L") || fail "dry run failed"
echo "$out" | grep -q '"action":"add_path".*new.wav.*"note":"new track"' || fail "dry run: new.wav not planned"
echo "$out" | grep -q '"action":"mark_missing".*three-renamed.mp3' || fail "dry run: deletion not planned"
[ "$(psql_q "SELECT md5(string_agg(encode(path,'hex') || track_id || missing, ',' ORDER BY path)) FROM track_paths")" = "$before" ] ||
  fail "--dry-run changed the catalogue"
[ "$(queued bulk)" = 7 ] || fail "--dry-run submitted jobs"

# ---- --reanalyze submits every present track ----
out=$(ingest scan --reanalyze --interactive --settle 1 "$L") || fail "reanalyze failed"
present=$(psql_q "SELECT count(*) FROM tracks WHERE NOT missing")
[ "$(field "$out" jobs)" = "$present" ] || fail "--reanalyze submitted $(field "$out" jobs), not $present"
[ "$(queued interactive)" = "$present" ] || fail "--interactive jobs not in the interactive queue"

# ---- an unreadable directory, for a scan run as a user who cannot read it ----
if id nobody > /dev/null 2>&1 && command -v runuser > /dev/null && [ "$(id -u)" = 0 ]; then
  N=$(mktemp -d /tmp/mixq-ingest-nobody.XXXXXX)
  trap '_ingest_cleanup; rm -rf "$N"' EXIT
  chmod 755 "$N"
  mkdir -p "$N/open" "$N/locked"
  gen "$N/open/x.wav" 11
  gen "$N/locked/y.wav" 12
  touch -d '-5 seconds' "$N/open/x.wav" "$N/locked/y.wav"
  chmod 755 "$N/open" && chmod 644 "$N/open/x.wav"
  out=$(ingest scan --no-submit "$N")  # as root: both files
  [ "$(field "$out" new_tracks)" = 2 ] || fail "nobody setup: $out"
  chmod 000 "$N/locked"
  out=$(runuser -u nobody -- env MIXQ_PG_DSN="$MIXQ_PG_DSN" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
        "$INGEST" scan --no-submit "$N" 2>> "$TMP/log") || fail "scan as nobody failed: $out"
  echo "scan as nobody: $out"
  grep -q '"skipped: unreadable".*locked.*Permission denied' "$TMP/log" || fail "unreadable folder not logged"
  [ "$(field "$out" missing)" = 0 ] || fail "files in an unreadable folder were marked missing"
  [ "$(psql_q "SELECT missing FROM track_paths WHERE encode(path, 'escape') LIKE '%locked/y.wav'")" = f ] ||
    fail "y.wav marked missing though only unreadable"
  chmod 755 "$N/locked"
else
  echo "note: not root or no runuser/nobody: the unreadable-folder case was not run"
fi

check_log
kill -0 "${PIDS[broker]}" || fail "the broker died"
echo "measure: scan fixture ok"
