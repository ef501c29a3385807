/* loop.c -- the worker's event loop around one DEALER socket.
 *
 * Credit accounting: `outstanding` is the credit the broker holds for us and has not yet
 * used. An initial Ready sets it to the free slots (credit - held); each Dispatch uses one;
 * whenever credit - held - outstanding is positive, a Ready adds that many. A broker that
 * dispatches more than it was offered is not refused: the extra jobs wait in the pool's
 * queue and are heartbeated like the rest.
 *
 * Every job the loop holds is on the `held` list until its Result or Release is sent, and
 * is in exactly one place meanwhile: the pool (waiting or running), the no-op timer queue,
 * the outbox (result ready) or the release list. */
#include "worker/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/log.h"
#include "common/wire.h"
#include "worker/classify.h"

#define MAX_RECV_PER_TURN 512 /* then results and heartbeats get their turn */
#define MAX_IDS_PER_RELEASE 1000
#define BACKOFF_MIN_S 0.25
#define BACKOFF_MAX_S 8.0

typedef struct jobq {
    wk_job *head, *tail;
} jobq;

typedef struct loop {
    const wk_loop_cfg *cfg;
    void *ctx;
    const wk_link_opts *lopts;
    wk_link *link; /* NULL between a lost connection and the next attempt */
    unsigned link_seq;
    wk_pool *pool;
    wk_job *held; /* every job not yet answered or released, newest first */
    size_t nheld;
    jobq timed, outbox, release;
    uint32_t outstanding;
    int need_initial;    /* the next Ready must be an initial one */
    double last_rx;      /* when the broker last said anything */
    double backoff;      /* pause before the next new connection */
    double reconnect_at; /* when to make it (link == NULL) */
    double hb_interval, next_hb;
    int stopping;
    double deadline;
    /* metrics (NULL-safe) */
    mq_metric *m_dispatched, *m_done, *m_permanent, *m_transient, *m_released, *m_seconds, *m_held,
        *m_connected, *m_reconnects, *m_malformed;
} loop;

static void q_append(jobq *q, wk_job *j) {
    j->qnext = NULL;
    if (q->tail)
        q->tail->qnext = j;
    else
        q->head = j;
    q->tail = j;
}

static wk_job *q_pop(jobq *q) {
    wk_job *j = q->head;
    if (j) {
        q->head = j->qnext;
        if (!q->head) q->tail = NULL;
    }
    return j;
}

static void held_add(loop *L, wk_job *j) {
    j->prev = NULL;
    j->next = L->held;
    if (L->held) L->held->prev = j;
    L->held = j;
    L->nheld++;
    mq_metric_set(L->m_held, (double)L->nheld);
}

/* Takes j off the held list and frees it. */
static void held_drop(loop *L, wk_job *j) {
    if (j->prev)
        j->prev->next = j->next;
    else
        L->held = j->next;
    if (j->next) j->next->prev = j->prev;
    L->nheld--;
    mq_metric_set(L->m_held, (double)L->nheld);
    wk_job_del(j);
}

static int link_up(const loop *L) { return L->link && wk_link_up(L->link); }

/* ---- sending ---- */

static int send_body(loop *L, Mixq__Envelope *env) {
    if (!L->link) return -1;
    env->version = MQ_WIRE_VERSION;
    return wk_link_send(L->link, env);
}

static int send_ready(loop *L, uint32_t credit, int initial) {
    Mixq__Ready r = MIXQ__READY__INIT;
    r.worker_id = (char *)L->cfg->worker_id;
    r.credit = credit;
    r.threads = L->cfg->threads;
    r.initial = initial ? 1 : 0;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.body_case = MIXQ__ENVELOPE__BODY_READY;
    env.ready = &r;
    return send_body(L, &env);
}

static long free_slots(const loop *L) { return (long)L->cfg->credit - (long)L->nheld; }

/* The first message on a connection: all free slots (none once stopping), replacing
 * whatever the broker knew. Returns 0 once sent. */
static int send_initial(loop *L) {
    long n = L->stopping || free_slots(L) < 0 ? 0 : free_slots(L);
    if (send_ready(L, (uint32_t)n, 1) != 0) return -1;
    L->outstanding = (uint32_t)n;
    L->need_initial = 0;
    return 0;
}

