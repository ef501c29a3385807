/* core.h -- the broker's state, shared by its modules (not a public interface).
 *
 *   broker.c    set-up, the loop, timers, shutdown
 *   receive.c   each message a peer may send
 *   dispatch.c  reading jobs from Redis, dispatch by credit, leases, refresh and claim
 *   finish.c    outcomes: sink results, retries, dead letters, Redis acknowledgements
 *   status.c    the StatusReply */
#ifndef MQ_BROKER_CORE_H
#define MQ_BROKER_CORE_H

#include <stdint.h>

#include "broker/broker.h"
#include "broker/jobs.h"
#include "broker/queue.h"
#include "broker/rate.h"
#include "broker/sink.h"
#include "broker/stats.h"
#include "broker/workers.h"
#include "common/curve.h"
#include "common/metrics.h"
#include "common/redis.h"

struct mq_broker {
    const mq_broker_opts *o;
    void *zctx;
    void *sock; /* ROUTER */
    mq_curve_auth *auth;
    mq_redis *redis;
    mq_queue *queue;
    mq_sink *sink;
    int wake_fd; /* eventfd the sink signals */
    mq_metrics *metrics;
    mq_broker_stats st;
    mq_jobs jobs;
    mq_workers workers;
    mq_rate rate;
    uint64_t rng; /* xorshift state for retry jitter */
    /* counters since start, for StatusReply */
    uint64_t submitted, completed, failed, retried, dead_lettered;
    uint64_t malformed_logged;
    /* timers (monotonic ms) */
    long long next_read, next_expire, next_refresh, next_claim, next_promote, next_finish,
        next_gauges, next_trim;
    int read_now; /* jobs may be waiting in Redis: read at once */
    int stopping; /* shutting down: no new work */
    int paused;   /* dispatch paused: the result buffer is full */
};

/* receive.c: handles one envelope from the peer with routing identity id. */
void mq_broker_receive(mq_broker *b, const void *id, size_t idlen, Mixq__Envelope *env,
                       long long now);

/* receive.c: counts and logs a malformed message (thinned out under a flood). */
void mq_broker_malformed(mq_broker *b, const char *why);

/* receive.c: sends env to the peer id (dropped, with a debug log, if it cannot be sent). */
void mq_broker_send(mq_broker *b, const void *id, size_t idlen, const Mixq__Envelope *env);

/* dispatch.c: reads jobs from Redis while the workers' credit exceeds what is queued. */
void mq_broker_fill(mq_broker *b, long long now);

/* dispatch.c: sends queued jobs to workers with credit. */
void mq_broker_dispatch(mq_broker *b, long long now);

/* dispatch.c: hands over the jobs of silent workers and of expired leases. */
void mq_broker_expire(mq_broker *b, long long now);

/* dispatch.c: keeps this broker's pending entries fresh in Redis. */
void mq_broker_refresh(mq_broker *b);

/* dispatch.c: claims jobs of silent brokers while workers have spare credit. */
void mq_broker_claim(mq_broker *b);

/* dispatch.c: jobs that workers could take now, beyond what is held here. */
long mq_broker_want(const mq_broker *b);

/* finish.c: a success (features JSON) for a detached job: to the sink. */
void mq_broker_succeed(mq_broker *b, mq_job *j, const void *json, size_t len, double seconds);

/* finish.c: a permanent failure of a detached job: recorded, not retried. */
void mq_broker_fail_permanent(mq_broker *b, mq_job *j, const char *code, const char *msg);

/* finish.c: a transient failure of a detached (or SINKING) job: retried after a back-off,
 * or dead-lettered when this was its last attempt. */
void mq_broker_fail_transient(mq_broker *b, mq_job *j, const char *code, const char *msg);

/* finish.c: takes the sink's finished items and gives their jobs their Redis ending. */
void mq_broker_collect(mq_broker *b, long long now);

/* finish.c: runs the pending Redis endings (acks, retries, dead letters). */
void mq_broker_finish(mq_broker *b, long long now);

/* finish.c: moves due retries back to their streams. */
void mq_broker_promote(mq_broker *b);

/* status.c: answers a StatusRequest. */
void mq_broker_status(mq_broker *b, const void *id, size_t idlen, long long now);

#endif
