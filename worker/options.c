/* options.c -- parsing and checking mixq-worker's flags. */
#include "worker/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/curve.h"

static const char usage[] =
    "usage: mixq-worker [options]\n"
    "\n"
    "Takes analysis jobs from a mixq broker, analyses each track's audio (file:// on\n"
    "shared storage, or http(s)://) and returns its features or a classified error.\n"
    "Stateless: kill it at any moment and the broker gives its jobs to other workers.\n"
    "SIGTERM/SIGINT: running jobs finish within the grace period, the rest are released;\n"
    "a second signal ends the grace period at once. Logs are JSON lines on stderr.\n"
    "\n"
    "Options:\n"
    "  -b, --broker ENDPOINT      the broker (default: $MIXQ_BROKER, else " MQ_DEFAULT_BROKER ")\n"
    "  -j, --threads N            analysis threads (default: the number of cores)\n"
    "      --credit N             jobs held at once, running or queued (default: the\n"
    "                             thread count; 256 with --noop)\n"
    "      --id ID                worker id in messages and logs (default: hostname:pid)\n"
    "      --grace S              seconds running jobs may take after SIGTERM (default 30)\n"
    "      --max-duration S       fail audio longer than S seconds with too_long\n"
    "                             (default 3600; 0 for no limit)\n"
    "      --job-timeout S        wall-clock limit of one analysis: timeout (default 600;\n"
    "                             0 for none)\n"
    "      --fetch-timeout S      limit of one http(s) download (default 120)\n"
    "      --max-fetch-bytes N    largest http(s) download, k/M/G suffixes allowed\n"
    "                             (default 1G); larger ones fail with fetch_too_large\n"
    "      --tmp-dir DIR          where downloads are kept while analysed (default\n"
    "                             $TMPDIR, else /tmp); they never outlive the job\n"
    "      --file-root DIR        accept file:// URIs only under DIR (repeatable; default:\n"
    "                             any path)\n"
    "      --model-dir DIR        a neural-network model directory for deep features\n"
    "                             (repeatable, the first is primary; default:\n"
    "                             $MIXQ_MODEL_DIR, directories separated by ':'; none:\n"
    "                             deep features are null)\n"
    "      --deep-coverage C      'default' (a sample of windows) or 'full'\n"
    "      --curve-key FILE       this worker's key pair from `mixq keygen` (default:\n"
    "                             $MIXQ_CURVE_KEY)\n"
    "      --broker-key KEY|FILE  the broker's public key (Z85, or a key file); turns\n"
    "                             CURVE on (default: $MIXQ_BROKER_KEY, else\n"
    "                             $MIXQ_CURVE_SERVER_KEY); --curve-server-key is the same\n"
    "      --allow-plain          allow an unauthenticated connection to a broker that is\n"
    "                             not on this machine\n"
    "      --metrics-port P       serve Prometheus metrics at http://127.0.0.1:P/metrics\n"
    "      --metrics-bind-any     serve metrics on all interfaces\n"
    "      --broker-timeout S     reconnect when the broker has said nothing for S seconds\n"
    "                             (default 3)\n"
    "      --reconnect-max-ms MS  ceiling of libzmq's own reconnection backoff (default 5000)\n"
    "      --noop                 benchmarks: answer every job at once with a tiny valid\n"
    "                             features object, no decoding\n"
    "      --noop-ms N            with --noop, each job takes N ms (tests)\n"
    "      --fail-uri-substring S TESTS ONLY: jobs whose uri contains S fail with a\n"
    "                             transient io_error \"test failure\" (a poison job)\n"
    "      --log-level L          debug, info, warn or error (default: $MIXQ_LOG_LEVEL,\n"
    "                             else info)\n"
    "  -h, --help                 this help\n"
    "\n"
    "See docs/worker.md.\n";

enum {
    OPT_CREDIT = 256,
    OPT_ID,
    OPT_GRACE,
    OPT_MAXDUR,
    OPT_JOBTO,
    OPT_FETCHTO,
    OPT_FETCHBYTES,
    OPT_TMP,
    OPT_ROOT,
    OPT_MODEL,
    OPT_COVERAGE,
    OPT_KEY,
    OPT_SERVERKEY,
    OPT_PLAIN,
    OPT_MPORT,
    OPT_MANY,
    OPT_RECONN,
    OPT_NOOP,
    OPT_FAIL,
    OPT_LOGLEVEL,
    OPT_HEARTBEAT,
    OPT_NOOPMS,
    OPT_BTIMEOUT
};

static int bad(const char *flag, const char *want, const char *val) {
    fprintf(stderr, "mixq-worker: %s wants %s, not '%s'\n", flag, want, val);
    return 2;
}