static void announce_credit(loop *L) {
    if (L->stopping) return;
    long n = free_slots(L) - (long)L->outstanding;
    if (n > 0 && send_ready(L, (uint32_t)n, 0) == 0) L->outstanding += (uint32_t)n;
}

static void send_heartbeat(loop *L) {
    char **ids = L->nheld ? malloc(L->nheld * sizeof *ids) : NULL;
    if (L->nheld && !ids) return; /* try again at the next interval */
    size_t n = 0;
    for (wk_job *j = L->held; j; j = j->next) ids[n++] = j->job_id;
    Mixq__Heartbeat hb = MIXQ__HEARTBEAT__INIT;
    hb.worker_id = (char *)L->cfg->worker_id;
    hb.n_job_ids = n;
    hb.job_ids = ids;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.body_case = MIXQ__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    send_body(L, &env); /* if it cannot go now, the next one will */
    free(ids);
}

/* Sends the results in the outbox, oldest first, until one cannot be sent. */
static void flush_outbox(loop *L) {
    while (L->outbox.head) {
        wk_job *j = L->outbox.head;
        Mixq__Result r = MIXQ__RESULT__INIT;
        r.job_id = j->job_id;
        r.track_id = j->track_id;
        r.worker_id = (char *)L->cfg->worker_id;
        if (j->features_json) {
            r.features_json.data = (uint8_t *)j->features_json;
            r.features_json.len = strlen(j->features_json);
        } else {
            r.error_kind = j->error_kind;
            r.error_code = j->error_code;
            r.error_message = j->error_message;
        }
        r.seconds = j->seconds;
        Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
        env.body_case = MIXQ__ENVELOPE__BODY_RESULT;
        env.result = &r;
        if (send_body(L, &env) != 0) break;
        held_drop(L, q_pop(&L->outbox));
    }
}

/* Sends a Release naming the n jobs in ids. Returns 0 or -1. */
static int send_release(loop *L, char **ids, size_t n) {
    Mixq__Release rel = MIXQ__RELEASE__INIT;
    rel.worker_id = (char *)L->cfg->worker_id;
    rel.n_job_ids = n;
    rel.job_ids = ids;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.body_case = MIXQ__ENVELOPE__BODY_RELEASE;
    env.release = &rel;
    return send_body(L, &env);
}

static void log_count(mq_log_level level, const char *msg, size_t n) {
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    mq_log(level, msg, "count", count, NULL);
}

/* Releases the jobs on the release list, in batches. */
static void flush_release(loop *L) {
    char *ids[MAX_IDS_PER_RELEASE];
    while (L->release.head) {
        size_t n = 0;
        for (wk_job *j = L->release.head; j && n < MAX_IDS_PER_RELEASE; j = j->qnext)
            ids[n++] = j->job_id;
        if (send_release(L, ids, n) != 0) break;
        for (size_t i = 0; i < n; i++) held_drop(L, q_pop(&L->release));
        mq_metric_add(L->m_released, (double)n);
        log_count(MQ_LOG_INFO, "released jobs not started", n);
    }
}

/* ---- jobs ---- */

static void job_finished(loop *L, wk_job *j) {
    mq_metric_add(L->m_seconds, j->seconds);
    if (j->features_json) {
        mq_metric_add(L->m_done, 1);
        mq_log(MQ_LOG_DEBUG, "job done", "job_id", j->job_id, NULL);
    } else {
        int perm = j->error_kind == MIXQ__ERROR_KIND__ERROR_PERMANENT;
        mq_metric_add(perm ? L->m_permanent : L->m_transient, 1);
        mq_log(perm ? MQ_LOG_INFO : MQ_LOG_WARN, "job failed", "job_id", j->job_id, "uri", j->uri,
               "kind", wk_error_kind_name(j->error_kind), "code", j->error_code, "message",
               j->error_message, NULL);
    }
    j->state = WK_JOB_IN_OUTBOX;
    q_append(&L->outbox, j);
}

