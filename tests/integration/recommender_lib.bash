# Helpers for the recommender's integration tests (sourced after lib.bash and servers.bash).
#
#   rec_db [TRACKS]          start PostgreSQL, migrate, bulk-load TRACKS synthetic tracks
#                            (recommender_synth.py; default 300)
#   rec_start NAME [ARGS]    start mixq-recommender (the sanitizer build) on a free port,
#                            logging to $MIXQ_TMP/NAME.log; waits until /v1/health answers
#                            200 (or, with REC_NO_WAIT=1, until it listens); sets
#                            REC_PORT_<NAME> and REC_PORT (the last started)
#   rec_stop NAME            SIGTERM, then fails the test unless it exits 0 within 10 s with
#                            a log free of sanitizer reports
# Every recommender still running at exit is stopped the same way, before the servers.

REC_NAMES=()
declare -A REC_PIDS

rec_db() {
  local n=${1:-300}
  start_pg > /dev/null || fail "PostgreSQL did not start"
  "$MIXQ_BIN/mixq" migrate --pg "$MIXQ_PG_DSN" > /dev/null || fail "mixq migrate failed"
  python3 - "$n" "$MIXQ_TMP/catalogue" "$PG_BIN/psql" "$MIXQ_PG_DSN" <<'PY' || fail "loading the catalogue failed"
import sys
sys.path.insert(0, "tests/integration")
import recommender_synth as s
tracks = s.catalogue(int(sys.argv[1]), 7)
s.write_copy(tracks, sys.argv[2])
s.load(sys.argv[3], sys.argv[4], sys.argv[2])
PY
}

rec_start() {
  local name=$1; shift
  local pf="$MIXQ_TMP/$name.port"
  rm -f "$pf"
  "$MIXQ_BIN/mixq-recommender" --pg "$MIXQ_PG_DSN" --port 0 --port-file "$pf" --threads 2 "$@" \
    > "$MIXQ_TMP/$name.log" 2>&1 &
  REC_PIDS[$name]=$!
  REC_NAMES+=("$name")
  local i code
  for i in $(seq 600); do
    kill -0 "${REC_PIDS[$name]}" 2> /dev/null || { tail -20 "$MIXQ_TMP/$name.log"; fail "$name exited at start"; }
    if [ -s "$pf" ]; then
      REC_PORT=$(cat "$pf")
      [ "${REC_NO_WAIT:-0}" = 1 ] && break
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REC_PORT/v1/health")
      [ "$code" = 200 ] && break
    fi
    sleep 0.1
  done
  [ -s "$pf" ] || fail "$name did not start listening"
  printf -v "REC_PORT_$name" '%s' "$REC_PORT"
}

rec_stop() {
  local name=$1 pid=${REC_PIDS[$1]:-} rc i
  [ -n "$pid" ] || return 0
  unset "REC_PIDS[$name]"
  kill -TERM "$pid" 2> /dev/null
  for i in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2> /dev/null; then
    kill -KILL "$pid"
    fail "$name did not exit within 10 s of SIGTERM"
  fi
  wait "$pid"; rc=$?
  if grep -qE 'Sanitizer|runtime error' "$MIXQ_TMP/$name.log"; then
    grep -E -A 15 'Sanitizer|runtime error' "$MIXQ_TMP/$name.log" | head -40
    fail "$name: sanitizer report in its log"
  fi
  [ "$rc" -eq 0 ] || { tail -20 "$MIXQ_TMP/$name.log"; fail "$name exited with $rc after SIGTERM"; }
}

_rec_cleanup() {
  local n
  for n in "${!REC_PIDS[@]}"; do kill -TERM "${REC_PIDS[$n]}" 2> /dev/null; done
  for n in "${!REC_PIDS[@]}"; do wait "${REC_PIDS[$n]}" 2> /dev/null; done
  _servers_cleanup
}
trap _rec_cleanup EXIT
