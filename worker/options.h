/* options.h -- mixq-worker's command line: flags, environment defaults, validation. */
#ifndef WK_OPTIONS_H
#define WK_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef struct wk_options {
    const char *broker;       /* ZeroMQ endpoint (--broker, MIXQ_BROKER, default) */
    long threads;             /* analysis threads */
    long credit;              /* jobs held at once; 0 until resolved from the mode */
    const char *worker_id;    /* NULL: made from host, pid and a random suffix */
    double grace_s;           /* shutdown grace period */
    double heartbeat_s;       /* heartbeat interval */
    double max_duration_s;    /* analyzer: longest audio accepted (0: none) */
    double job_timeout_s;     /* analyzer: wall-clock limit per job (0: none) */
    double fetch_timeout_s;   /* http(s) download limit */
    uint64_t max_fetch_bytes; /* http(s) download size limit */
    const char *tmp_dir;      /* downloads go here (NULL: $TMPDIR or /tmp) */
    const char **roots;       /* --file-root values (malloc'd array of argv strings) */
    size_t nroots;
    const char *curve_key_file; /* --curve-key or MIXQ_CURVE_KEY */
    char broker_key[41];        /* the broker's public key (Z85), "" for plain mode */
    int allow_plain;
    long metrics_port;
    int metrics_bind_any;
    long reconnect_max_ms;
    double broker_timeout_s; /* silence after which the connection is replaced */
    int noop;
    double noop_delay_s;        /* --noop-ms / 1000 */
    const char *fail_substring; /* test hook (see docs/worker.md) */
    const char *log_level;
    const char *model_dirs[16]; /* --model-dir values, else MIXQ_MODEL_DIR split on ':' */
    int nmodels;
    char *model_env;            /* malloc'd copy of MIXQ_MODEL_DIR that model_dirs point into */
    int deep_full;              /* --deep-coverage full */
} wk_options;

/* Parses argv into o (defaults filled in first). Returns 0 to run, 1 when --help was
 * printed (exit 0), 2 after printing a usage error to stderr (exit 2). */
int wk_options_parse(wk_options *o, int argc, char **argv);

/* Frees what parsing allocated. */
void wk_options_free(wk_options *o);

#endif
