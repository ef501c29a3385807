/* link.c -- ISRC and artist/title/duration matching (see link.h). */
#include "ingest/link.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/log.h"
#include "ingest/db.h"
#include "ingest/pathidx.h"
#include "ingest/sqlarr.h"
#include "ingest/text.h"

#define PAGE 10000

/* Local tracks by normalised "artist \x1f title": each key's candidates. */
typedef struct cand {
    int64_t id;
    double duration_s;
} cand;

typedef struct bucket {
    cand *c;
    size_t n, cap;
} bucket;

typedef struct names {
    ig_pathidx *keys; /* key -> bucket index (in the entry's track_id) */
    bucket *b;
    size_t nb, capb;
} names;

/* The key of an artist and a title, malloc'd; NULL when either normalises to nothing. */
static char *key_of(const char *artist, const char *title) {
    char *a = ig_text_artist_key(artist), *t = ig_text_title_key(title);
    char *k = NULL;
    if (a && t && *a && *t) {
        size_t n = strlen(a) + strlen(t) + 2;
        if ((k = malloc(n))) snprintf(k, n, "%s\x1f%s", a, t);
    }
    free(a), free(t);
    return k;
}

static int names_add(names *m, const char *artist, const char *title, int64_t id, double dur) {
    if (!artist || !title) return 0;
    char *k = key_of(artist, title);
    if (!k) return 0;
    size_t kl = strlen(k);
    ig_pathent *e = ig_pathidx_get(m->keys, k, kl);
    if (!e) {
        if (m->nb == m->capb) {
            size_t nc = m->capb ? 2 * m->capb : 1024;
            bucket *nbk = realloc(m->b, nc * sizeof *nbk);
            if (!nbk) {
                free(k);
                return -1;
            }
            m->b = nbk, m->capb = nc;
        }
        if (!(e = ig_pathidx_add(m->keys, k, kl))) {
            free(k);
            return -1;
        }
        memset(&m->b[m->nb], 0, sizeof m->b[0]);
        e->track_id = (int64_t)m->nb++;
    }
    free(k);
    bucket *b = &m->b[e->track_id];
    for (size_t i = 0; i < b->n; i++)
        if (b->c[i].id == id) return 0; /* the same track under its artist and album artist */
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 2;
        cand *ncd = realloc(b->c, nc * sizeof *ncd);
        if (!ncd) return -1;
        b->c = ncd, b->cap = nc;
    }
    b->c[b->n++] = (cand){id, dur};
    return 0;
}

static const bucket *names_get(const names *m, const char *artist, const char *title) {
    if (!artist || !title) return NULL;
    char *k = key_of(artist, title);
    if (!k) return NULL;
    ig_pathent *e = ig_pathidx_get(m->keys, k, strlen(k));
    free(k);
    return e ? &m->b[e->track_id] : NULL;
}

static void names_free(names *m) {
    for (size_t i = 0; i < m->nb; i++) free(m->b[i].c);
    free(m->b);
    ig_pathidx_del(m->keys);
}

static int load_names(PGconn *c, names *m, char *err, size_t errlen) {
    if (!(m->keys = ig_pathidx_new())) goto oom;
    PGresult *r = ig_db_exec(c,
                             "SELECT id, artist, album_artist, title, duration_s FROM tracks"
                             " WHERE NOT missing AND title IS NOT NULL"
                             " AND (artist IS NOT NULL OR album_artist IS NOT NULL)",
                             0, NULL, err, errlen);
    if (!r) return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        int64_t id = ig_db_int(r, i, 0);
        double d = ig_db_double(r, i, 4);
        const char *title = ig_db_text(r, i, 3);
        rc = names_add(m, ig_db_text(r, i, 1), title, id, d);
        if (rc == 0) rc = names_add(m, ig_db_text(r, i, 2), title, id, d);
    }
    PQclear(r);
    if (rc == 0) return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* A growable id list. */
typedef struct ids {
    int64_t *v;
    size_t n, cap;
} ids;

