/* status.c -- the StatusReply: cluster-wide queue depths from Redis, this broker's
 * workers and counters. */
#include <stdlib.h>

#include "broker/core.h"
#include "common/log.h"

void mq_broker_status(mq_broker *b, const void *id, size_t idlen, long long now) {
    mq_depths d;
    if (mq_queue_depths(b->queue, &d) != 0) mq_metric_add(b->st.redis_errors, 1);

    Mixq__QueueDepth q[MQ_STREAMS + 1];
    Mixq__QueueDepth *qp[MQ_STREAMS + 1];
    for (int s = 0; s < MQ_STREAMS; s++) {
        mixq__queue_depth__init(&q[s]);
        q[s].name = (char *)mq_queue_stream_name(s);
        q[s].waiting = d.waiting[s];
        q[s].pending = d.pending[s];
        qp[s] = &q[s];
    }
    mixq__queue_depth__init(&q[MQ_STREAMS]);
    q[MQ_STREAMS].name = (char *)"retry";
    q[MQ_STREAMS].waiting = d.delayed;
    qp[MQ_STREAMS] = &q[MQ_STREAMS];

    size_t nw = b->workers.all.n;
    Mixq__WorkerInfo *wi = calloc(nw ? nw : 1, sizeof *wi);
    Mixq__WorkerInfo **wp = calloc(nw ? nw : 1, sizeof *wp);
    size_t k = 0;
    if (wi && wp)
        for (mq_link *l = mq_list_first(&b->workers.all); l; l = mq_list_next(&b->workers.all, l)) {
            mq_worker *w = MQ_CONTAINER(l, mq_worker, all);
            mixq__worker_info__init(&wi[k]);
            wi[k].worker_id = w->id;
            wi[k].threads = w->threads;
            wi[k].in_flight = (uint32_t)w->jobs.n;
            wi[k].done = w->done;
            wi[k].idle_s = (double)(now - w->last_seen) / 1000.0;
            wp[k] = &wi[k];
            k++;
        }
    size_t items, bytes;
    mq_sink_load(b->sink, &items, &bytes);

    Mixq__StatusReply r = MIXQ__STATUS_REPLY__INIT;
    r.broker_id = (char *)b->o->broker_id;
    r.n_queues = MQ_STREAMS + 1;
    r.queues = qp;
    r.in_flight = b->jobs.leased.n;
    r.n_workers = k;
    r.workers = wp;
    r.submitted = b->submitted;
    r.completed = b->completed;
    r.failed = b->failed;
    r.retried = b->retried;
    r.dead_lettered = b->dead_lettered;
    r.jobs_per_s = mq_rate_per_s(&b->rate, now);
    r.results_buffered = items;
    r.delayed = d.delayed;
    r.dead_letter_depth = d.dead;

    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_STATUS_REPLY;
    env.status_reply = &r;
    mq_broker_send(b, id, idlen, &env);
    free(wi);
    free(wp);
}
