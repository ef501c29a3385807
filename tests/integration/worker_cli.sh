# `mixq migrate`, `mixq keygen`, `mixq submit` and `mixq status` against a real PostgreSQL:
# migrations applied once; key files; the catalogue registration of `submit` (one track per
# content hash, every path's exact bytes, percent-encoded file URIs) committed before any
# job is sent; clear failures and exit statuses when the broker is away or a flag is bad.
# With the broker built, the same library is then submitted for real and analysed by one
# worker into track_features.
source tests/integration/lib.bash
source tests/integration/servers.bash
# servers.bash's cleanup ends with a kill that fails when a server already exited; under
# set -e that would turn every exit status into 1.
trap 'set +e; _servers_cleanup' EXIT
set -e
mixq=$MIXQ_BIN/mixq
gen=$MIXQ_BIN/mixq-gen
[ -x "$PG_BIN/postgres" ] || skip "PostgreSQL is not installed"
start_pg

# ---- migrate ----
out=$("$mixq" migrate) || fail "mixq migrate"
grep -q '^applied 001_init$' <<<"$out" || fail "migrate did not say what it applied: $out"
n_applied=$(grep -c '^applied ' <<<"$out")
out=$("$mixq" migrate) || fail "mixq migrate, again"
grep -q 'already up to date' <<<"$out" || fail "a second migrate applied something: $out"
applied=$(psql_q 'SELECT count(*) FROM schema_migrations')
[ "$applied" = "$n_applied" ] || fail "applied $n_applied migrations, schema_migrations has $applied"
set +e
"$mixq" migrate --pg "host=127.0.0.1 port=1 dbname=x connect_timeout=2" 2> "$MIXQ_TMP/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "cannot connect" "$MIXQ_TMP/err" || fail "migrate with no server: $rc"

