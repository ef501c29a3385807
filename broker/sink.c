/* sink.c -- the result sink: a queue and two threads, one formatting a batch while the
 * other writes the previous one (store.h), with back-off while PostgreSQL is away. */
#include "broker/sink.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/store.h"
#include "common/log.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define NBATCHES 2 /* one being formatted while the other is written */

/* A batch's place in the pipeline. */
typedef enum { B_FREE, B_FORMATTING, B_READY, B_WRITING } bstate;

struct mq_sink {
    int batch;
    int wake_fd;
    mq_store *store; /* used by the writer thread only */
    pthread_t formatter, writer;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv_fmt;               /* for the formatter: items in, a batch free, stop */
    pthread_cond_t cv_wr;                /* for the writer: a batch ready, stop */
    mq_sink_item *in_head, *in_tail;     /* waiting to be batched */
    mq_sink_item *done_head, *done_tail; /* finished, for the loop */
    size_t held_items, held_bytes;       /* not yet finished */
    mq_batch batches[NBATCHES];
    bstate state[NBATCHES];
    unsigned long seq[NBATCHES]; /* order in which batches became ready */
    unsigned long next_seq;
    int stopping, formatter_done;
    long long deadline_ms;
};

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t item_bytes(const mq_sink_item *it) {
    return sizeof *it + it->len + (it->message ? strlen(it->message) : 0) + strlen(it->job_id) +
           strlen(it->uri);
}

mq_sink_item *mq_sink_item_new(const char *job_id, int64_t track_id, const char *uri,
                               const char *version, int attempts, const void *json, size_t len) {
    size_t lid = strlen(job_id), luri = strlen(uri), lver = strlen(version);
    if (lid > 256) lid = 256;
    if (luri > 4096) luri = 4096;
    if (lver > 256) lver = 256;
    mq_sink_item *it = calloc(1, sizeof *it + lid + luri + lver + 3 + len);
    if (!it) return NULL;
    char *p = (char *)(it + 1);
    it->job_id = p;
    p += mq_rows_clean_into(p, job_id, 256) + 1;
    it->uri = p;
    p += mq_rows_clean_into(p, uri, 4096) + 1;
    it->version = p;
    p += mq_rows_clean_into(p, version, 256) + 1;
    it->kind = json ? MQ_SINK_RESULT : MQ_SINK_FAILURE;
    if (json) {
        it->json = p;
        memcpy(p, json, len);
        it->len = len;
    }
    it->track_id = track_id;
    it->attempts = attempts;
    return it;
}

int mq_sink_item_failure(mq_sink_item *it, const char *fail_kind, const char *code,
                         const char *message) {
    free(it->code);
    free(it->message);
    it->kind = MQ_SINK_FAILURE;
    it->fail_kind = fail_kind;
    it->code = mq_rows_clean_text(code && *code ? code : "unknown", 64);
    it->message = mq_rows_clean_text(message, 2000);
    return it->code && it->message ? 0 : -1;
}

void mq_sink_item_free(mq_sink_item *it) {
    if (!it) return;
    free(it->code);
    free(it->message);
    free(it);
}

static void wake_loop(mq_sink *s) {
    uint64_t one = 1;
    ssize_t w = write(s->wake_fd, &one, sizeof one);
    (void)w;
}

/* Waits on cv for at most ms (mutex held). */
static void wait_ms(mq_sink *s, pthread_cond_t *cv, long long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cv, &s->mu, &ts);
}

/* True when the stop deadline has passed (mutex held). */
static int out_of_time(const mq_sink *s) { return s->stopping && now_ms() >= s->deadline_ms; }

static int find(const mq_sink *s, bstate st) {
    for (int i = 0; i < NBATCHES; i++)
        if (s->state[i] == st) return i;
    return -1;
}

