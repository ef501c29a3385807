/* config.h -- configuration values: a command-line flag, else an environment variable,
 * else a default that works with `make run`'s local stack. */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

/* Defaults for the embedded local stack (deploy/local). */
#define MQ_DEFAULT_BROKER "tcp://127.0.0.1:5555"
#define MQ_DEFAULT_REDIS_URL "redis://127.0.0.1:6379/0"
#define MQ_DEFAULT_PG_DSN "host=127.0.0.1 port=5432 dbname=mixq user=mixq"

/* flag if non-NULL and non-empty, else getenv(env) if set and non-empty, else dflt. */
const char *mq_config_str(const char *flag, const char *env, const char *dflt);

/* Parses a whole decimal number within [min, max] into *out. Returns 0, or -1 (with
 * *out untouched) when s is not such a number. */
int mq_config_long(const char *s, long min, long max, long *out);

/* Parses a finite decimal within [min, max] into *out. Returns 0 or -1. */
int mq_config_double(const char *s, double min, double max, double *out);

#endif
