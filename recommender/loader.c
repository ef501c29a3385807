/* loader.c -- streaming binary queries of tracks and feedback (see loader.h). */
#include "recommender/loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recommender/compat.h"
#include "recommender/pgbin.h"

#define MAX_EMB_IN 4096 /* embedding values read; wider embeddings are ignored */

static const char track_sql[] =
    "SELECT t.id, t.title, t.artist, t.album, f.tempo_bpm, f.camelot, f.key_tonic, f.key_mode,"
    " f.energy, f.loudness_lufs, f.mfcc_mean, f.chroma, f.embedding,"
    " ARRAY(SELECT g.tag FROM track_tags g WHERE g.track_id = t.id"
    "   AND g.analyzer_version = f.analyzer_version AND g.probability >= 0.3"
    "   ORDER BY g.probability DESC, g.tag LIMIT 8) AS tags"
    " FROM tracks t JOIN LATERAL ("
    "   SELECT x.analyzer_version, x.tempo_bpm, x.camelot, x.key_tonic, x.key_mode, x.energy,"
    "   x.loudness_lufs, x.mfcc_mean, x.chroma, x.embedding, x.analyzed_at"
    "   FROM track_features x WHERE x.track_id = t.id"
    "   ORDER BY x.analyzed_at DESC, x.analyzer_version DESC LIMIT 1) f ON true"
    " WHERE NOT t.missing";

static const char feedback_sql[] =
    "SELECT id, user_id, current_track_id, next_track_id, event_type, rating, position_s"
    " FROM user_feedback";

static void set_err(char *err, size_t len, const char *what, PGconn *c) {
    snprintf(err, len, "%s: %s", what, PQerrorMessage(c));
    size_t n = strlen(err);
    while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')) err[--n] = 0;
}

/* "{1,2,3}": ids[0..n) as a PostgreSQL array literal; NULL when out of memory. */
static char *id_array(const int64_t *ids, size_t n) {
    char *s = malloc(n * 21 + 3);
    if (!s) return NULL;
    size_t k = 0;
    s[k++] = '{';
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, i ? ",%lld" : "%lld", (long long)ids[i]);
    s[k++] = '}';
    s[k] = 0;
    return s;
}

typedef int (*row_fn)(const PGresult *r, void *ud);

/* Runs sql (with an optional single parameter) in single-row mode, calling fn per row.
 * Returns rows, or -1 with err set. */
static long stream(PGconn *c, const char *sql, const char *param, row_fn fn, void *ud, char *err,
                   size_t errlen) {
    const char *params[1] = {param};
    if (!PQsendQueryParams(c, sql, param ? 1 : 0, NULL, params, NULL, NULL, 1)) {
        set_err(err, errlen, "query failed", c);
        return -1;
    }
    if (!PQsetSingleRowMode(c)) {
        set_err(err, errlen, "single-row mode failed", c);
        /* Drain: the query runs anyway. */
        PGresult *r;
        while ((r = PQgetResult(c))) PQclear(r);
        return -1;
    }
    long rows = 0, rc = 0;
    PGresult *r;
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (rc == 0 && fn(r, ud) != 0) {
                snprintf(err, errlen, "out of memory while loading");
                rc = -1;
            }
            rows++;
        } else if (st != PGRES_TUPLES_OK && rc == 0) {
            set_err(err, errlen, "query failed", c);
            rc = -1;
        }
        PQclear(r);
    }
    return rc < 0 ? -1 : rows;
}

typedef struct track_load {
    rec_store *s;
    float *emb;
    int64_t *found; /* ids seen, in id-list mode */
    size_t nfound;
} track_load;

static int track_row(const PGresult *r, void *ud) {
    track_load *L = ud;
    rec_track_in t;
    memset(&t, 0, sizeof t);
    if (rec_pgbin_int(r, 0, 0, &t.id) != 0) return 0;
    t.title = rec_pgbin_text(r, 0, 1);
    t.artist = rec_pgbin_text(r, 0, 2);
    t.album = rec_pgbin_text(r, 0, 3);
    if (rec_pgbin_float(r, 0, 4, &t.tempo) != 0) t.tempo = NAN;
    t.key = rec_key_parse(rec_pgbin_text(r, 0, 5));
    int64_t tonic;
    const char *mode = rec_pgbin_text(r, 0, 7);
    if (t.key == REC_KEY_NONE && rec_pgbin_int(r, 0, 6, &tonic) == 0 && mode)
        t.key = rec_key_from_tonic((int)tonic, !strcmp(mode, "major"));
    if (rec_pgbin_float(r, 0, 8, &t.energy) != 0) t.energy = NAN;
    if (rec_pgbin_float(r, 0, 9, &t.loudness) != 0) t.loudness = NAN;
    float mfcc[32], chroma[32];
    int n = rec_pgbin_float_array(r, 0, 10, mfcc, 32);
    if (n > 0 && n <= 32) {
        t.mfcc = mfcc;
        t.n_mfcc = (size_t)n;
    }
    n = rec_pgbin_float_array(r, 0, 11, chroma, 32);
    if (n > 0 && n <= 32) {
        t.chroma = chroma;
        t.n_chroma = (size_t)n;
    }
    n = rec_pgbin_float_array(r, 0, 12, L->emb, MAX_EMB_IN);
    if (n > 0 && n <= MAX_EMB_IN) {
        t.embedding = L->emb;
        t.n_embedding = (size_t)n;
    }
    const char *tags[8];
    char buf[1024];
    n = rec_pgbin_text_array(r, 0, 13, tags, 8, buf, sizeof buf);
    for (int i = 0; i < n && t.n_tags < REC_MAX_TAGS; i++) {
        int dup = 0;
        for (int j = 0; j < t.n_tags; j++) dup |= !strcmp(t.tags[j], tags[i]);
        if (!dup) t.tags[t.n_tags++] = tags[i];
    }
    if (L->found) L->found[L->nfound++] = t.id;
    rec_store_write(L->s);
    int rc = rec_store_put_track(L->s, &t);
    rec_store_unlock(L->s);
    return rc;
}