/* The formatter: fills a free batch from the queue and formats it. */
static void *format_main(void *arg) {
    mq_sink *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        int i = -1;
        while (!out_of_time(s) && !(s->stopping && !s->in_head) &&
               (!s->in_head || (i = find(s, B_FREE)) < 0))
            pthread_cond_wait(&s->cv_fmt, &s->mu);
        if (out_of_time(s) || (s->stopping && !s->in_head)) break;
        if (i < 0) continue;
        mq_batch *b = &s->batches[i];
        b->n = 0;
        while (s->in_head && b->n < b->cap) {
            b->items[b->n++] = s->in_head;
            s->in_head = s->in_head->next;
        }
        if (!s->in_head) s->in_tail = NULL;
        s->state[i] = B_FORMATTING;
        pthread_mutex_unlock(&s->mu);
        int ok = mq_batch_format(b) == 0;
        pthread_mutex_lock(&s->mu);
        if (!ok) { /* memory: put the items back and try again shortly */
            for (size_t k = b->n; k-- > 0;) {
                b->items[k]->next = s->in_head;
                s->in_head = b->items[k];
                if (!s->in_tail) s->in_tail = b->items[k];
            }
            s->state[i] = B_FREE;
            mq_log(MQ_LOG_ERROR, "out of memory formatting results", NULL);
            wait_ms(s, &s->cv_fmt, 100);
            continue;
        }
        s->state[i] = B_READY;
        s->seq[i] = s->next_seq++;
        pthread_cond_signal(&s->cv_wr);
    }
    s->formatter_done = 1;
    pthread_cond_signal(&s->cv_wr);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* The oldest ready batch, or -1 (mutex held). */
static int oldest_ready(const mq_sink *s) {
    int best = -1;
    for (int i = 0; i < NBATCHES; i++)
        if (s->state[i] == B_READY && (best < 0 || s->seq[i] < s->seq[best])) best = i;
    return best;
}

/* Hands the finished items of batch b to the loop; returns how many are left. */
static size_t hand_back(mq_sink *s, mq_batch *b) {
    size_t left = 0;
    int any = 0;
    for (size_t k = 0; k < b->n; k++) {
        mq_sink_item *it = b->items[k];
        if (!it) continue;
        if (it->status == MQ_SINK_PENDING) {
            left++;
            continue;
        }
        it->next = NULL;
        s->held_items--;
        s->held_bytes -= it->held;
        if (s->done_tail)
            s->done_tail->next = it;
        else
            s->done_head = it;
        s->done_tail = it;
        b->items[k] = NULL;
        any = 1;
    }
    if (any) wake_loop(s);
    return left;
}

/* Drops the NULL slots of a batch (items handed back). */
static void compact(mq_batch *b) {
    size_t n = 0;
    for (size_t k = 0; k < b->n; k++)
        if (b->items[k]) {
            b->items[n] = b->items[k];
            b->spans[n++] = b->spans[k];
        }
    b->n = n;
}

/* The writer: connects (migrating at start), then writes ready batches in order,
 * retrying with back-off while PostgreSQL fails. */
