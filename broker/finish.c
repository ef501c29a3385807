/* finish.c -- the end of a job: a result to the sink, a permanent failure recorded, a
 * transient one retried with back-off or dead-lettered, and last the Redis step
 * (acknowledge, retry set, dead-letter stream) once PostgreSQL has what it needs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "broker/clock.h"
#include "broker/core.h"
#include "common/log.h"

#define FINISH_CHUNK 1000

/* A uniform double in [0, 1) from the broker's xorshift64* generator. */
static double uniform(mq_broker *b) {
    uint64_t x = b->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    b->rng = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* The retry delay after failed attempt a: base * 2^(a-1), capped, times U(0.5, 1.5). */
static long long backoff_ms(mq_broker *b, unsigned a) {
    double d = (double)b->o->retry_base_ms * pow(2.0, a > 0 ? a - 1 : 0);
    if (d > (double)b->o->retry_max_ms) d = (double)b->o->retry_max_ms;
    return (long long)(d * (0.5 + uniform(b)));
}

/* Hands an item for j to the sink; on failure (memory) the job goes back to the queue. */
static void to_sink(mq_broker *b, mq_job *j, mq_sink_item *it) {
    if (!it) {
        mq_log(MQ_LOG_ERROR, "out of memory: job put back", "job_id", j->id, NULL);
        if (j->state == MQ_JOB_SINKING) mq_jobs_detach(&b->jobs, j);
        mq_jobs_queue(&b->jobs, j, 1);
        return;
    }
    it->token = j;
    if (j->state != MQ_JOB_SINKING) mq_jobs_sinking(&b->jobs, j);
    mq_sink_push(b->sink, it);
}

void mq_broker_succeed(mq_broker *b, mq_job *j, const void *json, size_t len, double seconds) {
    mq_sink_item *it =
        mq_sink_item_new(j->id, j->track_id, j->uri, j->version, (int)j->attempt, json, len);
    if (it) it->seconds = seconds;
    to_sink(b, j, it);
}

static mq_sink_item *failure_item(mq_job *j, const char *kind, const char *code, const char *msg) {
    mq_sink_item *it =
        mq_sink_item_new(j->id, j->track_id, j->uri, j->version, (int)j->attempt, NULL, 0);
    if (it && mq_sink_item_failure(it, kind, code, msg) != 0) {
        mq_sink_item_free(it);
        it = NULL;
    }
    return it;
}

void mq_broker_fail_permanent(mq_broker *b, mq_job *j, const char *code, const char *msg) {
    mq_log(MQ_LOG_INFO, "job failed permanently", "job_id", j->id, "error_code", code,
           "error_message", msg, NULL);
    mq_job_set_error(j, code, msg);
    to_sink(b, j, failure_item(j, "permanent", code, msg));
}

void mq_broker_fail_transient(mq_broker *b, mq_job *j, const char *code, const char *msg) {
    char attempt[16];
    snprintf(attempt, sizeof attempt, "%u", j->attempt);
    mq_job_set_error(j, code, msg);
    if (j->attempt >= (unsigned)b->o->max_attempts) {
        mq_log(MQ_LOG_WARN, "job dead-lettered", "job_id", j->id, "attempt", attempt, "error_code",
               code, "error_message", msg, NULL);
        to_sink(b, j, failure_item(j, "dead_letter", code, msg));
        return;
    }
    long long delay = backoff_ms(b, j->attempt);
    char d[24];
    snprintf(d, sizeof d, "%lld", delay);
    mq_log(MQ_LOG_INFO, "job failed; retry scheduled", "job_id", j->id, "attempt", attempt,
           "error_code", code, "delay_ms", d, NULL);
    j->due_ms = mq_wall_ms() + delay;
    mq_jobs_finishing(&b->jobs, j, MQ_FIN_RETRY);
}

void mq_broker_collect(mq_broker *b, long long now) {
    uint64_t n;
    ssize_t r = read(b->wake_fd, &n, sizeof n);
    (void)r;
    mq_sink_item *it = mq_sink_done(b->sink);
    uint64_t completed = 0;
    while (it) {
        mq_sink_item *next = it->next;
        mq_job *j = it->token;
        if (it->status == MQ_SINK_BAD) {
            mq_broker_fail_transient(b, j, "bad_result", it->why);
        } else if (it->kind == MQ_SINK_RESULT) {
            completed++;
            mq_jobs_finishing(&b->jobs, j, MQ_FIN_ACK);
        } else if (it->fail_kind[0] == 'd') { /* dead_letter */
            b->dead_lettered++;
            mq_metric_add(b->st.dead_lettered, 1);
            mq_jobs_finishing(&b->jobs, j, MQ_FIN_DEAD);
        } else {
            b->failed++;
            mq_metric_add(b->st.failed, 1);
            mq_jobs_finishing(&b->jobs, j, MQ_FIN_ACK);
        }
        mq_sink_item_free(it);
        it = next;
    }
    if (completed) {
        b->completed += completed;
        mq_metric_add(b->st.completed, (double)completed);
        mq_rate_add(&b->rate, now, completed);
    }
}

void mq_broker_finish(mq_broker *b, long long now) {
    if (!b->jobs.finishing.n || now < b->next_finish) return;
    mq_job *jobs[FINISH_CHUNK];
    char done[FINISH_CHUNK];
    int failed = 0;
    while (b->jobs.finishing.n && !failed) {
        size_t n = 0;
        for (mq_link *k = mq_list_first(&b->jobs.finishing); k && n < FINISH_CHUNK;
             k = mq_list_next(&b->jobs.finishing, k))
            jobs[n++] = MQ_CONTAINER(k, mq_job, link);
        failed = mq_queue_finish(b->queue, jobs, n, done) != 0;
        for (size_t i = 0; i < n; i++) {
            if (!done[i]) continue;
            if (jobs[i]->fin == MQ_FIN_RETRY) {
                b->retried++;
                mq_metric_add(b->st.retried, 1);
            }
            mq_jobs_free(&b->jobs, jobs[i]);
        }
    }
    if (failed) {
        mq_metric_add(b->st.redis_errors, 1);
        b->next_finish = now + 500; /* Redis is away or refusing: try again soon */
    }
}

void mq_broker_promote(mq_broker *b) {
    int n = mq_queue_promote(b->queue, mq_wall_ms(), 1000);
    if (n < 0)
        mq_metric_add(b->st.redis_errors, 1);
    else if (n > 0)
        b->read_now = 1;
}
