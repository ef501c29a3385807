/* pool.c -- analysis threads around a mutex-protected job queue. */
#include "worker/pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct wk_thread {
    wk_pool *pool;
    pthread_t tid;
    mq_analyzer *analyzer;
    mq_features *features;
    int started;
} wk_thread;

struct wk_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    wk_job *wait_head, *wait_tail; /* queued, not started */
    wk_job *done_head, *done_tail; /* finished, not taken */
    size_t running;
    int stopping;
    int efd;
    const wk_exec_opts *eopts;
    size_t n;
    wk_thread *threads;
};

static void append(wk_job **head, wk_job **tail, wk_job *j) {
    j->qnext = NULL;
    if (*tail)
        (*tail)->qnext = j;
    else
        *head = j;
    *tail = j;
}

static void *thread_main(void *arg) {
    wk_thread *t = arg;
    wk_pool *p = t->pool;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stopping && !p->wait_head) pthread_cond_wait(&p->cv, &p->mu);
        if (p->stopping) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        wk_job *j = p->wait_head;
        p->wait_head = j->qnext;
        if (!p->wait_head) p->wait_tail = NULL;
        p->running++;
        pthread_mutex_unlock(&p->mu);

        wk_exec_run(t->analyzer, t->features, p->eopts, j);

        pthread_mutex_lock(&p->mu);
        p->running--;
        append(&p->done_head, &p->done_tail, j);
        pthread_mutex_unlock(&p->mu);
        uint64_t one = 1;
        ssize_t w = write(p->efd, &one, sizeof one);
        (void)w; /* only fails when the counter is saturated: still readable */
    }
}

/* Frees what wk_pool_new made, once no thread runs. */
static void pool_free(wk_pool *p) {
    for (size_t i = 0; i < p->n; i++) {
        mq_analyzer_del(p->threads[i].analyzer);
        free(p->threads[i].features);
    }
    for (wk_job *j = p->wait_head, *nx; j; j = nx) {
        nx = j->qnext;
        wk_job_del(j);
    }
    for (wk_job *j = p->done_head, *nx; j; j = nx) {
        nx = j->qnext;
        wk_job_del(j);
    }
    if (p->efd >= 0) close(p->efd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}

/* Stops and joins the started threads (none may be running a job). */
static void join_all(wk_pool *p) {
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        if (p->threads[i].started) pthread_join(p->threads[i].tid, NULL);
}

wk_pool *wk_pool_new(size_t n, const mq_analyzer_opts *aopts, const wk_exec_opts *eopts, char *err,
                     size_t errlen) {
    wk_pool *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    p->eopts = eopts;
    p->n = n;
    p->threads = calloc(n, sizeof *p->threads);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (p->efd < 0 || !p->threads) {
        snprintf(err, errlen, p->efd < 0 ? "eventfd: %s" : "out of memory", strerror(errno));
        if (!p->threads) p->n = 0;
        pool_free(p);
        return NULL;
    }
    /* Analyzers are made here, one after the other, before any thread starts. */
    for (size_t i = 0; i < n; i++) {
        wk_thread *t = &p->threads[i];
        t->pool = p;
        t->analyzer = mq_analyzer_new(aopts);
        t->features = malloc(sizeof *t->features);
        if (!t->analyzer || !t->features) {
            snprintf(err, errlen, "out of memory making analyzer %zu of %zu", i + 1, n);
            pool_free(p);
            return NULL;
        }
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (size_t i = 0; i < n; i++) {
        wk_thread *t = &p->threads[i];
        int rc = pthread_create(&t->tid, NULL, thread_main, t);
        if (rc != 0) {
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            snprintf(err, errlen, "cannot start analysis thread %zu: %s", i + 1, strerror(rc));
            join_all(p);
            pool_free(p);
            return NULL;
        }
        t->started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return p;
}

void wk_pool_push(wk_pool *p, wk_job *j) {
    pthread_mutex_lock(&p->mu);
    append(&p->wait_head, &p->wait_tail, j);
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

wk_job *wk_pool_take_done(wk_pool *p) {
    uint64_t v;
    ssize_t r = read(p->efd, &v, sizeof v);
    (void)r; /* EAGAIN when nothing was signalled */
    pthread_mutex_lock(&p->mu);
    wk_job *j = p->done_head;
    p->done_head = p->done_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    return j;
}

wk_job *wk_pool_cancel_waiting(wk_pool *p) {
    pthread_mutex_lock(&p->mu);
    wk_job *j = p->wait_head;
    p->wait_head = p->wait_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    return j;
}

int wk_pool_fd(const wk_pool *p) { return p->efd; }

size_t wk_pool_running(wk_pool *p) {
    pthread_mutex_lock(&p->mu);
    size_t n = p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int wk_pool_del(wk_pool *p) {
    if (!p) return 0;
    pthread_mutex_lock(&p->mu);
    size_t running = p->running;
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (running) return 1;
    join_all(p);
    pool_free(p);
    return 0;
}
