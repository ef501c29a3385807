/* options.c -- flag parsing and --help for mixq-broker. */
#include "broker/options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "common/config.h"

static const char usage[] =
    "usage: mixq-broker [options]\n"
    "\n"
    "Accepts analysis jobs over ZeroMQ, keeps them durable in Redis, hands them to\n"
    "workers, and writes results to PostgreSQL. Protocol: docs/protocol.md;\n"
    "operations: docs/operations.md.\n"
    "\n"
    "  -e, --endpoint EP        ZeroMQ endpoint to bind (env MIXQ_BROKER; "
    "default " MQ_DEFAULT_BROKER ")\n"
    "  -r, --redis URL          Redis (env MIXQ_REDIS_URL; default " MQ_DEFAULT_REDIS_URL ")\n"
    "  -p, --pg DSN             PostgreSQL connection string (env MIXQ_PG_DSN;\n"
    "                           default \"" MQ_DEFAULT_PG_DSN "\")\n"
    "      --broker-id ID       this broker's name in Redis (default HOSTNAME/ENDPOINT;\n"
    "                           keep it across restarts to resume its jobs at once)\n"
    "      --redis-prefix P     prefix of the Redis keys (default mixq)\n"
    "      --curve-key FILE     CURVE key pair of the broker (made by `mixq keygen`)\n"
    "      --curve-allow FILE   client public keys admitted (one per line)\n"
    "      --allow-plain        allow plain (unauthenticated) mode on a non-loopback endpoint\n"
    "      --metrics-port N     serve Prometheus metrics at http://127.0.0.1:N/metrics (0: off)\n"
    "      --metrics-any        serve metrics on every interface\n"
    "      --lease-ms N         job lease without heartbeat (default 3000)\n"
    "      --claim-timeout-ms N take over another broker's jobs idle this long (default 30000)\n"
    "      --max-attempts N     tries of a transiently failing job before it is\n"
    "                           dead-lettered (default 3)\n"
    "      --retry-base-ms N    first retry delay, doubled each attempt, +-50% jitter (default "
    "1000)\n"
    "      --retry-max-ms N     longest retry delay (default 60000)\n"
    "      --batch N            results per PostgreSQL transaction (default 500)\n"
    "      --result-buffer N    results waiting for PostgreSQL before dispatch pauses (default "
    "20000)\n"
    "      --result-buffer-mb N the same, in MiB of results (default 64)\n"
    "      --prefetch N         jobs read from Redis beyond the workers' credit (default 64)\n"
    "      --max-credit N       most credit one worker may hold (default 1024)\n"
    "      --shutdown-grace-ms N on SIGTERM, time to finish writing results (default 5000)\n"
    "      --log-level LEVEL    debug, info, warn or error (env MIXQ_LOG_LEVEL; default info)\n"
    "  -h, --help               this text\n"
    "      --version            the version\n";

enum {
    O_ID = 256,
    O_PREFIX,
    O_KEY,
    O_ALLOW,
    O_PLAIN,
    O_MPORT,
    O_MANY,
    O_LEASE,
    O_CLAIM,
    O_ATTEMPTS,
    O_RBASE,
    O_RMAX,
    O_BATCH,
    O_RBUF,
    O_RBUFMB,
    O_PREFETCH,
    O_MAXCREDIT,
    O_GRACE,
    O_LOG,
    O_VERSION
};

static const struct option longopts[] = {
    {"endpoint", required_argument, NULL, 'e'},
    {"redis", required_argument, NULL, 'r'},
    {"pg", required_argument, NULL, 'p'},
    {"broker-id", required_argument, NULL, O_ID},
    {"redis-prefix", required_argument, NULL, O_PREFIX},
    {"curve-key", required_argument, NULL, O_KEY},
    {"curve-allow", required_argument, NULL, O_ALLOW},
    {"allow-plain", no_argument, NULL, O_PLAIN},
    {"metrics-port", required_argument, NULL, O_MPORT},
    {"metrics-any", no_argument, NULL, O_MANY},
    {"lease-ms", required_argument, NULL, O_LEASE},
    {"claim-timeout-ms", required_argument, NULL, O_CLAIM},
    {"max-attempts", required_argument, NULL, O_ATTEMPTS},
    {"retry-base-ms", required_argument, NULL, O_RBASE},
    {"retry-max-ms", required_argument, NULL, O_RMAX},
    {"batch", required_argument, NULL, O_BATCH},
    {"result-buffer", required_argument, NULL, O_RBUF},
    {"result-buffer-mb", required_argument, NULL, O_RBUFMB},
    {"prefetch", required_argument, NULL, O_PREFETCH},
    {"max-credit", required_argument, NULL, O_MAXCREDIT},
    {"shutdown-grace-ms", required_argument, NULL, O_GRACE},
    {"log-level", required_argument, NULL, O_LOG},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, O_VERSION},
    {NULL, 0, NULL, 0},
};

