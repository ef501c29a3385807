/* spimport.h -- importing from the Spotify Web API into the catalogue's Spotify tables.
 *
 * Tracks (by id, 50 per request), albums (their track list followed through its paging
 * `next` links, then the full track objects for ISRCs), playlists (items followed through
 * `next`), and search by ISRC. Audio features are fetched for what is imported, and stored
 * where the API still returns them; the first 403 marks them unavailable and stops asking,
 * and the import goes on. A missing item (404) is logged and skipped. */
#ifndef IG_SPIMPORT_H
#define IG_SPIMPORT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "ingest/spotify.h"

typedef struct ig_spimport {
    ig_spotify *api;
    PGconn *pg;
    int audio_features;   /* fetch them (until a 403 says they are unavailable) */
    int features_refused; /* a 403 was seen */
    /* Counts. */
    unsigned long tracks, albums, playlists, not_found, failed, isrc_found, isrc_unknown;
} ig_spimport;

/* The kind ("track", "album", "playlist") and id of a Spotify reference: a URI
 * (spotify:track:ID) or an open.spotify.com URL. Returns 0, or -1 when it is neither. */
int ig_spimport_parse_ref(const char *ref, char kind[16], char id[64]);

/* True when id looks like a Spotify id (letters and digits only, 1-63 of them). */
int ig_spimport_valid_id(const char *id);

/* Imports n tracks by id. Returns 0, or -1 when a request failed for good (err set). */
int ig_spimport_tracks(ig_spimport *im, const char *const *ids, size_t n, char *err, size_t errlen);

/* Imports an album and all its tracks. Returns 0 or -1. */
int ig_spimport_album(ig_spimport *im, const char *id, char *err, size_t errlen);

/* Imports a playlist, its tracks and their order. Returns 0 or -1. */
int ig_spimport_playlist(ig_spimport *im, const char *id, char *err, size_t errlen);

/* Searches tracks by ISRC and imports those found. Returns 0 or -1. */
int ig_spimport_isrc(ig_spimport *im, const char *isrc, char *err, size_t errlen);

/* Searches every ISRC of the local catalogue that no Spotify track has yet. Returns 0 or
 * -1. */
int ig_spimport_isrc_catalogue(ig_spimport *im, char *err, size_t errlen);

#endif