static int ids_add(ids *l, int64_t v) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 256;
        int64_t *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return -1;
        l->v = nv, l->cap = nc;
    }
    l->v[l->n++] = v;
    return 0;
}

static int by_isrc(PGconn *c, ids *linked, ig_link_stats *st, char *err, size_t errlen) {
    PGresult *r = ig_db_exec(c,
                             "UPDATE spotify_tracks s SET track_id = t.id, match_method = 'isrc'"
                             " FROM (SELECT DISTINCT ON (isrc) isrc, id FROM tracks"
                             " WHERE isrc IS NOT NULL AND NOT missing ORDER BY isrc, id) t"
                             " WHERE s.track_id IS NULL AND s.isrc = t.isrc"
                             " RETURNING s.track_id",
                             0, NULL, err, errlen);
    if (!r) return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) rc = ids_add(linked, ig_db_int(r, i, 0));
    st->by_isrc += (unsigned long)PQntuples(r);
    PQclear(r);
    if (rc) snprintf(err, errlen, "out of memory");
    return rc;
}

/* Sets spotify_tracks' links for the triples in a/b/m (Spotify ids, track ids,
 * methods). */
static int write_links(PGconn *c, ig_arr *a, ig_arr *b, ig_arr *m, char *err, size_t errlen) {
    if (a->n == 0) return 0;
    const char *va = ig_arr_str(a), *vb = ig_arr_str(b), *vm = ig_arr_str(m);
    if (!va || !vb || !vm) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[3] = {IG_TEXT(va), IG_TEXT(vb), IG_TEXT(vm)};
    int rc = ig_db_run(c,
                       "UPDATE spotify_tracks s SET track_id = v.tid, match_method = v.how"
                       " FROM unnest($1::text[], $2::int8[], $3::text[]) AS v(sid, tid, how)"
                       " WHERE s.spotify_id = v.sid AND s.track_id IS NULL",
                       3, p, err, errlen);
    ig_arr_reset(a);
    ig_arr_reset(b);
    ig_arr_reset(m);
    return rc;
}

static int by_name(PGconn *c, const names *m, ids *linked, ig_link_stats *st, char *err,
                   size_t errlen) {
    PGresult *r = ig_db_exec(c,
                             "SELECT spotify_id, artists[1], title, duration_ms"
                             " FROM spotify_tracks WHERE track_id IS NULL",
                             0, NULL, err, errlen);
    if (!r) return -1;
    ig_arr a = {0}, b = {0}, how = {0};
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        const bucket *bk = names_get(m, ig_db_text(r, i, 1), ig_db_text(r, i, 2));
        int known = !PQgetisnull(r, i, 3);
        double dur = known ? ig_db_int(r, i, 3) / 1000.0 : NAN;
        int64_t best = 0;
        double best_diff = IG_LINK_MAX_DURATION_DIFF_S;
        for (size_t k = 0; known && bk && k < bk->n; k++) {
            double diff = fabs(bk->c[k].duration_s - dur);
            if (!isnan(diff) && diff <= best_diff) best_diff = diff, best = bk->c[k].id;
        }
        /* Exports give no duration: then only a name that one local track has links. */
        if (!known && bk && bk->n == 1) best = bk->c[0].id;
        if (!best) {
            st->unmatched++;
            continue;
        }
        ig_arr_text(&a, PQgetvalue(r, i, 0));
        ig_arr_int8(&b, best);
        ig_arr_text(&how, known ? "artist_title_duration" : "artist_title");
        st->by_name++;
        if (ids_add(linked, best) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        if (rc == 0 && a.n == 1000) rc = write_links(c, &a, &b, &how, err, errlen);
    }
    if (rc == 0) rc = write_links(c, &a, &b, &how, err, errlen);
    ig_arr_free(&a);
    ig_arr_free(&b);
    ig_arr_free(&how);
    PQclear(r);
    return rc;
}

