/* spimport.c -- Web API objects into spdb rows (see spimport.h). */
#include "ingest/spimport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ingest/buf.h"
#include "ingest/db.h"
#include "ingest/spdb.h"
#include "ingest/text.h"

#define IDS_PER_TRACKS 50    /* GET /v1/tracks?ids= */
#define IDS_PER_FEATURES 100 /* GET /v1/audio-features?ids= */
#define MAX_PAGES 10000      /* paging links followed for one object, at most */

int ig_spimport_valid_id(const char *id) {
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return 0;
    }
    return n > 0 && n < 64;
}

int ig_spimport_parse_ref(const char *ref, char kind[16], char id[64]) {
    static const char *const kinds[] = {"track", "album", "playlist", NULL};
    const char *rest = NULL;
    if (!strncmp(ref, "spotify:", 8)) {
        rest = ref + 8;
    } else {
        const char *host = strstr(ref, "open.spotify.com/");
        if (!host) return -1;
        rest = host + strlen("open.spotify.com/");
        if (!strncmp(rest, "intl-", 5)) { /* https://open.spotify.com/intl-de/track/ID */
            const char *slash = strchr(rest, '/');
            if (!slash) return -1;
            rest = slash + 1;
        }
    }
    for (int i = 0; kinds[i]; i++) {
        size_t kl = strlen(kinds[i]);
        if (strncmp(rest, kinds[i], kl) || (rest[kl] != ':' && rest[kl] != '/')) continue;
        const char *s = rest + kl + 1;
        size_t n = strcspn(s, "?#"); /* a URL's query or fragment ends the id */
        if (n > 0 && s[n - 1] == '/') n--;
        if (n == 0 || n >= 64) return -1;
        memcpy(id, s, n);
        id[n] = 0;
        if (!ig_spimport_valid_id(id)) return -1;
        snprintf(kind, 16, "%s", kinds[i]);
        return 0;
    }
    return -1;
}

static const char *jstr(json_t *o, const char *k) {
    return json_string_value(json_object_get(o, k));
}

/* Fills t from a (full or simplified) track object; album given for album tracks. */
static int track_from_json(json_t *j, ig_sp_track *t, json_t *album) {
    memset(t, 0, sizeof *t);
    t->popularity = -1;
    if (!json_is_object(j)) return -1;
    t->id = jstr(j, "id");
    if (!t->id || !ig_spimport_valid_id(t->id)) return -1;
    t->title = jstr(j, "name");
    t->isrc = jstr(json_object_get(j, "external_ids"), "isrc");
    json_t *arts = json_object_get(j, "artists");
    for (size_t i = 0; i < json_array_size(arts) && i < 7; i++)
        t->artists[i] = jstr(json_array_get(arts, i), "name");
    /* Compact the list if a name was missing. */
    size_t k = 0;
    for (size_t i = 0; i < 8; i++)
        if (t->artists[i]) t->artists[k++] = t->artists[i];
    while (k < 8) t->artists[k++] = NULL;
    json_t *alb = json_object_get(j, "album");
    if (!json_is_object(alb)) alb = album;
    t->album = jstr(alb, "name");
    t->album_id = jstr(alb, "id");
    if (t->album_id && !ig_spimport_valid_id(t->album_id)) t->album_id = NULL;
    json_t *d = json_object_get(j, "duration_ms");
    if (json_is_integer(d)) t->duration_ms = (long)json_integer_value(d);
    json_t *p = json_object_get(j, "popularity");
    if (json_is_integer(p)) t->popularity = (long)json_integer_value(p);
    return 0;
}

