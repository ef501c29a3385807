/* broker.c -- set-up, the event loop and its timers, shutdown. */
#include "broker/broker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <zmq.h>

#include "broker/clock.h"
#include "broker/core.h"
#include "common/log.h"

#define MAX_FRAME ((int64_t)(16 << 20) + 4096)
#define RECV_BURST 4096 /* messages handled before other work gets a turn */
#define EXPIRE_EVERY_MS 100
#define PROMOTE_EVERY_MS 250
#define GAUGES_EVERY_MS 1000
#define TRIM_EVERY_MS 1000

static int setup_socket(mq_broker *b, char *err, size_t errlen) {
    const mq_broker_opts *o = b->o;
    b->sock = zmq_socket(b->zctx, ZMQ_ROUTER);
    if (!b->sock) {
        snprintf(err, errlen, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    int one = 1, zero = 0, hwm = 200000;
    int64_t maxmsg = MAX_FRAME;
    zmq_setsockopt(b->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(b->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(b->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(b->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(b->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (o->curve_key) {
        mq_curve_key key;
        if (mq_curve_key_load(o->curve_key, &key, err, errlen) != 0) return -1;
        b->auth = mq_curve_auth_start(b->zctx, o->curve_allow, err, errlen);
        if (!b->auth) return -1;
        if (mq_curve_server(b->sock, &key) != 0) {
            snprintf(err, errlen, "CURVE server set-up: %s", zmq_strerror(zmq_errno()));
            return -1;
        }
    } else if (!mq_endpoint_is_loopback(o->endpoint) && !o->allow_plain) {
        snprintf(err, errlen,
                 "%s is not a loopback endpoint: give --curve-key and --curve-allow, or "
                 "--allow-plain to accept unauthenticated peers",
                 o->endpoint);
        return -1;
    }
    if (zmq_bind(b->sock, o->endpoint) != 0) {
        snprintf(err, errlen, "cannot bind %s: %s", o->endpoint, zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

mq_broker *mq_broker_new(const mq_broker_opts *o, char *err, size_t errlen) {
    mq_broker *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b->o = o;
    b->wake_fd = -1;
    long long now = mq_mono_ms();
    b->rng = (uint64_t)mq_wall_ms() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    if (!b->rng) b->rng = 1;
    mq_rate_init(&b->rate, now);
    if (mq_jobs_init(&b->jobs) != 0 || mq_workers_init(&b->workers) != 0 ||
        !(b->metrics = mq_metrics_new()) || mq_broker_stats_init(&b->st, b->metrics) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!(b->redis = mq_redis_new(o->redis_url, 5000, err, errlen))) goto fail;
    if (!(b->queue = mq_queue_new(b->redis, o->prefix, o->broker_id))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    b->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (b->wake_fd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        goto fail;
    }
    if (!(b->zctx = zmq_ctx_new())) {
        snprintf(err, errlen, "zmq_ctx_new failed");
        goto fail;
    }
    if (setup_socket(b, err, errlen) != 0) goto fail;
    if (o->metrics_port && mq_metrics_serve(b->metrics, o->metrics_port, o->metrics_any) != 0) {
        snprintf(err, errlen, "cannot serve metrics on port %d", o->metrics_port);
        goto fail;
    }
    b->sink = mq_sink_new(o->pg_dsn, (int)o->batch, b->wake_fd, &b->st.sink, err, errlen);
    if (!b->sink) goto fail;
    return b;
fail:
    mq_broker_del(b);
    return NULL;
}

/* Reads every message waiting on the socket, up to a burst. */
static void receive_burst(mq_broker *b, long long now) {
    uint8_t id[MQ_WIRE_MAX_IDENTITY];
    for (int i = 0; i < RECV_BURST; i++) {
        size_t idlen = 0;
        Mixq__Envelope *env = NULL;
        char why[128] = "";
        mq_wire_status st =
            mq_wire_recv_from(b->sock, ZMQ_DONTWAIT, id, &idlen, &env, why, sizeof why);
        if (st == MQ_WIRE_AGAIN) return;
        if (st == MQ_WIRE_ERROR) {
            mq_logf(MQ_LOG_ERROR, "receive failed: %s", zmq_strerror(zmq_errno()));
            return;
        }
        if (st == MQ_WIRE_MALFORMED) {
            mq_metric_add(b->st.messages, 1);
            mq_broker_malformed(b, why);
            continue;
        }
        mq_broker_receive(b, id, idlen, env, now);
        mixq__envelope__free_unpacked(env, NULL);
    }
}

static void update_gauges(mq_broker *b) {
    size_t items, bytes;
    mq_sink_load(b->sink, &items, &bytes);
    mq_metric_set(b->st.workers, (double)b->workers.all.n);
    mq_metric_set(b->st.credit, (double)b->workers.credit);
    mq_metric_set(b->st.queued, (double)mq_jobs_queued(&b->jobs));
    mq_metric_set(b->st.in_flight, (double)b->jobs.leased.n);
    mq_metric_set(b->st.held, (double)mq_jobs_count(&b->jobs));
    mq_metric_set(b->st.buffered, (double)items);
    mq_metric_set(b->st.buffered_bytes, (double)bytes);
    mq_metric_set(b->st.paused, b->paused);
    mq_metric_set(b->st.redis_up, mq_redis_is_up(b->redis));
    mq_metric_set(b->st.curve_refused, (double)mq_curve_auth_refused(b->auth));
}

/* Runs the timers that are due. */
static void timers(mq_broker *b, long long now) {
    const mq_broker_opts *o = b->o;
    if (now >= b->next_expire) {
        mq_broker_expire(b, now);
        b->next_expire = now + EXPIRE_EVERY_MS;
    }
    if (b->stopping) return;
    if (now >= b->next_promote) {
        mq_broker_promote(b);
        b->next_promote = now + PROMOTE_EVERY_MS;
    }
    if (now >= b->next_refresh) {
        mq_broker_refresh(b);
        b->next_refresh = now + o->claim_timeout_ms / 3;
    }
    if (now >= b->next_claim) {
        mq_broker_claim(b);
        b->next_claim = now + o->claim_timeout_ms / 4;
    }
    if (now >= b->next_trim) {
        if (mq_queue_trim(b->queue) < 0) mq_metric_add(b->st.redis_errors, 1);
        b->next_trim = now + TRIM_EVERY_MS;
    }
    if (now >= b->next_gauges) {
        update_gauges(b);
        b->next_gauges = now + GAUGES_EVERY_MS;
    }
}

/* How long the loop may sleep. */
static long poll_timeout(mq_broker *b, long long now) {
    if (b->read_now && mq_broker_want(b) > 0 && !b->stopping) return 0;
    long long until = b->next_expire;
    if (!b->stopping && mq_broker_want(b) > 0 && b->next_read < until) until = b->next_read;
    if (b->jobs.finishing.n && b->next_finish < until) until = b->next_finish;
    long t = (long)(until - now);
    return t < 0 ? 0 : t > 100 ? 100 : t;
}

/* One turn of the loop. */
static void turn(mq_broker *b) {
    zmq_pollitem_t items[2] = {{b->sock, 0, ZMQ_POLLIN, 0}, {NULL, b->wake_fd, ZMQ_POLLIN, 0}};
    long long now = mq_mono_ms();
    int rc = zmq_poll(items, 2, poll_timeout(b, now));
    if (rc < 0 && zmq_errno() != EINTR)
        mq_logf(MQ_LOG_ERROR, "zmq_poll: %s", zmq_strerror(zmq_errno()));
    now = mq_mono_ms();
    receive_burst(b, now);
    if (items[1].revents & ZMQ_POLLIN) mq_broker_collect(b, now);
    mq_broker_finish(b, now);
    timers(b, now);
    if (!b->stopping) {
        mq_broker_fill(b, now);
        mq_broker_dispatch(b, now);
    }
}

int mq_broker_run(mq_broker *b, volatile sig_atomic_t *stop) {
    char lease[16];
    snprintf(lease, sizeof lease, "%ld", b->o->lease_ms);
    mq_log(MQ_LOG_INFO, "broker started", "broker_id", b->o->broker_id, "endpoint", b->o->endpoint,
           "auth", b->auth ? "curve" : "plain", "lease_ms", lease, NULL);
    long long now = mq_mono_ms();
    b->next_claim = now + 1000; /* after the first reads of our own earlier entries */
    while (!*stop) turn(b);

    /* Shutdown: take no new work, let the results of leased jobs come in and be
     * written for up to the grace period. What is left stays pending in Redis: this
     * broker resumes it when restarted, or another claims it. */
    b->stopping = 1;
    char held[24];
    snprintf(held, sizeof held, "%zu", mq_jobs_count(&b->jobs));
    mq_log(MQ_LOG_INFO, "stopping: finishing in-flight jobs", "jobs_held", held, NULL);
    long long deadline = mq_mono_ms() + b->o->shutdown_grace_ms;
    while (mq_mono_ms() < deadline &&
           (b->jobs.leased.n || b->jobs.sinking || b->jobs.finishing.n)) {
        turn(b);
        if (b->jobs.finishing.n && !mq_redis_is_up(b->redis) && !b->jobs.leased.n &&
            !b->jobs.sinking)
            break; /* only Redis acks left, and Redis is away */
    }
    long long left = deadline - mq_mono_ms();
    mq_sink_stop(b->sink, left > 0 ? (int)left : 0);
    mq_broker_collect(b, mq_mono_ms());
    b->next_finish = 0;
    mq_broker_finish(b, mq_mono_ms());
    snprintf(held, sizeof held, "%zu", mq_jobs_count(&b->jobs));
    mq_log(MQ_LOG_INFO, "broker stopped", "jobs_left_pending", held, NULL);
    return 0;
}

void mq_broker_del(mq_broker *b) {
    if (!b) return;
    mq_sink_del(b->sink); /* stops its thread first */
    if (b->sock) zmq_close(b->sock);
    mq_curve_auth_stop(b->auth);
    if (b->zctx) zmq_ctx_term(b->zctx);
    mq_metrics_del(b->metrics);
    mq_queue_del(b->queue);
    mq_redis_del(b->redis);
    if (b->wake_fd >= 0) close(b->wake_fd);
    if (b->jobs.byid) mq_jobs_fini(&b->jobs);
    if (b->workers.byid) mq_workers_fini(&b->workers);
    free(b);
}
