# mixq-ingest spotify import against a local fake of Spotify's accounts service and Web
# API (tests/ingest_fixtures/fake_spotify.py), with a real PostgreSQL.
#
# Checks: albums and playlists are followed through their paging `next` links (page
# size 2); a 429 is answered by waiting its Retry-After (no request inside the window);
# 5xx answers are retried with back-off; a token that stops working (401) and a token
# that expires are replaced by signing in again; audio features refused with 403 are
# recorded as unavailable and the import goes on (and stored when the API returns them);
# a missing playlist (404) is skipped; retries give up after --max-attempts, and a
# Retry-After beyond --max-retry-after gives up at once; bad credentials fail clearly;
# the client secret (from the environment or a file) never appears in any output.
source tests/integration/ingest_lib.bash
set -u
ingest_start_pg

SECRET="s3cr3t-$RANDOM-value"
python3 - "$TMP/data.json" <<'PY'
import json, sys
tracks = {}
def tr(i):
    tid = f"trk{i:019d}"
    tracks[tid] = {"id": tid, "name": f"Song {i}", "artists": [{"id": f"ar{i}", "name": f"Artist {i}"}],
                   "album": {"id": "alb0", "name": "The Album"}, "duration_ms": 180000 + i,
                   "popularity": 40 + i, "external_ids": {"isrc": f"GBABC11{i:05d}"},
                   "uri": f"spotify:track:{tid}", "track_number": i + 1}
    return tid
ids = [tr(i) for i in range(7)]
json.dump({"tracks": tracks,
           "albums": {"alb0": {"name": "The Album", "artists": [{"name": "Artist 0"}],
                               "release_date": "2011-05-01", "track_ids": ids[:5]}},
           "playlists": {"pl1": {"name": "My list", "owner": "dj", "track_ids": ids + [None]}}},
          open(sys.argv[1], "w"))
PY

