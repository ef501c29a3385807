/* watch.h -- the watch daemon: follows folders with inotify and keeps the catalogue in
 * step with them.
 *
 * Every directory of the trees is watched, new ones as they appear. A written file is read
 * once it is complete (pending.h: closed and quiet for the settle time). A rename or move
 * inside the trees, of a file or a directory, renames the catalogued paths (same content,
 * same track, no re-analysis); a move out of the trees or a deletion marks paths missing;
 * a move in is new files. New tracks get jobs with interactive priority. When the kernel's
 * event queue overflows, or after the database or broker failed, the trees are rescanned
 * (scan.h) rather than trusting a partial event stream. Nothing in the input can stop the
 * daemon: only SIGINT/SIGTERM do. */
#ifndef IG_WATCH_H
#define IG_WATCH_H

#include <libpq-fe.h>

#include "common/metrics.h"
#include "ingest/submit.h"

typedef struct ig_watch_opts {
    double settle_s;       /* quiet time after a file is closed before it is read */
    double open_timeout_s; /* quiet time for a file that was never seen closed */
    double retry_s;        /* pause before retrying after a database or broker failure */
    int initial_scan;      /* scan the trees at start */
    size_t batch;          /* catalogue batch size of rescans */
} ig_watch_opts;

/* The daemon's Prometheus metrics (any may be NULL). */
typedef struct ig_watch_metrics {
    mq_metric *events, *files, *renames, *missing, *jobs, *rescans, *overflows, *errors;
    mq_metric *watches, *pending; /* gauges */
} ig_watch_metrics;

/* Registers the metrics in m (before it is served). */
void ig_watch_metrics_register(mq_metrics *m, ig_watch_metrics *out);

/* Runs until *stop is set. roots are absolute, canonical directories. pg may be replaced
 * (reconnected) and is left open for the caller to close; sub may be NULL (no jobs).
 * Returns 0 after a clean stop, or 1 when it could not start (inotify unavailable, or no
 * root could be watched). */
int ig_watch_run(PGconn **pg, const char *dsn, ig_submitter *sub, char **roots, int nroots,
                 const ig_watch_opts *o, const ig_watch_metrics *metrics, volatile int *stop);

#endif
