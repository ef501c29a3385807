# mixq-ingest spotify export (Spotify's "download your data" files, no network) and
# linking, with a real PostgreSQL, Redis and mixq-broker.
#
# The export (tests/ingest_fixtures/make_export.py) has duplicate records within and
# across files and between the basic and extended histories, malformed entries (missing
# fields, wrong types, bad dates), a podcast, and a file that is not JSON. Checks: each
# listening event is stored once (a skip where the extended history says so), however
# often the files are imported; malformed entries are counted and skipped; playlists and
# saved tracks land in the Spotify tables. Linking: by ISRC, by artist/title/duration
# (within 3 s, normalised: "feat.", "(Remastered 2011)", accents), by artist/title alone
# for export tracks (no duration) when one local track has that name; events follow;
# matched tracks lacking features get one job each; `spotify report` lists it all.
source tests/integration/ingest_lib.bash
set -u
ingest_start_pg
ingest_start_broker

# Local tracks, tagged (tests/ingest_fixtures/tag.py), 2 s long each.
L=$TMP/lib
tag() { python3 "$FIXTURES/tag.py" "$@" || fail "tag.py $1"; }
gen "$L/a.flac" 1 && tag "$L/a.flac" title="Song 1" artist="Artist 1"
gen "$L/b.mp3" 2 && tag "$L/b.mp3" title="Song 3 (Remastered 2011)" artist="Artist 3 feat. Someone"
gen "$L/c.wav" 3 && tag "$L/c.wav" title="Another Title" artist="Whoever" isrc=GB-ABC-11-00002
gen "$L/d.flac" 4 && tag "$L/d.flac" title="Sóng 4" artist="Ártist 4"
gen "$L/e.wav" 5 && tag "$L/e.wav" title="Local Song" artist="Local Artist"
gen "$L/f.flac" 6 && tag "$L/f.flac" title="Song 2" artist="Artist 2"  # two local tracks
gen "$L/g.flac" 7 && tag "$L/g.flac" title="Song 2" artist="Artist 2"  # with one name
out=$(ingest scan --no-submit --settle 0 "$L") || fail "scan failed"
[ "$(field "$out" new_tracks)" = 7 ] || fail "scan: $out"
[ "$(psql_q "SELECT count(*) FROM tracks WHERE isrc = 'GBABC1100002'")" = 1 ] || fail "ISRC tag not read"
tid() { psql_q "SELECT t.id FROM tracks t JOIN track_paths p ON p.track_id = t.id WHERE encode(p.path, 'escape') = '$L/$1'"; }

# Tracks as the Web API would have stored them (the API itself: ingest_spotify_api.sh).
psql_q "INSERT INTO spotify_tracks (spotify_id, isrc, title, artists, duration_ms) VALUES
  ('api1', 'GBABC1100002', 'Title On Spotify', '{Someone Else}', 2000),
  ('api2', NULL, 'Song 4 - 2011 Remaster', '{Artist 4,Guest}', 3900),
  ('api3', NULL, 'Song 4', '{Artist 4}', 200000)" > /dev/null

python3 "$FIXTURES/make_export.py" "$TMP/export" > "$TMP/expected.json"
out=$(ingest spotify export --user user1 "$TMP/export") || fail "export import failed: $out"
echo "export 1: $out"
[ "$(field "$out" events_new)" = 5 ] || fail "expected 5 distinct events"
[ "$(field "$out" bad_files)" = 1 ] || fail "the broken JSON file was not reported"
[ "$(field "$out" malformed)" = 10 ] || fail "expected 10 malformed entries"
[ "$(field "$out" not_music)" = 1 ] || fail "the podcast was not skipped"
grep -q '"export file skipped: not valid JSON".*StreamingHistory_music_2.json' "$TMP/log" ||
  fail "the broken file was not logged"
[ "$(psql_q "SELECT count(*) FROM user_feedback WHERE source = 'spotify_export'")" = 5 ] || fail "events"
[ "$(psql_q "SELECT count(*) FROM user_feedback WHERE event_type = 'skip'")" = 2 ] || fail "skips"
[ "$(psql_q "SELECT count(*) FROM user_feedback WHERE user_id <> 'user1'")" = 0 ] || fail "user ids"
[ "$(psql_q "SELECT count(*) FROM spotify_tracks WHERE in_library")" = 2 ] || fail "saved tracks"
[ "$(psql_q "SELECT count(*) FROM spotify_playlists WHERE source = 'export'")" = 2 ] || fail "playlists"
[ "$(psql_q "SELECT count(*) FROM spotify_playlist_tracks p JOIN spotify_playlists l USING (playlist_id) WHERE l.name = 'Road trip'")" = 2 ] ||
  fail "playlist tracks"

