/* Unit tests of the Spotify export helpers (spexport.c): times, stable event ids, file
 * kinds, track URIs. */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/spexport.h"

/* The sources, with what they use (ingest/ builds no library). */
#include "ingest/buf.c"
#include "ingest/db.c"
#include "ingest/ilog.c"
#include "ingest/pathidx.c"
#include "ingest/spdb.c"
#include "ingest/spexport.c"
#include "ingest/sqlarr.c"
#include "ingest/text.c"
#include "ingest/tree.c"

Test(ingest_spotify, export_times) {
    char out[32];
    cr_assert_eq(ig_spexport_time("2023-06-01 10:04", out), 0);
    cr_assert_str_eq(out, "2023-06-01T10:04:00Z");
    cr_assert_eq(ig_spexport_time("2023-06-01T10:04:12Z", out), 0);
    cr_assert_str_eq(out, "2023-06-01T10:04:12Z");
    cr_assert_eq(ig_spexport_time("2023-06-01T10:04:12.345Z", out), 0);
    cr_assert_eq(ig_spexport_time("2023-06-01", out), 0);
    cr_assert_str_eq(out, "2023-06-01T00:00:00Z");
    const char *bad[] = {"",
                         "yesterday",
                         "2023-13-01 10:00",
                         "2023-06-01 25:00",
                         "2023-06-01T10:04:12+02:00",
                         "2023-06-01 10:04 trailing",
                         "2023-6-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(ig_spexport_time(bad[i], out), -1, "%s", bad[i]);
    cr_assert_eq(ig_spexport_time(NULL, out), -1);
}

Test(ingest_spotify, event_ids_are_stable_across_history_formats) {
    char basic[64], ext[64], other[64], again[64];
    char t1[32], t2[32];
    ig_spexport_time("2023-06-01 10:04", t1);
    ig_spexport_time("2023-06-01T10:04:59Z", t2);
    ig_spexport_event_id("u", t1, "Artist 2", "Song 2", 12000, basic);
    ig_spexport_event_id("u", t2, "ARTIST 2", "Song 2 - Remastered", 12000, ext);
    cr_assert_str_eq(basic, ext, "the same play in both histories is one event");
    ig_spexport_event_id("v", t1, "Artist 2", "Song 2", 12000, other);
    cr_assert_str_neq(basic, other, "another user's play is another event");
    ig_spexport_event_id("u", t1, "Artist 2", "Song 2", 12001, again);
    cr_assert_str_neq(basic, again);
    cr_assert_eq(strncmp(basic, "spx:", 4), 0);
    cr_assert_eq(strlen(basic), 36);
}

Test(ingest_spotify, export_file_kinds) {
    cr_assert_eq(kind_of("YourLibrary.json"), K_LIBRARY);
    cr_assert_eq(kind_of("Playlist1.json"), K_PLAYLISTS);
    cr_assert_eq(kind_of("StreamingHistory_music_3.json"), K_BASIC);
    cr_assert_eq(kind_of("StreamingHistory0.json"), K_BASIC);
    cr_assert_eq(kind_of("StreamingHistory_podcast_0.json"), K_NONE);
    cr_assert_eq(kind_of("Streaming_History_Audio_2019-2021_0.json"), K_EXTENDED);
    cr_assert_eq(kind_of("endsong_2.json"), K_EXTENDED);
    cr_assert_eq(kind_of("Streaming_History_Video_2023.json"), K_NONE);
    cr_assert_eq(kind_of("Userdata.json"), K_NONE);
    cr_assert_eq(kind_of("Playlist1.json.bak"), K_NONE);
}

Test(ingest_spotify, track_uris) {
    char id[64];
    cr_assert_eq(track_uri_id("spotify:track:4uLU6hMCjMI75M1A2tKUQC", id), 0);
    cr_assert_str_eq(id, "4uLU6hMCjMI75M1A2tKUQC");
    cr_assert_eq(track_uri_id("spotify:episode:4uLU6hMCjMI75M1A2tKUQC", id), -1);
    cr_assert_eq(track_uri_id("spotify:track:../../etc", id), -1);
    cr_assert_eq(track_uri_id("spotify:track:", id), -1);
    cr_assert_eq(track_uri_id(NULL, id), -1);
}
