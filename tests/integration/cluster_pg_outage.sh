# PostgreSQL stopped for ten seconds mid-run: results wait in the broker's bounded buffer
# (dispatch pauses when it is full, so memory stays bounded), the broker reconnects with
# back-off when PostgreSQL returns and writes them; nothing is lost, nothing is written
# twice, and no daemon exits.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
METRICS_PORT=$(free_port)
start_broker b1 --metrics-port "$METRICS_PORT" --result-buffer 40
fake_tracks "$TMP/t" 300
for w in w1 w2; do start_worker "$w" --noop --noop-ms 100 --credit 2; done
"$BIN/mixq" submit "$TMP/t" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; fail "submit failed"; }

some_done() { [ "$(rows)" -ge 30 ]; }
wait_until 60 "30 rows" some_done
stop_pg
down_at=$(date +%s)
paused() { grep -q '"result buffer full: dispatch paused"' "$TMP/b1.log"; }
wait_until 10 "dispatch to pause on a full result buffer" paused
grep -q '"postgresql unavailable: results wait"' "$TMP/b1.log" || fail "the outage was not logged"
full_buffer() { buffered=$(metric mixq_broker_results_buffered); [ "$buffered" -ge 40 ]; }
wait_until 5 "40 results buffered" full_buffer
[ "$(metric mixq_broker_pg_up)" = 0 ] || fail "pg_up is not 0"
sleep $(( 10 - ($(date +%s) - down_at) )) 2>/dev/null || true # the outage lasts 10 s
for p in b1 w1 w2; do alive "$p" || fail "$p exited during the outage"; done
resume_pg || fail "postgresql did not come back"
up_at=$(now)

wait_until 120 "300 feature rows" rows_are 300
check_exactly_once 300
grep -q '"dispatch resumed"' "$TMP/b1.log" || fail "dispatch did not resume"
for w in w1 w2; do stop_clean "$w"; done
stop_clean b1
echo "measure: postgresql down 10 s: ${buffered} results buffered (limit 40), 300/300 rows written once after it returned"