/* Parses a number flag; prints an error and returns -1 when it is out of range. */
static int num(const char *name, const char *s, long min, long max, long *out) {
    if (mq_config_long(s, min, max, out) == 0) return 0;
    fprintf(stderr, "mixq-broker: --%s wants a whole number from %ld to %ld, not '%s'\n", name, min,
            max, s);
    return -1;
}

int mq_broker_opts_parse(int argc, char **argv, mq_broker_opts *o) {
    memset(o, 0, sizeof *o);
    const char *ep = NULL, *redis = NULL, *pg = NULL;
    long mport = 0;
    o->prefix = "mixq";
    o->lease_ms = 3000;
    o->claim_timeout_ms = 30000;
    o->max_attempts = 3;
    o->retry_base_ms = 1000;
    o->retry_max_ms = 60000;
    o->batch = 500;
    o->result_buffer = 20000;
    o->result_buffer_mb = 64;
    o->prefetch = 64;
    o->max_credit = 1024;
    o->shutdown_grace_ms = 5000;
    int c, bad = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:r:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': ep = optarg; break;
        case 'r': redis = optarg; break;
        case 'p': pg = optarg; break;
        case O_ID: o->broker_id = optarg; break;
        case O_PREFIX: o->prefix = optarg; break;
        case O_KEY: o->curve_key = optarg; break;
        case O_ALLOW: o->curve_allow = optarg; break;
        case O_PLAIN: o->allow_plain = 1; break;
        case O_MPORT: bad |= num("metrics-port", optarg, 0, 65535, &mport); break;
        case O_MANY: o->metrics_any = 1; break;
        case O_LEASE: bad |= num("lease-ms", optarg, 100, 3600000, &o->lease_ms); break;
        case O_CLAIM:
            bad |= num("claim-timeout-ms", optarg, 1000, 86400000, &o->claim_timeout_ms);
            break;
        case O_ATTEMPTS: bad |= num("max-attempts", optarg, 1, 1000, &o->max_attempts); break;
        case O_RBASE: bad |= num("retry-base-ms", optarg, 0, 86400000, &o->retry_base_ms); break;
        case O_RMAX: bad |= num("retry-max-ms", optarg, 0, 86400000, &o->retry_max_ms); break;
        case O_BATCH: bad |= num("batch", optarg, 1, 100000, &o->batch); break;
        case O_RBUF: bad |= num("result-buffer", optarg, 1, 10000000, &o->result_buffer); break;
        case O_RBUFMB:
            bad |= num("result-buffer-mb", optarg, 1, 1000000, &o->result_buffer_mb);
            break;
        case O_PREFETCH: bad |= num("prefetch", optarg, 0, 1000000, &o->prefetch); break;
        case O_MAXCREDIT: bad |= num("max-credit", optarg, 1, 1000000, &o->max_credit); break;
        case O_GRACE:
            bad |= num("shutdown-grace-ms", optarg, 0, 3600000, &o->shutdown_grace_ms);
            break;
        case O_LOG: setenv("MIXQ_LOG_LEVEL", optarg, 1); break;
        case 'h': fputs(usage, stdout); return 1;
        case O_VERSION: printf("mixq-broker %s\n", MQ_ANALYZER_VERSION); return 1;
        default: bad = 1; break;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq-broker: unexpected argument '%s'\n", argv[optind]);
        bad = 1;
    }
    if (!bad && (o->curve_key != NULL) != (o->curve_allow != NULL)) {
        fprintf(stderr, "mixq-broker: --curve-key and --curve-allow go together\n");
        bad = 1;
    }
    if (bad) {
        fputs("Try `mixq-broker --help`.\n", stderr);
        return 2;
    }
    o->metrics_port = (int)mport;
    o->endpoint = mq_config_str(ep, "MIXQ_BROKER", MQ_DEFAULT_BROKER);
    o->redis_url = mq_config_str(redis, "MIXQ_REDIS_URL", MQ_DEFAULT_REDIS_URL);
    o->pg_dsn = mq_config_str(pg, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN);
    if (!o->broker_id) {
        char host[256] = "localhost";
        gethostname(host, sizeof host - 1);
        snprintf(o->id_buf, sizeof o->id_buf, "%s/%s", host, o->endpoint);
        o->broker_id = o->id_buf;
    }
    return 0;
}