FAKE_PID=
# fake [ARGS...]: (re)starts the fake server; sets URL.
fake() {
  [ -n "$FAKE_PID" ] && { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
  rm -f "$TMP/port"
  python3 "$FIXTURES/fake_spotify.py" --data "$TMP/data.json" --port-file "$TMP/port" \
    --client-secret "$SECRET" "$@" > "$TMP/fake.log" 2>&1 &
  FAKE_PID=$!
  PIDS[fake]=$FAKE_PID
  wait_for 10 "the fake Spotify server" test -s "$TMP/port"
  URL=http://127.0.0.1:$(cat "$TMP/port")
}
stats() { curl -s "$URL/_stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
export MIXQ_SPOTIFY_CLIENT_ID=test-client
export MIXQ_SPOTIFY_CLIENT_SECRET=$SECRET
imp() { ingest spotify import --no-submit --accounts-url "$URL" --api-url "$URL" --backoff 0.05 "$@"; }

# ---- paging, 429, 5xx, revoked tokens, 403 audio features ----
fake --page-size 2 --faults 429@2,503@4,500@5 --retry-after 1 --token-requests 3
out=$(imp spotify:playlist:pl1 https://open.spotify.com/album/alb0?si=x --isrc GB-ABC-11-00006) ||
  fail "import failed: $out"
echo "import: $out"
[ "$(field "$out" playlists)" = 1 ] && [ "$(field "$out" albums)" = 1 ] || fail "playlist/album not imported"
[ "$(field "$out" rate_limited)" = 1 ] || fail "the 429 was not seen"
[ "$(field "$out" server_errors)" = 2 ] || fail "the 5xx answers were not retried"
[ "$(stats sent_401)" -ge 1 ] && [ "$(field "$out" unauthorized)" -ge 1 ] || fail "no revoked token was met"
[ "$(stats tokens_issued)" -ge 2 ] || fail "did not sign in again after a 401"
[ "$(stats early_after_429)" = 0 ] || fail "a request came inside the Retry-After window"
[ "$(psql_q "SELECT count(*) FROM spotify_tracks")" = 7 ] || fail "expected 7 Spotify tracks"
[ "$(psql_q "SELECT string_agg(coalesce(spotify_id, 'local'), ',' ORDER BY position) FROM spotify_playlist_tracks WHERE playlist_id = 'pl1'")" = \
  "$(python3 -c "print(','.join([f'trk{i:019d}' for i in range(7)] + ['local']))")" ] ||
  fail "playlist items missing or out of order (paging)"
[ "$(psql_q "SELECT count(*) FROM spotify_tracks WHERE album_id = 'alb0' AND isrc LIKE 'GBABC11%' AND popularity > 0")" = 7 ] ||
  fail "track fields not stored"
[ "$(psql_q "SELECT total_tracks FROM spotify_albums WHERE album_id = 'alb0'")" = 5 ] || fail "album not stored"
[ "$(field "$out" audio_features_refused)" = True ] || fail "403 audio features not reported"
[ "$(psql_q "SELECT count(*) FROM spotify_tracks WHERE audio_features_status = 'unavailable'")" = 7 ] ||
  fail "403 audio features not recorded as unavailable"
[ "$(stats paths | grep -c 'offset=')" -ge 1 ] 2>/dev/null || true
curl -s "$URL/_stats" | grep -q 'playlists/pl1/tracks?offset=6' || fail "the last playlist page was not fetched"
curl -s "$URL/_stats" | grep -q 'albums/alb0/tracks?offset=4' || fail "the last album page was not fetched"

# ---- tokens that expire by time are renewed before use ----
fake --page-size 2 --expires-in 2 --faults 429@3 --retry-after 2
out=$(imp --playlist pl1 --no-audio-features) || fail "import with expiring tokens failed"
[ "$(stats tokens_issued)" -ge 2 ] || fail "an expired token was not renewed"
[ "$(stats sent_401)" = 0 ] || fail "an expired token was used"

# ---- audio features where the API still returns them; a missing playlist ----
fake --audio-features 200
out=$(imp --track trk0000000000000000001 --playlist nosuchlist) || fail "import failed: $out"
[ "$(field "$out" not_found)" = 1 ] || fail "the missing playlist was not counted"
[ "$(psql_q "SELECT audio_features_status || ':' || (audio_features->>'tempo') FROM spotify_tracks WHERE spotify_id = 'trk0000000000000000001'")" = "ok:120.0" ] ||
  { psql_q "SELECT audio_features_status, audio_features FROM spotify_tracks WHERE spotify_id = 'trk0000000000000000001'"; fail "audio features not stored"; }

# ---- giving up: persistent 5xx; a Retry-After beyond the cap ----
fake --faults 503@1,503@2,503@3,503@4,503@5,503@6
if out=$(imp --track trk0000000000000000002 --max-attempts 3); then fail "persistent 5xx did not fail"; fi
grep -q '"track import failed".*HTTP 503' "$TMP/log" || fail "5xx failure not logged"
[ "$(stats sent_5xx)" = 3 ] || fail "expected 3 attempts, server saw $(stats sent_5xx)"
fake --faults 429@1 --retry-after 30
start=$(date +%s)
if imp --track trk0000000000000000002 --max-retry-after 5 > /dev/null; then fail "a 30 s Retry-After did not give up"; fi
[ $(( $(date +%s) - start )) -lt 10 ] || fail "waited although Retry-After exceeded the cap"
grep -q 'rate limited for 30 s' "$TMP/log" || fail "rate-limit give-up not logged"

# ---- bad credentials; the secret from a file ----
fake
if MIXQ_SPOTIFY_CLIENT_SECRET=wrong-secret imp --track trk0000000000000000003 > /dev/null; then
  fail "a wrong secret was accepted"
fi
grep -q 'sign-in refused (HTTP 400)' "$TMP/log" || fail "bad credentials not reported clearly"
printf '%s\n' "$SECRET" > "$TMP/secret"
chmod 600 "$TMP/secret"
out=$(MIXQ_SPOTIFY_CLIENT_SECRET= imp --client-secret-file "$TMP/secret" --track trk0000000000000000003 --log-level debug) ||
  fail "secret from a file did not work"
if MIXQ_SPOTIFY_CLIENT_SECRET= imp --track trk0000000000000000003 > /dev/null; then fail "ran without a secret"; fi
grep -q 'no Spotify client secret' "$TMP/log" || fail "a missing secret is not explained"

# The secret never appears anywhere we wrote.
if grep -rqF "$SECRET" "$TMP/log" "$TMP/fake.log"; then fail "the client secret was logged"; fi
if printf '%s' "$out" | grep -qF "$SECRET"; then fail "the client secret was printed"; fi
B64=$(printf 'test-client:%s' "$SECRET" | base64 -w0)
if grep -qF "$B64" "$TMP/log"; then fail "the encoded credentials were logged"; fi
check_log
echo "measure: spotify api ok"
