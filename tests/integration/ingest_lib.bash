# Shared set-up for the ingest tests (sourced, not run): real PostgreSQL (and Redis and
# a real mixq-broker where jobs are checked), fixture trees of mixq-gen audio, and
# helpers to read the catalogue.
#
#   source tests/integration/ingest_lib.bash
#   ingest_start_pg                 # PostgreSQL only
#   ingest_start_broker             # Redis + mixq-broker (skips the test when not built)
#   gen DIR/NAME.wav SEED [SECONDS] # a short generated track
#   ingest scan ... / ingest watch ...  # mixq-ingest from $MIXQ_BIN, stderr to $TMP/log
#   queued bulk|interactive         # jobs the broker holds in that queue
#
# Every process started here is stopped at exit, pass or fail, before the servers.

source tests/integration/lib.bash
source tests/integration/servers.bash

BIN=${MIXQ_BIN:-$PWD/build-test/bin}
TMP=${MIXQ_TMP:-$(mktemp -d /tmp/mixq-ingest.XXXXXX)}
INGEST=$BIN/mixq-ingest
[ -x "$INGEST" ] || skip "$INGEST is not built (make MODE=test BUILD=build-test $INGEST)"
GEN=${MIXQ_RELEASE_BIN:-}/mixq-gen
[ -x "$GEN" ] || GEN=$BIN/mixq-gen
[ -x "$GEN" ] || skip "mixq-gen is not built (make build/bin/mixq-gen)"
[ -x "$PG_BIN/postgres" ] || skip "PostgreSQL is not installed"
FIXTURES=$PWD/tests/ingest_fixtures

declare -A PIDS=()
_ingest_cleanup() {
  local n
  for n in "${!PIDS[@]}"; do kill -TERM "${PIDS[$n]}" 2>/dev/null; done
  for n in "${!PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "${PIDS[$n]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PIDS[$n]}" 2>/dev/null
  done
  _servers_cleanup
}
trap _ingest_cleanup EXIT

ingest_start_pg() {
  start_pg > /dev/null || fail "postgresql did not start"
}

# ingest_start_broker: Redis and a real broker on free loopback ports (MIXQ_BROKER set).
ingest_start_broker() {
  [ -x "$BIN/mixq-broker" ] || skip "$BIN/mixq-broker is not built: job submission cannot be checked"
  command -v redis-server > /dev/null || skip "redis-server is not installed"
  start_redis > /dev/null || fail "redis did not start"
  export MIXQ_BROKER=tcp://127.0.0.1:$(free_port)
  "$BIN/mixq-broker" --log-level info >> "$TMP/broker.log" 2>&1 &
  PIDS[broker]=$!
  wait_for 20 "the broker to start" grep -qs '"broker started"' "$TMP/broker.log"
}

# wait_for SECONDS WHAT CMD...: runs CMD every 0.1 s until it succeeds, else fails.
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$(( $(date +%s) + secs ))
  until "$@"; do
    [ "$(date +%s)" -ge "$end" ] && fail "timed out after ${secs}s waiting for: $what"
    sleep 0.1
  done
}

# gen PATH SEED [SECONDS]: a short generated track (the format from the extension).
gen() {
  mkdir -p "$(dirname "$1")"
  "$GEN" track --out "$1" --seed "$2" --seconds "${3:-2}" > /dev/null 2>&1 || fail "mixq-gen $1"
}

# ingest ARGS...: runs mixq-ingest; stdout to the caller, stderr appended to $TMP/log.
# A sanitizer report or a JSON-less stderr line fails the test.
ingest() {
  local before=0 rc
  [ -f "$TMP/log" ] && before=$(wc -l < "$TMP/log")
  "$INGEST" "$@" 2>> "$TMP/log"; rc=$?
  check_log "$before"
  return $rc
}

# check_log [FROM_LINE]: every stderr line from mixq-ingest is one JSON object.
check_log() {
  python3 - "$TMP/log" "${1:-0}" <<'PY' || fail "mixq-ingest wrote a line that is not JSON (see above)"
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()[int(sys.argv[2]):]
for l in lines:
    try:
        assert isinstance(json.loads(l), dict)
    except Exception:
        print("not a JSON log line:", l[:300]); sys.exit(1)
PY
}

# field JSON KEY: a field of a one-line JSON object (the scan summary).
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# queued bulk|interactive: jobs the broker has made durable in that stream.
queued() { redis-cli -p "$REDIS_PORT" XLEN "mixq:jobs:$1"; }

# paths [WHERE]: "path|track_id|missing" lines of track_paths (path as escaped bytes).
paths() { psql_q "SELECT encode(path, 'escape'), track_id, missing FROM track_paths ${1:-} ORDER BY path"; }
