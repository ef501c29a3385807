/* stats.h -- the broker's Prometheus metrics (names mixq_broker_*). */
#ifndef MQ_BROKER_STATS_H
#define MQ_BROKER_STATS_H

#include "broker/sink.h"
#include "common/metrics.h"

typedef struct mq_broker_stats {
    /* counters */
    mq_metric *messages;        /* envelopes received */
    mq_metric *malformed;       /* messages dropped as malformed */
    mq_metric *curve_refused;   /* connections refused by CURVE authentication */
    mq_metric *submitted;       /* jobs made durable */
    mq_metric *refused;         /* jobs refused as malformed at submit */
    mq_metric *dispatched;      /* jobs sent to workers */
    mq_metric *completed;       /* results committed to PostgreSQL */
    mq_metric *failed;          /* permanent failures recorded */
    mq_metric *retried;         /* transient failures scheduled for a retry */
    mq_metric *dead_lettered;   /* jobs dead-lettered */
    mq_metric *leases_expired;  /* jobs handed over after their lease ran out */
    mq_metric *released;        /* jobs handed back by workers */
    mq_metric *workers_lost;    /* workers silent past the lease */
    mq_metric *results_unknown; /* results for jobs this broker does not hold */
    mq_metric *claimed;         /* jobs taken over from silent brokers */
    mq_metric *redis_errors;    /* failed Redis operations */
    /* gauges */
    mq_metric *workers;
    mq_metric *credit;
    mq_metric *queued;
    mq_metric *in_flight;
    mq_metric *held;
    mq_metric *buffered;
    mq_metric *buffered_bytes;
    mq_metric *paused; /* 1 while dispatch waits for the result buffer to drain */
    mq_metric *redis_up;
    mq_sink_metrics sink;
} mq_broker_stats;

/* Registers every metric in m. Returns 0, or -1 when the registry is full. */
int mq_broker_stats_init(mq_broker_stats *s, mq_metrics *m);

#endif
