/* config.c -- flag, environment, default; strict number parsing. */
#include "common/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

const char *mq_config_str(const char *flag, const char *env, const char *dflt) {
    if (flag && *flag) return flag;
    const char *v = env ? getenv(env) : NULL;
    if (v && *v) return v;
    return dflt;
}

int mq_config_long(const char *s, long min, long max, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int mq_config_double(const char *s, double min, double max, double *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max) return -1;
    *out = v;
    return 0;
}
