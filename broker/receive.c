/* receive.c -- what the broker does with each message a peer may send. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "analysis/analyzer.h"
#include "broker/core.h"
#include "common/log.h"

#define MAX_SUBMIT 10000
#define MAX_ID 256
#define MAX_URI 4096

void mq_broker_send(mq_broker *b, const void *id, size_t idlen, const Mixq__Envelope *env) {
    if (mq_wire_send_to(b->sock, id, idlen, env, ZMQ_DONTWAIT) != 0)
        mq_logf(MQ_LOG_DEBUG, "reply not sent: %s", zmq_strerror(zmq_errno()));
}

/* Counts and logs a malformed message (the log is thinned out under a flood). */
static void malformed(mq_broker *b, const char *why) {
    mq_metric_add(b->st.malformed, 1);
    uint64_t n = ++b->malformed_logged;
    if (n <= 100 || n % 1000 == 0) {
        char count[24];
        snprintf(count, sizeof count, "%llu", (unsigned long long)n);
        mq_log(MQ_LOG_WARN, "malformed message dropped", "reason", why, "count", count, NULL);
    }
}

static int valid_id(const char *s) { return s && s[0] && strlen(s) <= MAX_ID; }

static void ack(mq_broker *b, const void *id, size_t idlen, uint64_t req, uint32_t accepted,
                uint32_t refused, const char *error) {
    Mixq__SubmitAck a = MIXQ__SUBMIT_ACK__INIT;
    a.request_id = req;
    a.accepted = accepted;
    a.refused = refused;
    a.error = (char *)(error ? error : "");
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_SUBMIT_ACK;
    env.submit_ack = &a;
    mq_broker_send(b, id, idlen, &env);
}

static void on_submit(mq_broker *b, const void *id, size_t idlen, Mixq__Submit *s) {
    if (b->stopping) {
        ack(b, id, idlen, s->request_id, 0, 0, "broker shutting down");
        return;
    }
    if (s->n_jobs > MAX_SUBMIT) {
        ack(b, id, idlen, s->request_id, 0, 0, "too many jobs");
        return;
    }
    Mixq__Job **ok = malloc((s->n_jobs ? s->n_jobs : 1) * sizeof *ok);
    char **saved = malloc((s->n_jobs ? s->n_jobs : 1) * sizeof *saved);
    if (!ok || !saved) {
        free(ok);
        free(saved);
        ack(b, id, idlen, s->request_id, 0, 0, "out of memory");
        return;
    }
    size_t n = 0;
    uint32_t refused = 0;
    for (size_t i = 0; i < s->n_jobs; i++) {
        Mixq__Job *j = s->jobs[i];
        if (!valid_id(j->job_id) || !j->uri || !j->uri[0] || strlen(j->uri) > MAX_URI ||
            j->track_id <= 0 || (j->analyzer_version && strlen(j->analyzer_version) > MAX_ID)) {
            refused++;
            continue;
        }
        j->attempt = 1;
        if (j->priority != MIXQ__PRIORITY__PRIORITY_INTERACTIVE)
            j->priority = MIXQ__PRIORITY__PRIORITY_BULK;
        /* An empty version means ours; the original pointer is put back before the
         * message is freed (protobuf-c frees it). */
        saved[n] = j->analyzer_version;
        if (!j->analyzer_version || !j->analyzer_version[0])
            j->analyzer_version = (char *)MQ_ANALYZER_VERSION;
        ok[n++] = j;
    }
    char err[200] = "";
    int rc = n ? mq_queue_add(b->queue, ok, n, err, sizeof err) : 0;
    for (size_t i = 0; i < n; i++) ok[i]->analyzer_version = saved[i];
    free(ok);
    free(saved);
    mq_metric_add(b->st.refused, refused);
    if (rc != 0) {
        mq_metric_add(b->st.redis_errors, 1);
        mq_log(MQ_LOG_WARN, "submit failed", "error", err, NULL);
        ack(b, id, idlen, s->request_id, 0, refused, err);
        return;
    }
    b->submitted += n;
    mq_metric_add(b->st.submitted, (double)n);
    if (n) b->read_now = 1;
    ack(b, id, idlen, s->request_id, (uint32_t)n, refused, NULL);
}

