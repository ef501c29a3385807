# Failures: a poison job that always fails transiently (the worker's test-only
# --fail-uri-substring hook) is retried with back-off and dead-lettered after
# --max-attempts (3) tries — in the dead-letter stream and in analysis_failures
# (error_kind dead_letter, attempts 3); a file that is not audio fails permanently at
# once (error_kind permanent, attempts 1); the other tracks are unaffected.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
GEN=$BIN/mixq-gen
[ -x "${MIXQ_RELEASE_BIN:-}/mixq-gen" ] && GEN=$MIXQ_RELEASE_BIN/mixq-gen
"$GEN" catalogue --out "$TMP/lib" --count 20 --seconds 2 --formats wav --seed 3 > /dev/null 2>&1 ||
  fail "mixq-gen failed"
"$GEN" track --seconds 2 --seed 99 --out "$TMP/lib/POISON-MARKER.wav" > /dev/null || fail "mixq-gen"
echo "this is not audio" > "$TMP/lib/broken.wav"

METRICS_PORT=$(free_port)
start_broker b1 --metrics-port "$METRICS_PORT" --max-attempts 3 --retry-base-ms 200
start_worker w1 -j 2 --fail-uri-substring POISON-MARKER
"$BIN/mixq" submit "$TMP/lib" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; fail "submit failed"; }
grep -q "22 accepted" "$TMP/submit.out" || { cat "$TMP/submit.out"; fail "not 22 jobs accepted"; }

settled() { [ "$(rows)" = 20 ] && [ "$(failures)" = 2 ]; }
wait_until 120 "20 rows and 2 failures" settled
q() { psql_q "$1"; }
dead=$(q "SELECT error_kind, error_code, attempts FROM analysis_failures WHERE uri LIKE '%POISON-MARKER%'")
[ "$dead" = "dead_letter|io_error|3" ] || fail "poison job: expected dead_letter|io_error|3, got '$dead'"
perm=$(q "SELECT error_kind, attempts FROM analysis_failures WHERE uri LIKE '%broken%'")
[ "$perm" = "permanent|1" ] || fail "broken file: expected permanent|1, got '$perm'"
[ "$(q "SELECT count(*) FROM track_features f JOIN tracks t ON t.id = f.track_id
        WHERE t.uri LIKE '%POISON-MARKER%' OR t.uri LIKE '%broken%'")" = 0 ] || fail "a failed job has features"

r() { redis-cli -p "$REDIS_PORT" "$@"; }
[ "$(r XLEN mixq:dead)" = 1 ] || fail "dead-letter stream: expected 1 entry"
r XRANGE mixq:dead - + | grep -q POISON-MARKER || fail "the dead letter is not the poison job"
[ "$(r ZCARD mixq:retry)" = 0 ] || fail "retries left behind"
wait_until 10 "the queue to drain" queue_empty
[ "$(metric mixq_broker_jobs_retried_total)" = 2 ] || fail "retried counter"
[ "$(metric mixq_broker_jobs_dead_lettered_total)" = 1 ] || fail "dead-lettered counter"
[ "$(metric mixq_broker_jobs_failed_total)" = 1 ] || fail "failed counter"
# The poison job: dispatched 3 times, retried twice, each retry after a back-off of at
# least half the base delay (200 ms, then 400 ms: jitter 0.5x..1.5x).
python3 - "$TMP/b1.log" <<'PY' || fail "retries did not happen as expected"
import json, sys, datetime
ts = lambda e: datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
dead = [e["job_id"] for e in ev if e.get("msg") == "job dead-lettered"]
assert len(dead) == 1, dead
retries = [e for e in ev if e.get("msg") == "job failed; retry scheduled"]
assert [e["job_id"] for e in retries] == dead * 2, retries
t = sorted(ts(e) for e in ev if e.get("msg") == "dispatched" and e["job_id"] == dead[0])
assert len(t) == 3 and t[1] - t[0] >= 0.1 and t[2] - t[1] >= 0.2, t
PY
stop_clean w1
stop_clean b1
echo "measure: poison job dead-lettered after 3 attempts; 20/20 good tracks stored; 1 permanent failure"
