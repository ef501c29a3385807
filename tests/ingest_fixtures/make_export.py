#!/usr/bin/env python3
"""make_export.py -- writes a Spotify "download your data" export for the ingest tests.

    make_export.py DIR

Writes DIR/MyData/{YourLibrary.json, Playlist1.json, StreamingHistory_music_0.json,
StreamingHistory_music_1.json, StreamingHistory_podcast_0.json, Broken.json...} and
DIR/Extended/Streaming_History_Audio_2023_0.json, with the awkward parts real exports
have: duplicate records (within a file and across files), malformed entries (missing
fields, wrong types, bad dates), a podcast episode, a file that is not JSON, and plays in
both the basic and the extended history. Prints the expected counts as one JSON object.
"""
import json
import os
import sys


def track_uri(i):
    return f"spotify:track:exp{i:019d}"


def main():
    out = sys.argv[1]
    my = os.path.join(out, "MyData")
    ext = os.path.join(out, "Extended")
    os.makedirs(my, exist_ok=True)
    os.makedirs(ext, exist_ok=True)

    library = {"tracks": [
        {"artist": "Artist 1", "album": "Album", "track": "Song 1", "uri": track_uri(1)},
        {"artist": "Artist 2", "album": "Album", "track": "Song 2", "uri": track_uri(2)},
        {"artist": "Artist 2", "album": "Album", "track": "Song 2", "uri": track_uri(2)},  # dup
        {"artist": "Nobody", "album": "X", "track": "Bad uri", "uri": "spotify:episode:zzz"},
        {"artist": "Nobody", "album": "X", "uri": track_uri(9)},  # no track name
    ], "albums": [], "shows": [], "episodes": [], "bannedTracks": [], "artists": []}
    json.dump(library, open(os.path.join(my, "YourLibrary.json"), "w"))

    playlists = {"playlists": [
        {"name": "Road trip", "lastModifiedDate": "2023-05-01", "collaborators": [],
         "items": [
             {"track": {"trackName": "Song 1", "artistName": "Artist 1", "albumName": "Album",
                        "trackUri": track_uri(1)}, "episode": None, "localTrack": None,
              "addedDate": "2023-04-01"},
             {"track": {"trackName": "Song 3", "artistName": "Artist 3", "albumName": "Album",
                        "trackUri": track_uri(3)}, "episode": None, "localTrack": None,
              "addedDate": "2023-04-02"},
             {"track": None, "episode": {"episodeName": "Talk", "showName": "Pod",
                                         "episodeUri": "spotify:episode:abc"},
              "localTrack": None, "addedDate": "2023-04-03"},
             {"track": "garbage", "addedDate": "nope"},  # malformed
         ]},
        {"name": "Empty one", "items": []},
        {"items": []},  # malformed: no name
    ]}
    json.dump(playlists, open(os.path.join(my, "Playlist1.json"), "w"))

    # Basic history: 4 good plays, a duplicate, 3 malformed entries.
    basic0 = [
        {"endTime": "2023-06-01 10:00", "artistName": "Artist 1", "trackName": "Song 1",
         "msPlayed": 180000},
        {"endTime": "2023-06-01 10:04", "artistName": "Artist 2", "trackName": "Song 2",
         "msPlayed": 12000},
        {"endTime": "2023-06-01 10:04", "artistName": "Artist 2", "trackName": "Song 2",
         "msPlayed": 12000},  # duplicate in the same file
        {"endTime": "yesterday", "artistName": "A", "trackName": "B", "msPlayed": 1},
        {"endTime": "2023-06-01 10:09", "artistName": "A", "trackName": "B",
         "msPlayed": "lots"},
        {"artistName": "A", "trackName": "B", "msPlayed": 5},
        7,
    ]
    basic1 = [
        {"endTime": "2023-06-01 10:04", "artistName": "Artist 2", "trackName": "Song 2",
         "msPlayed": 12000},  # duplicate across files
        {"endTime": "2023-06-02 09:00", "artistName": "Local Artist",
         "trackName": "Local Song", "msPlayed": 200000},
        {"endTime": "2023-06-02 09:05", "artistName": "Artist 3", "trackName": "Song 3",
         "msPlayed": 60000},
    ]
    json.dump(basic0, open(os.path.join(my, "StreamingHistory_music_0.json"), "w"))
    json.dump(basic1, open(os.path.join(my, "StreamingHistory_music_1.json"), "w"))
    json.dump([{"endTime": "2023-06-01 11:00", "podcastName": "Pod", "episodeName": "E1",
                "msPlayed": 1000}], open(os.path.join(my, "StreamingHistory_podcast_0.json"), "w"))
    open(os.path.join(my, "StreamingHistory_music_2.json"), "w").write('[{"endTime": "2023-')
    json.dump({"username": "someone"}, open(os.path.join(my, "Userdata.json"), "w"))

    # Extended history: the same plays as the basic one (seconds, Z, skip info), plus one
    # play only here, a skip, a podcast, malformed entries and a duplicate.
    def ext_rec(ts, artist, title, ms, uri, skipped):
        return {"ts": ts, "username": "user1", "platform": "linux", "ms_played": ms,
                "conn_country": "GB", "master_metadata_track_name": title,
                "master_metadata_album_artist_name": artist,
                "master_metadata_album_album_name": "Album", "spotify_track_uri": uri,
                "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
                "reason_start": "trackdone", "reason_end": "fwdbtn" if skipped else "trackdone",
                "shuffle": False, "skipped": skipped, "offline": False, "incognito_mode": False}
    extended = [
        ext_rec("2023-06-01T10:00:41Z", "Artist 1", "Song 1", 180000, track_uri(1), False),
        ext_rec("2023-06-01T10:04:12Z", "Artist 2", "Song 2", 12000, track_uri(2), True),
        ext_rec("2023-06-03T20:00:00Z", "Artist 3", "Song 3", 5000, track_uri(3), True),
        ext_rec("2023-06-03T20:00:00Z", "Artist 3", "Song 3", 5000, track_uri(3), True),  # dup
        {"ts": "2023-06-03T21:00:00Z", "username": "user1", "ms_played": 1000,
         "master_metadata_track_name": None, "master_metadata_album_artist_name": None,
         "spotify_track_uri": None, "episode_name": "Talk", "spotify_episode_uri":
         "spotify:episode:abc", "skipped": None},  # podcast
        {"ts": 12345, "ms_played": 10, "master_metadata_track_name": "X",
         "master_metadata_album_artist_name": "Y"},  # malformed ts
        {"ts": "2023-06-03T22:00:00Z", "master_metadata_track_name": "X",
         "master_metadata_album_artist_name": "Y"},  # no ms_played
    ]
    json.dump(extended, open(os.path.join(ext, "Streaming_History_Audio_2023_0.json"), "w"))

    # With --user user1 for both histories, the distinct events are: Song 1 play
    # (06-01 10:00, in both), Song 2 (06-01 10:04, in both: a skip per the extended one),
    # Local Song play, Song 3 play (06-02), Song 3 skip (06-03).
    expected = {"events": 5, "skips": 2, "library_tracks": 2, "playlists": 2,
                "spotify_tracks": 3, "bad_files": 1}
    print(json.dumps(expected))


if __name__ == "__main__":
    main()
