# Shared set-up for the cluster tests (sourced, not run): real Redis and PostgreSQL
# (servers.bash), brokers, workers and producers as separate processes on loopback.
#
#   source tests/integration/cluster_lib.bash
#   cluster_start_servers          # Redis (AOF on) and PostgreSQL on free ports
#   start_broker b1 [flags]        # mixq-broker, log in $TMP/b1.log
#   start_worker w1 --noop [flags] # mixq-worker, log in $TMP/w1.log
#   wait_until 30 "all rows" rows_are 200
#
# Every process started here is stopped at exit, pass or fail, before the servers.
# Binaries come from $MIXQ_BIN (the sanitizer build); a process that ASan or UBSan
# stops shows in its log and in its exit status.

source tests/integration/lib.bash
source tests/integration/servers.bash

BIN=${MIXQ_BIN:-$PWD/build-test/bin}
TMP=${MIXQ_TMP:-$(mktemp -d /tmp/mixq-cluster.XXXXXX)}
for _b in mixq-broker mixq-worker mixq mixq-gen; do
  [ -x "$BIN/$_b" ] || skip "$BIN/$_b is not built (make MODE=test BUILD=build-test all)"
done
command -v redis-server > /dev/null || skip "redis-server is not installed"
[ -x "$PG_BIN/postgres" ] || skip "PostgreSQL is not installed"

