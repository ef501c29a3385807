# Several brokers share one Redis queue: two brokers serve the same streams, one is
# killed with SIGKILL while it holds jobs (pending under its name in Redis), and the
# other claims them once they are idle past the claim timeout (2 s here). Every job
# lands exactly once.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
EP_A=$MIXQ_BROKER
EP_B=tcp://127.0.0.1:$(free_port)
METRICS_PORT=$(free_port)
start_broker ba --endpoint "$EP_A" --claim-timeout-ms 2000
start_broker bb --endpoint "$EP_B" --claim-timeout-ms 2000 --metrics-port "$METRICS_PORT"
fake_tracks "$TMP/t" 300
start_worker wa --broker "$EP_A" --noop --noop-ms 300 --credit 4
start_worker wb --broker "$EP_B" --noop --noop-ms 50 --credit 4
"$BIN/mixq" submit --broker "$EP_A" "$TMP/t" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; fail "submit failed"; }

holding() { [ "$(rows)" -ge 20 ] && [ "$(grep -c '"dispatched"' "$TMP/ba.log")" -ge 4 ]; }
wait_until 60 "broker A to hold jobs" holding
pending_a=$(redis-cli -p "$REDIS_PORT" XPENDING mixq:jobs:bulk brokers | tr '\n' ' ')
killed_at=$(now)
stop ba KILL
stop wa KILL
[ "$(rows)" -lt 300 ] || fail "the run ended before the kill"

wait_until 120 "300 feature rows" rows_are 300
check_exactly_once 300
claimed=$(metric mixq_broker_jobs_claimed_total)
[ "$claimed" -gt 0 ] || fail "broker B claimed nothing (pending before the kill: $pending_a)"
first_claim=$(python3 - "$TMP/bb.log" "$killed_at" <<'PY'
import json, sys, datetime
ts = lambda e: datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
    tzinfo=datetime.timezone.utc).timestamp()
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
c = [ts(e) for e in ev if e.get("msg") == "claimed jobs idle past the claim timeout"]
print(f"{min(c) - float(sys.argv[2]):.2f}" if c else "none")
PY
)
wait_until 20 "the queue to drain" queue_empty
stop_clean wb
stop_clean bb
echo "measure: broker B claimed $claimed jobs of killed broker A, first ${first_claim}s after the kill (claim timeout 2 s)"
