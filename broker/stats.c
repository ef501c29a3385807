/* stats.c -- registration of the broker's metrics. */
#include "broker/stats.h"

#include <string.h>

int mq_broker_stats_init(mq_broker_stats *s, mq_metrics *m) {
    memset(s, 0, sizeof *s);
#define C(f, n, h) (s->f = mq_metrics_counter(m, "mixq_broker_" n, h))
#define G(f, n, h) (s->f = mq_metrics_gauge(m, "mixq_broker_" n, h))
    int ok =
        C(messages, "messages_total", "Envelopes received") &&
        C(malformed, "malformed_total", "Messages dropped as malformed") &&
        C(curve_refused, "curve_refused_total", "Connections refused by CURVE authentication") &&
        C(submitted, "jobs_submitted_total", "Jobs made durable in Redis") &&
        C(refused, "jobs_refused_total", "Jobs refused at submit as malformed") &&
        C(dispatched, "jobs_dispatched_total", "Jobs sent to workers") &&
        C(completed, "jobs_completed_total", "Results committed to PostgreSQL") &&
        C(failed, "jobs_failed_total", "Permanent failures recorded") &&
        C(retried, "jobs_retried_total", "Transient failures scheduled for a retry") &&
        C(dead_lettered, "jobs_dead_lettered_total", "Jobs sent to the dead-letter stream") &&
        C(leases_expired, "leases_expired_total", "Jobs handed over after their lease ran out") &&
        C(released, "jobs_released_total", "Jobs handed back by workers (Release)") &&
        C(workers_lost, "workers_lost_total", "Workers silent past the lease") &&
        C(results_unknown, "results_unknown_total", "Results for jobs this broker does not hold") &&
        C(claimed, "jobs_claimed_total", "Jobs taken over from silent brokers") &&
        C(redis_errors, "redis_errors_total", "Failed Redis operations") &&
        G(workers, "workers", "Workers connected") &&
        G(credit, "credit", "Jobs the workers can take now") &&
        G(queued, "queued", "Jobs read from Redis waiting here for a worker") &&
        G(in_flight, "in_flight", "Jobs leased to workers") &&
        G(held, "jobs_held", "Jobs held in memory in any state") &&
        G(buffered, "results_buffered", "Results waiting to be written to PostgreSQL") &&
        G(buffered_bytes, "results_buffered_bytes", "Bytes of results waiting for PostgreSQL") &&
        G(paused, "dispatch_paused", "1 while dispatch waits for the result buffer to drain") &&
        G(redis_up, "redis_up", "1 while connected to Redis") &&
        (s->sink.up =
             mq_metrics_gauge(m, "mixq_broker_pg_up", "1 while connected to PostgreSQL")) &&
        (s->sink.batches =
             mq_metrics_counter(m, "mixq_broker_pg_batches_total", "Transactions committed")) &&
        (s->sink.rows =
             mq_metrics_counter(m, "mixq_broker_pg_rows_total", "Result rows committed")) &&
        (s->sink.errors = mq_metrics_counter(m, "mixq_broker_pg_errors_total",
                                             "Failed PostgreSQL statements and connections"));
#undef C
#undef G
    return ok ? 0 : -1;
}
