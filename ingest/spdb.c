/* spdb.c -- Spotify upserts and event inserts (see spdb.h). */
#include "ingest/spdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/db.h"
#include "ingest/pathidx.h"
#include "ingest/sqlarr.h"
#include "ingest/text.h"

/* Appends s cleaned to UTF-8 (or NULL). Returns -1 when out of memory. */
static int put_clean(ig_arr *a, const char *s) {
    if (!s) {
        ig_arr_text(a, NULL);
        return 0;
    }
    char *c = ig_text_clean(s, strlen(s), 1);
    if (!c) {
        /* NULL means blank or out of memory; blank is fine. */
        size_t n = strspn(s, " \t\r\n");
        ig_arr_text(a, NULL);
        return s[n] ? -1 : 0;
    }
    ig_arr_text(a, c);
    free(c);
    return 0;
}

/* Joins up to 8 artists with the unit separator (split again by SQL). NULL when none. */
static char *join_artists(const char *const *artists, int *oom) {
    ig_buf b = {0};
    int n = 0;
    for (int i = 0; i < 8 && artists[i]; i++) {
        char *c = ig_text_clean(artists[i], strlen(artists[i]), 1);
        if (!c) continue;
        if (n++) ig_buf_putc(&b, '\x1f');
        ig_buf_puts(&b, c);
        free(c);
    }
    if (b.oom) *oom = 1;
    if (!n || b.oom) {
        ig_buf_free(&b);
        return NULL;
    }
    return b.p;
}

static int oom_fail(char *err, size_t errlen) {
    snprintf(err, errlen, "out of memory");
    return -1;
}

int ig_spdb_tracks(PGconn *c, const ig_sp_track *t, size_t n, char *err, size_t errlen) {
    if (n == 0) return 0;
    enum { NA = 9 };
    ig_arr a[NA];
    memset(a, 0, sizeof a);
    ig_pathidx *seen = ig_pathidx_new();
    int bad = !seen, rc = -1;
    for (size_t i = 0; i < n && !bad; i++) {
        if (!t[i].id || !*t[i].id) continue;
        size_t idl = strlen(t[i].id);
        if (ig_pathidx_get(seen, t[i].id, idl)) continue; /* twice in one batch */
        if (!ig_pathidx_add(seen, t[i].id, idl)) {
            bad = 1;
            break;
        }
        char isrc[13];
        int oom = 0;
        char *artists = join_artists(t[i].artists, &oom);
        bad |= oom;
        bad |= put_clean(&a[0], t[i].id);
        ig_arr_text(&a[1], t[i].isrc && ig_text_isrc(t[i].isrc, isrc) == 0 ? isrc : NULL);
        bad |= put_clean(&a[2], t[i].title);
        ig_arr_text(&a[3], artists);
        free(artists);
        bad |= put_clean(&a[4], t[i].album);
        bad |= put_clean(&a[5], t[i].album_id);
        ig_arr_int(&a[6],
                   t[i].duration_ms > 0 && t[i].duration_ms < 1000000000 ? t[i].duration_ms : 0, 1);
        if (t[i].popularity >= 0 && t[i].popularity <= 100)
            ig_arr_int(&a[7], t[i].popularity, 0);
        else
            ig_arr_text(&a[7], NULL);
        ig_arr_text(&a[8], t[i].in_library ? "t" : "f");
    }
    const char *v[NA];
    for (int i = 0; i < NA && !bad; i++) bad = !(v[i] = ig_arr_str(&a[i]));
    if (bad) {
        oom_fail(err, errlen);
    } else if (a[0].n == 0) {
        rc = 0;
    } else {
        ig_param p[NA];
        for (int i = 0; i < NA; i++) p[i] = IG_TEXT(v[i]);
        rc = ig_db_run(c,
                       "INSERT INTO spotify_tracks AS s (spotify_id, isrc, title, artists, album,"
                       " album_id, duration_ms, popularity, in_library)"
                       " SELECT v.id, v.isrc, v.title, string_to_array(v.artists, chr(31)),"
                       " v.album, v.album_id, v.dur, v.pop, v.lib FROM unnest($1::text[],"
                       " $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],"
                       " $8::int[], $9::boolean[]) AS v(id, isrc, title, artists, album,"
                       " album_id, dur, pop, lib)"
                       " ON CONFLICT (spotify_id) DO UPDATE SET"
                       " isrc = coalesce(excluded.isrc, s.isrc),"
                       " title = coalesce(excluded.title, s.title),"
                       " artists = coalesce(excluded.artists, s.artists),"
                       " album = coalesce(excluded.album, s.album),"
                       " album_id = coalesce(excluded.album_id, s.album_id),"
                       " duration_ms = coalesce(excluded.duration_ms, s.duration_ms),"
                       " popularity = coalesce(excluded.popularity, s.popularity),"
                       " in_library = s.in_library OR excluded.in_library, updated_at = now()",
                       NA, p, err, errlen);
    }
    for (int i = 0; i < NA; i++) ig_arr_free(&a[i]);
    ig_pathidx_del(seen);
    return rc;
}