static void on_dispatch(loop *L, const Mixq__Dispatch *d, double now) {
    if (L->outstanding) L->outstanding--;
    if (!d || !d->job || !d->job->job_id || !d->job->job_id[0]) {
        mq_metric_add(L->m_malformed, 1);
        mq_log(MQ_LOG_WARN, "dispatch without a job id: ignored", NULL);
        return;
    }
    wk_job *j = wk_job_new(d->job, d->lease_ms);
    if (!j) {
        /* Its lease will run out and the broker will give it to another worker. */
        mq_log(MQ_LOG_ERROR, "out of memory taking a job", "job_id", d->job->job_id, NULL);
        return;
    }
    mq_metric_add(L->m_dispatched, 1);
    held_add(L, j);
    /* Heartbeats must come at least three times per lease. */
    if (d->lease_ms > 0 && d->lease_ms / 3000.0 < L->hb_interval) {
        L->hb_interval = d->lease_ms / 3000.0;
        if (L->next_hb > now + L->hb_interval) L->next_hb = now + L->hb_interval;
    }
    if (L->stopping) {
        j->state = WK_JOB_IN_RELEASE;
        q_append(&L->release, j);
    } else if (!L->pool && L->cfg->noop_delay_s > 0) {
        j->state = WK_JOB_IN_POOL; /* "running" until due */
        j->due = now + L->cfg->noop_delay_s;
        q_append(&L->timed, j);
    } else if (!L->pool) {
        wk_exec_noop(L->cfg->exec, j);
        job_finished(L, j);
    } else {
        j->state = WK_JOB_IN_POOL;
        wk_pool_push(L->pool, j);
    }
}

/* Moves finished jobs (pool threads, due no-op jobs) to the outbox. */
static void collect_finished(loop *L, double now) {
    if (L->pool)
        for (wk_job *j = wk_pool_take_done(L->pool), *nx; j; j = nx) {
            nx = j->qnext;
            job_finished(L, j);
        }
    while (L->timed.head && L->timed.head->due <= now) {
        wk_job *j = q_pop(&L->timed);
        wk_exec_noop(L->cfg->exec, j);
        j->seconds = L->cfg->noop_delay_s;
        job_finished(L, j);
    }
}

/* ---- receiving ---- */

static void on_heartbeat(loop *L, const Mixq__Heartbeat *hb) {
    /* An empty worker_id: the broker does not know us (it restarted, or gave us up). */
    if (hb && (!hb->worker_id || !hb->worker_id[0])) {
        if (!L->need_initial)
            mq_log(MQ_LOG_INFO, "the broker does not know this worker: registering again", NULL);
        L->need_initial = 1;
    }
}

/* Reads what the broker sent. Returns -1 when the socket failed. */
static int drain_socket(loop *L, double now) {
    for (int i = 0; i < MAX_RECV_PER_TURN; i++) {
        Mixq__Envelope *env = NULL;
        char why[128] = "";
        mq_wire_status st =
            mq_wire_recv(wk_link_socket(L->link), ZMQ_DONTWAIT, &env, why, sizeof why);
        if (st == MQ_WIRE_AGAIN) return 0;
        if (st == MQ_WIRE_ERROR) {
            mq_log(MQ_LOG_ERROR, "broker socket failed", "error", zmq_strerror(zmq_errno()), NULL);
            return -1;
        }
        L->last_rx = now;
        L->backoff = BACKOFF_MIN_S;
        if (st == MQ_WIRE_MALFORMED) {
            mq_metric_add(L->m_malformed, 1);
            mq_log(MQ_LOG_WARN, "malformed message from the broker: dropped", "why", why, NULL);
            continue;
        }
        switch (env->body_case) {
        case MIXQ__ENVELOPE__BODY_DISPATCH: on_dispatch(L, env->dispatch, now); break;
        case MIXQ__ENVELOPE__BODY_HEARTBEAT: on_heartbeat(L, env->heartbeat); break;
        default:
            mq_metric_add(L->m_malformed, 1);
            mq_logf(MQ_LOG_WARN, "unexpected message from the broker (body %d): dropped",
                    (int)env->body_case);
        }
        mixq__envelope__free_unpacked(env, NULL);
    }
    return 0;
}

static void drain_monitor(loop *L, double now) {
    char detail[320];
    wk_link_event ev;
    while ((ev = wk_link_event_read(L->link, detail, sizeof detail)) != WK_LINK_NONE) {
        switch (ev) {
        case WK_LINK_UP:
            /* A new connection: whatever the broker knew of our credit is gone. */
            L->need_initial = 1;
            L->last_rx = now;
            L->next_hb = now;
            mq_metric_set(L->m_connected, 1);
            mq_log(MQ_LOG_INFO, "connected to the broker", "detail", detail, NULL);
            break;
        case WK_LINK_DOWN:
            mq_metric_set(L->m_connected, 0);
            mq_log(MQ_LOG_WARN, "lost the broker connection", "detail", detail, NULL);
            break;
        case WK_LINK_REFUSED:
            mq_log(MQ_LOG_ERROR, "broker handshake failed", "detail", detail, NULL);
            break;
        default: break;
        }
    }
}

