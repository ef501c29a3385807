/* listener.c -- the load-then-LISTEN thread (see listener.h). */
#include "recommender/listener.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/pg.h"
#include "recommender/loader.h"
#include "recommender/pool.h"

#define RESYNC_MARGIN "10 minutes" /* for transactions that commit long after they began */
#define MAX_PENDING 1000000        /* ids held for one batch; beyond, resync instead */

typedef struct idvec {
    int64_t *v;
    size_t n, cap;
    int overflow; /* too many, or an empty payload: resync instead */
} idvec;

struct rec_listener {
    rec_listener_opts o;
    pthread_t thread;
    int wake[2]; /* a pipe: written to stop the thread */
    atomic_int stop;
    pthread_mutex_t mu; /* guards cancel */
    PGcancel *cancel;   /* of the current connection, so stop can interrupt a long load */
    char since[64];     /* database time of the last sync */
};

static void set_cancel(rec_listener *l, PGconn *c) {
    pthread_mutex_lock(&l->mu);
    if (l->cancel) PQfreeCancel(l->cancel);
    l->cancel = c ? PQgetCancel(c) : NULL;
    pthread_mutex_unlock(&l->mu);
}

static int stopping(rec_listener *l) { return atomic_load(&l->stop); }

/* Sleeps up to ms, waking early when asked to stop. */
static void nap(rec_listener *l, int ms) {
    struct pollfd p = {l->wake[0], POLLIN, 0};
    poll(&p, 1, ms);
}

static int idvec_push(idvec *v, int64_t id) {
    if (v->n >= MAX_PENDING) {
        v->overflow = 1;
        return 0;
    }
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 256;
        int64_t *nv = realloc(v->v, nc * sizeof *nv);
        if (!nv) {
            v->overflow = 1;
            return -1;
        }
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = id;
    return 0;
}

/* Adds the ids of a payload "1,2,3" to v; an empty payload asks for a resync. Malformed
 * items are skipped and counted in *bad. */
static void parse_payload(const char *p, idvec *v, long *bad) {
    if (!p || !*p) {
        v->overflow = 1;
        return;
    }
    while (*p) {
        char *end;
        errno = 0;
        long long id = strtoll(p, &end, 10);
        if (end == p || errno || id <= 0 || (*end && *end != ',')) {
            (*bad)++;
            end = strchr(p, ',');
            if (!end) break;
        } else {
            idvec_push(v, id);
        }
        p = *end == ',' ? end + 1 : end;
    }
}

