/* main.c -- mixq-recommender: the next-track HTTP API.
 *
 * Parses options, builds the store, the database pool, the API-key checker and the
 * metrics, starts the listener (initial load, then LISTEN/NOTIFY) and the HTTP server,
 * then waits for SIGINT or SIGTERM and stops everything in reverse order. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "common/config.h"
#include "common/log.h"
#include "common/metrics.h"
#include "recommender/app.h"
#include "recommender/http.h"
#include "recommender/listener.h"

static const char usage[] =
    "usage: mixq-recommender [options]\n"
    "\n"
    "Serves next-track recommendations over HTTP (docs/api.yaml, docs/recommender.md) from an\n"
    "in-memory index of the catalogue in PostgreSQL, kept current by LISTEN/NOTIFY.\n"
    "\n"
    "Options:\n"
    "      --pg DSN              libpq connection string (env MIXQ_PG_DSN)\n"
    "      --bind ADDR           IPv4 address to listen on (default 127.0.0.1)\n"
    "  -p, --port N              HTTP port (default 8080; 0 picks a free one)\n"
    "      --port-file PATH      write the port listened on to PATH once listening\n"
    "  -j, --threads N           HTTP threads (default 4)\n"
    "      --db-connections N    database connections for requests (default: threads)\n"
    "      --weights SPEC        ranking weights, e.g. harmonic=1,tempo=0.5 (env\n"
    "                            MIXQ_REC_WEIGHTS; names and defaults: docs/recommender.md)\n"
    "      --tempo-tolerance P   tempo tolerance in percent (default 6)\n"
    "      --max-candidates N    candidates scored per request, at least (default 1000)\n"
    "      --max-body BYTES      largest request body (default 1048576)\n"
    "      --key-lookups N       database lookups of unknown API keys per second (default 50)\n"
    "      --no-auth             do not require API keys (for local use only)\n"
    "      --metrics-port N      also serve /metrics on this port (default: off)\n"
    "  -h, --help                this help\n";

/* Registers the app's metrics. 0, or -1 when the registry is full. */
static int make_metrics(rec_app *a) {
    static const char *const routes[REC_NROUTES] = {"health", "metrics", "search",   "track",
                                                    "next",   "order",   "feedback", "other"};
    mq_metrics *m = a->metrics;
    char name[96], help[160];
    for (int i = 0; i < REC_NROUTES; i++) {
        snprintf(name, sizeof name, "mixq_recommender_requests_%s_total", routes[i]);
        snprintf(help, sizeof help, "Requests answered on the %s route.", routes[i]);
        if (!(a->requests[i] = mq_metrics_counter(m, name, help))) return -1;
        snprintf(name, sizeof name, "mixq_recommender_request_seconds_%s_total", routes[i]);
        snprintf(help, sizeof help, "Seconds spent answering the %s route.", routes[i]);
        if (!(a->route_seconds[i] = mq_metrics_counter(m, name, help))) return -1;
    }
    for (int c = 2; c <= 5; c++) {
        snprintf(name, sizeof name, "mixq_recommender_responses_%dxx_total", c);
        snprintf(help, sizeof help, "Responses with a %dxx status.", c);
        if (!(a->responses[c] = mq_metrics_counter(m, name, help))) return -1;
    }
    struct {
        mq_metric **slot;
        const char *name, *help;
        int gauge;
    } defs[] = {
        {&a->unauthorized, "mixq_recommender_unauthorized_total", "Requests refused with 401.", 0},
        {&a->rate_limited, "mixq_recommender_rate_limited_total", "Requests refused with 429.", 0},
        {&a->g_tracks, "mixq_recommender_tracks", "Tracks in the index.", 1},
        {&a->g_users, "mixq_recommender_users", "Listeners the model knows.", 1},
        {&a->g_events, "mixq_recommender_feedback_events", "Feedback events learned from.", 1},
        {&a->g_transitions, "mixq_recommender_transitions", "Distinct transitions with feedback.",
         1},
        {&a->g_index_bytes, "mixq_recommender_index_bytes", "Memory of the feature index.", 1},
        {&a->g_model_bytes, "mixq_recommender_model_bytes", "Memory of the feedback model.", 1},
        {&a->g_search_bytes, "mixq_recommender_search_bytes", "Memory of the search index.", 1},
        {&a->g_ready, "mixq_recommender_ready", "1 once the initial load is done.", 1},
        {&a->g_listening, "mixq_recommender_listening", "1 while LISTEN/NOTIFY is connected.", 1},
        {&a->notifications, "mixq_recommender_notifications_total", "NOTIFY messages received.", 0},
        {&a->tracks_reloaded, "mixq_recommender_tracks_loaded_total",
         "Track rows loaded from PostgreSQL.", 0},
        {&a->feedback_applied, "mixq_recommender_feedback_rows_total",
         "Feedback rows read from PostgreSQL.", 0},
        {&a->reconnects, "mixq_recommender_reconnects_total",
         "Reconnections of the listening connection.", 0},
    };
    for (size_t i = 0; i < sizeof defs / sizeof *defs; i++) {
        *defs[i].slot = defs[i].gauge ? mq_metrics_gauge(m, defs[i].name, defs[i].help)
                                      : mq_metrics_counter(m, defs[i].name, defs[i].help);
        if (!*defs[i].slot) return -1;
    }
    return 0;
}

static int bad_option(const char *opt, const char *want, const char *got) {
    fprintf(stderr, "mixq-recommender: %s wants %s, not '%s'\n", opt, want, got);
    return 2;
}

