/* spexport.c -- export files into spdb rows (see spexport.h). */
#include "ingest/spexport.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/hash.h"
#include "common/log.h"
#include "ingest/buf.h"
#include "ingest/ilog.h"
#include "ingest/spdb.h"
#include "ingest/text.h"
#include "ingest/tree.h"

#define MAX_FILE (512u << 20)
#define EVENT_BATCH 1000
#define TRACK_BATCH 500

typedef enum kind { K_NONE, K_LIBRARY, K_PLAYLISTS, K_BASIC, K_EXTENDED } kind;

static kind kind_of(const char *name) {
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 5, ".json") != 0) return K_NONE;
    if (!strcmp(name, "YourLibrary.json")) return K_LIBRARY;
    if (!strncmp(name, "Playlist", 8)) return K_PLAYLISTS;
    if (!strncmp(name, "StreamingHistory_podcast", 24)) return K_NONE;
    if (!strncmp(name, "StreamingHistory", 16)) return K_BASIC;
    if (!strncmp(name, "Streaming_History_Audio", 23) || !strncmp(name, "endsong", 7))
        return K_EXTENDED;
    return K_NONE;
}

static int digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int ig_spexport_time(const char *in, char out[32]) {
    if (!in) return -1;
    int y, mo, d, h = 0, mi = 0, s = 0;
    size_t n = strlen(in);
    if (n < 10 || digits(in, 4, &y) || in[4] != '-' || digits(in + 5, 2, &mo) || in[7] != '-' ||
        digits(in + 8, 2, &d))
        return -1;
    const char *p = in + 10;
    if (*p == 'T' || *p == ' ') {
        if (strlen(p) < 6 || digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
            return -1;
        p += 6;
        if (*p == ':') {
            if (digits(p + 1, 2, &s)) return -1;
            p += 3;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++) {
                }
        }
    }
    /* UTC only: Spotify writes Z (extended) or nothing (basic, UTC by definition). */
    if (*p == 'Z')
        p++;
    else if (!strcmp(p, "+00:00") || !strcmp(p, "+0000"))
        p += strlen(p);
    if (*p) return -1;
    if (y < 1990 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    char tmp[64];
    int n2 = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    if (n2 != 20) return -1;
    memcpy(out, tmp, 21);
    return 0;
}

void ig_spexport_event_id(const char *user, const char *utc_time, const char *artist,
                          const char *title, long ms_played, char out[64]) {
    char *ak = ig_text_artist_key(artist), *tk = ig_text_title_key(title);
    ig_buf b = {0};
    /* The minute only: the basic history has no seconds. */
    ig_buf_printf(&b, "%s\x1f%.16s\x1f%s\x1f%s\x1f%ld", user ? user : "", utc_time,
                  ak ? ak : (artist ? artist : ""), tk ? tk : (title ? title : ""), ms_played);
    mq_hash128 h;
    mq_hash_bytes(b.p ? b.p : "", b.len, &h);
    char hex[MQ_HASH_HEXLEN];
    mq_hash_hex(&h, hex);
    snprintf(out, 64, "spx:%s", hex);
    ig_buf_free(&b);
    free(ak), free(tk);
}

/* ---- batching ---- */

typedef struct events {
    ig_sp_event e[EVENT_BATCH];
    char at[EVENT_BATCH][32];
    char sid[EVENT_BATCH][64];
    size_t n;
} events;

static int flush_events(ig_spexport *x, events *ev, char *err, size_t errlen) {
    size_t inserted = 0;
    if (ig_spdb_events(x->pg, ev->e, ev->n, &inserted, err, errlen) != 0) return -1;
    x->events_new += inserted;
    ev->n = 0;
    return 0;
}

/* The id of a "spotify:track:ID" URI into id[64]; -1 when it is not one. */
static int track_uri_id(const char *uri, char id[64]) {
    if (!uri || strncmp(uri, "spotify:track:", 14)) return -1;
    const char *s = uri + 14;
    size_t n = strlen(s);
    if (n == 0 || n >= 64) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return -1;
    }
    memcpy(id, s, n + 1);
    return 0;
}

static const char *jstr(json_t *o, const char *k) {
    return json_string_value(json_object_get(o, k));
}

