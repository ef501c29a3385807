/* cmd_watch.c -- `mixq-ingest watch DIR...`: the daemon (watch.h). Logs JSON lines,
 * serves Prometheus metrics, stops cleanly on SIGINT/SIGTERM. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"
#include "common/metrics.h"
#include "ingest/commands.h"
#include "ingest/db.h"
#include "ingest/opts.h"
#include "ingest/scan.h"
#include "ingest/watch.h"

static const char usage[] =
    "usage: mixq-ingest watch [options] DIR...\n"
    "\n"
    "The ingest daemon: scans the folders once, then follows them with inotify. New and\n"
    "changed files are read once completely written; renames and moves keep their\n"
    "tracks (no re-analysis); deletions mark paths missing. New tracks get analysis jobs\n"
    "with interactive priority. Rescans when the event queue overflows or after the\n"
    "database or broker failed. Stops on SIGINT/SIGTERM.\n"
    "\n"
    "Options:\n"
    "  --settle S           quiet time after a file is closed before it is read (default 1)\n"
    "  --open-timeout S     quiet time for a file never seen closed (default 30)\n"
    "  --retry S            pause after a database or broker failure (default 5)\n"
    "  --no-initial-scan    do not scan the folders at start\n"
    "  --no-submit          keep the catalogue only; submit no jobs\n"
    "  --batch N            files per catalogue transaction in scans (default 500)\n"
    "  --metrics-port PORT  serve Prometheus metrics at http://127.0.0.1:PORT/metrics\n"
    "                       (default 0: off)\n"
    "  --metrics-any        serve metrics on all interfaces, not only loopback\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP;

enum {
    OPT_SETTLE = IG_OPT_FIRST_COMMAND,
    OPT_OPEN_TIMEOUT,
    OPT_RETRY,
    OPT_NO_SCAN,
    OPT_NOSUBMIT,
    OPT_BATCH,
    OPT_METRICS,
    OPT_METRICS_ANY
};

static int seconds(const char *opt, const char *arg, double min, double *out) {
    if (mq_config_double(arg, min, 86400, out) == 0) return 0;
    fprintf(stderr, "mixq-ingest watch: %s wants seconds (at least %g), not '%s'\n", opt, min, arg);
    return -1;
}

int ig_cmd_watch(int argc, char **argv, volatile int *stop) {
    static const struct option longopts[] = {
        {"settle", required_argument, NULL, OPT_SETTLE},
        {"open-timeout", required_argument, NULL, OPT_OPEN_TIMEOUT},
        {"retry", required_argument, NULL, OPT_RETRY},
        {"no-initial-scan", no_argument, NULL, OPT_NO_SCAN},
        {"no-submit", no_argument, NULL, OPT_NOSUBMIT},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"metrics-port", required_argument, NULL, OPT_METRICS},
        {"metrics-any", no_argument, NULL, OPT_METRICS_ANY},
        {"help", no_argument, NULL, 'h'},
        IG_CONN_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    ig_watch_opts wo = {1.0, 30.0, 5.0, 1, 500};
    int no_submit = 0, metrics_any = 0, c;
    long port = 0, v;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest watch");
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case OPT_SETTLE:
            if (seconds("--settle", optarg, 0, &wo.settle_s) != 0) return 2;
            break;
        case OPT_OPEN_TIMEOUT:
            if (seconds("--open-timeout", optarg, 0, &wo.open_timeout_s) != 0) return 2;
            break;
        case OPT_RETRY:
            if (seconds("--retry", optarg, 0.1, &wo.retry_s) != 0) return 2;
            break;
        case OPT_NO_SCAN: wo.initial_scan = 0; break;
        case OPT_NOSUBMIT: no_submit = 1; break;
        case OPT_BATCH:
            if (mq_config_long(optarg, 1, 10000, &v) != 0) {
                fprintf(stderr, "mixq-ingest watch: --batch wants 1 to 10000, not '%s'\n", optarg);
                return 2;
            }
            wo.batch = (size_t)v;
            break;
        case OPT_METRICS:
            if (mq_config_long(optarg, 0, 65535, &port) != 0) {
                fprintf(stderr, "mixq-ingest watch: --metrics-port wants 0 to 65535, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_METRICS_ANY: metrics_any = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mixq-ingest watch: no DIR given\n\n%s", usage);
        return 2;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);

    int nroots = argc - optind, status = 1;
    char **roots = calloc((size_t)nroots, sizeof *roots);
    char err[1024];
    PGconn *pg = NULL;
    ig_submitter *sub = NULL;
    mq_metrics *metrics = NULL;
    if (!roots) {
        mq_log(MQ_LOG_ERROR, "out of memory", NULL);
        return 1;
    }
    for (int i = 0; i < nroots; i++) {
        if (!(roots[i] = ig_scan_abs_root(argv[optind + i], err, sizeof err))) {
            mq_log(MQ_LOG_ERROR, "cannot watch", "dir", argv[optind + i], "error", err, NULL);
            goto out;
        }
    }
    if (!(pg = ig_db_open(co.pg_dsn, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot use PostgreSQL", "error", err, NULL);
        goto out;
    }
    if (!no_submit && !(sub = ig_submitter_new(&co.broker, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot use the broker", "error", err, NULL);
        goto out;
    }
    ig_watch_metrics wm;
    memset(&wm, 0, sizeof wm);
    if (port > 0) {
        metrics = mq_metrics_new();
        if (metrics) ig_watch_metrics_register(metrics, &wm);
        if (!metrics || mq_metrics_serve(metrics, (int)port, metrics_any) != 0) {
            mq_logf(MQ_LOG_ERROR, "cannot serve metrics on port %ld", port);
            goto out;
        }
    }
    status = ig_watch_run(&pg, co.pg_dsn, sub, roots, nroots, &wo, &wm, stop);
out:
    mq_metrics_del(metrics);
    ig_submitter_del(sub);
    if (pg) PQfinish(pg);
    for (int i = 0; i < nroots; i++) free(roots[i]);
    free(roots);
    return status;
}