static PGconn *connect_and_listen(rec_listener *l) {
    char err[512];
    PGconn *c = mq_pg_connect(l->o.dsn, err, sizeof err);
    if (!c) {
        mq_log(MQ_LOG_WARN, "cannot connect to PostgreSQL; retrying", "error", err, NULL);
        return NULL;
    }
    rec_pg_log_notices(c);
    if (mq_pg_migrate(c, err, sizeof err) < 0 ||
        mq_pg_exec(c, "LISTEN mixq_features; LISTEN mixq_feedback; LISTEN mixq_api_keys", err,
                   sizeof err) != 0) {
        mq_log(MQ_LOG_WARN, "cannot prepare the listening connection; retrying", "error", err,
               NULL);
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* Loads everything (first == 1) or what changed since the last sync. 0 or -1. */
static int sync_all(rec_listener *l, PGconn *c, int first) {
    char err[512], now[64], since[96];
    if (rec_load_now(c, now, sizeof now, err, sizeof err) != 0) goto fail;
    const char *arg = NULL;
    if (!first) {
        /* Text of `since - margin`, computed by PostgreSQL. */
        const char *params[1] = {l->since};
        PGresult *r =
            PQexecParams(c, "SELECT ($1::timestamptz - interval '" RESYNC_MARGIN "')::text", 1,
                         NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, sizeof err, "%s", PQerrorMessage(c));
            PQclear(r);
            goto fail;
        }
        snprintf(since, sizeof since, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        arg = since;
    }
    long nt = rec_load_tracks(c, l->o.store, NULL, 0, arg, err, sizeof err);
    if (nt < 0) goto fail;
    long nf = rec_load_feedback(c, l->o.store, NULL, 0, arg, err, sizeof err);
    if (nf < 0) goto fail;
    snprintf(l->since, sizeof l->since, "%s", now);
    char a[32], b[32];
    snprintf(a, sizeof a, "%ld", nt);
    snprintf(b, sizeof b, "%ld", nf);
    mq_log(MQ_LOG_INFO, first ? "index loaded" : "index resynchronised", "tracks", a,
           "feedback_rows", b, NULL);
    mq_metric_add(l->o.tracks_reloaded, (double)nt);
    mq_metric_add(l->o.feedback_applied, (double)nf);
    return 0;
fail:
    mq_log(MQ_LOG_WARN, "loading from PostgreSQL failed", "error", err, NULL);
    return -1;
}

/* Applies one batch of notifications. 0, or -1 when the connection failed. */
static int apply(rec_listener *l, PGconn *c, idvec *tracks, idvec *feedback) {
    char err[512];
    if (tracks->overflow || feedback->overflow) {
        if (sync_all(l, c, 0) != 0) return -1;
    } else {
        if (tracks->n) {
            long n = rec_load_tracks(c, l->o.store, tracks->v, tracks->n, NULL, err, sizeof err);
            if (n < 0) {
                mq_log(MQ_LOG_WARN, "reloading tracks failed", "error", err, NULL);
                return -1;
            }
            mq_metric_add(l->o.tracks_reloaded, (double)n);
        }
        if (feedback->n) {
            long n =
                rec_load_feedback(c, l->o.store, feedback->v, feedback->n, NULL, err, sizeof err);
            if (n < 0) {
                mq_log(MQ_LOG_WARN, "reading feedback failed", "error", err, NULL);
                return -1;
            }
            mq_metric_add(l->o.feedback_applied, (double)n);
        }
    }
    tracks->n = feedback->n = 0;
    tracks->overflow = feedback->overflow = 0;
    return 0;
}

/* Waits for and applies notifications until the connection fails or stop. */
static void serve(rec_listener *l, PGconn *c) {
    idvec tracks = {0}, feedback = {0};
    int sock = PQsocket(c);
    while (!stopping(l)) {
        struct pollfd p[2] = {{sock, POLLIN, 0}, {l->wake[0], POLLIN, 0}};
        int n = poll(p, 2, 1000);
        if (n < 0 && errno != EINTR) break;
        if (stopping(l)) break;
        if (!PQconsumeInput(c)) {
            mq_log(MQ_LOG_WARN, "lost the listening connection", "error", PQerrorMessage(c), NULL);
            break;
        }
        PGnotify *nt;
        long bad = 0;
        int keys = 0;
        while ((nt = PQnotifies(c))) {
            mq_metric_add(l->o.notifications, 1);
            if (!strcmp(nt->relname, "mixq_features"))
                parse_payload(nt->extra, &tracks, &bad);
            else if (!strcmp(nt->relname, "mixq_feedback"))
                parse_payload(nt->extra, &feedback, &bad);
            else if (!strcmp(nt->relname, "mixq_api_keys"))
                keys = 1;
            PQfreemem(nt);
        }
        if (bad) {
            char b[32];
            snprintf(b, sizeof b, "%ld", bad);
            mq_log(MQ_LOG_WARN, "ignored malformed ids in notifications", "count", b, NULL);
        }
        if (keys && l->o.on_keys) l->o.on_keys(l->o.on_keys_ud);
        if ((tracks.n || feedback.n || tracks.overflow || feedback.overflow) &&
            apply(l, c, &tracks, &feedback) != 0)
            break;
        if (PQstatus(c) != CONNECTION_OK) break;
    }
    free(tracks.v);
    free(feedback.v);
}

static void *run(void *arg) {
    rec_listener *l = arg;
    int backoff = 250, loaded = 0;
    while (!stopping(l)) {
        PGconn *c = connect_and_listen(l);
        if (c) {
            set_cancel(l, c);
            atomic_store(&l->o.store->listening, 1);
            if (sync_all(l, c, !loaded) == 0) {
                if (!loaded) {
                    rec_store_write(l->o.store);
                    if (rec_store_compact(l->o.store) != 0)
                        mq_log(MQ_LOG_WARN, "no memory to compact the index; serving as loaded",
                               NULL);
                    rec_store_unlock(l->o.store);
                    atomic_store(&l->o.store->ready, 1);
                }
                loaded = 1;
                backoff = 250;
                if (l->o.on_keys) l->o.on_keys(l->o.on_keys_ud);
                serve(l, c);
            }
            atomic_store(&l->o.store->listening, 0);
            set_cancel(l, NULL);
            PQfinish(c);
            if (stopping(l)) break;
            mq_metric_add(l->o.reconnects, 1);
        }
        nap(l, backoff);
        backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
    }
    return NULL;
}

rec_listener *rec_listener_start(const rec_listener_opts *o) {
    rec_listener *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->o = *o;
    if (pipe(l->wake) != 0) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    if (pthread_create(&l->thread, NULL, run, l) != 0) {
        pthread_mutex_destroy(&l->mu);
        close(l->wake[0]);
        close(l->wake[1]);
        free(l);
        return NULL;
    }
    return l;
}

void rec_listener_stop(rec_listener *l) {
    if (!l) return;
    atomic_store(&l->stop, 1);
    ssize_t w = write(l->wake[1], "x", 1);
    (void)w;
    pthread_mutex_lock(&l->mu);
    if (l->cancel) {
        char err[256];
        PQcancel(l->cancel, err, sizeof err); /* interrupts a load in progress */
    }
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    pthread_mutex_destroy(&l->mu);
    close(l->wake[0]);
    close(l->wake[1]);
    free(l);
}