/* One history record into the batch. Returns 0, or -1 when the database failed. */
static int history_record(ig_spexport *x, json_t *r, kind k, events *ev, char *err, size_t errlen) {
    x->events_read++;
    if (!json_is_object(r)) {
        x->malformed++;
        return 0;
    }
    const char *when, *artist, *title, *uri = NULL, *user = x->user;
    json_t *ms;
    int skip = 0;
    if (k == K_BASIC) {
        when = jstr(r, "endTime");
        artist = jstr(r, "artistName");
        title = jstr(r, "trackName");
        ms = json_object_get(r, "msPlayed");
    } else {
        when = jstr(r, "ts");
        artist = jstr(r, "master_metadata_album_artist_name");
        title = jstr(r, "master_metadata_track_name");
        ms = json_object_get(r, "ms_played");
        uri = jstr(r, "spotify_track_uri");
        skip = json_is_true(json_object_get(r, "skipped"));
        if (!user) user = jstr(r, "username");
        if (!title && (jstr(r, "spotify_episode_uri") || jstr(r, "episode_name") ||
                       jstr(r, "audiobook_title"))) {
            x->skipped_other++; /* a podcast episode or an audiobook: not music */
            return 0;
        }
    }
    if (!user || !*user) user = "spotify-export";
    char at[32], sid[64];
    if (ig_spexport_time(when, at) != 0 || !json_is_integer(ms) || json_integer_value(ms) < 0 ||
        json_integer_value(ms) > 86400000L * 7 || !title || !*title || !artist) {
        x->malformed++;
        return 0;
    }
    ig_sp_event *e = &ev->e[ev->n];
    memset(e, 0, sizeof *e);
    long msv = (long)json_integer_value(ms);
    ig_spexport_event_id(user, at, artist, title, msv, e->event_id);
    memcpy(ev->at[ev->n], at, sizeof at);
    e->occurred_at = ev->at[ev->n];
    if (track_uri_id(uri, sid) == 0) {
        memcpy(ev->sid[ev->n], sid, sizeof sid);
        e->spotify_id = ev->sid[ev->n];
    }
    e->user_id = user;
    e->type = skip ? "skip" : "play";
    e->position_s = msv / 1000.0;
    e->artist = artist;
    e->title = title;
    ev->n++;
    /* The strings point into the file's JSON, alive until the file is done: flush then. */
    return ev->n == EVENT_BATCH ? flush_events(x, ev, err, errlen) : 0;
}

static int import_history(ig_spexport *x, json_t *root, kind k, char *err, size_t errlen) {
    if (!json_is_array(root)) {
        x->bad_files++;
        return 1;
    }
    events *ev = calloc(1, sizeof *ev);
    if (!ev) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < json_array_size(root) && rc == 0; i++)
        rc = history_record(x, json_array_get(root, i), k, ev, err, errlen);
    if (rc == 0 && ev->n) rc = flush_events(x, ev, err, errlen);
    free(ev);
    return rc;
}

/* ---- library and playlists ---- */

typedef struct tracks {
    ig_sp_track t[TRACK_BATCH];
    char id[TRACK_BATCH][64];
    size_t n;
} tracks;

static int flush_tracks(ig_spexport *x, tracks *tb, char *err, size_t errlen) {
    if (ig_spdb_tracks(x->pg, tb->t, tb->n, err, errlen) != 0) return -1;
    x->tracks += tb->n;
    tb->n = 0;
    return 0;
}

static int add_track(ig_spexport *x, tracks *tb, const char *uri, const char *title,
                     const char *artist, const char *album, int in_library, char *err,
                     size_t errlen) {
    char id[64];
    if (track_uri_id(uri, id) != 0) return 0;
    ig_sp_track *t = &tb->t[tb->n];
    memset(t, 0, sizeof *t);
    memcpy(tb->id[tb->n], id, sizeof id);
    t->id = tb->id[tb->n];
    t->title = title;
    t->artists[0] = artist;
    t->album = album;
    t->popularity = -1;
    t->in_library = in_library;
    tb->n++;
    return tb->n == TRACK_BATCH ? flush_tracks(x, tb, err, errlen) : 0;
}

static int import_library(ig_spexport *x, json_t *root, char *err, size_t errlen) {
    json_t *arr = json_object_get(root, "tracks");
    if (!json_is_array(arr)) {
        x->bad_files++;
        return 1;
    }
    tracks *tb = calloc(1, sizeof *tb);
    if (!tb) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < json_array_size(arr) && rc == 0; i++) {
        json_t *e = json_array_get(arr, i);
        char id[64];
        if (track_uri_id(jstr(e, "uri"), id) != 0 || !jstr(e, "track")) {
            x->malformed++;
            continue;
        }
        rc = add_track(x, tb, jstr(e, "uri"), jstr(e, "track"), jstr(e, "artist"), jstr(e, "album"),
                       1, err, errlen);
    }
    if (rc == 0 && tb->n) rc = flush_tracks(x, tb, err, errlen);
    free(tb);
    return rc;
}