/* Fetches and stores audio features of ids[0..n) (n <= 100). */
static int fetch_features(ig_spimport *im, const char *const *ids, size_t n, char *err,
                          size_t errlen) {
    if (!im->audio_features || n == 0) return 0;
    if (im->features_refused) return ig_spdb_audio_features(im->pg, ids, NULL, n, err, errlen);
    ig_buf url = {0};
    ig_buf_puts(&url, "/v1/audio-features?ids=");
    for (size_t i = 0; i < n; i++) {
        if (i) ig_buf_putc(&url, ',');
        ig_buf_puts(&url, ids[i]);
    }
    if (!ig_buf_cstr(&url)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    long status;
    char gerr[256];
    json_t *j = ig_spotify_get(im->api, url.p, &status, gerr, sizeof gerr);
    ig_buf_free(&url);
    if (!j) {
        if (status == 403) {
            mq_log(MQ_LOG_WARN,
                   "Spotify refuses audio features (403): recorded as unavailable; the import "
                   "goes on without them",
                   NULL);
            im->features_refused = 1;
            return ig_spdb_audio_features(im->pg, ids, NULL, n, err, errlen);
        }
        /* Anything else: features are optional; say so and go on. */
        mq_log(MQ_LOG_WARN, "cannot fetch audio features", "error", gerr, NULL);
        return 0;
    }
    json_t *arr = json_object_get(j, "audio_features");
    const char **texts = calloc(n, sizeof *texts);
    char **owned = calloc(n, sizeof *owned);
    int rc = -1;
    if (!texts || !owned) {
        snprintf(err, errlen, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            json_t *f = json_array_get(arr, i);
            /* The API answers in request order, with null for unknown ids. */
            if (json_is_object(f) && jstr(f, "id") && !strcmp(jstr(f, "id"), ids[i]))
                texts[i] = owned[i] = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(12));
        }
        rc = ig_spdb_audio_features(im->pg, ids, texts, n, err, errlen);
    }
    for (size_t i = 0; owned && i < n; i++) free(owned[i]);
    free(owned);
    free(texts);
    json_decref(j);
    return rc;
}

/* Stores tracks t[0..n) and fetches their audio features. */
static int store_tracks(ig_spimport *im, const ig_sp_track *t, size_t n, char *err, size_t errlen) {
    if (ig_spdb_tracks(im->pg, t, n, err, errlen) != 0) return -1;
    im->tracks += n;
    const char *ids[IDS_PER_FEATURES];
    size_t k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n) ids[k++] = t[i].id;
        if (k && (k == IDS_PER_FEATURES || i == n)) {
            if (fetch_features(im, ids, k, err, errlen) != 0) return -1;
            k = 0;
        }
    }
    return 0;
}

int ig_spimport_tracks(ig_spimport *im, const char *const *ids, size_t n, char *err,
                       size_t errlen) {
    for (size_t off = 0; off < n; off += IDS_PER_TRACKS) {
        size_t k = n - off < IDS_PER_TRACKS ? n - off : IDS_PER_TRACKS;
        ig_buf url = {0};
        ig_buf_puts(&url, "/v1/tracks?ids=");
        for (size_t i = 0; i < k; i++) {
            if (i) ig_buf_putc(&url, ',');
            ig_buf_puts(&url, ids[off + i]);
        }
        if (!ig_buf_cstr(&url)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        long status;
        json_t *j = ig_spotify_get(im->api, url.p, &status, err, errlen);
        ig_buf_free(&url);
        if (!j) {
            im->failed += k;
            return -1;
        }
        json_t *arr = json_object_get(j, "tracks");
        ig_sp_track t[IDS_PER_TRACKS];
        size_t m = 0;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            if (track_from_json(json_array_get(arr, i), &t[m], NULL) == 0)
                m++;
            else
                im->not_found++; /* null: an unknown id */
        }
        int rc = store_tracks(im, t, m, err, errlen);
        json_decref(j);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Follows a paging object's items through its `next` links, calling fn on each item. */
static int each_page(ig_spimport *im, json_t *page, int (*fn)(ig_spimport *, json_t *, void *),
                     void *ud, char *err, size_t errlen) {
    json_t *owned = NULL;
    int rc = 0;
    for (int n = 0; page && n < MAX_PAGES; n++) {
        json_t *items = json_object_get(page, "items");
        for (size_t i = 0; i < json_array_size(items) && rc == 0; i++)
            rc = fn(im, json_array_get(items, i), ud);
        const char *next = jstr(page, "next");
        if (rc != 0 || !next || !*next) break;
        long status;
        json_t *np = ig_spotify_get(im->api, next, &status, err, errlen);
        json_decref(owned);
        owned = page = np;
        if (!np) rc = -1;
    }
    json_decref(owned);
    return rc;
}

/* ---- albums ---- */

typedef struct idlist {
    char **v;
    size_t n, cap;
} idlist;

static int idlist_add(idlist *l, const char *id) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return -1;
        l->v = nv, l->cap = nc;
    }
    if (!(l->v[l->n] = strdup(id))) return -1;
    l->n++;
    return 0;
}

