/* pool.c -- a mutex and condition variable around an array of connections. */
#include "recommender/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/pg.h"

struct rec_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *dsn;
    PGconn **idle; /* open connections not in use */
    int nidle;
    int out;  /* connections handed out */
    int size; /* at most idle + out */
};

rec_pool *rec_pool_new(const char *dsn, int size) {
    rec_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->dsn = strdup(dsn);
    p->idle = calloc((size_t)size, sizeof *p->idle);
    if (!p->dsn || !p->idle) {
        free(p->dsn);
        free(p->idle);
        free(p);
        return NULL;
    }
    p->size = size;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    return p;
}

void rec_pool_del(rec_pool *p) {
    if (!p) return;
    for (int i = 0; i < p->nidle; i++) PQfinish(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->idle);
    free(p->dsn);
    free(p);
}

PGconn *rec_pool_get(rec_pool *p, int wait_ms, char *err, size_t errlen) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (p->nidle == 0 && p->out >= p->size) {
        if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&p->mu);
            snprintf(err, errlen, "no database connection free within %d ms", wait_ms);
            return NULL;
        }
    }
    PGconn *c = p->nidle ? p->idle[--p->nidle] : NULL;
    p->out++;
    pthread_mutex_unlock(&p->mu);
    if (c && PQstatus(c) == CONNECTION_OK) return c;
    if (c) PQfinish(c);
    c = mq_pg_connect(p->dsn, err, errlen); /* outside the lock: it may take a while */
    if (c) {
        rec_pg_log_notices(c);
        /* A request never waits on the database for long. */
        PQclear(PQexec(c, "SET statement_timeout = '5s'"));
    }
    if (!c) {
        pthread_mutex_lock(&p->mu);
        p->out--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return c;
}

void rec_pool_put(rec_pool *p, PGconn *c, int broken) {
    if (broken || PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
        PQfinish(c);
        c = NULL;
    }
    pthread_mutex_lock(&p->mu);
    p->out--;
    if (c) p->idle[p->nidle++] = c;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void on_notice(void *ud, const char *msg) {
    char m[512];
    snprintf(m, sizeof m, "%s", msg);
    size_t n = strlen(m);
    while (n > 0 && m[n - 1] == '\n') m[--n] = 0;
    mq_log(MQ_LOG_DEBUG, "PostgreSQL notice", "notice", m, NULL);
}

void rec_pg_log_notices(PGconn *c) { PQsetNoticeProcessor(c, on_notice, NULL); }
