/* opts.c -- shared option handling (see opts.h). */
#include "ingest/opts.h"

#include <stdio.h>
#include <string.h>

#include "common/config.h"

void ig_conn_init(ig_conn_opts *o) {
    memset(o, 0, sizeof *o);
    o->broker.ack_timeout_ms = 10000;
    o->broker.give_up_s = 120;
}

int ig_conn_opt(ig_conn_opts *o, int opt, const char *arg, const char *prog) {
    double v;
    switch (opt) {
    case IG_OPT_PG: o->pg_dsn = arg; return 1;
    case IG_OPT_BROKER: o->broker.endpoint = arg; return 1;
    case IG_OPT_CURVE_KEY: o->broker.curve_key_file = arg; return 1;
    case IG_OPT_BROKER_KEY: o->broker.broker_key = arg; return 1;
    case IG_OPT_ALLOW_PLAIN: o->broker.allow_plain = 1; return 1;
    case IG_OPT_ACK_TIMEOUT:
        if (mq_config_double(arg, 0.1, 3600, &v) != 0) {
            fprintf(stderr, "%s: --ack-timeout wants seconds from 0.1 to 3600, not '%s'\n", prog,
                    arg);
            return -1;
        }
        o->broker.ack_timeout_ms = (int)(v * 1000);
        return 1;
    case IG_OPT_GIVE_UP:
        if (mq_config_double(arg, 0, 86400, &v) != 0) {
            fprintf(stderr, "%s: --give-up wants seconds from 0 to 86400, not '%s'\n", prog, arg);
            return -1;
        }
        o->broker.give_up_s = (int)v;
        return 1;
    case IG_OPT_LOG_LEVEL:
        if (strcmp(arg, "debug") && strcmp(arg, "info") && strcmp(arg, "warn") &&
            strcmp(arg, "error")) {
            fprintf(stderr, "%s: --log-level wants debug, info, warn or error, not '%s'\n", prog,
                    arg);
            return -1;
        }
        o->log_level = arg;
        return 1;
    default: return 0;
    }
}

void ig_conn_finish(ig_conn_opts *o) {
    o->pg_dsn = mq_config_str(o->pg_dsn, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN);
    o->broker.endpoint = mq_config_str(o->broker.endpoint, "MIXQ_BROKER", MQ_DEFAULT_BROKER);
    o->broker.curve_key_file = mq_config_str(o->broker.curve_key_file, "MIXQ_CURVE_KEY", NULL);
    o->broker.broker_key = mq_config_str(o->broker.broker_key, "MIXQ_BROKER_KEY", NULL);
}
