/* opts.h -- the options every mixq-ingest command shares: where PostgreSQL and the
 * broker are, CURVE keys, retry limits, log level.
 *
 * Each command's getopt_long table includes IG_CONN_LONGOPTS and passes unknown option
 * codes to ig_conn_opt; ig_conn_finish then fills what was not given from the environment
 * (MIXQ_PG_DSN, MIXQ_BROKER, MIXQ_CURVE_KEY, MIXQ_BROKER_KEY) and the defaults. */
#ifndef IG_OPTS_H
#define IG_OPTS_H

#include <getopt.h>

#include "ingest/submit.h"

enum {
    IG_OPT_PG = 1000,
    IG_OPT_BROKER,
    IG_OPT_CURVE_KEY,
    IG_OPT_BROKER_KEY,
    IG_OPT_ALLOW_PLAIN,
    IG_OPT_ACK_TIMEOUT,
    IG_OPT_GIVE_UP,
    IG_OPT_LOG_LEVEL,
    IG_OPT_FIRST_COMMAND /* command-specific option codes start here */
};

#define IG_CONN_LONGOPTS                                                                           \
    {"pg-dsn", required_argument, NULL, IG_OPT_PG},                                                \
        {"broker", required_argument, NULL, IG_OPT_BROKER},                                        \
        {"curve-key", required_argument, NULL, IG_OPT_CURVE_KEY},                                  \
        {"broker-key", required_argument, NULL, IG_OPT_BROKER_KEY},                                \
        {"allow-plain", no_argument, NULL, IG_OPT_ALLOW_PLAIN},                                    \
        {"ack-timeout", required_argument, NULL, IG_OPT_ACK_TIMEOUT},                              \
        {"give-up", required_argument, NULL, IG_OPT_GIVE_UP}, {                                    \
        "log-level", required_argument, NULL, IG_OPT_LOG_LEVEL                                     \
    }

/* The help text of the shared options. */
#define IG_CONN_HELP                                                                               \
    "Connections:\n"                                                                               \
    "  --pg-dsn DSN         PostgreSQL (libpq connection string; $MIXQ_PG_DSN)\n"                  \
    "  --broker ENDPOINT    the broker's ZeroMQ endpoint ($MIXQ_BROKER,\n"                         \
    "                       default tcp://127.0.0.1:5555)\n"                                       \
    "  --curve-key FILE     this producer's key pair from `mixq keygen` ($MIXQ_CURVE_KEY)\n"       \
    "  --broker-key KEY|FILE the broker's public key, Z85 or a key file; turns CURVE on\n"         \
    "                       ($MIXQ_BROKER_KEY)\n"                                                  \
    "  --allow-plain        allow an unauthenticated broker connection off this machine\n"         \
    "  --ack-timeout S      wait this long for each submit's acknowledgement (default 10)\n"       \
    "  --give-up S          stop resending an unacknowledged submit after S (default 120)\n"       \
    "  --log-level LEVEL    debug, info, warn or error ($MIXQ_LOG_LEVEL, default info)\n"

typedef struct ig_conn_opts {
    const char *pg_dsn;
    const char *log_level;
    ig_broker_opts broker;
} ig_conn_opts;

/* Sets the defaults (before parsing). */
void ig_conn_init(ig_conn_opts *o);

/* Handles option code opt with argument arg. Returns 1 when it was a shared option, 0
 * when it is not one, -1 (message printed) when its value is bad. */
int ig_conn_opt(ig_conn_opts *o, int opt, const char *arg, const char *prog);

/* Fills unset values from the environment and defaults (after parsing). */
void ig_conn_finish(ig_conn_opts *o);

#endif