/* Tells a worker the broker does not know it: it must send an initial Ready. */
static void unknown_worker(mq_broker *b, const void *id, size_t idlen) {
    Mixq__Heartbeat hb = MIXQ__HEARTBEAT__INIT;
    hb.worker_id = (char *)"";
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    mq_broker_send(b, id, idlen, &env);
}

/* The known worker a message comes from, its liveness and identity refreshed. */
static mq_worker *seen(mq_broker *b, const char *worker_id, const void *id, size_t idlen,
                       long long now) {
    mq_worker *w = worker_id ? mq_workers_get(&b->workers, worker_id) : NULL;
    if (w) {
        w->last_seen = now;
        mq_worker_set_ident(w, id, idlen);
    }
    return w;
}

static void on_ready(mq_broker *b, const void *id, size_t idlen, Mixq__Ready *r, long long now) {
    if (!valid_id(r->worker_id)) {
        malformed(b, "Ready without a valid worker_id");
        return;
    }
    mq_worker *w = seen(b, r->worker_id, id, idlen, now);
    if (r->initial) {
        if (!w) {
            w = mq_workers_add(&b->workers, r->worker_id, now);
            if (!w) {
                mq_log(MQ_LOG_ERROR, "out of memory registering a worker", NULL);
                return;
            }
            mq_worker_set_ident(w, id, idlen);
            char credit[16];
            snprintf(credit, sizeof credit, "%u", r->credit);
            mq_log(MQ_LOG_INFO, "worker registered", "worker", w->id, "credit", credit, NULL);
        }
        w->threads = r->threads;
        mq_workers_credit(&b->workers, w, r->credit, 1, (unsigned)b->o->max_credit);
    } else if (w) {
        if (r->threads) w->threads = r->threads;
        mq_workers_credit(&b->workers, w, r->credit, 0, (unsigned)b->o->max_credit);
    } else {
        mq_log(MQ_LOG_DEBUG, "credit from an unknown worker ignored", "worker", r->worker_id, NULL);
        unknown_worker(b, id, idlen);
    }
}

static void on_heartbeat(mq_broker *b, const void *id, size_t idlen, Mixq__Heartbeat *hb,
                         long long now) {
    if (!valid_id(hb->worker_id)) {
        malformed(b, "Heartbeat without a valid worker_id");
        return;
    }
    mq_worker *w = seen(b, hb->worker_id, id, idlen, now);
    if (!w) {
        unknown_worker(b, id, idlen);
        return;
    }
    long long until = now + b->o->lease_ms;
    for (size_t i = 0; i < hb->n_job_ids; i++) {
        mq_job *j = hb->job_ids[i] ? mq_jobs_get(&b->jobs, hb->job_ids[i]) : NULL;
        if (!j) continue;
        if (j->state == MQ_JOB_LEASED && j->worker == w) {
            mq_jobs_renew(&b->jobs, j, until);
        } else if (j->state == MQ_JOB_QUEUED) {
            /* Its lease ran out but the worker still has it: give it back to that worker
             * rather than run it twice. */
            mq_jobs_detach(&b->jobs, j);
            mq_jobs_lease(&b->jobs, j, w, now, until);
        }
    }
    /* The answer lists the jobs this broker has leased to the worker. */
    size_t n = w->jobs.n;
    char **ids = malloc((n ? n : 1) * sizeof *ids);
    Mixq__Heartbeat ans = MIXQ__HEARTBEAT__INIT;
    ans.worker_id = w->id;
    if (ids) {
        size_t k = 0;
        for (mq_link *l = mq_list_first(&w->jobs); l; l = mq_list_next(&w->jobs, l))
            ids[k++] = MQ_CONTAINER(l, mq_job, wlink)->id;
        ans.n_job_ids = k;
        ans.job_ids = ids;
    }
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &ans;
    mq_broker_send(b, id, idlen, &env);
    free(ids);
}

