# Redis restarted mid-run (SIGTERM: it writes its append-only file; then started again on
# the same port and data): nothing acknowledged is lost. The broker reconnects, acks
# that failed meanwhile are redone, a producer's submit during the restart is resent
# until acknowledged, and every job lands exactly once.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
METRICS_PORT=$(free_port)
start_broker b1 --metrics-port "$METRICS_PORT"
fake_tracks "$TMP/a" 150
fake_tracks "$TMP/b" 50
for i in $(seq 50); do echo "second batch $i" >> "$TMP/b/t$(printf %04d "$i").wav"; done
for w in w1 w2; do start_worker "$w" --noop --noop-ms 200 --credit 2; done
"$BIN/mixq" submit "$TMP/a" > "$TMP/submit-a.out" 2>&1 || { cat "$TMP/submit-a.out"; fail "submit failed"; }

some_done() { [ "$(rows)" -ge 30 ]; }
wait_until 60 "30 rows" some_done
"$BIN/mixq" submit --batch 10 --timeout 60 "$TMP/b" > "$TMP/submit-b.out" 2>&1 &
PIDS[submit]=$!
restart_redis || fail "redis did not come back"
[ "$(rows)" -lt 150 ] || fail "the run ended before the restart"
wait "${PIDS[submit]}" || { cat "$TMP/submit-b.out"; fail "submit across the restart failed"; }
unset "PIDS[submit]"

wait_until 120 "200 feature rows" rows_are 200
check_exactly_once 200
wait_until 20 "the queue to drain" queue_empty
grep -q '"redis connection lost"' "$TMP/b1.log" || fail "the broker did not notice the restart"
[ "$(grep -c '"redis connected"' "$TMP/b1.log")" -ge 2 ] || fail "the broker did not reconnect"
for w in w1 w2; do stop_clean "$w"; done
stop_clean b1
echo "measure: redis restart: 200/200 jobs landed once; redis errors seen by the broker: $(grep -c '"redis' "$TMP/b1.log") log lines"
