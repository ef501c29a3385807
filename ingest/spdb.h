/* spdb.h -- Spotify metadata and listening events into PostgreSQL.
 *
 * Tracks are upserted by Spotify id, never losing what an earlier import knew (a field
 * missing now keeps its old value; "saved in the library" only ever turns on). A
 * playlist's tracks are replaced as a whole, in one transaction. Listening events are
 * inserted once by event id: importing the same file again changes nothing, except that a
 * play learnt later to have been a skip becomes a skip. All text is cleaned to UTF-8
 * (text.h) here. Every write is one statement per batch with array parameters. */
#ifndef IG_SPDB_H
#define IG_SPDB_H

#include <libpq-fe.h>
#include <stddef.h>

/* A Spotify track as known from the API or an export. Strings may be NULL. */
typedef struct ig_sp_track {
    const char *id; /* Spotify id (22 base62 characters) */
    const char *isrc;
    const char *title;
    const char *artists[8]; /* the first ones, NULL-terminated when fewer */
    const char *album;
    const char *album_id;
    long duration_ms; /* 0 when unknown */
    long popularity;  /* -1 when unknown */
    int in_library;   /* saved by the user (YourLibrary.json) */
} ig_sp_track;

/* Upserts n tracks in one statement. Returns 0 or -1 (err set). */
int ig_spdb_tracks(PGconn *c, const ig_sp_track *t, size_t n, char *err, size_t errlen);

/* Upserts an album. Returns 0 or -1. */
int ig_spdb_album(PGconn *c, const char *id, const char *name, const char *const *artists,
                  const char *release_date, long total_tracks, char *err, size_t errlen);

/* One row of a playlist. */
typedef struct ig_sp_item {
    const char *spotify_id; /* NULL for local files and episodes */
    const char *title;
    const char *artist;
    const char *added_at; /* ISO 8601 date or time, or NULL */
} ig_sp_item;

/* Replaces playlist id (name, owner, source 'api' or 'export') and its n items in one
 * transaction. Returns 0 or -1. */
int ig_spdb_playlist(PGconn *c, const char *id, const char *name, const char *owner,
                     const char *source, const ig_sp_item *items, size_t n, char *err,
                     size_t errlen);

/* Stores audio features: json_texts[i] is the features object of ids[i] as JSON text, or
 * NULL when the API had none ('absent'). With json_texts NULL every id is marked
 * 'unavailable' (the API refused: 403). Returns 0 or -1. */
int ig_spdb_audio_features(PGconn *c, const char *const *ids, const char *const *json_texts,
                           size_t n, char *err, size_t errlen);

/* One listening event from an export. */
typedef struct ig_sp_event {
    char event_id[64];
    const char *user_id;
    const char *type; /* "play" or "skip" */
    double position_s;
    const char *occurred_at; /* ISO 8601 / "YYYY-MM-DD HH:MM" (UTC) */
    const char *spotify_id;  /* or NULL */
    const char *artist, *title;
} ig_sp_event;

/* Inserts n events (duplicates within the batch or already stored are skipped; a stored
 * play may become a skip). The number newly inserted goes to *inserted. Returns 0 or -1. */
int ig_spdb_events(PGconn *c, const ig_sp_event *e, size_t n, size_t *inserted, char *err,
                   size_t errlen);

#endif