/* A byte count with an optional k, M or G (binary) suffix. */
static int parse_bytes(const char *s, uint64_t *out) {
    char *end;
    if (!s || !*s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10, end++;
    else if (*end == 'm' || *end == 'M')
        shift = 20, end++;
    else if (*end == 'g' || *end == 'G')
        shift = 30, end++;
    if (*end || v == 0 || v > (~0ULL >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int wk_options_parse(wk_options *o, int argc, char **argv) {
    static const struct option longopts[] = {
        {"broker", required_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 'j'},
        {"credit", required_argument, NULL, OPT_CREDIT},
        {"id", required_argument, NULL, OPT_ID},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"max-duration", required_argument, NULL, OPT_MAXDUR},
        {"job-timeout", required_argument, NULL, OPT_JOBTO},
        {"fetch-timeout", required_argument, NULL, OPT_FETCHTO},
        {"max-fetch-bytes", required_argument, NULL, OPT_FETCHBYTES},
        {"tmp-dir", required_argument, NULL, OPT_TMP},
        {"file-root", required_argument, NULL, OPT_ROOT},
        {"model-dir", required_argument, NULL, OPT_MODEL},
        {"deep-coverage", required_argument, NULL, OPT_COVERAGE},
        {"curve-key", required_argument, NULL, OPT_KEY},
        {"curve-server-key", required_argument, NULL, OPT_SERVERKEY},
        {"broker-key", required_argument, NULL, OPT_SERVERKEY},
        {"broker-timeout", required_argument, NULL, OPT_BTIMEOUT},
        {"noop-ms", required_argument, NULL, OPT_NOOPMS},
        {"allow-plain", no_argument, NULL, OPT_PLAIN},
        {"metrics-port", required_argument, NULL, OPT_MPORT},
        {"metrics-bind-any", no_argument, NULL, OPT_MANY},
        {"reconnect-max-ms", required_argument, NULL, OPT_RECONN},
        {"heartbeat", required_argument, NULL, OPT_HEARTBEAT},
        {"noop", no_argument, NULL, OPT_NOOP},
        {"fail-uri-substring", required_argument, NULL, OPT_FAIL},
        {"log-level", required_argument, NULL, OPT_LOGLEVEL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    const char *broker_flag = NULL, *key_flag = NULL, *server_key_flag = NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cores > 0 ? cores : 1;
    o->grace_s = 30;
    o->heartbeat_s = 1;
    o->max_duration_s = 3600;
    o->job_timeout_s = 600;
    o->fetch_timeout_s = 120;
    o->max_fetch_bytes = 1ULL << 30;
    o->reconnect_max_ms = 5000;
    o->broker_timeout_s = 3;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': broker_flag = optarg; break;
        case 'j':
            if (mq_config_long(optarg, 1, 1024, &o->threads))
                return bad("--threads", "a number from 1 to 1024", optarg);
            break;
        case OPT_CREDIT:
            if (mq_config_long(optarg, 1, 100000, &o->credit))
                return bad("--credit", "a number from 1 to 100000", optarg);
            break;
        case OPT_ID:
            if (!*optarg || strlen(optarg) > 200) return bad("--id", "1 to 200 characters", optarg);
            o->worker_id = optarg;
            break;
        case OPT_GRACE:
            if (mq_config_double(optarg, 0, 86400, &o->grace_s))
                return bad("--grace", "seconds from 0 to 86400", optarg);
            break;
        case OPT_HEARTBEAT:
            if (mq_config_double(optarg, 0.05, 60, &o->heartbeat_s))
                return bad("--heartbeat", "seconds from 0.05 to 60", optarg);
            break;
        case OPT_MAXDUR:
            if (mq_config_double(optarg, 0, 1e7, &o->max_duration_s))
                return bad("--max-duration", "seconds >= 0", optarg);
            break;
        case OPT_JOBTO:
            if (mq_config_double(optarg, 0, 1e6, &o->job_timeout_s))
                return bad("--job-timeout", "seconds >= 0", optarg);
            break;
        case OPT_FETCHTO:
            if (mq_config_double(optarg, 0.001, 1e6, &o->fetch_timeout_s))
                return bad("--fetch-timeout", "seconds > 0", optarg);
            break;
        case OPT_FETCHBYTES:
            if (parse_bytes(optarg, &o->max_fetch_bytes))
                return bad("--max-fetch-bytes", "a byte count like 500M", optarg);
            break;
        case OPT_TMP:
            if (access(optarg, W_OK) != 0) return bad("--tmp-dir", "a writable directory", optarg);
            o->tmp_dir = optarg;
            break;
        case OPT_ROOT: {
            if (optarg[0] != '/') return bad("--file-root", "an absolute directory", optarg);
            const char **r = realloc(o->roots, (o->nroots + 1) * sizeof *r);
            if (!r) {
                fputs("mixq-worker: out of memory\n", stderr);
                return 2;
            }
            o->roots = r;
            o->roots[o->nroots++] = optarg;
            break;
        }
        case OPT_MODEL:
            if (o->nmodels == 16) return bad("--model-dir", "at most 16 directories", optarg);
            o->model_dirs[o->nmodels++] = optarg;
            break;
        case OPT_COVERAGE:
            if (strcmp(optarg, "default") && strcmp(optarg, "full"))
                return bad("--deep-coverage", "'default' or 'full'", optarg);
            o->deep_full = !strcmp(optarg, "full");
            break;
        case OPT_KEY: key_flag = optarg; break;
        case OPT_SERVERKEY: server_key_flag = optarg; break;
        case OPT_PLAIN: o->allow_plain = 1; break;
        case OPT_MPORT:
            if (mq_config_long(optarg, 0, 65535, &o->metrics_port))
                return bad("--metrics-port", "a port from 0 to 65535", optarg);
            break;
        case OPT_MANY: o->metrics_bind_any = 1; break;
        case OPT_RECONN:
            if (mq_config_long(optarg, 100, 600000, &o->reconnect_max_ms))
                return bad("--reconnect-max-ms", "milliseconds from 100 to 600000", optarg);
            break;
        case OPT_NOOP: o->noop = 1; break;
        case OPT_NOOPMS: {
            long ms;
            if (mq_config_long(optarg, 0, 3600000, &ms))
                return bad("--noop-ms", "milliseconds from 0 to 3600000", optarg);
            o->noop_delay_s = ms / 1000.0;
            break;
        }
        case OPT_BTIMEOUT:
            if (mq_config_double(optarg, 0.1, 3600, &o->broker_timeout_s))
                return bad("--broker-timeout", "seconds from 0.1 to 3600", optarg);
            break;
        case OPT_FAIL: o->fail_substring = optarg; break;
        case OPT_LOGLEVEL:
            if (strcmp(optarg, "debug") && strcmp(optarg, "info") && strcmp(optarg, "warn") &&
                strcmp(optarg, "error"))
                return bad("--log-level", "debug, info, warn or error", optarg);
            o->log_level = optarg;
            break;
        case 'h': fputs(usage, stdout); return 1;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq-worker: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return 2;
    }
    o->broker = mq_config_str(broker_flag, "MIXQ_BROKER", MQ_DEFAULT_BROKER);
    const char *menv = getenv("MIXQ_MODEL_DIR");
    if (o->nmodels == 0 && menv && *menv) {
        if (!(o->model_env = strdup(menv))) {
            fputs("mixq-worker: out of memory\n", stderr);
            return 2;
        }
        char *save = NULL;
        for (char *d = strtok_r(o->model_env, ":", &save); d && o->nmodels < 16;
             d = strtok_r(NULL, ":", &save))
            o->model_dirs[o->nmodels++] = d;
    }
    o->curve_key_file = mq_config_str(key_flag, "MIXQ_CURVE_KEY", NULL);
    const char *server_key = mq_config_str(server_key_flag, "MIXQ_BROKER_KEY",
                                           mq_config_str(NULL, "MIXQ_CURVE_SERVER_KEY", NULL));
    if (!o->credit) o->credit = o->noop ? 256 : o->threads;
    if (o->noop_delay_s > 0 && !o->noop) {
        fputs("mixq-worker: --noop-ms needs --noop\n", stderr);
        return 2;
    }
    if (server_key) {
        char err[300];
        if (mq_curve_public_key(server_key, o->broker_key, err, sizeof err) != 0) {
            fprintf(stderr, "mixq-worker: --broker-key: %s\n", err);
            return 2;
        }
        if (!o->curve_key_file) {
            fputs("mixq-worker: CURVE needs this worker's key pair: --curve-key FILE (or "
                  "MIXQ_CURVE_KEY); make one with `mixq keygen --out FILE`\n",
                  stderr);
            return 2;
        }
    } else if (!mq_endpoint_is_loopback(o->broker) && !o->allow_plain) {
        fprintf(stderr,
                "mixq-worker: refusing an unauthenticated connection to %s, which is not on "
                "this machine: give --broker-key KEY and --curve-key FILE, or "
                "--allow-plain\n",
                o->broker);
        return 2;
    }
    return 0;
}

void wk_options_free(wk_options *o) {
    free(o->roots);
    o->roots = NULL;
    free(o->model_env);
    o->model_env = NULL;
    o->nroots = 0;
}