# ---- keygen ----
pub=$("$mixq" keygen --out "$MIXQ_TMP/k.key") || fail "keygen"
[ ${#pub} -eq 40 ] || fail "keygen printed '$pub'"
grep -qxF "public $pub" "$MIXQ_TMP/k.key" || fail "the key file lacks the public key"
[ "$(stat -c %a "$MIXQ_TMP/k.key")" = 600 ] || fail "the key file is not private"
set +e
"$mixq" keygen --out "$MIXQ_TMP/k.key" 2>/dev/null; rc1=$?
"$mixq" keygen 2>/dev/null; rc2=$?
set -e
[ $rc1 -eq 1 ] || fail "keygen over an existing file: expected 1, got $rc1"
[ $rc2 -eq 2 ] || fail "keygen without --out: expected 2, got $rc2"
pub2=$("$mixq" keygen --force --out "$MIXQ_TMP/k.key")
[ "$pub2" != "$pub" ] || fail "keygen --force made the same key"

# ---- a small library ----
d=$MIXQ_TMP/lib
mkdir -p "$d/sub"
"$gen" track --seconds 8 --rate 22050 --channels 1 --seed 3 --format wav --out "$d/a.wav" > /dev/null
"$gen" track --seconds 8 --rate 22050 --channels 1 --seed 4 --format flac --out "$d/b.flac" > /dev/null
cp "$d/a.wav" "$d/sub/copy of a.wav"                      # same content, second path
odd=$(printf 'sub/caf\xe9 100%%.flac')                       # not UTF-8, and a '%'
cp "$d/b.flac" "$d/$odd"
echo "notes" > "$d/notes.txt"                              # not an audio name: not walked

# ---- submit with no broker: registered, then a clear failure ----
port=$(free_port)
start=$(date +%s)
set +e
"$mixq" submit --broker "tcp://127.0.0.1:$port" --timeout 2 "$d" > "$MIXQ_TMP/out" 2> "$MIXQ_TMP/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "submit with no broker: expected exit 1, got $rc"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "submit with no broker took too long"
grep -q "did not accept" "$MIXQ_TMP/err" || fail "no clear error: $(cat "$MIXQ_TMP/err")"
grep -q "4 registered" "$MIXQ_TMP/out" || fail "summary: $(cat "$MIXQ_TMP/out")"
[ "$(psql_q 'SELECT count(*) FROM tracks')" = 2 ] || fail "expected 2 tracks (one per content)"
[ "$(psql_q 'SELECT count(*) FROM track_paths')" = 4 ] || fail "expected 4 paths"
[ "$(psql_q 'SELECT count(DISTINCT track_id) FROM track_paths')" = 2 ] || fail "paths to tracks"
[ "$(psql_q 'SELECT min(octet_length(content_hash)) FROM tracks')" = 16 ] || fail "hash length"
want_hex=$(printf '%s' "$d/$odd" | od -An -tx1 | tr -d ' \n')
[ "$(psql_q "SELECT count(*) FROM track_paths WHERE encode(path, 'hex') = '$want_hex'")" = 1 ] \
  || fail "the non-UTF-8 path is not stored byte for byte"
size=$(stat -c %s "$d/a.wav")
[ "$(psql_q "SELECT count(*) FROM track_paths p JOIN tracks t ON t.id = p.track_id
             WHERE p.size_bytes = $size AND t.size_bytes = $size AND p.mtime_ns > 0")" = 2 ] \
  || fail "sizes and mtimes"
uris=$(psql_q "SELECT uri FROM tracks ORDER BY uri")
grep -q "^file://$d/" <<<"$uris" || fail "uris: $uris"
grep -q 'caf%E9%20100%25.flac$' <<<"$uris" || grep -q "file://$d/b.flac" <<<"$uris" \
  || fail "uris: $uris"
python3 - "$uris" <<'PY' || fail "a uri is not printable ASCII"
import sys
assert all(32 < ord(c) < 127 for c in sys.argv[1].replace("\n", "")), sys.argv[1]
PY

# ---- submit: re-running changes no rows; usage errors ----
"$mixq" submit --broker "tcp://127.0.0.1:$port" --timeout 0.5 "$d" > /dev/null 2>&1 || true
[ "$(psql_q 'SELECT count(*) FROM tracks')" = 2 ] || fail "a second submit added tracks"
set +e
"$mixq" submit 2>/dev/null; r1=$?
"$mixq" submit --priority urgent "$d" 2>/dev/null; r2=$?
"$mixq" submit --broker tcp://192.0.2.1:5555 "$d" 2> "$MIXQ_TMP/err"; r3=$?
"$mixq" submit --broker "tcp://127.0.0.1:$port" --timeout 0.5 "$MIXQ_TMP/missing" > /dev/null 2>&1; r4=$?
"$mixq" status --broker "tcp://127.0.0.1:$port" --timeout 0.5 2> "$MIXQ_TMP/err2"; r5=$?
"$mixq" status --json --bogus 2>/dev/null; r6=$?
set -e
[ $r1 -eq 2 ] || fail "submit without inputs: expected 2, got $r1"
[ $r2 -eq 2 ] || fail "submit --priority urgent: expected 2, got $r2"
[ $r3 -eq 1 ] && grep -q -- --allow-plain "$MIXQ_TMP/err" || fail "plain mode to a remote broker: $r3"
[ $r4 -eq 1 ] || fail "submit of a missing path: expected 1, got $r4"
[ $r5 -eq 1 ] && grep -q "no answer" "$MIXQ_TMP/err2" || fail "status with no broker: $r5"
[ $r6 -eq 2 ] || fail "status with a bad flag: expected 2, got $r6"
"$mixq" submit --help | grep -q -- --priority || fail "submit --help"
"$mixq" status --help | grep -q -- --json || fail "status --help"
"$mixq" --help | grep -q keygen || fail "mixq --help lists keygen"

# ---- with the broker: submitted for real and analysed ----
broker=$MIXQ_BIN/mixq-broker
if [ ! -x "$broker" ]; then
  echo "note: $broker is not built; the broker half of this test did not run"
  exit 0
fi
command -v redis-server > /dev/null || skip "redis-server is not installed"
start_redis
"$broker" --endpoint "tcp://127.0.0.1:$port" --redis "$MIXQ_REDIS_URL" --pg "$MIXQ_PG_DSN" \
  2> "$MIXQ_TMP/broker.log" &
bpid=$!
_server_pids+=("$bpid")
export MIXQ_BROKER="tcp://127.0.0.1:$port"
"$mixq" submit --priority interactive --timeout 30 "$d" > "$MIXQ_TMP/out" \
  || fail "submit: $(cat "$MIXQ_TMP/out") $(tail -5 "$MIXQ_TMP/broker.log")"
grep -q "2 submitted, 2 accepted, 0 refused" "$MIXQ_TMP/out" || fail "summary: $(cat "$MIXQ_TMP/out")"
"$MIXQ_BIN/mixq-worker" --threads 2 --grace 5 2> "$MIXQ_TMP/worker.log" &
wpid=$!
_server_pids+=("$wpid")
for _ in $(seq 300); do
  [ "$(psql_q 'SELECT count(*) FROM track_features')" = 2 ] && break
  sleep 0.2
done
[ "$(psql_q 'SELECT count(*) FROM track_features')" = 2 ] \
  || fail "features did not land: $(tail -5 "$MIXQ_TMP/worker.log")"
[ "$(psql_q "SELECT count(*) FROM track_features WHERE tempo_bpm > 0 AND analyzer_version = '$("$mixq" --version | cut -d' ' -f2)'")" = 2 ] \
  || echo "note: typed columns are the broker's; features rows: $(psql_q 'SELECT analyzer_version, tempo_bpm FROM track_features')"
"$mixq" status > "$MIXQ_TMP/status" || fail "status"
grep -q "workers (1)" "$MIXQ_TMP/status" || fail "status: $(cat "$MIXQ_TMP/status")"
"$mixq" status --json | python3 -c 'import json,sys; o=json.load(sys.stdin); assert len(o["workers"]) == 1 and "queues" in o, o' \
  || fail "status --json"
kill -TERM "$wpid"
wait "$wpid" || fail "the worker did not exit 0 on SIGTERM"
echo "ok"
