/* main.c -- mixq-worker: parse options, build the pool and the broker link, run the loop.
 *
 * The only global state is the count of stop signals, set by the signal handler. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "analysis/analyzer.h"
#include "analysis/nn/deep.h"
#include "common/curve.h"
#include "common/fetch.h"
#include "common/log.h"
#include "common/metrics.h"
#include "worker/exec.h"
#include "worker/link.h"
#include "worker/loop.h"
#include "worker/options.h"
#include "worker/pool.h"

static volatile sig_atomic_t stop_signals;

static void on_stop_signal(int sig) {
    (void)sig;
    stop_signals = stop_signals + 1;
}

/* Installs the stop handler without SA_RESTART, so zmq_poll wakes with EINTR. */
static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* hostname:pid, unique and stable for the life of the process (docs/protocol.md). */
static void make_worker_id(char *out, size_t len) {
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    snprintf(out, len, "%s:%d", host, (int)getpid());
}

int main(int argc, char **argv) {
    wk_options o;
    int prc = wk_options_parse(&o, argc, argv);
    if (prc) {
        wk_options_free(&o);
        return prc == 1 ? 0 : 2;
    }
    mq_log_init("worker", o.log_level);
    mq_log_capture_stderr(); /* libmpg123 prints plain-text warnings on some MP3s */
    install_signals();

    char idbuf[128];
    if (!o.worker_id) make_worker_id(idbuf, sizeof idbuf);
    const char *worker_id = o.worker_id ? o.worker_id : idbuf;

    char err[512];
    mq_curve_key key, *keyp = NULL;
    if (o.broker_key[0]) {
        if (mq_curve_key_load(o.curve_key_file, &key, err, sizeof err) != 0) {
            mq_log(MQ_LOG_ERROR, "cannot load the CURVE key", "error", err, NULL);
            wk_options_free(&o);
            return 1;
        }
        keyp = &key;
    }

    /* Helper threads (metrics, analysis) block signals: stops reach this thread. */
    sigset_t all, old;
    sigfillset(&all);
    mq_metrics *metrics = NULL;
    if (o.metrics_port > 0) {
        metrics = mq_metrics_new();
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int mrc = metrics ? mq_metrics_serve(metrics, (int)o.metrics_port, o.metrics_bind_any) : -1;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (mrc != 0) {
            char port[16];
            snprintf(port, sizeof port, "%ld", o.metrics_port);
            mq_log(MQ_LOG_ERROR, "cannot serve metrics", "port", port, NULL);
            mq_metrics_del(metrics);
            wk_options_free(&o);
            return 1;
        }
    }

    mq_analysis_global_init();
    mq_fetch_global_init();
    wk_exec_opts eopts = {
        .fetch = {.max_bytes = o.max_fetch_bytes,
                  .timeout_s = o.fetch_timeout_s,
                  .tmp_dir = o.tmp_dir,
                  .roots = o.roots,
                  .nroots = o.nroots},
        .fail_substring = o.fail_substring,
    };
    mq_analyzer_opts aopts = {.max_duration_s = o.max_duration_s,
                              .max_seconds = o.job_timeout_s,
                              .deep_full = o.deep_full};
    /* Neural models: loaded once, before the analysis threads, shared read-only. */
    mq_deep_models *models = NULL;
    if (!o.noop && o.nmodels > 0) {
        models = mq_deep_models_load(o.model_dirs, o.nmodels, err, sizeof err);
        if (!models) {
            mq_log(MQ_LOG_ERROR, "cannot load the models", "error", err, NULL);
            mq_metrics_del(metrics);
            wk_options_free(&o);
            return 1;
        }
        aopts.deep = models;
        mq_log(MQ_LOG_INFO, "deep features on", "models", mq_deep_models_name(models, 0), NULL);
    } else if (!o.noop) {
        mq_log(MQ_LOG_WARN, "no model directory (--model-dir or MIXQ_MODEL_DIR): deep features are null", NULL);
    }
    wk_pool *pool = NULL;
    if (!o.noop && !(pool = wk_pool_new((size_t)o.threads, &aopts, &eopts, err, sizeof err))) {
        mq_log(MQ_LOG_ERROR, "cannot start the analysis threads", "error", err, NULL);
        mq_deep_models_free(models);
        mq_metrics_del(metrics);
        wk_options_free(&o);
        return 1;
    }

    void *ctx = zmq_ctx_new();
    wk_link_opts lopts = {.endpoint = o.broker,
                          .key = keyp,
                          .server_key = o.broker_key,
                          .reconnect_max_ms = (int)o.reconnect_max_ms};
    wk_link *link = ctx ? wk_link_new(ctx, &lopts, err, sizeof err) : NULL;
    if (!link) {
        mq_log(MQ_LOG_ERROR, "cannot set up the broker connection", "error",
               ctx ? err : "cannot create a ZeroMQ context", NULL);
        wk_pool_del(pool);
        mq_deep_models_free(models);
        if (ctx) zmq_ctx_term(ctx);
        mq_metrics_del(metrics);
        wk_options_free(&o);
        return 1;
    }

    char threads[16], credit[16];
    snprintf(threads, sizeof threads, "%ld", o.noop ? 0 : o.threads);
    snprintf(credit, sizeof credit, "%ld", o.credit);
    mq_log(MQ_LOG_INFO, "worker started", "worker_id", worker_id, "broker", o.broker, "threads",
           threads, "credit", credit, "mode", o.noop ? "noop" : "analysis", "auth",
           keyp ? "curve" : "plain", "analyzer_version", MQ_ANALYZER_VERSION, NULL);
    if (o.fail_substring)
        mq_log(MQ_LOG_WARN, "test hook on: jobs whose uri contains this fail", "substring",
               o.fail_substring, NULL);

    wk_loop_cfg cfg = {.worker_id = worker_id,
                       .threads = o.noop ? 0 : (unsigned)o.threads,
                       .credit = (unsigned)o.credit,
                       .grace_s = o.grace_s,
                       .heartbeat_s = o.heartbeat_s,
                       .broker_timeout_s = o.broker_timeout_s,
                       .noop_delay_s = o.noop_delay_s,
                       .exec = &eopts,
                       .stop = &stop_signals,
                       .metrics = metrics};
    int rc = wk_loop_run(&cfg, ctx, &lopts, &link, pool);

    /* Give the last Results and Releases a moment to leave. */
    wk_link_del(link, 2000);
    zmq_ctx_term(ctx);
    int abandoned = wk_pool_del(pool);
    if (!abandoned) mq_deep_models_free(models); /* abandoned threads may still use them */
    mq_metrics_del(metrics);
    mq_log(MQ_LOG_INFO, "worker stopped", "worker_id", worker_id, NULL);
    wk_options_free(&o);
    if (abandoned) _exit(0); /* threads still analyse released jobs: do not wait for them */
    return rc < 0 ? 1 : 0;
}