/* ---- the connection ---- */

/* Nothing from the broker for too long: drop the socket; a new one follows after the
 * backoff. */
static void drop_link(loop *L, double now) {
    char secs[32];
    snprintf(secs, sizeof secs, "%g", L->backoff);
    mq_log(MQ_LOG_WARN, "no answer from the broker: reconnecting", "broker", L->lopts->endpoint,
           "retry_in_s", secs, NULL);
    wk_link_del(L->link, 0);
    L->link = NULL;
    mq_metric_set(L->m_connected, 0);
    L->reconnect_at = now + L->backoff;
    L->backoff = L->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : L->backoff * 2;
}

static void make_link(loop *L, double now) {
    char err[256];
    wk_link_opts o = *L->lopts;
    o.seq = ++L->link_seq;
    L->link = wk_link_new(L->ctx, &o, err, sizeof err);
    L->last_rx = now;
    if (!L->link) {
        mq_log(MQ_LOG_ERROR, "cannot make a new broker connection", "error", err, NULL);
        L->reconnect_at = now + L->backoff;
        return;
    }
    mq_metric_add(L->m_reconnects, 1);
}

/* ---- shutdown ---- */

static void begin_stop(loop *L, double now) {
    L->stopping = 1;
    L->deadline = now + L->cfg->grace_s;
    size_t n = 0;
    for (wk_job *j = L->pool ? wk_pool_cancel_waiting(L->pool) : NULL, *nx; j; j = nx) {
        nx = j->qnext;
        j->state = WK_JOB_IN_RELEASE;
        q_append(&L->release, j);
        n++;
    }
    char waiting[24], grace[32];
    snprintf(waiting, sizeof waiting, "%zu", n);
    snprintf(grace, sizeof grace, "%g", L->cfg->grace_s);
    mq_log(MQ_LOG_INFO, "stopping: finishing running jobs, releasing the rest", "to_release",
           waiting, "grace_s", grace, NULL);
}

static size_t count_running(const loop *L) {
    size_t n = 0;
    for (const wk_job *j = L->held; j; j = j->next) n += j->state == WK_JOB_IN_POOL;
    return n;
}

/* At the end of the grace period: one last Release of the jobs still running (not freed:
 * analysis threads may still use them). */
static void release_running(loop *L) {
    size_t n = count_running(L);
    if (!n) return;
    char **ids = malloc(n * sizeof *ids);
    if (ids) {
        size_t k = 0;
        for (wk_job *j = L->held; j; j = j->next)
            if (j->state == WK_JOB_IN_POOL) ids[k++] = j->job_id;
        if (send_release(L, ids, k) == 0) mq_metric_add(L->m_released, (double)k);
        free(ids);
    }
    log_count(MQ_LOG_WARN, "grace period over: released the jobs still running", n);
}

static void free_list(wk_job *j) {
    for (wk_job *nx; j; j = nx) {
        nx = j->qnext;
        wk_job_del(j);
    }
}

/* ---- the loop ---- */

static void make_metrics(loop *L, mq_metrics *m) {
    if (!m) return;
    L->m_dispatched = mq_metrics_counter(m, "mixq_worker_jobs_dispatched_total", "Jobs received");
    L->m_done = mq_metrics_counter(m, "mixq_worker_jobs_done_total", "Jobs analysed");
    L->m_permanent = mq_metrics_counter(m, "mixq_worker_jobs_failed_permanent_total",
                                        "Jobs failed with a permanent error");
    L->m_transient = mq_metrics_counter(m, "mixq_worker_jobs_failed_transient_total",
                                        "Jobs failed with a transient error");
    L->m_released =
        mq_metrics_counter(m, "mixq_worker_jobs_released_total", "Jobs handed back on shutdown");
    L->m_seconds =
        mq_metrics_counter(m, "mixq_worker_job_seconds_total", "Wall seconds spent on jobs");
    L->m_held = mq_metrics_gauge(m, "mixq_worker_jobs_held", "Jobs held (queued or running)");
    L->m_connected =
        mq_metrics_gauge(m, "mixq_worker_connected", "1 while connected to the broker");
    L->m_reconnects = mq_metrics_counter(m, "mixq_worker_reconnects_total",
                                         "New broker connections after silence");
    L->m_malformed = mq_metrics_counter(m, "mixq_worker_malformed_total",
                                        "Malformed or unexpected messages from the broker");
}

