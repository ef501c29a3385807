/* options.h -- mixq-broker's settings: command-line flags, then environment variables
 * (MIXQ_BROKER, MIXQ_REDIS_URL, MIXQ_PG_DSN), then defaults (common/config.h). */
#ifndef MQ_BROKER_OPTIONS_H
#define MQ_BROKER_OPTIONS_H

typedef struct mq_broker_opts {
    const char *endpoint; /* ZeroMQ endpoint to bind */
    const char *redis_url;
    const char *pg_dsn;
    const char *broker_id; /* consumer name in Redis; default hostname/endpoint */
    const char *prefix;    /* Redis key prefix */
    const char *curve_key; /* the broker's key pair file, or NULL (plain) */
    const char *curve_allow;
    int allow_plain;
    int metrics_port; /* 0: no metrics endpoint */
    int metrics_any;  /* serve metrics on every interface, not just loopback */
    long lease_ms;
    long claim_timeout_ms;
    long max_attempts;
    long retry_base_ms;
    long retry_max_ms;
    long batch;         /* rows per PostgreSQL transaction */
    long result_buffer; /* results waiting for PostgreSQL before dispatch stops */
    long result_buffer_mb;
    long prefetch;   /* jobs read from Redis beyond the workers' credit */
    long max_credit; /* per worker */
    long shutdown_grace_ms;
    char id_buf[512];
} mq_broker_opts;

/* Fills o from argv and the environment. Returns 0 to run, 1 when --help or --version
 * was printed (exit 0), 2 on a usage error (a message was printed to stderr). */
int mq_broker_opts_parse(int argc, char **argv, mq_broker_opts *o);

#endif
