/* auth.c -- Bearer keys: parse, cache, look up by hash, token buckets (see auth.h). */
#include "recommender/auth.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "recommender/bucket.h"
#include "recommender/map.h"

#define POS_SLOTS 4096 /* cached valid keys (a power of two) */
#define NEG_SLOTS 1024 /* remembered invalid keys (a power of two) */
#define NEG_TTL_NS (10LL * 1000000000LL)

typedef struct pos_entry {
    char key[REC_KEY_MAX + 1]; /* "" for a free slot */
    int64_t id;
    uint32_t gen; /* the cache generation it was checked in */
    rec_bucket bucket;
} pos_entry;

typedef struct neg_entry {
    uint64_t hash;
    int64_t expires_ns;
} neg_entry;

struct rec_auth {
    pthread_mutex_t mu;
    rec_pool *pool;
    uint32_t gen;
    size_t npos;
    pos_entry pos[POS_SLOTS];
    neg_entry neg[NEG_SLOTS];
    rec_bucket lookups;
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint64_t key_hash(const char *k) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 0x100000001b3ULL;
    return rec_mix64(h) | 1;
}

rec_auth *rec_auth_new(rec_pool *pool, double lookups_per_s) {
    rec_auth *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    pthread_mutex_init(&a->mu, NULL);
    a->pool = pool;
    a->gen = 1;
    rec_bucket_init(&a->lookups, lookups_per_s, lookups_per_s, now_ns());
    return a;
}

void rec_auth_del(rec_auth *a) {
    if (!a) return;
    pthread_mutex_destroy(&a->mu);
    free(a);
}

void rec_auth_invalidate(rec_auth *a) {
    pthread_mutex_lock(&a->mu);
    a->gen++;
    memset(a->neg, 0, sizeof a->neg); /* a key made since may have been tried */
    pthread_mutex_unlock(&a->mu);
}

void rec_auth_invalidate_cb(void *ud) { rec_auth_invalidate(ud); }

/* The key of a "Bearer KEY" header into key; 0, or -1 when malformed. */
static int parse_header(const char *h, char key[REC_KEY_MAX + 1]) {
    if (strncasecmp(h, "Bearer ", 7) != 0) return -1;
    h += 7;
    while (*h == ' ') h++;
    size_t n = 0;
    for (; h[n] && h[n] != ' '; n++) {
        char c = h[n];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '.';
        if (!ok || n >= REC_KEY_MAX) return -1;
    }
    for (size_t i = n; h[i]; i++)
        if (h[i] != ' ') return -1;
    if (n < REC_KEY_MIN) return -1;
    memcpy(key, h, n);
    key[n] = 0;
    return 0;
}

/* The slot holding key, or the free slot where it would go; NULL when the table is full. */
static pos_entry *pos_find(rec_auth *a, const char *key, uint64_t h) {
    for (size_t i = 0; i < POS_SLOTS; i++) {
        pos_entry *e = &a->pos[(h + i) & (POS_SLOTS - 1)];
        if (!e->key[0] || !strcmp(e->key, key)) return e;
    }
    return NULL;
}

/* Takes a token from e's bucket (lock held). */
static rec_auth_status take(pos_entry *e, double *retry_after) {
    return rec_bucket_take(&e->bucket, now_ns(), retry_after) ? REC_AUTH_OK : REC_AUTH_LIMITED;
}

/* Looks key up in PostgreSQL: 1 found (id and rate set), 0 not found, -1 error. */
static int lookup(rec_auth *a, const char *key, int64_t *id, double *rate) {
    char err[256];
    PGconn *c = rec_pool_get(a->pool, 1000, err, sizeof err);
    if (!c) {
        mq_log(MQ_LOG_WARN, "cannot check an API key", "error", err, NULL);
        return -1;
    }
    const char *params[1] = {key};
    PGresult *r = PQexecParams(c,
                               "SELECT id, rate_per_s FROM api_keys"
                               " WHERE key_hash = sha256(convert_to($1, 'UTF8'))"
                               " AND revoked_at IS NULL",
                               1, NULL, params, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        rc = PQntuples(r) > 0;
        if (rc) {
            *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            *rate = strtod(PQgetvalue(r, 0, 1), NULL);
        }
    } else {
        mq_log(MQ_LOG_WARN, "API key lookup failed", "error", PQerrorMessage(c), NULL);
    }
    PQclear(r);
    rec_pool_put(a->pool, c, rc < 0);
    return rc;
}

rec_auth_status rec_auth_check(rec_auth *a, const char *header, double *retry_after) {
    char key[REC_KEY_MAX + 1];
    *retry_after = 0;
    if (!header) return REC_AUTH_MISSING;
    if (parse_header(header, key) != 0) return REC_AUTH_INVALID;
    uint64_t h = key_hash(key);
    int64_t now = now_ns();

    pthread_mutex_lock(&a->mu);
    pos_entry *e = pos_find(a, key, h);
    if (e && e->key[0] && e->gen == a->gen) {
        rec_auth_status st = take(e, retry_after);
        pthread_mutex_unlock(&a->mu);
        return st;
    }
    neg_entry *ng = &a->neg[h & (NEG_SLOTS - 1)];
    if (ng->hash == h && ng->expires_ns > now) {
        pthread_mutex_unlock(&a->mu);
        return REC_AUTH_INVALID;
    }
    if (!rec_bucket_take(&a->lookups, now, retry_after)) {
        pthread_mutex_unlock(&a->mu);
        return REC_AUTH_UNAVAILABLE;
    }
    uint32_t gen = a->gen;
    pthread_mutex_unlock(&a->mu);

    int64_t id = 0;
    double rate = 0;
    int found = lookup(a, key, &id, &rate);
    if (found < 0) {
        *retry_after = 1;
        return REC_AUTH_UNAVAILABLE;
    }

    pthread_mutex_lock(&a->mu);
    rec_auth_status st = REC_AUTH_INVALID;
    e = pos_find(a, key, h);
    if (found) {
        if (!e || (!e->key[0] && a->npos >= POS_SLOTS * 3 / 4)) {
            /* Full of valid keys: start again (buckets restart full). */
            memset(a->pos, 0, sizeof a->pos);
            a->npos = 0;
            e = pos_find(a, key, h);
        }
        if (!e->key[0] || e->id != id || e->bucket.rate != rate) {
            if (!e->key[0]) a->npos++;
            snprintf(e->key, sizeof e->key, "%s", key);
            e->id = id;
            rec_bucket_init(&e->bucket, rate, rate < 1 ? 1 : rate, now_ns());
        }
        e->gen = gen;
        st = take(e, retry_after);
    } else {
        if (e && e->key[0]) e->gen = 0; /* revoked: stays stale, checked again next time */
        ng->hash = h;
        ng->expires_ns = now_ns() + NEG_TTL_NS;
    }
    pthread_mutex_unlock(&a->mu);
    return st;
}