/* Seconds to sleep before something is due. */
static double time_to_next(const loop *L, double now) {
    double t = L->next_hb;
    if (L->link) {
        double silent = L->last_rx + L->cfg->broker_timeout_s;
        if (silent < t) t = silent;
    } else if (L->reconnect_at < t) {
        t = L->reconnect_at;
    }
    if (L->timed.head && L->timed.head->due < t) t = L->timed.head->due;
    if (L->stopping && L->deadline < t) t = L->deadline;
    double wait = t - now;
    /* Something could not be sent while connected (a full queue): retry soon. */
    if (link_up(L) && (L->outbox.head || L->release.head || L->need_initial) && wait > 0.01)
        wait = 0.01;
    return wait < 0 ? 0 : wait;
}

int wk_loop_run(const wk_loop_cfg *cfg, void *ctx, const wk_link_opts *lopts, wk_link **link,
                wk_pool *pool) {
    loop L;
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.ctx = ctx;
    L.lopts = lopts;
    L.link = *link;
    L.link_seq = lopts->seq;
    L.pool = pool;
    make_metrics(&L, cfg->metrics);
    double now = wk_now();
    L.last_rx = now;
    L.backoff = BACKOFF_MIN_S;
    L.hb_interval = cfg->heartbeat_s;
    L.next_hb = now + L.hb_interval;
    int rc = 0;

    for (;;) {
        now = wk_now();
        if (*cfg->stop && !L.stopping) begin_stop(&L, now);
        if (L.stopping && *cfg->stop >= 2 && L.deadline > now) L.deadline = now;

        /* The connection: replace a silent one, make the next one when due. */
        if (L.link && now - L.last_rx > cfg->broker_timeout_s) drop_link(&L, now);
        if (!L.link && now >= L.reconnect_at) make_link(&L, now);

        /* Finished jobs, then everything we owe the broker, initial Ready first. */
        collect_finished(&L, now);
        if (link_up(&L) && (!L.need_initial || send_initial(&L) == 0)) {
            flush_outbox(&L);
            flush_release(&L);
            announce_credit(&L);
            if (now >= L.next_hb) send_heartbeat(&L);
        }
        if (now >= L.next_hb) L.next_hb = now + L.hb_interval;

        if (L.stopping) {
            if (L.nheld == 0) break;
            /* With no broker to tell and nothing running, waiting helps nobody. */
            if (!link_up(&L) && count_running(&L) == 0) break;
            if (now >= L.deadline) {
                release_running(&L);
                break;
            }
        }

        /* Sleep until something is due, a message, a finished job or a signal. */
        double wait = time_to_next(&L, now);
        zmq_pollitem_t items[3];
        int n = 0, i_sock = -1, i_mon = -1;
        if (L.link) {
            items[i_sock = n++] = (zmq_pollitem_t){wk_link_socket(L.link), 0, ZMQ_POLLIN, 0};
            items[i_mon = n++] = (zmq_pollitem_t){wk_link_monitor(L.link), 0, ZMQ_POLLIN, 0};
        }
        if (pool) items[n++] = (zmq_pollitem_t){NULL, wk_pool_fd(pool), ZMQ_POLLIN, 0};
        int got = zmq_poll(items, n, (long)(wait * 1000.0) + 1);
        if (got < 0) {
            if (zmq_errno() == EINTR) continue;
            mq_log(MQ_LOG_ERROR, "poll failed", "error", zmq_strerror(zmq_errno()), NULL);
            rc = -1;
            break;
        }
        now = wk_now();
        if (i_mon >= 0 && (items[i_mon].revents & ZMQ_POLLIN)) drain_monitor(&L, now);
        if (i_sock >= 0 && (items[i_sock].revents & ZMQ_POLLIN) && drain_socket(&L, now) != 0) {
            rc = -1;
            break;
        }
    }
    /* Whatever could not be sent is the broker's to hand out again when its lease ends. */
    free_list(L.outbox.head);
    free_list(L.release.head);
    free_list(L.timed.head);
    *link = L.link;
    return rc;
}