static int link_events(PGconn *c, const names *m, ig_link_stats *st, char *err, size_t errlen) {
    PGresult *r = ig_db_exec(c,
                             "UPDATE user_feedback f SET current_track_id = s.track_id"
                             " FROM spotify_tracks s WHERE f.source = 'spotify_export'"
                             " AND f.current_track_id IS NULL AND f.spotify_id = s.spotify_id"
                             " AND s.track_id IS NOT NULL",
                             0, NULL, err, errlen);
    if (!r) return -1;
    st->events_linked += strtoul(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    /* Events that name no Spotify track (basic history), or one that matched nothing: by
     * artist and title, when exactly one local track has them. In pages by id. */
    int64_t last = 0;
    for (;;) {
        char lastbuf[24];
        snprintf(lastbuf, sizeof lastbuf, "%" PRId64, last);
        ig_param p[1] = {IG_TEXT(lastbuf)};
        r = ig_db_exec(c,
                       "SELECT id, item_artist, item_title FROM user_feedback"
                       " WHERE source = 'spotify_export' AND current_track_id IS NULL"
                       " AND id > $1::int8 ORDER BY id LIMIT 10000",
                       1, p, err, errlen);
        if (!r) return -1;
        int n = PQntuples(r);
        ig_arr a = {0}, b = {0};
        for (int i = 0; i < n; i++) {
            last = ig_db_int(r, i, 0);
            const bucket *bk = names_get(m, ig_db_text(r, i, 1), ig_db_text(r, i, 2));
            if (!bk || bk->n != 1) continue;
            ig_arr_int8(&a, last);
            ig_arr_int8(&b, bk->c[0].id);
        }
        PQclear(r);
        int rc = 0;
        if (a.n) {
            const char *va = ig_arr_str(&a), *vb = ig_arr_str(&b);
            if (!va || !vb) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            } else {
                ig_param q[2] = {IG_TEXT(va), IG_TEXT(vb)};
                rc = ig_db_run(c,
                               "UPDATE user_feedback f SET current_track_id = v.tid"
                               " FROM unnest($1::int8[], $2::int8[]) AS v(fid, tid)"
                               " WHERE f.id = v.fid",
                               2, q, err, errlen);
                st->events_linked += a.n;
            }
        }
        ig_arr_free(&a);
        ig_arr_free(&b);
        if (rc != 0) return -1;
        if (n < PAGE) return 0;
    }
}

int ig_link_run(PGconn *c, const ig_jobs *j, int relink, ig_link_stats *st, char *err,
                size_t errlen) {
    memset(st, 0, sizeof *st);
    if (relink && (ig_db_run(c, "UPDATE spotify_tracks SET track_id = NULL, match_method = NULL", 0,
                             NULL, err, errlen) != 0 ||
                   ig_db_run(c,
                             "UPDATE user_feedback SET current_track_id = NULL"
                             " WHERE source = 'spotify_export'",
                             0, NULL, err, errlen) != 0))
        return -1;
    names m = {0};
    ids linked = {0};
    int rc = by_isrc(c, &linked, st, err, errlen);
    if (rc == 0) rc = load_names(c, &m, err, errlen);
    if (rc == 0) rc = by_name(c, &m, &linked, st, err, errlen);
    if (rc == 0) rc = link_events(c, &m, st, err, errlen);
    size_t count = 0;
    if (rc == 0) rc = ig_jobs_for_tracks(j, linked.v, linked.n, &count, err, errlen);
    st->jobs = count;
    names_free(&m);
    free(linked.v);
    return rc;
}

/* ---- the report ---- */

static json_t *jtext(const PGresult *r, int row, int col) {
    const char *s = ig_db_text(r, row, col);
    return s ? json_string(s) : json_null();
}

