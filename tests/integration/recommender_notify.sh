#!/usr/bin/env bash
# recommender_notify.sh -- mixq-recommender follows PostgreSQL without a restart or a full
# reload: rows inserted with psql and announced by NOTIFY (as the broker does), catalogue
# edits and deletions (triggers of db/002), feedback rows (trigger), malformed and empty
# payloads, and a PostgreSQL restart (the listener reconnects and catches up). Changes
# announced by id reload only those tracks (counted from /metrics).
set -u
source tests/integration/lib.bash
source tests/integration/servers.bash
source tests/integration/recommender_lib.bash
command -v curl > /dev/null || skip "curl is not installed"

rec_db 60
rec_start main --no-auth
url="http://127.0.0.1:$REC_PORT"
pid=${REC_PIDS[main]}
q() { psql_q "$1" > /dev/null || fail "SQL failed: $1"; }
get() { curl -s "$url$1"; }
# until SECONDS CMD...: retries CMD until it succeeds.
until_ok() {
  local secs=$1 i; shift
  for i in $(seq $((secs * 20))); do "$@" > /dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}
has() { get "$1" | grep -q -- "$2"; }
hasnt() { ! get "$1" | grep -q -- "$2"; }
loaded() { curl -s "$url/metrics" | awk '/^mixq_recommender_tracks_loaded_total/ { print $2 }'; }
before=$(loaded)

# A new analysed track, announced like the broker announces a batch.
q "INSERT INTO tracks (id, content_hash, uri, title, artist, album)
   VALUES (1001, decode(md5('1001'), 'hex'), 'file:///n/1001.flac', 'Brand New Anthem', 'Zed Notify', 'Live');
   INSERT INTO track_features (track_id, analyzer_version, tempo_bpm, camelot, key_tonic, key_mode,
     energy, mfcc_mean, chroma, features)
   SELECT 1001, 'mixq-synthetic/1', tempo_bpm, camelot, key_tonic, key_mode, energy, mfcc_mean, chroma, '{}'
   FROM track_features WHERE track_id = 1"
until_ok 1 has /v1/tracks/1001/next '"results"' && fail "track 1001 was served before any NOTIFY"
q "NOTIFY mixq_features, '1001'"
until_ok 5 has /v1/tracks/1001/next '"results"' || fail "track 1001 not served after NOTIFY"
until_ok 5 has "/v1/tracks?q=brand+new+anthm" '"id":1001' || fail "track 1001 not found by search"
has /v1/health '"tracks":61' || fail "health does not count 61 tracks"

# New features of an existing track (a newer analyser version), several ids in one payload.
q "INSERT INTO track_features (track_id, analyzer_version, tempo_bpm, camelot, energy, features)
   VALUES (2, 'mixq-synthetic/2', 171.5, '3A', 0.9, '{}'), (3, 'mixq-synthetic/2', 99.25, '4B', 0.1, '{}')"
q "NOTIFY mixq_features, '2,3'"
until_ok 5 has /v1/tracks/2/next '"bpm":171.5,"camelot":"3A"' || fail "track 2's new features not served"
until_ok 5 has /v1/tracks/3/next '"bpm":99.25,"camelot":"4B"' || fail "track 3's new features not served"

# Catalogue edits reach the index through the triggers of db/002, with no NOTIFY by hand.
q "UPDATE tracks SET title = 'Renamed By Trigger' WHERE id = 5"
until_ok 5 has "/v1/tracks?q=renamed+by+triger" '"id":5' || fail "a renamed track is not found by its new title"
q "UPDATE tracks SET missing = true WHERE id = 6"
until_ok 5 has /v1/tracks/6/next 'not in the index' || fail "a missing track is still served"
q "DELETE FROM tracks WHERE id = 7"
until_ok 5 has /v1/tracks/7/next 'not in the index' || fail "a deleted track is still served"

# Feedback written straight to the table (as another instance or ingest would).
q "INSERT INTO user_feedback (event_id, user_id, current_track_id, next_track_id, event_type, occurred_at)
   VALUES ('n-1', 'carol', 1, 8, 'like', now()), ('n-2', 'carol', 1, 8, 'like', now())"
until_ok 5 has /v1/health '"feedback_events":2' || fail "inserted feedback not learned"
has "/v1/tracks/1/next?user=carol&limit=100" 'listeners on this transition: 2 events' ||
  fail "the transition 1 -> 8 does not show what listeners did"
# An event with no track yet counts once its tracks are filled in (as ingest links them).
q "INSERT INTO user_feedback (event_id, user_id, event_type, occurred_at) VALUES ('n-3', 'carol', 'play', now())"
sleep 0.3
has /v1/health '"feedback_events":2' || fail "an event with no track was counted"
q "UPDATE user_feedback SET current_track_id = 1, next_track_id = 8 WHERE event_id = 'n-3'"
until_ok 5 has /v1/health '"feedback_events":3' || fail "a linked event was not learned"

# So far, each change reloaded only its own tracks.
mid=$(loaded)
echo "measure: track rows loaded: $before at start, $((mid - before)) for 6 changes announced by id"
[ "$((mid - before))" -le 6 ] || fail "changes reloaded $((mid - before)) rows, not just their own"

# Malformed payloads are ignored; an empty one means "resynchronise".
q "NOTIFY mixq_features, 'abc,12x,,-4'"
q "NOTIFY mixq_feedback, '99999999999999999999999'"
q "INSERT INTO tracks (id, content_hash, uri, title) VALUES (1002, decode(md5('1002'), 'hex'), 'file:///n/1002', 'Quiet Arrival');
   INSERT INTO track_features (track_id, analyzer_version, tempo_bpm, camelot, energy, features)
   VALUES (1002, 'mixq-synthetic/1', 120, '8A', 0.5, '{}')"
q "NOTIFY mixq_features, ''"
until_ok 5 has /v1/tracks/1002/next '"results"' || fail "an empty payload did not resynchronise"
grep -q 'ignored malformed ids' "$MIXQ_TMP/main.log" || fail "malformed ids were not logged"

# A PostgreSQL restart: the listener reconnects; what changed meanwhile is caught up.
stop_pg
sleep 1
has /v1/tracks/1/next '"results"' || fail "ranking stopped while PostgreSQL was down"
resume_pg || fail "PostgreSQL did not restart"
q "INSERT INTO tracks (id, content_hash, uri, title) VALUES (1003, decode(md5('1003'), 'hex'), 'file:///n/1003', 'After The Outage');
   INSERT INTO track_features (track_id, analyzer_version, tempo_bpm, camelot, energy, features)
   VALUES (1003, 'mixq-synthetic/1', 121, '9A', 0.6, '{}')"
until_ok 20 has /v1/health '"listening":true' || fail "the listener did not reconnect"
q "NOTIFY mixq_features, '1003'"
until_ok 10 has /v1/tracks/1003/next '"results"' || fail "track 1003 not served after the restart"

# All of it without a restart of the recommender.
kill -0 "$pid" || fail "the recommender died"
rec_stop main
echo ok
