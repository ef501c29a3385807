# The cluster end to end: 200 generated tracks registered and submitted with
# `mixq submit`, analysed by two real workers, land in PostgreSQL exactly once, with
# typed columns filled, a NOTIFY for every track, and nothing left in Redis. Submitting
# them all again changes no row (idempotent writes). Broker and workers exit cleanly.
source tests/integration/cluster_lib.bash
set -u
cluster_start_servers
GEN=$BIN/mixq-gen
[ -x "${MIXQ_RELEASE_BIN:-}/mixq-gen" ] && GEN=$MIXQ_RELEASE_BIN/mixq-gen
"$GEN" catalogue --out "$TMP/audio" --count 200 --seconds 5 --formats wav,flac --seed 7 \
  > /dev/null 2>&1 || fail "mixq-gen failed"

METRICS_PORT=$(free_port)
start_broker b1 --metrics-port "$METRICS_PORT"
wait_until 30 "the schema" psql_q "SELECT 1 FROM track_features LIMIT 1"

# A listener for the recommender's notifications.
mkfifo "$TMP/listen.fifo"
"$PG_BIN/psql" -X -q "$MIXQ_PG_DSN" < "$TMP/listen.fifo" > "$TMP/listen.out" 2>&1 &
PIDS[listener]=$!
exec 7> "$TMP/listen.fifo"
echo "LISTEN mixq_features;" >&7

start_worker w1 -j 2
start_worker w2 -j 1
"$BIN/mixq" submit "$TMP/audio" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; fail "mixq submit failed"; }
grep -q "200 accepted" "$TMP/submit.out" || { cat "$TMP/submit.out"; fail "not 200 jobs accepted"; }

wait_until 600 "200 feature rows" rows_are 200
check_exactly_once 200
wait_until 20 "the queue to drain" queue_empty

# Typed columns hold the features JSON's values (whatever the analyser found: tempo and
# key may be null for a track without a clear pulse or key).
q() { psql_q "$1"; }
alen() { echo "CASE WHEN jsonb_typeof(features$1) = 'array' THEN jsonb_array_length(features$1) ELSE 0 END"; }
typed=$(q "SELECT count(*) FILTER (WHERE loudness_lufs IS NOT NULL AND cardinality(mfcc_mean) = 13
             AND cardinality(chroma) = 12 AND cardinality(waveform_min) > 0 AND centroid_mean > 0
             AND duration_s > 4.9 AND analysis_s > 0 AND format IS NOT NULL
             AND analyzer_version = 'mixq-analysis/0.1.0' AND features->>'path' IS NOT NULL),
           count(*) FILTER (WHERE tempo_bpm IS NOT DISTINCT FROM (features->>'tempo_bpm')::real
             AND key_name IS NOT DISTINCT FROM features->>'key'
             AND key_mode IS NOT DISTINCT FROM features->>'key_mode'
             AND camelot IS NOT DISTINCT FROM features->>'camelot'
             AND (key_tonic IS NULL) = (features->>'key_tonic' IS NULL)
             AND loudness_lufs IS NOT DISTINCT FROM (features->>'loudness_lufs')::real
             AND centroid_mean IS NOT DISTINCT FROM (features#>>'{spectral_centroid_hz,mean}')::real
             AND zcr_std IS NOT DISTINCT FROM (features#>>'{zero_crossing_rate,std}')::real
             AND coalesce(cardinality(beats), 0) = $(alen "->'beats'")
             AND coalesce(cardinality(waveform_max), 0) = $(alen "#>'{waveform,max}'")
             AND coalesce(cardinality(contrast_std), 0) = $(alen "#>'{spectral_contrast_db,std}'")),
           count(tempo_bpm), count(key_name)
         FROM track_features")
IFS='|' read -r all_typed mapped with_tempo with_key <<< "$typed"
[ "$all_typed" = 200 ] && [ "$mapped" = 200 ] && [ "$with_tempo" -ge 100 ] && [ "$with_key" -ge 100 ] ||
  { q "SELECT track_id, tempo_bpm, key_name, key_tonic, camelot, duration_s FROM track_features LIMIT 3"
    fail "typed columns do not match the features JSON: $typed"; }

# Exactly once: each job dispatched and completed once in this clean run.
[ "$(metric mixq_broker_jobs_completed_total)" = 200 ] || fail "completed counter is not 200"
[ "$(metric mixq_broker_jobs_dispatched_total)" = 200 ] || fail "dispatched counter is not 200"
[ "$(metric mixq_broker_malformed_total)" = 0 ] || fail "malformed messages seen"

# Every track was announced on mixq_features.
notified() {
  echo "SELECT 1;" >&7
  python3 - "$TMP/listen.out" <<'PY'
import re, sys
ids = set()
for m in re.finditer(r'payload "([0-9,]*)"', open(sys.argv[1]).read()):
    ids.update(int(x) for x in m.group(1).split(",") if x)
sys.exit(0 if len(ids) >= 200 else 1)
PY
}
wait_until 20 "NOTIFY mixq_features for all 200 tracks" notified

# Submitting again runs the jobs again but changes no row.
before=$(q "SELECT string_agg(xmin::text, ',' ORDER BY track_id) FROM track_features")
"$BIN/mixq" submit "$TMP/audio" > "$TMP/submit2.out" 2>&1 || fail "second mixq submit failed"
done_twice() { [ "$(metric mixq_broker_jobs_completed_total)" = 400 ]; }
wait_until 600 "the second round" done_twice
[ "$(q "SELECT string_agg(xmin::text, ',' ORDER BY track_id) FROM track_features")" = "$before" ] ||
  fail "a second result rewrote a row"
check_exactly_once 200

exec 7>&-
stop_clean w1
stop_clean w2
stop_clean b1
echo "measure: 200 tracks analysed and stored once; resubmission left every row unchanged"