int ig_link_report(PGconn *c, FILE *out, int unmatched_only, char *err, size_t errlen) {
    const char *sql = unmatched_only
                          ? "SELECT s.spotify_id, s.title, array_to_json(s.artists)::text, s.isrc,"
                            " s.duration_ms, s.track_id, s.match_method, t.uri, t.title,"
                            " t.artist FROM spotify_tracks s LEFT JOIN tracks t"
                            " ON t.id = s.track_id WHERE s.track_id IS NULL"
                            " ORDER BY s.spotify_id"
                          : "SELECT s.spotify_id, s.title, array_to_json(s.artists)::text, s.isrc,"
                            " s.duration_ms, s.track_id, s.match_method, t.uri, t.title,"
                            " t.artist FROM spotify_tracks s LEFT JOIN tracks t"
                            " ON t.id = s.track_id ORDER BY s.track_id IS NULL, s.spotify_id";
    if (!PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) || !PQsetSingleRowMode(c)) {
        snprintf(err, errlen, "report query: %s", PQerrorMessage(c));
        return -1;
    }
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            json_t *o = json_object();
            if (o) {
                int matched = !PQgetisnull(r, 0, 5);
                json_object_set_new(o, "spotify_id", jtext(r, 0, 0));
                json_object_set_new(o, "title", jtext(r, 0, 1));
                const char *arts = ig_db_text(r, 0, 2);
                json_t *ja = arts ? json_loads(arts, 0, NULL) : NULL;
                json_object_set_new(o, "artists", ja ? ja : json_array());
                json_object_set_new(o, "isrc", jtext(r, 0, 3));
                json_object_set_new(o, "duration_s",
                                    PQgetisnull(r, 0, 4)
                                        ? json_null()
                                        : mq_json_round(ig_db_int(r, 0, 4) / 1000.0, 3));
                json_object_set_new(o, "matched", json_boolean(matched));
                if (matched) {
                    json_object_set_new(o, "method", jtext(r, 0, 6));
                    json_object_set_new(o, "track_id", json_integer(ig_db_int(r, 0, 5)));
                    json_object_set_new(o, "local_uri", jtext(r, 0, 7));
                    json_object_set_new(o, "local_title", jtext(r, 0, 8));
                    json_object_set_new(o, "local_artist", jtext(r, 0, 9));
                }
                mq_json_write_line(o, out);
                json_decref(o);
            }
        } else if (st != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "report query: %s", PQresultErrorMessage(r));
            rc = -1;
        }
        PQclear(r);
    }
    if (rc != 0) return -1;
    PGresult *s = ig_db_exec(
        c,
        "SELECT (SELECT count(*) FROM spotify_tracks),"
        " (SELECT count(*) FROM spotify_tracks WHERE match_method = 'isrc'),"
        " (SELECT count(*) FROM spotify_tracks WHERE match_method LIKE 'artist_title%'),"
        " (SELECT count(*) FROM spotify_tracks WHERE track_id IS NULL),"
        " (SELECT count(*) FROM spotify_playlists),"
        " (SELECT count(*) FROM user_feedback WHERE source = 'spotify_export'),"
        " (SELECT count(*) FROM user_feedback WHERE source = 'spotify_export'"
        "  AND current_track_id IS NOT NULL),"
        " (SELECT count(*) FROM spotify_tracks WHERE audio_features_status = 'ok'),"
        " (SELECT count(*) FROM spotify_tracks WHERE audio_features_status = 'unavailable')",
        0, NULL, err, errlen);
    if (!s) return -1;
    static const char *const names_[] = {"spotify_tracks",
                                         "matched_by_isrc",
                                         "matched_by_artist_title",
                                         "unmatched",
                                         "playlists",
                                         "listening_events",
                                         "listening_events_linked",
                                         "audio_features_ok",
                                         "audio_features_unavailable"};
    json_t *o = json_object();
    if (o) {
        json_object_set_new(o, "summary", json_string("spotify report"));
        for (int i = 0; i < 9; i++)
            json_object_set_new(o, names_[i], json_integer(ig_db_int(s, 0, i)));
        mq_json_write_line(o, out);
        json_decref(o);
    }
    PQclear(s);
    return 0;
}
