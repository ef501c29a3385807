# mixq-worker with the real broker, Redis and PostgreSQL: a worker survives its broker's
# restart (SIGKILL, then a new broker on the same endpoint), registers again and carries on
# without being restarted itself; and a poison job (the --fail-uri-substring test hook)
# is retried and dead-lettered while the rest of the batch lands.
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
start_broker() {
  "$broker" --redis "$MIXQ_REDIS_URL" --pg "$MIXQ_PG_DSN" --retry-base-ms 100 \
    --retry-max-ms 300 --max-attempts 3 2>> "$MIXQ_TMP/broker.log" &
  bpid=$!
  _server_pids+=($bpid)
}
features() { psql_q 'SELECT count(*) FROM track_features'; }
wait_features() { # N: waits up to 60 s for N rows
  for _ in $(seq 300); do [ "$(features)" = "$1" ] && return 0; sleep 0.2; done
  fail "expected $1 feature rows, have $(features): $(tail -3 "$MIXQ_TMP/worker.log")"
}
gen_track() { # NAME SEED
  "$MIXQ_BIN/mixq-gen" track --seconds 5 --rate 22050 --channels 1 --seed "$2" --format wav \
    --out "$MIXQ_TMP/$1" > /dev/null
}

start_broker
"$worker" --threads 2 --fail-uri-substring POISON 2> "$MIXQ_TMP/worker.log" &
wpid=$!
_server_pids+=($wpid)
mkdir -p "$MIXQ_TMP/one" "$MIXQ_TMP/two"
gen_track one/a.wav 11
gen_track one/b.wav 12
gen_track one/POISON.wav 13
"$mixq" submit --timeout 20 "$MIXQ_TMP/one" > /dev/null || fail "first submit"
wait_features 2
for _ in $(seq 100); do
  [ "$(psql_q "SELECT count(*) FROM analysis_failures WHERE error_kind = 'dead_letter'")" = 1 ] && break
  sleep 0.2
done
[ "$(psql_q "SELECT error_kind || ' ' || error_code || ' ' || attempts FROM analysis_failures")" = "dead_letter io_error 3" ] \
  || fail "the poison job: $(psql_q 'SELECT * FROM analysis_failures')"

# The broker dies and comes back on the same endpoint; the worker is not touched.
kill -KILL $bpid
wait $bpid 2> /dev/null || true
sleep 1
start_broker
gen_track two/c.wav 14
gen_track two/d.wav 15
"$mixq" submit --timeout 30 "$MIXQ_TMP/two" > /dev/null || fail "submit after the restart"
wait_features 4
kill -0 $wpid 2> /dev/null || fail "the worker died with its broker"
[ "$(grep -c '"msg":"connected to the broker"' "$MIXQ_TMP/worker.log")" -ge 2 ] \
  || fail "the worker did not log a new connection"
kill -TERM $wpid
wait $wpid || fail "the worker's exit status was not 0"
echo ok