static void *write_main(void *arg) {
    mq_sink *s = arg;
    int backoff = BACKOFF_MIN_MS;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping && !mq_store_migrated(s->store)) {
        /* At start: connect and apply the migrations before any result arrives. */
        pthread_mutex_unlock(&s->mu);
        int ok = mq_store_connect(s->store) == 0;
        pthread_mutex_lock(&s->mu);
        if (ok) break;
        wait_ms(s, &s->cv_wr, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    for (;;) {
        int i;
        while ((i = oldest_ready(s)) < 0 && !out_of_time(s) && !(s->stopping && s->formatter_done))
            pthread_cond_wait(&s->cv_wr, &s->mu);
        if (i < 0 || out_of_time(s)) break;
        mq_batch *b = &s->batches[i];
        s->state[i] = B_WRITING;
        pthread_mutex_unlock(&s->mu);
        int rc = mq_store_write(s->store, b);
        pthread_mutex_lock(&s->mu);
        if (hand_back(s, b) == 0) {
            s->state[i] = B_FREE;
            backoff = BACKOFF_MIN_MS;
            pthread_cond_signal(&s->cv_fmt);
        } else {
            /* PostgreSQL failed: keep the rest, ahead of anything newer, and wait. */
            compact(b);
            s->state[i] = B_READY;
            if (rc != 0) {
                long long wait = backoff;
                if (s->stopping && s->deadline_ms - now_ms() < wait)
                    wait = s->deadline_ms - now_ms();
                if (wait > 0) wait_ms(s, &s->cv_wr, wait);
                backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
            }
        }
    }
    pthread_cond_signal(&s->cv_fmt);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

mq_sink *mq_sink_new(const char *dsn, int batch, int wake_fd, const mq_sink_metrics *m, char *err,
                     size_t errlen) {
    mq_sink *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->batch = batch > 0 ? batch : 500;
    s->wake_fd = wake_fd;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_fmt, &ca);
    pthread_cond_init(&s->cv_wr, &ca);
    pthread_condattr_destroy(&ca);
    int ok = (s->store = mq_store_new(dsn, m)) != NULL;
    for (int i = 0; ok && i < NBATCHES; i++)
        ok = mq_batch_init(&s->batches[i], (size_t)s->batch) == 0;
    if (!ok || pthread_create(&s->writer, NULL, write_main, s) != 0) {
        snprintf(err, errlen, "cannot start the result sink");
        mq_sink_del(s);
        return NULL;
    }
    if (pthread_create(&s->formatter, NULL, format_main, s) != 0) {
        pthread_mutex_lock(&s->mu);
        s->stopping = 1;
        s->formatter_done = 1;
        pthread_cond_signal(&s->cv_wr);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer, NULL);
        snprintf(err, errlen, "cannot start the result sink");
        mq_sink_del(s);
        return NULL;
    }
    s->started = 1;
    return s;
}

void mq_sink_push(mq_sink *s, mq_sink_item *it) {
    it->next = NULL;
    it->status = MQ_SINK_PENDING;
    it->held = item_bytes(it);
    pthread_mutex_lock(&s->mu);
    if (s->in_tail)
        s->in_tail->next = it;
    else
        s->in_head = it;
    s->in_tail = it;
    s->held_items++;
    s->held_bytes += it->held;
    /* The formatter waits only while the queue is empty (or no batch is free, and the
     * writer signals when one frees): wake it on the first item. */
    if (s->in_head == it) pthread_cond_signal(&s->cv_fmt);
    pthread_mutex_unlock(&s->mu);
}

mq_sink_item *mq_sink_done(mq_sink *s) {
    pthread_mutex_lock(&s->mu);
    mq_sink_item *d = s->done_head;
    s->done_head = s->done_tail = NULL;
    pthread_mutex_unlock(&s->mu);
    return d;
}

void mq_sink_load(mq_sink *s, size_t *items, size_t *bytes) {
    pthread_mutex_lock(&s->mu);
    *items = s->held_items;
    *bytes = s->held_bytes;
    pthread_mutex_unlock(&s->mu);
}

int mq_sink_up(mq_sink *s) { return s->store && mq_store_up(s->store); }

void mq_sink_stop(mq_sink *s, int grace_ms) {
    if (!s->started) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    s->deadline_ms = now_ms() + grace_ms;
    pthread_cond_signal(&s->cv_fmt);
    pthread_cond_signal(&s->cv_wr);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->formatter, NULL);
    pthread_join(s->writer, NULL);
    s->started = 0;
}

static void free_list(mq_sink_item *it) {
    while (it) {
        mq_sink_item *next = it->next;
        mq_sink_item_free(it);
        it = next;
    }
}

void mq_sink_del(mq_sink *s) {
    if (!s) return;
    mq_sink_stop(s, 0);
    free_list(s->in_head);
    free_list(s->done_head);
    for (int i = 0; i < NBATCHES; i++) {
        if (s->state[i] != B_FREE)
            for (size_t k = 0; k < s->batches[i].n; k++) mq_sink_item_free(s->batches[i].items[k]);
        mq_batch_fini(&s->batches[i]);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_fmt);
    pthread_cond_destroy(&s->cv_wr);
    mq_store_del(s->store);
    free(s);
}