int main(int argc, char **argv) {
    static const struct option longopts[] = {{"pg", required_argument, NULL, 'd'},
                                             {"bind", required_argument, NULL, 'b'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"port-file", required_argument, NULL, 'f'},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"db-connections", required_argument, NULL, 'c'},
                                             {"weights", required_argument, NULL, 'w'},
                                             {"tempo-tolerance", required_argument, NULL, 't'},
                                             {"max-candidates", required_argument, NULL, 'm'},
                                             {"max-body", required_argument, NULL, 'B'},
                                             {"key-lookups", required_argument, NULL, 'k'},
                                             {"no-auth", no_argument, NULL, 'n'},
                                             {"metrics-port", required_argument, NULL, 'M'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *dsn_flag = NULL, *bind = "127.0.0.1", *port_file = NULL, *weights = NULL;
    long port = 8080, threads = 4, conns = 0, max_cand = 1000, max_body = 1 << 20, metrics_port = 0;
    double tol_pct = 6, lookups = 50;
    int no_auth = 0, c;
    while ((c = getopt_long(argc, argv, "p:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dsn_flag = optarg; break;
        case 'b': bind = optarg; break;
        case 'p':
            if (mq_config_long(optarg, 0, 65535, &port))
                return bad_option("--port", "0..65535", optarg);
            break;
        case 'f': port_file = optarg; break;
        case 'j':
            if (mq_config_long(optarg, 1, 256, &threads))
                return bad_option("--threads", "1..256", optarg);
            break;
        case 'c':
            if (mq_config_long(optarg, 1, 256, &conns))
                return bad_option("--db-connections", "1..256", optarg);
            break;
        case 'w': weights = optarg; break;
        case 't':
            if (mq_config_double(optarg, 0.5, 30, &tol_pct))
                return bad_option("--tempo-tolerance", "a percentage from 0.5 to 30", optarg);
            break;
        case 'm':
            if (mq_config_long(optarg, 10, 10000000, &max_cand))
                return bad_option("--max-candidates", "10..10000000", optarg);
            break;
        case 'B':
            if (mq_config_long(optarg, 1024, 64L << 20, &max_body))
                return bad_option("--max-body", "1024..67108864 bytes", optarg);
            break;
        case 'k':
            if (mq_config_double(optarg, 0.1, 100000, &lookups))
                return bad_option("--key-lookups", "0.1..100000 per second", optarg);
            break;
        case 'n': no_auth = 1; break;
        case 'M':
            if (mq_config_long(optarg, 0, 65535, &metrics_port))
                return bad_option("--metrics-port", "0..65535", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq-recommender: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return 2;
    }
    mq_log_init("recommender", NULL);

    rec_app app;
    memset(&app, 0, sizeof app);
    app.version = MQ_ANALYZER_VERSION;
    app.max_body = (size_t)max_body;
    rec_rank_opts_default(&app.rank);
    app.rank.tempo_tol = tol_pct / 100;
    app.rank.max_candidates = (size_t)max_cand;
    const char *wspec = mq_config_str(weights, "MIXQ_REC_WEIGHTS", NULL);
    char err[512];
    if (wspec && rec_weights_parse(wspec, &app.rank.weights, err, sizeof err) != 0) {
        fprintf(stderr, "mixq-recommender: %s\n", err);
        return 2;
    }
    const char *dsn = mq_config_str(dsn_flag, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN);

    /* Signals are taken by sigwait below: block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    rec_listener *listener = NULL;
    rec_http *http = NULL;
    app.store = rec_store_new();
    app.pool = rec_pool_new(dsn, (int)(conns ? conns : threads));
    app.metrics = mq_metrics_new();
    if (!app.store || !app.pool || !app.metrics || make_metrics(&app) != 0) {
        mq_log(MQ_LOG_ERROR, "out of memory at start", NULL);
        goto out;
    }
    if (!no_auth && !(app.auth = rec_auth_new(app.pool, lookups))) {
        mq_log(MQ_LOG_ERROR, "out of memory at start", NULL);
        goto out;
    }
    if (no_auth && strcmp(bind, "127.0.0.1") != 0)
        mq_log(MQ_LOG_WARN, "API keys are off (--no-auth) on a non-loopback address", "bind", bind,
               NULL);
    rec_listener_opts lo = {.dsn = dsn,
                            .store = app.store,
                            .on_keys = app.auth ? rec_auth_invalidate_cb : NULL,
                            .on_keys_ud = app.auth,
                            .notifications = app.notifications,
                            .tracks_reloaded = app.tracks_reloaded,
                            .feedback_applied = app.feedback_applied,
                            .reconnects = app.reconnects};
    if (!(listener = rec_listener_start(&lo))) {
        mq_log(MQ_LOG_ERROR, "cannot start the listener thread", NULL);
        goto out;
    }
    if (!(http = rec_http_start(&app, bind, (int)port, (int)threads, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot start the HTTP server", "error", err, NULL);
        goto out;
    }
    if (metrics_port && mq_metrics_serve(app.metrics, (int)metrics_port, 0) != 0) {
        mq_logf(MQ_LOG_ERROR, "cannot serve metrics on port %ld", metrics_port);
        goto out;
    }
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", rec_http_port(http));
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%s\n", portstr) < 0 || fclose(f) != 0) {
            mq_log(MQ_LOG_ERROR, "cannot write the port file", "path", port_file, NULL);
            goto out;
        }
    }
    mq_log(MQ_LOG_INFO, "listening", "bind", bind, "port", portstr, "auth",
           app.auth ? "api keys" : "off", NULL);
    int sig = 0;
    sigwait(&sigs, &sig);
    mq_log(MQ_LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    status = 0;
out:
    rec_http_stop(http);
    rec_listener_stop(listener);
    rec_auth_del(app.auth);
    rec_pool_del(app.pool);
    mq_metrics_del(app.metrics);
    rec_store_del(app.store);
    return status;
}
