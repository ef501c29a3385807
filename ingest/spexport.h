/* spexport.h -- importing the files of Spotify's "download your data" (no network).
 *
 *   YourLibrary.json                  saved tracks -> spotify_tracks (in_library)
 *   Playlist*.json                    playlists -> spotify_playlists (+ their tracks)
 *   StreamingHistory_music_*.json     basic history -> user_feedback plays
 *   Streaming_History_Audio_*.json    extended history (also endsong_*.json) ->
 *                                     user_feedback plays, or skips where "skipped"
 *
 * Each listening event gets a stable id derived from what it is -- user, the minute it
 * ended (UTC), normalised artist and title, milliseconds played -- so importing a file
 * again, or the basic and the extended history of the same plays, stores each event
 * once. A file that is not valid JSON is reported and skipped; an entry with missing or
 * mistyped fields is counted and skipped; podcast episodes are skipped. */
#ifndef IG_SPEXPORT_H
#define IG_SPEXPORT_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct ig_spexport {
    PGconn *pg;
    const char *user; /* user id for the events; NULL: the extended history's username,
                         else "spotify-export" */
    /* Counts. */
    unsigned long files, bad_files, tracks, playlists, events_read, events_new, malformed,
        skipped_other;
} ig_spexport;

/* Imports one export file, or every export file under a directory. Returns 0, or -1 when
 * the database failed (err set). Bad files and entries are logged and counted, not
 * errors. */
int ig_spexport_path(ig_spexport *x, const char *path, char *err, size_t errlen);

/* The UTC time "YYYY-MM-DDTHH:MM:SSZ" of an export time ("2021-03-04 05:06",
 * "2021-03-04T05:06:07Z", "2021-03-04"), into out[32]. Returns 0, or -1 when malformed. */
int ig_spexport_time(const char *in, char out[32]);

/* The stable event id of a listening event into out[64]: "spx:" and 32 hex digits. */
void ig_spexport_event_id(const char *user, const char *utc_time, const char *artist,
                          const char *title, long ms_played, char out[64]);

#endif
