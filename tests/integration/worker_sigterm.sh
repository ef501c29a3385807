# mixq-worker's shutdown with the real broker, Redis and PostgreSQL: on SIGTERM a worker
# holding three jobs (one running, two waiting for its one thread) releases the two at
# once, finishes the running one within its grace period, and exits 0; a second worker
# then completes all three, none lost. The running job is made to hang by replacing its
# file (after `mixq submit` registered it) with a named pipe nobody writes to yet.
source tests/integration/lib.bash
source tests/integration/servers.bash
trap 'set +e; _servers_cleanup' EXIT # servers.bash's cleanup fails under set -e
set -e
mixq=$MIXQ_BIN/mixq
broker=$MIXQ_BIN/mixq-broker
worker=$MIXQ_BIN/mixq-worker
[ -x "$broker" ] || skip "$broker is not built yet"
[ -x "$PG_BIN/postgres" ] || skip "PostgreSQL is not installed"
command -v redis-server > /dev/null || skip "redis-server is not installed"
start_pg
start_redis
"$mixq" migrate > /dev/null
port=$(free_port)
export MIXQ_BROKER="tcp://127.0.0.1:$port"
"$broker" --redis "$MIXQ_REDIS_URL" --pg "$MIXQ_PG_DSN" --retry-base-ms 200 --retry-max-ms 500 \
  2> "$MIXQ_TMP/broker.log" &
_server_pids+=($!)

d=$MIXQ_TMP/lib
mkdir -p "$d"
for i in 1 2 3; do
  "$MIXQ_BIN/mixq-gen" track --seconds 6 --rate 22050 --channels 1 --seed $i --format wav \
    --out "$d/t$i.wav" > /dev/null
  cp "$d/t$i.wav" "$MIXQ_TMP/t$i.wav"
done
"$mixq" submit --timeout 20 "$d" > /dev/null || fail "submit: $(tail -3 "$MIXQ_TMP/broker.log")"
for i in 1 2 3; do rm "$d/t$i.wav"; mkfifo "$d/t$i.wav"; done

"$worker" --threads 1 --credit 3 --grace 30 --log-level debug 2> "$MIXQ_TMP/w1.log" &
w1=$!
_server_pids+=($w1)
# Wait until the broker has handed it all three.
held=0
for _ in $(seq 150); do
  held=$("$mixq" status --json 2>/dev/null | python3 -c '
import json, sys
w = json.load(sys.stdin)["workers"]
print(sum(x["in_flight"] for x in w))' 2>/dev/null || echo 0)
  [ "$held" = 3 ] && break
  sleep 0.2
done
[ "$held" = 3 ] || fail "the worker did not take three jobs ($held): $(tail -5 "$MIXQ_TMP/w1.log")"
sleep 0.5
kill -TERM $w1
for _ in $(seq 50); do grep -q '"released jobs not started","count":"2"' "$MIXQ_TMP/w1.log" && break; sleep 0.1; done
grep -q '"released jobs not started","count":"2"' "$MIXQ_TMP/w1.log" \
  || fail "no Release of the two waiting jobs: $(tail -5 "$MIXQ_TMP/w1.log")"
sleep 1
kill -0 $w1 2> /dev/null || fail "the worker exited before its running job finished"
# Let the running job go on: a writer on every pipe lets the blocked open return.
for i in 1 2 3; do (timeout 5 sh -c "cat '$MIXQ_TMP/t$i.wav' > '$d/t$i.wav'" 2>/dev/null &); done
for _ in $(seq 100); do kill -0 $w1 2> /dev/null || break; sleep 0.1; done
kill -0 $w1 2> /dev/null && fail "the worker did not exit after its last job"
wait $w1 || fail "the worker's exit status was not 0"
grep -q '"msg":"job failed"' "$MIXQ_TMP/w1.log" || fail "the running job sent no result"
sleep 5.5 # the pipes' writers give up
for i in 1 2 3; do rm -f "$d/t$i.wav"; cp "$MIXQ_TMP/t$i.wav" "$d/t$i.wav"; done

# A second worker finishes everything: the released jobs, and the retried one.
"$worker" --threads 2 2> "$MIXQ_TMP/w2.log" &
w2=$!
_server_pids+=($w2)
for _ in $(seq 300); do
  [ "$(psql_q 'SELECT count(*) FROM track_features')" = 3 ] && break
  sleep 0.2
done
[ "$(psql_q 'SELECT count(*) FROM track_features')" = 3 ] \
  || fail "not every job landed: $(psql_q 'SELECT count(*) FROM track_features') rows; $(tail -3 "$MIXQ_TMP/w2.log")"
[ "$(psql_q 'SELECT count(*) FROM analysis_failures')" = 0 ] || fail "a job failed for good"
kill -TERM $w2
wait $w2 || fail "the second worker's exit status was not 0"
echo ok
