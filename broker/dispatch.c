/* dispatch.c -- jobs in: reading Redis as far as workers have credit, claiming the
 * jobs of silent brokers; jobs out: dispatch by credit; leases and lost workers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "broker/core.h"
#include "common/log.h"

#define REFRESH_CHUNK 500

long mq_broker_want(const mq_broker *b) {
    long have = (long)mq_jobs_queued(&b->jobs) + (long)b->jobs.extra_refs;
    return (long)b->workers.credit + b->o->prefetch - have;
}

/* Acknowledges and deletes an entry that holds no valid job. */
static void drop_entry(mq_broker *b, int stream, const char *id, const char *why) {
    mq_log(MQ_LOG_WARN, "invalid queue entry dropped", "stream", mq_queue_stream_name(stream),
           "entry", id, "reason", why, NULL);
    mq_job fake = {0};
    mq_ref ref = {stream, ""};
    snprintf(ref.id, sizeof ref.id, "%s", id);
    fake.refs = &ref;
    fake.nrefs = 1;
    fake.fin = MQ_FIN_ACK;
    mq_job *jobs[1] = {&fake};
    char done[1];
    mq_queue_finish(b->queue, jobs, 1, done);
}

typedef struct entry_ctx {
    mq_broker *b;
    int claimed;
} entry_ctx;

/* Takes in one entry read or claimed from Redis. */
static void on_entry(void *ud, int stream, const char *id, const uint8_t *data, size_t len) {
    entry_ctx *c = ud;
    mq_broker *b = c->b;
    if (!data) {
        drop_entry(b, stream, id, "no job in the entry");
        return;
    }
    Mixq__Job *pb = mixq__job__unpack(NULL, len, data);
    if (!pb) {
        drop_entry(b, stream, id, "not a protobuf Job");
        return;
    }
    mq_ref ref = {stream, ""};
    snprintf(ref.id, sizeof ref.id, "%s", id);
    mq_add_status st;
    mq_job *j = mq_jobs_add(&b->jobs, pb, &ref, &st);
    mixq__job__free_unpacked(pb, NULL);
    if (st == MQ_ADD_INVALID)
        drop_entry(b, stream, id, "invalid job");
    else if (st == MQ_ADD_NOMEM)
        mq_log(MQ_LOG_ERROR, "out of memory reading a job", NULL);
    else if (st == MQ_ADD_NEW && c->claimed) {
        mq_metric_add(b->st.claimed, 1);
        mq_log(MQ_LOG_DEBUG, "job claimed", "job_id", j->id, NULL);
    }
}

void mq_broker_fill(mq_broker *b, long long now) {
    long want = mq_broker_want(b);
    if (want <= 0 || (!b->read_now && now < b->next_read)) return;
    /* Under load, read in chunks rather than a few jobs per turn: Redis's cost is per
     * command more than per entry. A job waits no longer than the queue here takes to
     * drain below the chunk. */
    long chunk = (long)(b->workers.credit / 4) < 64 ? (long)(b->workers.credit / 4) : 64;
    if (mq_jobs_queued(&b->jobs) > 0 && want < chunk) return;
    entry_ctx c = {b, 0};
    /* Up to want from each stream: at most twice what workers can take is held. */
    int got = mq_queue_read(b->queue, (int)(want > 10000 ? 10000 : want), on_entry, &c);
    int failed = got < 0;
    if (failed) mq_metric_add(b->st.redis_errors, 1);
    /* A full read means more may be waiting; an empty one, poll again shortly. */
    b->read_now = !failed && got > 0;
    b->next_read = now + (failed ? 200 : 10);
}

