# Priorities: with a backlog of bulk jobs queued, a job submitted as interactive is
# dispatched next (ahead of the whole backlog), so a single new track is not stuck
# behind a backfill.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
start_broker b1
fake_tracks "$TMP/bulk" 300
mkdir -p "$TMP/new" && echo "a new track" > "$TMP/new/new.wav"
start_worker w1 --noop --noop-ms 100 --credit 2
"$BIN/mixq" submit "$TMP/bulk" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; fail "submit failed"; }
some_done() { [ "$(rows)" -ge 20 ]; }
wait_until 60 "20 rows" some_done
"$BIN/mixq" submit --priority interactive "$TMP/new" > "$TMP/submit2.out" 2>&1 ||
  { cat "$TMP/submit2.out"; fail "interactive submit failed"; }
new_id=$(psql_q "SELECT t.id FROM tracks t JOIN track_paths p ON p.track_id = t.id WHERE encode(p.path, 'escape') LIKE '%new.wav'")
[ -n "$new_id" ] || fail "the new track is not registered"
before=$(rows)
landed() { [ "$(psql_q "SELECT count(*) FROM track_features WHERE track_id = $new_id")" = 1 ]; }
wait_until 30 "the interactive job" landed
# Jobs ahead of it: those at the worker (credit 2) and at most a handful more.
ahead=$(psql_q "SELECT count(*) FROM track_features WHERE analyzed_at < (SELECT analyzed_at FROM track_features WHERE track_id = $new_id)")
[ $(( ahead - before )) -le 6 ] || fail "$(( ahead - before )) bulk jobs ran before the interactive one"
[ $(( 300 - ahead )) -ge 200 ] || fail "the interactive job waited for most of the backlog"
stop_clean w1
stop_clean b1
echo "measure: interactive job ran after $(( ahead - before )) more bulk jobs, ahead of a backlog of ~$(( 300 - ahead )) bulk jobs"