# Links: ISRC, name + duration (accents, "feat.", remaster notes), name alone (export).
link_of() { psql_q "SELECT coalesce(track_id::text, '-') || ':' || coalesce(match_method, '-') FROM spotify_tracks WHERE spotify_id = '$1'"; }
[ "$(link_of api1)" = "$(tid c.wav):isrc" ] || fail "ISRC link: $(link_of api1)"
[ "$(link_of api2)" = "$(tid d.flac):artist_title_duration" ] || fail "name+duration link: $(link_of api2)"
[ "$(link_of api3)" = "-:-" ] || fail "a 198 s longer track was linked"
[ "$(link_of exp0000000000000000001)" = "$(tid a.flac):artist_title" ] || fail "export link Song 1"
[ "$(link_of exp0000000000000000003)" = "$(tid b.mp3):artist_title" ] || fail "export link Song 3"
[ "$(link_of exp0000000000000000002)" = "-:-" ] || fail "Song 2 (no duration, two local tracks) was linked"
ev_of() { psql_q "SELECT coalesce(string_agg(DISTINCT coalesce(current_track_id::text, '-'), ','), '') FROM user_feedback WHERE item_title = '$1'"; }
[ "$(ev_of 'Song 1')" = "$(tid a.flac)" ] || fail "Song 1 events not linked"
[ "$(ev_of 'Song 3')" = "$(tid b.mp3)" ] || fail "Song 3 events not linked"
[ "$(ev_of 'Local Song')" = "$(tid e.wav)" ] || fail "basic-history event not linked by name"
[ "$(ev_of 'Song 2')" = "-" ] || fail "Song 2 events linked to one of two candidates"

# Jobs: one per matched local track lacking features (a, b, c, d; e has only events).
matched=$(psql_q "SELECT count(DISTINCT track_id) FROM spotify_tracks WHERE track_id IS NOT NULL")
[ "$(queued bulk)" = "$matched" ] || fail "expected $matched jobs for matched tracks, broker has $(queued bulk)"

# Again: nothing new.
out=$(ingest spotify export --user user1 "$TMP/export") || fail "second import failed"
echo "export 2: $out"
[ "$(field "$out" events_new)" = 0 ] || fail "events imported twice"
[ "$(psql_q "SELECT count(*) FROM user_feedback")" = 5 ] || fail "events duplicated"
[ "$(queued bulk)" = "$matched" ] || fail "jobs submitted twice"
# Extended history alone, then basic alone, in the other order for a new user: same events.
out=$(ingest spotify export --user user2 --no-link "$TMP/export/MyData/StreamingHistory_music_0.json" \
      "$TMP/export/MyData/StreamingHistory_music_1.json" "$TMP/export/Extended") || fail "reordered import"
[ "$(psql_q "SELECT count(*) FROM user_feedback WHERE user_id = 'user2'")" = 5 ] || fail "order changed the events"
[ "$(psql_q "SELECT count(*) FROM user_feedback WHERE user_id = 'user2' AND event_type = 'skip'")" = 2 ] ||
  fail "a later skip did not upgrade the play"

# The report.
ingest spotify report > "$TMP/report.jsonl" || fail "report failed"
python3 - "$TMP/report.jsonl" <<'PY' || fail "report is wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
rows, summary = lines[:-1], lines[-1]
assert summary["summary"] == "spotify report", summary
assert summary["spotify_tracks"] == len(rows) == 6, (summary, len(rows))
assert summary["matched_by_isrc"] == 1, summary
assert summary["unmatched"] == sum(1 for r in rows if not r["matched"]), summary
assert summary["listening_events"] == 10 and summary["listening_events_linked"] == 4, summary
assert summary["matched_by_artist_title"] == 3 and summary["unmatched"] == 2, summary
first_unmatched = [r["matched"] for r in rows].index(False)
assert all(not r["matched"] for r in rows[first_unmatched:]), "matched rows first"
api1 = next(r for r in rows if r["spotify_id"] == "api1")
assert api1["method"] == "isrc" and api1["local_uri"].endswith("/c.wav"), api1
PY
ingest spotify report --unmatched | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin][:-1]
assert rows and all(not r["matched"] for r in rows), rows' || fail "report --unmatched"
out=$(ingest spotify link --relink --no-submit) || fail "relink failed"
[ "$(field "$out" linked_by_isrc)" = 1 ] || fail "relink: $out"
check_log
echo "measure: spotify export ok"