static int id_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

long rec_load_tracks(PGconn *c, rec_store *s, const int64_t *ids, size_t n, const char *since,
                     char *err, size_t errlen) {
    track_load L = {.s = s};
    L.emb = malloc(MAX_EMB_IN * sizeof *L.emb);
    if (!L.emb) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char sql[sizeof track_sql + 128];
    long total = 0;
    if (!ids) {
        snprintf(sql, sizeof sql, "%s%s", track_sql,
                 since ? " AND (f.analyzed_at >= $1::timestamptz OR t.updated_at >= "
                         "$1::timestamptz)"
                       : "");
        total = stream(c, sql, since, track_row, &L, err, errlen);
        free(L.emb);
        return total;
    }
    snprintf(sql, sizeof sql, "%s AND t.id = ANY($1::bigint[])", track_sql);
    L.found = malloc(REC_LOAD_CHUNK * sizeof *L.found);
    if (!L.found) {
        free(L.emb);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t at = 0; at < n && total >= 0; at += REC_LOAD_CHUNK) {
        size_t k = n - at < REC_LOAD_CHUNK ? n - at : REC_LOAD_CHUNK;
        char *arr = id_array(ids + at, k);
        if (!arr) {
            snprintf(err, errlen, "out of memory");
            total = -1;
            break;
        }
        L.nfound = 0;
        long got = stream(c, sql, arr, track_row, &L, err, errlen);
        free(arr);
        if (got < 0) {
            total = -1;
            break;
        }
        total += got;
        /* Asked for but not returned: gone, missing or without features. */
        qsort(L.found, L.nfound, sizeof *L.found, id_cmp);
        rec_store_write(s);
        for (size_t i = 0; i < k; i++)
            if (!bsearch(&ids[at + i], L.found, L.nfound, sizeof *L.found, id_cmp))
                rec_index_remove(s->index, ids[at + i]);
        rec_store_unlock(s);
    }
    free(L.found);
    free(L.emb);
    return total;
}

static int feedback_row(const PGresult *r, void *ud) {
    rec_store *s = ud;
    rec_event e;
    memset(&e, 0, sizeof e);
    if (rec_pgbin_int(r, 0, 0, &e.row_id) != 0) return 0;
    e.user = rec_pgbin_text(r, 0, 1);
    if (rec_pgbin_int(r, 0, 2, &e.from) != 0) e.from = 0;
    if (rec_pgbin_int(r, 0, 3, &e.to) != 0) e.to = 0;
    int type = rec_event_type_parse(rec_pgbin_text(r, 0, 4));
    if (type < 0) return 0;
    e.type = (rec_event_type)type;
    if (rec_pgbin_float(r, 0, 5, &e.rating) != 0) e.rating = NAN;
    if (rec_pgbin_float(r, 0, 6, &e.position) != 0) e.position = NAN;
    rec_store_write(s);
    int rc = rec_store_apply_event(s, &e);
    rec_store_unlock(s);
    return rc < 0 ? -1 : 0;
}

long rec_load_feedback(PGconn *c, rec_store *s, const int64_t *ids, size_t n, const char *since,
                       char *err, size_t errlen) {
    char sql[sizeof feedback_sql + 64];
    if (!ids) {
        snprintf(sql, sizeof sql, "%s%s ORDER BY id", feedback_sql,
                 since ? " WHERE received_at >= $1::timestamptz" : "");
        return stream(c, sql, since, feedback_row, s, err, errlen);
    }
    snprintf(sql, sizeof sql, "%s WHERE id = ANY($1::bigint[]) ORDER BY id", feedback_sql);
    long total = 0;
    for (size_t at = 0; at < n; at += REC_LOAD_CHUNK) {
        size_t k = n - at < REC_LOAD_CHUNK ? n - at : REC_LOAD_CHUNK;
        char *arr = id_array(ids + at, k);
        if (!arr) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        long got = stream(c, sql, arr, feedback_row, s, err, errlen);
        free(arr);
        if (got < 0) return -1;
        total += got;
    }
    return total;
}

int rec_load_now(PGconn *c, char *buf, size_t len, char *err, size_t errlen) {
    PGresult *r = PQexec(c, "SELECT now()::text");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        set_err(err, errlen, "SELECT now() failed", c);
        PQclear(r);
        return -1;
    }
    snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}