static void idlist_free(idlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

static int album_item(ig_spimport *im, json_t *item, void *ud) {
    (void)im;
    const char *id = jstr(item, "id");
    if (id && ig_spimport_valid_id(id)) return idlist_add(ud, id);
    return 0;
}

int ig_spimport_album(ig_spimport *im, const char *id, char *err, size_t errlen) {
    if (!ig_spimport_valid_id(id)) {
        snprintf(err, errlen, "not a Spotify id");
        return -1;
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/albums/%s", id);
    long status;
    json_t *a = ig_spotify_get(im->api, path, &status, err, errlen);
    if (!a) {
        if (status == 404) {
            im->not_found++;
            mq_log(MQ_LOG_WARN, "Spotify album not found", "album", id, NULL);
            return 0;
        }
        return -1;
    }
    const char *artists[8] = {0};
    json_t *arts = json_object_get(a, "artists");
    for (size_t i = 0; i < json_array_size(arts) && i < 7; i++)
        artists[i] = jstr(json_array_get(arts, i), "name");
    json_t *tot = json_object_get(a, "total_tracks");
    int rc = ig_spdb_album(im->pg, id, jstr(a, "name"), artists, jstr(a, "release_date"),
                           json_is_integer(tot) ? (long)json_integer_value(tot) : 0, err, errlen);
    idlist ids = {0};
    if (rc == 0) {
        /* Album track objects are simplified (no ISRC): collect ids, then fetch them. */
        json_t *page = json_incref(json_object_get(a, "tracks"));
        rc = each_page(im, page, album_item, &ids, err, errlen);
        json_decref(page);
    }
    if (rc == 0) rc = ig_spimport_tracks(im, (const char *const *)ids.v, ids.n, err, errlen);
    if (rc == 0) im->albums++;
    idlist_free(&ids);
    json_decref(a);
    return rc;
}

/* ---- playlists ---- */

typedef struct plist {
    ig_sp_item *items;
    size_t n, cap;
    ig_sp_track batch[100];
    size_t nbatch;
    char *err;
    size_t errlen;
} plist;

static int playlist_item(ig_spimport *im, json_t *item, void *ud) {
    plist *pl = ud;
    json_t *tr = json_object_get(item, "track");
    if (!json_is_object(tr)) return 0; /* removed track or episode without data */
    if (pl->n == pl->cap) {
        size_t nc = pl->cap ? 2 * pl->cap : 128;
        ig_sp_item *ni = realloc(pl->items, nc * sizeof *ni);
        if (!ni) {
            snprintf(pl->err, pl->errlen, "out of memory");
            return -1;
        }
        pl->items = ni, pl->cap = nc;
    }
    ig_sp_item *it = &pl->items[pl->n++];
    memset(it, 0, sizeof *it);
    it->title = jstr(tr, "name");
    it->artist = jstr(json_array_get(json_object_get(tr, "artists"), 0), "name");
    it->added_at = jstr(item, "added_at");
    ig_sp_track t;
    if (track_from_json(tr, &t, NULL) == 0 && !json_is_true(json_object_get(tr, "is_local"))) {
        it->spotify_id = t.id;
        pl->batch[pl->nbatch++] = t;
        if (pl->nbatch == 100) {
            int rc = store_tracks(im, pl->batch, pl->nbatch, pl->err, pl->errlen);
            pl->nbatch = 0;
            return rc;
        }
    }
    return 0;
}

int ig_spimport_playlist(ig_spimport *im, const char *id, char *err, size_t errlen) {
    if (!ig_spimport_valid_id(id)) {
        snprintf(err, errlen, "not a Spotify id");
        return -1;
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/playlists/%s", id);
    long status;
    json_t *p = ig_spotify_get(im->api, path, &status, err, errlen);
    if (!p) {
        if (status == 404) {
            im->not_found++;
            mq_log(MQ_LOG_WARN, "Spotify playlist not found", "playlist", id, NULL);
            return 0;
        }
        return -1;
    }
    plist *pl = calloc(1, sizeof *pl);
    if (!pl) {
        json_decref(p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pl->err = err, pl->errlen = errlen;
    /* The items' strings point into the pages: every page is kept (in `pages`) until the
     * playlist is stored. */
    json_t *pages = json_array();
    json_t *page = json_incref(json_object_get(p, "tracks"));
    int rc = pages ? 0 : -1;
    for (int n = 0; rc == 0 && page && n < MAX_PAGES; n++) {
        json_array_append(pages, page);
        json_t *items = json_object_get(page, "items");
        for (size_t i = 0; i < json_array_size(items) && rc == 0; i++)
            rc = playlist_item(im, json_array_get(items, i), pl);
        const char *next = jstr(page, "next");
        json_decref(page);
        page = NULL;
        if (rc != 0 || !next || !*next) break;
        page = ig_spotify_get(im->api, next, &status, err, errlen);
        if (!page) rc = -1;
    }
    json_decref(page);
    if (rc == 0 && pl->nbatch) rc = store_tracks(im, pl->batch, pl->nbatch, err, errlen);
    if (rc == 0) {
        json_t *owner = json_object_get(p, "owner");
        const char *oname = jstr(owner, "display_name");
        rc = ig_spdb_playlist(im->pg, id, jstr(p, "name"), oname ? oname : jstr(owner, "id"), "api",
                              pl->items, pl->n, err, errlen);
    }
    if (rc == 0) im->playlists++;
    free(pl->items);
    free(pl);
    json_decref(pages);
    json_decref(p);
    return rc;
}

/* ---- ISRC search ---- */

int ig_spimport_isrc(ig_spimport *im, const char *isrc, char *err, size_t errlen) {
    char canon[13];
    if (ig_text_isrc(isrc, canon) != 0) {
        snprintf(err, errlen, "not an ISRC: %.40s", isrc);
        return -1;
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/search?q=isrc%%3A%s&type=track&limit=10", canon);
    long status;
    json_t *j = ig_spotify_get(im->api, path, &status, err, errlen);
    if (!j) return -1;
    json_t *items = json_object_get(json_object_get(j, "tracks"), "items");
    ig_sp_track t[10];
    size_t m = 0;
    for (size_t i = 0; i < json_array_size(items) && m < 10; i++) {
        char got[13];
        if (track_from_json(json_array_get(items, i), &t[m], NULL) != 0) continue;
        /* Keep only exact ISRC matches: search is fuzzy. */
        if (t[m].isrc && ig_text_isrc(t[m].isrc, got) == 0 && !strcmp(got, canon)) m++;
    }
    if (m)
        im->isrc_found++;
    else
        im->isrc_unknown++;
    int rc = store_tracks(im, t, m, err, errlen);
    json_decref(j);
    return rc;
}

int ig_spimport_isrc_catalogue(ig_spimport *im, char *err, size_t errlen) {
    PGresult *r = ig_db_exec(im->pg,
                             "SELECT DISTINCT t.isrc FROM tracks t WHERE t.isrc IS NOT NULL"
                             " AND NOT t.missing AND NOT EXISTS (SELECT 1 FROM spotify_tracks s"
                             " WHERE s.isrc = t.isrc) ORDER BY 1",
                             0, NULL, err, errlen);
    if (!r) return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++)
        rc = ig_spimport_isrc(im, PQgetvalue(r, i, 0), err, errlen);
    PQclear(r);
    return rc;
}
