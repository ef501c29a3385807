/* catalog.c -- batched catalogue writes (see catalog.h). */
#include "ingest/catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fetch.h"
#include "ingest/db.h"
#include "ingest/sqlarr.h"

/* The three parameters of a scope: the root itself, root + "/" and root + "0" (the byte
 * after '/'), so that `path = $1 OR (path >= $2 AND path < $3)` is the subtree. */
typedef struct range {
    char *lo, *hi;
    size_t lo_len, hi_len;
} range;

static int range_make(ig_scope s, range *r) {
    size_t base = (s.len == 1 && s.root[0] == '/') ? 0 : s.len;
    r->lo = malloc(base + 1);
    r->hi = malloc(base + 1);
    if (!r->lo || !r->hi) {
        free(r->lo), free(r->hi);
        return -1;
    }
    memcpy(r->lo, s.root, base);
    memcpy(r->hi, s.root, base);
    r->lo[base] = '/';
    r->hi[base] = '0';
    r->lo_len = r->hi_len = base + 1;
    return 0;
}

static void range_free(range *r) { free(r->lo), free(r->hi); }

int ig_cat_load_index(PGconn *c, ig_scope scope, ig_pathidx *idx, char *err, size_t errlen) {
    range r;
    if (range_make(scope, &r) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[3] = {IG_BYTES(scope.root, scope.len), IG_BYTES(r.lo, r.lo_len),
                     IG_BYTES(r.hi, r.hi_len)};
    PGresult *res = ig_db_exec(c,
                               "SELECT path, size_bytes, mtime_ns, track_id, missing"
                               " FROM track_paths"
                               " WHERE path = $1 OR (path >= $2 AND path < $3)",
                               3, p, err, errlen);
    range_free(&r);
    if (!res) return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        size_t len;
        char *path = ig_db_bytea(res, i, 0, &len);
        ig_pathent *e = path ? ig_pathidx_add(idx, path, len) : NULL;
        if (!e) {
            snprintf(err, errlen, "out of memory loading the path index");
            rc = -1;
        } else {
            e->size = ig_db_int(res, i, 1);
            e->mtime_ns = ig_db_int(res, i, 2);
            e->track_id = ig_db_int(res, i, 3);
            e->missing = PQgetvalue(res, i, 4)[0] == 't';
        }
        free(path);
    }
    PQclear(res);
    return rc;
}

int ig_cat_lookup(PGconn *c, const char *path, size_t len, ig_pathent *e, char *err,
                  size_t errlen) {
    ig_param p[1] = {IG_BYTES(path, len)};
    PGresult *r = ig_db_exec(
        c, "SELECT size_bytes, mtime_ns, track_id, missing FROM track_paths WHERE path = $1", 1, p,
        err, errlen);
    if (!r) return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        memset(e, 0, sizeof *e);
        e->size = ig_db_int(r, 0, 0);
        e->mtime_ns = ig_db_int(r, 0, 1);
        e->track_id = ig_db_int(r, 0, 2);
        e->missing = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return found;
}

/* Brings tracks ids[0..n) in line with their paths: missing when no path is live, else
 * present with the URI of their first live path. Runs inside the caller's transaction. */