static void on_result(mq_broker *b, const void *id, size_t idlen, Mixq__Result *r, long long now) {
    mq_worker *w = seen(b, r->worker_id, id, idlen, now);
    if (w) w->done++;
    mq_job *j = valid_id(r->job_id) ? mq_jobs_get(&b->jobs, r->job_id) : NULL;
    if (!j || (j->state != MQ_JOB_QUEUED && j->state != MQ_JOB_LEASED)) {
        mq_metric_add(b->st.results_unknown, 1);
        mq_log(MQ_LOG_DEBUG, "result for a job not held here ignored", "job_id",
               r->job_id ? r->job_id : "", "worker", r->worker_id ? r->worker_id : "", NULL);
        return;
    }
    if (r->error_kind != MIXQ__ERROR_KIND__ERROR_NONE && j->state == MQ_JOB_LEASED &&
        (!r->worker_id || strcmp(j->worker->id, r->worker_id) != 0)) {
        /* A failure from a worker that lost its lease: the job runs elsewhere now, and
         * that run decides. (A success is taken from anyone.) */
        mq_metric_add(b->st.results_unknown, 1);
        mq_log(MQ_LOG_DEBUG, "stale failure ignored", "job_id", j->id, "worker",
               r->worker_id ? r->worker_id : "", NULL);
        return;
    }
    mq_jobs_detach(&b->jobs, j);
    const char *code = r->error_code && r->error_code[0] ? r->error_code : NULL;
    const char *msg = r->error_message ? r->error_message : "";
    switch (r->error_kind) {
    case MIXQ__ERROR_KIND__ERROR_NONE:
        if (!r->features_json.len)
            mq_broker_fail_transient(b, j, "bad_result", "success without features_json");
        else
            mq_broker_succeed(b, j, r->features_json.data, r->features_json.len, r->seconds);
        break;
    case MIXQ__ERROR_KIND__ERROR_PERMANENT:
        mq_broker_fail_permanent(b, j, code ? code : "permanent_error", msg);
        break;
    default: mq_broker_fail_transient(b, j, code ? code : "transient_error", msg); break;
    }
}

static void on_release(mq_broker *b, const void *id, size_t idlen, Mixq__Release *r,
                       long long now) {
    if (!valid_id(r->worker_id)) {
        malformed(b, "Release without a valid worker_id");
        return;
    }
    mq_worker *w = seen(b, r->worker_id, id, idlen, now);
    if (w) mq_workers_credit(&b->workers, w, 0, 1, 0);
    size_t n = 0;
    for (size_t i = 0; i < r->n_job_ids; i++) {
        mq_job *j = r->job_ids[i] ? mq_jobs_get(&b->jobs, r->job_ids[i]) : NULL;
        if (!j || j->state != MQ_JOB_LEASED || strcmp(j->worker->id, r->worker_id) != 0) continue;
        mq_jobs_detach(&b->jobs, j);
        mq_jobs_queue(&b->jobs, j, 1);
        n++;
    }
    mq_metric_add(b->st.released, (double)n);
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    mq_log(MQ_LOG_INFO, "worker released jobs", "worker", r->worker_id, "jobs", count, NULL);
}

void mq_broker_receive(mq_broker *b, const void *id, size_t idlen, Mixq__Envelope *env,
                       long long now) {
    mq_metric_add(b->st.messages, 1);
    switch (env->body_case) {
    case MIXQ__ENVELOPE__BODY_SUBMIT: on_submit(b, id, idlen, env->submit); break;
    case MIXQ__ENVELOPE__BODY_READY: on_ready(b, id, idlen, env->ready, now); break;
    case MIXQ__ENVELOPE__BODY_HEARTBEAT: on_heartbeat(b, id, idlen, env->heartbeat, now); break;
    case MIXQ__ENVELOPE__BODY_RESULT: on_result(b, id, idlen, env->result, now); break;
    case MIXQ__ENVELOPE__BODY_RELEASE: on_release(b, id, idlen, env->release, now); break;
    case MIXQ__ENVELOPE__BODY_STATUS_REQUEST: mq_broker_status(b, id, idlen, now); break;
    default: malformed(b, "a message only a broker sends"); break;
    }
}

void mq_broker_malformed(mq_broker *b, const char *why) { malformed(b, why); }
