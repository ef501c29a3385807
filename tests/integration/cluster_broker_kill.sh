# The broker killed with SIGKILL mid-run and restarted (same endpoint and broker id):
# every acknowledged job lands exactly once — those in Redis, those at workers when it
# died (their entries were still pending under its name and it resumes them at start),
# and those a producer submitted while it was down (resent until acknowledged).
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
stop b1 KILL
[ "$(rows)" -lt 150 ] || fail "the run ended before the kill"

# A producer submits while the broker is down: it resends until acknowledged.
"$BIN/mixq" submit --timeout 60 "$TMP/b" > "$TMP/submit-b.out" 2>&1 &
PIDS[submit]=$!
sleep 1 # the broker stays down a moment (not an assertion)
start_broker b1 --metrics-port "$METRICS_PORT"
wait "${PIDS[submit]}" || { cat "$TMP/submit-b.out"; fail "submit during the outage failed"; }
unset "PIDS[submit]"
grep -q "50 accepted" "$TMP/submit-b.out" || { cat "$TMP/submit-b.out"; fail "not 50 accepted"; }

wait_until 120 "200 feature rows" rows_are 200
check_exactly_once 200
wait_until 20 "the queue to drain" queue_empty
for w in w1 w2; do alive "$w" || fail "$w exited"; stop_clean "$w"; done
stop_clean b1
echo "measure: broker SIGKILL+restart: 200/200 jobs landed once ($(grep -c '"dispatched"' "$TMP/b1.log") dispatches)"