void mq_broker_dispatch(mq_broker *b, long long now) {
    if (b->stopping) return;
    size_t items, bytes;
    mq_sink_load(b->sink, &items, &bytes);
    int full = items >= (size_t)b->o->result_buffer ||
               bytes >= (size_t)b->o->result_buffer_mb * 1024 * 1024;
    if (full != b->paused) {
        b->paused = full;
        mq_log(full ? MQ_LOG_WARN : MQ_LOG_INFO,
               full ? "result buffer full: dispatch paused" : "dispatch resumed", NULL);
    }
    if (full) return;
    while (mq_jobs_queued(&b->jobs)) {
        mq_worker *w = mq_workers_take(&b->workers);
        if (!w) break;
        mq_job *j = mq_jobs_next(&b->jobs);
        Mixq__Job job = MIXQ__JOB__INIT;
        job.job_id = j->id;
        job.track_id = j->track_id;
        job.uri = j->uri;
        job.priority = j->prio;
        job.attempt = j->attempt;
        job.analyzer_version = j->version;
        Mixq__Dispatch d = MIXQ__DISPATCH__INIT;
        d.job = &job;
        d.lease_ms = (uint32_t)b->o->lease_ms;
        Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
        env.version = MQ_WIRE_VERSION;
        env.body_case = MIXQ__ENVELOPE__BODY_DISPATCH;
        env.dispatch = &d;
        if (mq_wire_send_to(b->sock, w->ident, w->identlen, &env, ZMQ_DONTWAIT) != 0) {
            int e = zmq_errno();
            mq_jobs_queue(&b->jobs, j, 1);
            if (e == EHOSTUNREACH) {
                /* Its connection is gone; it will come back with an initial Ready. */
                mq_log(MQ_LOG_INFO, "worker unreachable; its credit is dropped", "worker", w->id,
                       NULL);
                mq_workers_credit(&b->workers, w, 0, 1, 0);
                continue;
            }
            mq_workers_untake(&b->workers, w);
            break; /* the socket is full: try again on the next turn */
        }
        mq_jobs_lease(&b->jobs, j, w, now, now + b->o->lease_ms);
        mq_metric_add(b->st.dispatched, 1);
        char attempt[16];
        snprintf(attempt, sizeof attempt, "%u", j->attempt);
        mq_log(MQ_LOG_DEBUG, "dispatched", "job_id", j->id, "worker", w->id, "attempt", attempt,
               NULL);
    }
}

/* A job whose worker went silent or whose lease ran out: to another worker, or to the
 * dead letters when that was its last attempt. The job is detached. */
static void hand_over(mq_broker *b, mq_job *j) {
    mq_metric_add(b->st.leases_expired, 1);
    if (j->attempt >= (unsigned)b->o->max_attempts) {
        mq_broker_fail_transient(b, j, "lease_expired", "the worker stopped answering");
        return;
    }
    j->attempt++;
    mq_jobs_queue(&b->jobs, j, 1);
}

void mq_broker_expire(mq_broker *b, long long now) {
    mq_link *k = mq_list_first(&b->workers.all);
    while (k) {
        mq_link *next = mq_list_next(&b->workers.all, k);
        mq_worker *w = MQ_CONTAINER(k, mq_worker, all);
        if (now - w->last_seen > b->o->lease_ms) {
            char ids[512] = "", count[16], silent[24];
            size_t n = 0, off = 0;
            mq_link *jl;
            while ((jl = mq_list_first(&w->jobs))) {
                mq_job *j = MQ_CONTAINER(jl, mq_job, wlink);
                if (off < sizeof ids - 1)
                    off +=
                        (size_t)snprintf(ids + off, sizeof ids - off, "%s%s", n ? "," : "", j->id);
                n++;
                mq_jobs_detach(&b->jobs, j);
                hand_over(b, j);
            }
            snprintf(count, sizeof count, "%zu", n);
            snprintf(silent, sizeof silent, "%lld", now - w->last_seen);
            mq_log(MQ_LOG_WARN, "worker lost: its jobs are handed over", "worker", w->id, "jobs",
                   count, "job_ids", ids, "silent_ms", silent, NULL);
            mq_metric_add(b->st.workers_lost, 1);
            mq_workers_remove(&b->workers, w);
        }
        k = next;
    }
    while ((k = mq_list_first(&b->jobs.leased))) {
        mq_job *j = MQ_CONTAINER(k, mq_job, link);
        if (j->lease_end > now) break;
        mq_log(MQ_LOG_INFO, "lease expired: job handed over", "job_id", j->id, "worker",
               j->worker->id, NULL);
        mq_jobs_detach(&b->jobs, j);
        hand_over(b, j);
    }
}

/* ---- keeping pending entries fresh ---- */

typedef struct refresh_ctx {
    mq_broker *b;
    mq_job **jobs; /* parallel to ids */
    const char **ids;
    size_t n;
} refresh_ctx;

/* An entry of ours that Redis says is no longer pending under this broker: another
 * broker claimed it (we were too slow) or it was acknowledged. A job still waiting
 * here lets it go; one already at a worker finishes anyway (idempotent). */
