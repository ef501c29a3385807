/* cmd_scan.c -- `mixq-ingest scan DIR...`: one pass over folders (scan.h), then a
 * summary line on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyzer.h"
#include "common/config.h"
#include "common/log.h"
#include "ingest/commands.h"
#include "ingest/db.h"
#include "ingest/opts.h"
#include "ingest/scan.h"

static const char usage[] =
    "usage: mixq-ingest scan [options] DIR...\n"
    "\n"
    "Brings the folders into the catalogue: new and changed audio files are hashed\n"
    "(xxh128) and tagged, files with the size and time already catalogued are not read,\n"
    "vanished ones are marked missing. Then every track under DIR lacking features of\n"
    "the current analyser version gets one analysis job. Prints a JSON summary line.\n"
    "\n"
    "Options:\n"
    "  --dry-run            change nothing: print each planned change as a JSON line\n"
    "  --reanalyze          submit a job for every track found, features or not\n"
    "  --no-submit          update the catalogue only; submit no jobs\n"
    "  --interactive        submit with interactive priority (default: bulk)\n"
    "  --batch N            files per catalogue transaction (default 500)\n"
    "  --settle S           leave files modified less than S seconds ago (still being\n"
    "                       written) for the next scan (default 1; 0 takes everything)\n"
    "  -h, --help           this help\n"
    "\n" IG_CONN_HELP "\n"
    "Exit status: 0 when every DIR was scanned, 1 when one failed, 2 for usage errors.\n";

enum {
    OPT_DRY = IG_OPT_FIRST_COMMAND,
    OPT_REANALYZE,
    OPT_NOSUBMIT,
    OPT_INTERACTIVE,
    OPT_BATCH,
    OPT_SETTLE
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int ig_cmd_scan(int argc, char **argv) {
    static const struct option longopts[] = {{"dry-run", no_argument, NULL, OPT_DRY},
                                             {"reanalyze", no_argument, NULL, OPT_REANALYZE},
                                             {"no-submit", no_argument, NULL, OPT_NOSUBMIT},
                                             {"interactive", no_argument, NULL, OPT_INTERACTIVE},
                                             {"batch", required_argument, NULL, OPT_BATCH},
                                             {"settle", required_argument, NULL, OPT_SETTLE},
                                             {"help", no_argument, NULL, 'h'},
                                             IG_CONN_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    ig_conn_opts co;
    ig_conn_init(&co);
    ig_scan_opts so = {0, 500, stdout, 1.0, NULL, NULL, NULL};
    double d;
    int reanalyze = 0, no_submit = 0, interactive = 0, c;
    long v;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = ig_conn_opt(&co, c, optarg, "mixq-ingest scan");
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case OPT_DRY: so.dry_run = 1; break;
        case OPT_REANALYZE: reanalyze = 1; break;
        case OPT_NOSUBMIT: no_submit = 1; break;
        case OPT_INTERACTIVE: interactive = 1; break;
        case OPT_BATCH:
            if (mq_config_long(optarg, 1, 10000, &v) != 0) {
                fprintf(stderr, "mixq-ingest scan: --batch wants 1 to 10000, not '%s'\n", optarg);
                return 2;
            }
            so.batch = (size_t)v;
            break;
        case OPT_SETTLE:
            if (mq_config_double(optarg, 0, 86400, &d) != 0) {
                fprintf(stderr, "mixq-ingest scan: --settle wants seconds, not '%s'\n", optarg);
                return 2;
            }
            so.settle_s = d;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mixq-ingest scan: no DIR given\n\n%s", usage);
        return 2;
    }
    ig_conn_finish(&co);
    mq_log_init("ingest", co.log_level);

    char err[1024];
    PGconn *pg = ig_db_open(co.pg_dsn, err, sizeof err);
    if (!pg) {
        mq_log(MQ_LOG_ERROR, "cannot use PostgreSQL", "error", err, NULL);
        return 1;
    }
    ig_submitter *sub = NULL;
    if (!so.dry_run && !no_submit) {
        sub = ig_submitter_new(&co.broker, err, sizeof err);
        if (!sub) {
            mq_log(MQ_LOG_ERROR, "cannot use the broker", "error", err, NULL);
            PQfinish(pg);
            return 1;
        }
    }
    ig_jobs jobs = {pg, sub, MQ_ANALYZER_VERSION, reanalyze, interactive};
    ig_scan_stats total;
    memset(&total, 0, sizeof total);
    int status = 0;
    double t0 = now_s();
    for (int i = optind; i < argc; i++) {
        char *root = ig_scan_abs_root(argv[i], err, sizeof err);
        if (!root) {
            mq_log(MQ_LOG_ERROR, "cannot scan", "dir", argv[i], "error", err, NULL);
            status = 1;
            continue;
        }
        mq_log(MQ_LOG_INFO, "scanning", "dir", root, "dry_run", so.dry_run ? "true" : "false",
               NULL);
        if (ig_scan_root(pg, &jobs, root, &so, &total, err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "scan failed", "dir", root, "error", err, NULL);
            status = 1;
        }
        free(root);
    }
    ig_scan_stats_print(stdout, so.dry_run ? "scan (dry run)" : "scan", &total, sub != NULL,
                        now_s() - t0);
    fflush(stdout);
    ig_submitter_del(sub);
    PQfinish(pg);
    return status;
}