/* A cleaned copy or NULL; *oom set when the copy failed for lack of memory. */
static char *clean_or_null(const char *s, int *oom) {
    if (!s) return NULL;
    char *c = ig_text_clean(s, strlen(s), 1);
    if (!c && s[strspn(s, " \t\r\n")]) *oom = 1;
    return c;
}

int ig_spdb_album(PGconn *c, const char *id, const char *name, const char *const *artists,
                  const char *release_date, long total_tracks, char *err, size_t errlen) {
    int oom = 0;
    char *cname = clean_or_null(name, &oom), *crel = clean_or_null(release_date, &oom);
    char *joined = join_artists(artists, &oom);
    char *cid = clean_or_null(id, &oom);
    char total[24];
    snprintf(total, sizeof total, "%ld", total_tracks);
    int rc = -1;
    if (oom || !cid) {
        oom_fail(err, errlen);
    } else {
        ig_param p[5] = {IG_TEXT(cid), IG_TEXT(cname), IG_TEXT(joined), IG_TEXT(crel),
                         IG_TEXT(total_tracks > 0 ? total : NULL)};
        rc = ig_db_run(c,
                       "INSERT INTO spotify_albums AS a (album_id, name, artists, release_date,"
                       " total_tracks) VALUES ($1, $2, string_to_array($3, chr(31)), $4,"
                       " $5::int) ON CONFLICT (album_id) DO UPDATE SET"
                       " name = coalesce(excluded.name, a.name),"
                       " artists = coalesce(excluded.artists, a.artists),"
                       " release_date = coalesce(excluded.release_date, a.release_date),"
                       " total_tracks = coalesce(excluded.total_tracks, a.total_tracks),"
                       " imported_at = now()",
                       5, p, err, errlen);
    }
    free(cname), free(crel), free(joined), free(cid);
    return rc;
}

int ig_spdb_playlist(PGconn *c, const char *id, const char *name, const char *owner,
                     const char *source, const ig_sp_item *items, size_t n, char *err,
                     size_t errlen) {
    int oom = 0;
    char *cid = clean_or_null(id, &oom), *cname = clean_or_null(name, &oom);
    char *cowner = clean_or_null(owner, &oom);
    ig_arr a[5];
    memset(a, 0, sizeof a);
    for (size_t i = 0; i < n && !oom; i++) {
        ig_arr_int(&a[0], (long)i, 0);
        oom |= put_clean(&a[1], items[i].spotify_id);
        oom |= put_clean(&a[2], items[i].title);
        oom |= put_clean(&a[3], items[i].artist);
        oom |= put_clean(&a[4], items[i].added_at);
    }
    const char *v[5];
    for (int i = 0; i < 5 && !oom; i++) oom = !(v[i] = ig_arr_str(&a[i]));
    int rc = -1;
    if (oom || !cid) {
        oom_fail(err, errlen);
        goto out;
    }
    if (ig_db_begin(c, err, errlen) != 0) goto out;
    ig_param p[4] = {IG_TEXT(cid), IG_TEXT(cname), IG_TEXT(cowner), IG_TEXT(source)};
    rc = ig_db_run(c,
                   "INSERT INTO spotify_playlists AS p (playlist_id, name, owner, source)"
                   " VALUES ($1, $2, $3, $4) ON CONFLICT (playlist_id) DO UPDATE SET"
                   " name = excluded.name, owner = coalesce(excluded.owner, p.owner),"
                   " source = excluded.source, imported_at = now()",
                   4, p, err, errlen);
    if (rc == 0)
        rc = ig_db_run(c, "DELETE FROM spotify_playlist_tracks WHERE playlist_id = $1", 1, p, err,
                       errlen);
    if (rc == 0 && n) {
        ig_param q[6] = {IG_TEXT(cid),  IG_TEXT(v[0]), IG_TEXT(v[1]),
                         IG_TEXT(v[2]), IG_TEXT(v[3]), IG_TEXT(v[4])};
        rc = ig_db_run(c,
                       "INSERT INTO spotify_playlist_tracks (playlist_id, position, spotify_id,"
                       " title, artist, added_at) SELECT $1, v.pos, v.sid, v.title, v.artist,"
                       " v.added::timestamptz FROM unnest($2::int[], $3::text[], $4::text[],"
                       " $5::text[], $6::text[]) AS v(pos, sid, title, artist, added)",
                       6, q, err, errlen);
    }
    if (rc == 0) rc = ig_db_commit(c, err, errlen);
    if (rc != 0) ig_db_rollback(c);
out:
    for (int i = 0; i < 5; i++) ig_arr_free(&a[i]);
    free(cid), free(cname), free(cowner);
    return rc;
}