# fail MESSAGE: as lib.bash's, after a summary of the cluster's state; the logs are kept
# in /tmp/mixq-cluster-failures/ for a post-mortem.
fail() {
  local keep=/tmp/mixq-cluster-failures/$(basename "${0%.sh}")-$(date +%H%M%S)
  mkdir -p "$keep" && cp "$TMP"/*.log "$TMP"/*.out "$keep"/ 2>/dev/null
  if [ -n "${REDIS_PORT:-}" ]; then
    echo "redis: bulk XLEN=$(redis-cli -p "$REDIS_PORT" XLEN mixq:jobs:bulk 2>&1)" \
      "pending=$(redis-cli -p "$REDIS_PORT" XPENDING mixq:jobs:bulk brokers 2>&1 | head -1)" \
      "retry=$(redis-cli -p "$REDIS_PORT" ZCARD mixq:retry 2>&1)"
  fi
  [ -n "${PG_PORT:-}" ] && echo "postgresql: features=$(rows 2>&1) failures=$(failures 2>&1)"
  local n
  for n in "${!PIDS[@]}"; do
    echo "$n: $(alive "$n" && echo running || echo exited); last: $(grep -v '"dispatched"' "$TMP/$n.log" 2>/dev/null | tail -1 | cut -c1-200)"
  done
  echo "logs kept in $keep"
  echo "FAIL: $*"
  exit 1
}

declare -A PIDS=()
_cluster_cleanup() {
  local n
  for n in "${!PIDS[@]}"; do kill -TERM "${PIDS[$n]}" 2>/dev/null; done
  for n in "${!PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "${PIDS[$n]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PIDS[$n]}" 2>/dev/null
  done
  _servers_cleanup
}
trap _cluster_cleanup EXIT

# now: seconds since the epoch, with fractions.
now() { date +%s.%N; }

# wait_until SECONDS WHAT CMD...: runs CMD every 0.2 s until it succeeds; fails the test
# with WHAT after SECONDS.
wait_until() {
  local secs=$1 what=$2; shift 2
  local end=$(( $(date +%s) + secs ))
  while ! "$@"; do
    [ "$(date +%s)" -ge "$end" ] && fail "timed out after ${secs}s waiting for: $what"
    sleep 0.2
  done
}

cluster_start_servers() {
  start_redis > /dev/null || fail "redis did not start"
  start_pg > /dev/null || fail "postgresql did not start"
  BROKER_PORT=$(free_port)
  export MIXQ_BROKER=tcp://127.0.0.1:$BROKER_PORT
}

# start_broker NAME [flags]: starts mixq-broker (debug log) and waits until it serves.
start_broker() {
  local name=$1; shift
  MIXQ_LOG_LEVEL=${BROKER_LOG_LEVEL:-debug} "$BIN/mixq-broker" "$@" >> "$TMP/$name.log" 2>&1 &
  PIDS[$name]=$!
  local n=$(grep -c '"broker started"' "$TMP/$name.log" 2>/dev/null)
  wait_until 20 "$name to start" _logged "$name" '"broker started"' $((n + 1))
}

# _logged NAME PATTERN [N]: true when NAME's log has at least N lines matching PATTERN.
_logged() {
  kill -0 "${PIDS[$1]}" 2>/dev/null || { tail -20 "$TMP/$1.log"; fail "$1 exited"; }
  [ "$(grep -c -- "$2" "$TMP/$1.log" 2>/dev/null)" -ge "${3:-1}" ]
}

# start_worker NAME [flags]: starts mixq-worker with worker id NAME.
start_worker() {
  local name=$1; shift
  "$BIN/mixq-worker" --id "$name" "$@" >> "$TMP/$name.log" 2>&1 &
  PIDS[$name]=$!
}

# stop NAME [SIGNAL]: signals a process (TERM by default), waits for it and returns its
# exit status (137 for KILL).
stop() {
  local pid=${PIDS[$1]} rc
  kill -"${2:-TERM}" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null; rc=$?
  unset "PIDS[$1]"
  return $rc
}

# alive NAME: true while the process runs.
alive() { kill -0 "${PIDS[$1]}" 2>/dev/null; }

# stop_clean NAME: SIGTERM, and fails unless the process exits 0 (sanitizers included).
stop_clean() {
  stop "$1" TERM; local rc=$?
  [ $rc -eq 0 ] || { tail -30 "$TMP/$1.log"; fail "$1 exited with status $rc after SIGTERM"; }
}

# fake_tracks DIR N: N small files of distinct content (for --noop workers, which read
# no audio; mixq submit registers each as a track by its content hash).
fake_tracks() {
  mkdir -p "$1"
  local i
  for i in $(seq "$2"); do printf 'not audio %s\n' "$i" > "$1/t$(printf %04d "$i").wav"; done
}

# rows: rows in track_features; failures: rows in analysis_failures.
rows() { psql_q "SELECT count(*) FROM track_features"; }
failures() { psql_q "SELECT count(*) FROM analysis_failures"; }
rows_are() { [ "$(rows 2>/dev/null)" = "$1" ]; }

# metric NAME: a broker metric's value from its /metrics endpoint on $METRICS_PORT.
metric() {
  python3 - "$METRICS_PORT" "$1" <<'PY'
import sys, urllib.request
port, name = sys.argv[1], sys.argv[2]
for line in urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode().splitlines():
    if line.startswith(name + " "):
        print(int(float(line.split()[1])))
PY
}

# check_exactly_once N: N feature rows, one per track, none for an unknown track, and no
# failure rows.
check_exactly_once() {
  local n=$1
  [ "$(rows)" = "$n" ] || fail "expected $n feature rows, found $(rows)"
  [ "$(psql_q "SELECT count(DISTINCT track_id) FROM track_features")" = "$n" ] ||
    fail "a track has more than one feature row"
  [ "$(psql_q "SELECT count(*) FROM tracks t WHERE NOT EXISTS (SELECT 1 FROM track_features f WHERE f.track_id = t.id)")" = 0 ] ||
    fail "some tracks have no features"
  [ "$(failures)" = 0 ] || { psql_q "SELECT * FROM analysis_failures LIMIT 5"; fail "unexpected failures"; }
}

# queue_empty: nothing waiting or pending in the Redis streams (mixq prefix).
queue_empty() {
  local k
  for k in mixq:jobs:interactive mixq:jobs:bulk; do
    [ "$(redis-cli -p "$REDIS_PORT" XLEN "$k")" = 0 ] || return 1
  done
}