static void on_lost(void *ud, int stream, const char *id) {
    refresh_ctx *c = ud;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->ids[i], id) != 0) continue;
        mq_job *j = c->jobs[i];
        if (j->state != MQ_JOB_QUEUED) return;
        for (int r = 0; r < j->nrefs; r++)
            if (j->refs[r].stream == stream && !strcmp(j->refs[r].id, id)) {
                j->refs[r] = j->refs[j->nrefs - 1];
                j->nrefs--;
                if (j->nrefs > 0) c->b->jobs.extra_refs--;
                break;
            }
        mq_log(MQ_LOG_INFO, "job taken over by another broker", "job_id", j->id, NULL);
        if (j->nrefs == 0) {
            mq_jobs_detach(&c->b->jobs, j);
            j->nrefs = 1; /* keeps the extra_refs count right in mq_jobs_free */
            mq_jobs_free(&c->b->jobs, j);
        }
        return;
    }
}

typedef struct collect_ctx {
    int stream;
    mq_job **jobs;
    const char **ids;
    size_t n, cap;
    int oom;
} collect_ctx;

static void collect_one(mq_map_node *n, void *ud) {
    collect_ctx *c = ud;
    mq_job *j = MQ_CONTAINER(n, mq_job, node);
    for (int r = 0; r < j->nrefs; r++) {
        if (j->refs[r].stream != c->stream) continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 256;
            mq_job **nj = realloc(c->jobs, cap * sizeof *nj);
            if (nj) c->jobs = nj;
            const char **ni = nj ? realloc(c->ids, cap * sizeof *ni) : NULL;
            if (!nj || !ni) {
                c->oom = 1;
                return;
            }
            c->ids = ni;
            c->cap = cap;
        }
        c->jobs[c->n] = j;
        c->ids[c->n++] = j->refs[r].id;
    }
}

void mq_broker_refresh(mq_broker *b) {
    for (int s = 0; s < MQ_STREAMS; s++) {
        collect_ctx c = {s, NULL, NULL, 0, 0, 0};
        mq_map_each(b->jobs.byid, collect_one, &c);
        /* on_lost may free jobs: every id is copied before the first call. */
        char(*ids)[MQ_ENTRY_ID_MAX] = c.n ? malloc(c.n * sizeof *ids) : NULL;
        const char **idp = c.n ? malloc(c.n * sizeof *idp) : NULL;
        if (c.n && (!ids || !idp)) c.oom = 1;
        for (size_t i = 0; !c.oom && i < c.n; i++) {
            snprintf(ids[i], MQ_ENTRY_ID_MAX, "%s", c.ids[i]);
            idp[i] = ids[i];
        }
        for (size_t off = 0; !c.oom && off < c.n; off += REFRESH_CHUNK) {
            size_t k = c.n - off < REFRESH_CHUNK ? c.n - off : REFRESH_CHUNK;
            refresh_ctx rc = {b, c.jobs + off, idp + off, k};
            if (mq_queue_refresh(b->queue, s, idp + off, k, on_lost, &rc) != 0) {
                mq_metric_add(b->st.redis_errors, 1);
                break;
            }
        }
        if (c.oom) mq_log(MQ_LOG_ERROR, "out of memory refreshing pending entries", NULL);
        free(ids);
        free(idp);
        free(c.jobs);
        free(c.ids);
    }
}

void mq_broker_claim(mq_broker *b) {
    long want = mq_broker_want(b);
    if (want <= 0 || b->stopping) return;
    entry_ctx c = {b, 1};
    for (int s = 0; s < MQ_STREAMS && want > 0; s++) {
        size_t before = mq_jobs_count(&b->jobs);
        int n = mq_queue_autoclaim(b->queue, s, b->o->claim_timeout_ms,
                                   (int)(want > 10000 ? 10000 : want), on_entry, &c);
        if (n < 0) {
            mq_metric_add(b->st.redis_errors, 1);
            return;
        }
        size_t added = mq_jobs_count(&b->jobs) - before;
        if (added) {
            char count[24];
            snprintf(count, sizeof count, "%zu", added);
            mq_log(MQ_LOG_INFO, "claimed jobs idle past the claim timeout", "stream",
                   mq_queue_stream_name(s), "jobs", count, NULL);
        }
        want -= n;
    }
}
