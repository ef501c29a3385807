/* metrics.h -- Prometheus metrics over HTTP (libmicrohttpd).
 *
 * A registry of counters and gauges, each updated with atomic operations from any
 * thread, served in the Prometheus text format at GET /metrics on --metrics-port. */
#ifndef MQ_METRICS_H
#define MQ_METRICS_H

#include <stdint.h>

typedef struct mq_metrics mq_metrics;
typedef struct mq_metric mq_metric;

/* A new, empty registry. NULL when out of memory. */
mq_metrics *mq_metrics_new(void);

/* Registers a counter (only goes up) or a gauge (set to any value). name must be a valid
 * Prometheus metric name; the handle lives as long as the registry. NULL if full. */
mq_metric *mq_metrics_counter(mq_metrics *m, const char *name, const char *help);
mq_metric *mq_metrics_gauge(mq_metrics *m, const char *name, const char *help);

/* Adds v to a counter or gauge; sets a gauge. Accept NULL metrics (no-ops). */
void mq_metric_add(mq_metric *x, double v);
void mq_metric_set(mq_metric *x, double v);
/* The current value. */
double mq_metric_get(const mq_metric *x);

/* Serves GET /metrics on 127.0.0.1 or all interfaces (bind_any) at port, in a thread of
 * libmicrohttpd's own. Returns 0, or -1 when the port cannot be bound. Port 0 disables. */
int mq_metrics_serve(mq_metrics *m, int port, int bind_any);

/* The registry as Prometheus text; the caller frees it. */
char *mq_metrics_render(mq_metrics *m);

/* Stops serving and frees the registry. Accepts NULL. */
void mq_metrics_del(mq_metrics *m);

#endif