static int fix_tracks(PGconn *c, const int64_t *ids, size_t n, char *err, size_t errlen) {
    if (n == 0) return 0;
    ig_arr a = {0}, b = {0};
    for (size_t i = 0; i < n; i++) ig_arr_int8(&a, ids[i]);
    const char *idarr = ig_arr_str(&a);
    if (!idarr) {
        ig_arr_free(&a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[2] = {IG_TEXT(idarr), IG_TEXT(NULL)};
    PGresult *r = ig_db_exec(c,
                             "SELECT t.id, l.path FROM tracks t LEFT JOIN ("
                             " SELECT DISTINCT ON (track_id) track_id, path FROM track_paths"
                             " WHERE track_id = ANY($1::int8[]) AND NOT missing"
                             " ORDER BY track_id, path) l ON l.track_id = t.id"
                             " WHERE t.id = ANY($1::int8[])",
                             1, p, err, errlen);
    int rc = r ? 0 : -1;
    ig_arr_reset(&a);
    for (int i = 0; r && i < PQntuples(r) && rc == 0; i++) {
        size_t len;
        char *path = ig_db_bytea(r, i, 1, &len);
        char *uri = path ? mq_file_uri(path) : NULL;
        if (path && !uri) rc = -1;
        ig_arr_int8(&a, ig_db_int(r, i, 0));
        ig_arr_text(&b, uri);
        free(uri);
        free(path);
    }
    if (r) PQclear(r);
    const char *ids_s = ig_arr_str(&a), *uris_s = ig_arr_str(&b);
    if (rc == 0 && (!ids_s || !uris_s)) rc = -1;
    if (rc != 0 && r) snprintf(err, errlen, "out of memory");
    if (rc == 0) {
        p[0] = IG_TEXT(ids_s);
        p[1] = IG_TEXT(uris_s);
        rc = ig_db_run(c,
                       "UPDATE tracks t SET missing = v.uri IS NULL,"
                       " uri = coalesce(v.uri, t.uri), updated_at = now()"
                       " FROM unnest($1::int8[], $2::text[]) AS v(id, uri)"
                       " WHERE t.id = v.id AND (t.missing <> (v.uri IS NULL)"
                       " OR t.uri <> coalesce(v.uri, t.uri))",
                       2, p, err, errlen);
    }
    ig_arr_free(&a);
    ig_arr_free(&b);
    return rc;
}

/* A growable list of track ids. */
typedef struct idlist {
    int64_t *v;
    size_t n, cap;
} idlist;

static int idlist_add(idlist *l, int64_t id) {
    for (size_t i = l->n; i > 0 && i + 8 > l->n; i--) /* cheap check of recent ones */
        if (l->v[i - 1] == id) return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        int64_t *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return -1;
        l->v = nv, l->cap = nc;
    }
    l->v[l->n++] = id;
    return 0;
}

/* Collects column 0 of r (track ids) into l. */
static int idlist_from(idlist *l, PGresult *r) {
    for (int i = 0; i < PQntuples(r); i++)
        if (!PQgetisnull(r, i, 0) && idlist_add(l, ig_db_int(r, i, 0)) != 0) return -1;
    return 0;
}

typedef struct hashid {
    mq_hash128 h;
    int64_t id;
    int inserted;
} hashid;

static int cmp_hashid(const void *a, const void *b) {
    return memcmp(((const hashid *)a)->h.b, ((const hashid *)b)->h.b, MQ_HASH_LEN);
}

/* Builds the tracks upsert's 15 array parameters from the distinct contents of recs. */
static int track_arrays(ig_filerec *recs, size_t n, ig_arr *a) {
    for (size_t i = 0; i < n; i++) {
        int dup = 0; /* one row per content: the first path of a content in the batch */
        for (size_t k = 0; k < i && !dup; k++)
            dup = !memcmp(recs[k].hash.b, recs[i].hash.b, MQ_HASH_LEN);
        if (dup) continue;
        const ig_filerec *f = &recs[i];
        const ig_tags *t = f->tags;
        char *uri = mq_file_uri(f->path);
        if (!uri) return -1;
        ig_arr_bytea(&a[0], f->hash.b, MQ_HASH_LEN);
        ig_arr_text(&a[1], uri);
        free(uri);
        ig_arr_int8(&a[2], f->size);
        ig_arr_real(&a[3], t ? t->duration_s : NAN);
        ig_arr_text(&a[4], t ? t->title : NULL);
        ig_arr_text(&a[5], t ? t->artist : NULL);
        ig_arr_text(&a[6], t ? t->album : NULL);
        ig_arr_text(&a[7], t ? t->album_artist : NULL);
        ig_arr_int(&a[8], t ? t->year : 0, 1);
        ig_arr_text(&a[9], t ? t->genre : NULL);
        ig_arr_int(&a[10], t ? t->track_number : 0, 1);
        ig_arr_text(&a[11], t ? t->isrc : NULL);
        ig_arr_real(&a[12], t ? t->declared_bpm : NAN);
        ig_arr_text(&a[13], t ? t->declared_key : NULL);
        ig_arr_text(&a[14], f->format);
    }
    return 0;
}

int ig_cat_write(PGconn *c, ig_filerec *recs, size_t n, char *err, size_t errlen) {
    if (n == 0) return 0;
    enum { NT = 15, NP = 4 };
    ig_arr ta[NT], pa[NP];
    memset(ta, 0, sizeof ta);
    memset(pa, 0, sizeof pa);
    hashid *map = NULL;
    idlist lost = {0};
    PGresult *r = NULL;
    int rc = -1, began = 0;
    const char *tv[NT], *pv[NP];
    if (track_arrays(recs, n, ta) != 0) goto oom;
    for (int i = 0; i < NT; i++)
        if (!(tv[i] = ig_arr_str(&ta[i]))) goto oom;
    if (ig_db_begin(c, err, errlen) != 0) goto out;
    began = 1;
    ig_param p[NT];
    for (int i = 0; i < NT; i++) p[i] = IG_TEXT(tv[i]);
    r = ig_db_exec(c,
                   "INSERT INTO tracks AS t (content_hash, uri, size_bytes, duration_s, title,"
                   " artist, album, album_artist, year, genre, track_number, isrc,"
                   " declared_bpm, declared_key, format)"
                   " SELECT * FROM unnest($1::bytea[], $2::text[], $3::int8[], $4::real[],"
                   " $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[],"
                   " $11::int[], $12::text[], $13::real[], $14::text[], $15::text[])"
                   " ON CONFLICT (content_hash) DO UPDATE SET missing = false,"
                   " uri = CASE WHEN t.missing THEN excluded.uri ELSE t.uri END,"
                   " updated_at = now()"
                   " RETURNING id, content_hash, (xmax = 0)",
                   NT, p, err, errlen);
    if (!r) goto out;
    size_t nmap = (size_t)PQntuples(r);
    map = calloc(nmap ? nmap : 1, sizeof *map);
    if (!map) goto oom;
    for (size_t i = 0; i < nmap; i++) {
        size_t len;
        char *h = ig_db_bytea(r, (int)i, 1, &len);
        if (!h || len != MQ_HASH_LEN) {
            free(h);
            snprintf(err, errlen, "unexpected content_hash from PostgreSQL");
            goto out;
        }
        memcpy(map[i].h.b, h, MQ_HASH_LEN);
        free(h);
        map[i].id = ig_db_int(r, (int)i, 0);
        map[i].inserted = PQgetvalue(r, (int)i, 2)[0] == 't';
    }
    PQclear(r);
    r = NULL;
    qsort(map, nmap, sizeof *map, cmp_hashid);
    for (size_t i = 0; i < n; i++) {
        hashid key = {.h = recs[i].hash};
        hashid *m = bsearch(&key, map, nmap, sizeof *map, cmp_hashid);
        if (!m) {
            snprintf(err, errlen, "a track row was not returned by PostgreSQL");
            goto out;
        }
        recs[i].track_id = m->id;
        recs[i].new_track = m->inserted;
        ig_arr_bytea(&pa[0], recs[i].path, recs[i].len);
        ig_arr_int8(&pa[1], m->id);
        ig_arr_int8(&pa[2], recs[i].size);
        ig_arr_int8(&pa[3], recs[i].mtime_ns);
        if (recs[i].old_track_id && recs[i].old_track_id != m->id &&
            idlist_add(&lost, recs[i].old_track_id) != 0)
            goto oom;
    }
    for (int i = 0; i < NP; i++)
        if (!(pv[i] = ig_arr_str(&pa[i]))) goto oom;
    for (int i = 0; i < NP; i++) p[i] = IG_TEXT(pv[i]);
    if (ig_db_run(c,
                  "INSERT INTO track_paths AS p (path, track_id, size_bytes, mtime_ns)"
                  " SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[])"
                  " ON CONFLICT (path) DO UPDATE SET track_id = excluded.track_id,"
                  " size_bytes = excluded.size_bytes, mtime_ns = excluded.mtime_ns,"
                  " missing = false, seen_at = now()",
                  NP, p, err, errlen) != 0)
        goto out;
    if (fix_tracks(c, lost.v, lost.n, err, errlen) != 0) goto out;
    if (ig_db_commit(c, err, errlen) != 0) goto out;
    began = 0;
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    if (r) PQclear(r);
    if (began) ig_db_rollback(c);
    for (int i = 0; i < NT; i++) ig_arr_free(&ta[i]);
    for (int i = 0; i < NP; i++) ig_arr_free(&pa[i]);
    free(map);
    free(lost.v);
    return rc;
}

/* Runs an UPDATE ... RETURNING track_id and then fixes those tracks, in one transaction. */
static int update_and_fix(PGconn *c, const char *sql, int np, const ig_param *p, long *count,
                          char *err, size_t errlen) {
    if (ig_db_begin(c, err, errlen) != 0) return -1;
    PGresult *r = ig_db_exec(c, sql, np, p, err, errlen);
    idlist ids = {0};
    int rc = r ? 0 : -1;
    if (r) {
        if (count) *count = PQntuples(r);
        if (idlist_from(&ids, r) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        PQclear(r);
    }
    if (rc == 0) rc = fix_tracks(c, ids.v, ids.n, err, errlen);
    if (rc == 0) rc = ig_db_commit(c, err, errlen);
    if (rc != 0) ig_db_rollback(c);
    free(ids.v);
    return rc;
}

int ig_cat_set_missing(PGconn *c, const char *const *paths, const size_t *lens, size_t n,
                       int missing, char *err, size_t errlen) {
    if (n == 0) return 0;
    ig_arr a = {0};
    for (size_t i = 0; i < n; i++) ig_arr_bytea(&a, paths[i], lens[i]);
    const char *s = ig_arr_str(&a);
    if (!s) {
        ig_arr_free(&a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[2] = {IG_TEXT(s), IG_TEXT(missing ? "t" : "f")};
    int rc = update_and_fix(c,
                            "UPDATE track_paths SET missing = $2::boolean, seen_at = now()"
                            " WHERE path = ANY($1::bytea[]) RETURNING track_id",
                            2, p, NULL, err, errlen);
    ig_arr_free(&a);
    return rc;
}

int ig_cat_missing_under(PGconn *c, ig_scope dir, long *count, char *err, size_t errlen) {
    range r;
    if (range_make(dir, &r) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[3] = {IG_BYTES(dir.root, dir.len), IG_BYTES(r.lo, r.lo_len),
                     IG_BYTES(r.hi, r.hi_len)};
    int rc = update_and_fix(c,
                            "UPDATE track_paths SET missing = true"
                            " WHERE (path = $1 OR (path >= $2 AND path < $3)) AND NOT missing"
                            " RETURNING track_id",
                            3, p, count, err, errlen);
    range_free(&r);
    return rc;
}

int ig_cat_rename(PGconn *c, const char *from, size_t from_len, const char *to, size_t to_len,
                  int is_dir, long *count, char *err, size_t errlen) {
    range rf, rt;
    ig_scope sf = {from, from_len}, st = {to, to_len};
    if (range_make(sf, &rf) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (range_make(st, &rt) != 0) {
        range_free(&rf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    idlist ids = {0};
    int rc = ig_db_begin(c, err, errlen);
    PGresult *r = NULL;
    if (rc == 0) {
        /* Rows already at the destination are stale: the renamed file replaced them. */
        ig_param p[3] = {IG_BYTES(to, to_len), IG_BYTES(rt.lo, rt.lo_len),
                         IG_BYTES(rt.hi, rt.hi_len)};
        r = ig_db_exec(c,
                       is_dir ? "DELETE FROM track_paths WHERE path = $1"
                                " OR (path >= $2 AND path < $3) RETURNING track_id"
                              : "DELETE FROM track_paths WHERE path = $1 RETURNING track_id",
                       is_dir ? 3 : 1, p, err, errlen);
        rc = r && idlist_from(&ids, r) == 0 ? 0 : -1;
        if (r) PQclear(r);
    }
    if (rc == 0) {
        char flen[24];
        snprintf(flen, sizeof flen, "%zu", from_len);
        ig_param pd[4] = {IG_BYTES(to, to_len), IG_TEXT(flen), IG_BYTES(rf.lo, rf.lo_len),
                          IG_BYTES(rf.hi, rf.hi_len)};
        ig_param pf[2] = {IG_BYTES(from, from_len), IG_BYTES(to, to_len)};
        if (is_dir)
            r = ig_db_exec(c,
                           "UPDATE track_paths SET path = $1 || substring(path from $2::int + 1),"
                           " missing = false, seen_at = now()"
                           " WHERE path >= $3 AND path < $4 RETURNING track_id",
                           4, pd, err, errlen);
        else
            r = ig_db_exec(c,
                           "UPDATE track_paths SET path = $2, missing = false, seen_at = now()"
                           " WHERE path = $1 RETURNING track_id",
                           2, pf, err, errlen);
        if (r && count) *count = PQntuples(r);
        rc = r && idlist_from(&ids, r) == 0 ? 0 : -1;
        if (r) PQclear(r);
    }
    if (rc == 0) rc = fix_tracks(c, ids.v, ids.n, err, errlen);
    if (rc == 0)
        rc = ig_db_commit(c, err, errlen);
    else
        ig_db_rollback(c);
    free(ids.v);
    range_free(&rf);
    range_free(&rt);
    return rc;
}

int ig_cat_known_hashes(PGconn *c, const mq_hash128 *hashes, size_t n, unsigned char *found,
                        char *err, size_t errlen) {
    memset(found, 0, n);
    if (n == 0) return 0;
    ig_arr a = {0};
    for (size_t i = 0; i < n; i++) ig_arr_bytea(&a, hashes[i].b, MQ_HASH_LEN);
    const char *s = ig_arr_str(&a);
    if (!s) {
        ig_arr_free(&a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[1] = {IG_TEXT(s)};
    PGresult *r =
        ig_db_exec(c, "SELECT content_hash FROM tracks WHERE content_hash = ANY($1::bytea[])", 1, p,
                   err, errlen);
    ig_arr_free(&a);
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        size_t len;
        char *h = ig_db_bytea(r, i, 0, &len);
        for (size_t k = 0; h && len == MQ_HASH_LEN && k < n; k++)
            if (!memcmp(hashes[k].b, h, MQ_HASH_LEN)) found[k] = 1;
        free(h);
    }
    PQclear(r);
    return 0;
}