int ig_spdb_audio_features(PGconn *c, const char *const *ids, const char *const *json_texts,
                           size_t n, char *err, size_t errlen) {
    if (n == 0) return 0;
    ig_arr a = {0}, b = {0};
    int oom = 0;
    for (size_t i = 0; i < n; i++) {
        oom |= put_clean(&a, ids[i]);
        if (json_texts) oom |= put_clean(&b, json_texts[i]);
    }
    const char *va = ig_arr_str(&a), *vb = json_texts ? ig_arr_str(&b) : "";
    int rc = -1;
    if (oom || !va || !vb) {
        oom_fail(err, errlen);
    } else if (json_texts) {
        ig_param p[2] = {IG_TEXT(va), IG_TEXT(vb)};
        rc = ig_db_run(c,
                       "UPDATE spotify_tracks s SET audio_features = v.j::jsonb,"
                       " audio_features_status = CASE WHEN v.j IS NULL THEN 'absent' ELSE 'ok'"
                       " END, updated_at = now() FROM unnest($1::text[], $2::text[]) AS v(id, j)"
                       " WHERE s.spotify_id = v.id AND (v.j IS NOT NULL OR s.audio_features IS"
                       " NULL)",
                       2, p, err, errlen);
    } else {
        ig_param p[1] = {IG_TEXT(va)};
        rc = ig_db_run(c,
                       "UPDATE spotify_tracks SET audio_features_status = 'unavailable',"
                       " updated_at = now() WHERE spotify_id = ANY($1::text[])"
                       " AND audio_features IS NULL",
                       1, p, err, errlen);
    }
    ig_arr_free(&a);
    ig_arr_free(&b);
    return rc;
}

int ig_spdb_events(PGconn *c, const ig_sp_event *e, size_t n, size_t *inserted, char *err,
                   size_t errlen) {
    *inserted = 0;
    if (n == 0) return 0;
    enum { NA = 8 };
    ig_arr a[NA];
    memset(a, 0, sizeof a);
    /* One row per event id: a later skip upgrades an earlier play of the same event. The
     * set's track_id field holds the index of an id's first event. */
    ig_pathidx *seen = ig_pathidx_new();
    int *keep = calloc(n, sizeof *keep);
    int oom = !seen || !keep, rc = -1;
    for (size_t i = 0; i < n && !oom; i++) {
        size_t l = strlen(e[i].event_id);
        ig_pathent *p = ig_pathidx_get(seen, e[i].event_id, l);
        if (p) {
            if (!strcmp(e[i].type, "skip")) keep[p->track_id] = 2; /* first one, as a skip */
            continue;
        }
        if (!(p = ig_pathidx_add(seen, e[i].event_id, l))) {
            oom = 1;
            break;
        }
        p->track_id = (int64_t)i;
        keep[i] = 1;
    }
    for (size_t i = 0; i < n && !oom; i++) {
        if (!keep[i]) continue;
        ig_arr_text(&a[0], e[i].event_id);
        oom |= put_clean(&a[1], e[i].user_id);
        ig_arr_text(&a[2], keep[i] == 2 ? "skip" : e[i].type);
        ig_arr_real(&a[3], e[i].position_s);
        ig_arr_text(&a[4], e[i].occurred_at);
        oom |= put_clean(&a[5], e[i].spotify_id);
        oom |= put_clean(&a[6], e[i].artist);
        oom |= put_clean(&a[7], e[i].title);
    }
    const char *v[NA];
    for (int i = 0; i < NA && !oom; i++) oom = !(v[i] = ig_arr_str(&a[i]));
    if (oom) {
        oom_fail(err, errlen);
    } else {
        ig_param p[NA];
        for (int i = 0; i < NA; i++) p[i] = IG_TEXT(v[i]);
        PGresult *r = ig_db_exec(
            c,
            "INSERT INTO user_feedback AS f (event_id, user_id, event_type, position_s,"
            " occurred_at, source, spotify_id, item_artist, item_title)"
            " SELECT v.eid, v.uid, v.typ, v.pos, v.at::timestamptz, 'spotify_export', v.sid,"
            " v.artist, v.title FROM unnest($1::text[], $2::text[], $3::text[], $4::real[],"
            " $5::text[], $6::text[], $7::text[], $8::text[])"
            " AS v(eid, uid, typ, pos, at, sid, artist, title)"
            " ON CONFLICT (event_id) DO UPDATE SET"
            " event_type = CASE WHEN excluded.event_type = 'skip' THEN 'skip'"
            " ELSE f.event_type END, spotify_id = coalesce(f.spotify_id, excluded.spotify_id)"
            " WHERE f.source = 'spotify_export' AND ((excluded.event_type = 'skip'"
            " AND f.event_type = 'play') OR (f.spotify_id IS NULL"
            " AND excluded.spotify_id IS NOT NULL))"
            " RETURNING (xmax = 0)",
            NA, p, err, errlen);
        if (r) {
            for (int i = 0; i < PQntuples(r); i++)
                if (PQgetvalue(r, i, 0)[0] == 't') (*inserted)++;
            PQclear(r);
            rc = 0;
        }
    }
    for (int i = 0; i < NA; i++) ig_arr_free(&a[i]);
    ig_pathidx_del(seen);
    free(keep);
    return rc;
}