static int import_playlists(ig_spexport *x, json_t *root, char *err, size_t errlen) {
    json_t *pls = json_object_get(root, "playlists");
    if (!json_is_array(pls)) {
        x->bad_files++;
        return 1;
    }
    const char *owner = x->user ? x->user : "spotify-export";
    tracks *tb = calloc(1, sizeof *tb);
    if (!tb) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t p = 0; p < json_array_size(pls) && rc == 0; p++) {
        json_t *pl = json_array_get(pls, p);
        const char *name = jstr(pl, "name");
        json_t *items = json_object_get(pl, "items");
        if (!name || !json_is_array(items)) {
            x->malformed++;
            continue;
        }
        size_t n = json_array_size(items), k = 0;
        ig_sp_item *it = calloc(n ? n : 1, sizeof *it);
        char(*ids)[64] = calloc(n ? n : 1, sizeof *ids);
        char(*added)[32] = calloc(n ? n : 1, sizeof *added);
        if (!it || !ids || !added) {
            free(it), free(ids), free(added);
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            json_t *e = json_array_get(items, i);
            json_t *tr = json_object_get(e, "track");
            if (!json_is_object(tr)) {
                /* An episode, a local file or a broken entry: not a track. */
                if (!json_is_object(json_object_get(e, "episode")) &&
                    !json_is_object(json_object_get(e, "localTrack")))
                    x->malformed++;
                continue;
            }
            const char *uri = jstr(tr, "trackUri");
            it[k].title = jstr(tr, "trackName");
            it[k].artist = jstr(tr, "artistName");
            if (track_uri_id(uri, ids[k]) == 0) it[k].spotify_id = ids[k];
            if (ig_spexport_time(jstr(e, "addedDate"), added[k]) == 0) it[k].added_at = added[k];
            if (!it[k].title && !it[k].spotify_id) {
                x->malformed++;
                continue;
            }
            rc = add_track(x, tb, uri, it[k].title, it[k].artist, jstr(tr, "albumName"), 0, err,
                           errlen);
            k++;
        }
        /* Playlists have no id in an export: the owner and name make one. */
        char key[512], pid[64], hex[MQ_HASH_HEXLEN];
        snprintf(key, sizeof key, "%s\x1f%s", owner, name);
        mq_hash128 h;
        mq_hash_bytes(key, strlen(key), &h);
        mq_hash_hex(&h, hex);
        snprintf(pid, sizeof pid, "export:%.24s", hex);
        if (rc == 0) rc = ig_spdb_playlist(x->pg, pid, name, owner, "export", it, k, err, errlen);
        if (rc == 0) x->playlists++;
        free(it), free(ids), free(added);
    }
    if (rc == 0 && tb->n) rc = flush_tracks(x, tb, err, errlen);
    free(tb);
    return rc;
}

/* ---- files ---- */

static int import_file(ig_spexport *x, const char *path, kind k, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size > (off_t)MAX_FILE) {
        ig_log_path(MQ_LOG_WARN, "export file skipped: unreadable or too large", path, NULL, NULL,
                    NULL, NULL);
        x->bad_files++;
        return 0;
    }
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        char where[256];
        snprintf(where, sizeof where, "line %d: %s", je.line, je.text);
        ig_log_path(MQ_LOG_WARN, "export file skipped: not valid JSON", path, "error", where, NULL,
                    NULL);
        x->bad_files++;
        return 0;
    }
    unsigned long before_events = x->events_new, before_bad = x->malformed;
    int rc;
    switch (k) {
    case K_LIBRARY: rc = import_library(x, root, err, errlen); break;
    case K_PLAYLISTS: rc = import_playlists(x, root, err, errlen); break;
    case K_BASIC:
    case K_EXTENDED: rc = import_history(x, root, k, err, errlen); break;
    default: rc = 0; break;
    }
    json_decref(root);
    if (rc == 1) {
        ig_log_path(MQ_LOG_WARN, "export file skipped: not the expected layout", path, NULL, NULL,
                    NULL, NULL);
        return 0;
    }
    if (rc == 0) {
        x->files++;
        char ev[24], bad[24];
        snprintf(ev, sizeof ev, "%lu", x->events_new - before_events);
        snprintf(bad, sizeof bad, "%lu", x->malformed - before_bad);
        ig_log_path(MQ_LOG_INFO, "export file imported", path, "new_events", ev,
                    "malformed_entries", bad);
    }
    return rc;
}

typedef struct walk_ud {
    ig_spexport *x;
    char *err;
    size_t errlen;
} walk_ud;

static int on_file(const char *path, size_t len, const char *name, const struct stat *st,
                   void *ud) {
    (void)len, (void)st;
    walk_ud *w = ud;
    kind k = kind_of(name);
    if (k == K_NONE) return 0;
    return import_file(w->x, path, k, w->err, w->errlen) == 0 ? 0 : -3;
}

static void on_skip(const char *path, const char *why, int loop, void *ud) {
    (void)ud;
    if (!loop) ig_log_path(MQ_LOG_WARN, "skipped: unreadable", path, "why", why, NULL, NULL);
}

int ig_spexport_path(ig_spexport *x, const char *path, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    if (S_ISREG(st.st_mode)) {
        const char *name = strrchr(path, '/');
        name = name ? name + 1 : path;
        kind k = kind_of(name);
        if (k == K_NONE) {
            ig_log_path(MQ_LOG_WARN, "not a Spotify export file name; skipped", path, NULL, NULL,
                        NULL, NULL);
            return 0;
        }
        return import_file(x, path, k, err, errlen);
    }
    walk_ud w = {x, err, errlen};
    ig_tree_cb cb = {on_file, NULL, on_skip, &w};
    int rc = ig_tree_walk(path, &cb);
    if (rc == -2) snprintf(err, errlen, "out of memory");
    return rc == 0 ? 0 : -1;
}
