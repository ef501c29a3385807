/* stats.h -- running mean and standard deviation (Welford's method). */
#ifndef MQ_STATS_H
#define MQ_STATS_H

#include <math.h>

typedef struct mq_running {
    double n, mean, m2;
} mq_running;

/* Adds one observation. */
static inline void mq_running_add(mq_running *r, double x) {
    r->n += 1.0;
    double d = x - r->mean;
    r->mean += d / r->n;
    r->m2 += d * (x - r->mean);
}

/* Mean so far, NaN when empty. */
static inline double mq_running_mean(const mq_running *r) { return r->n > 0 ? r->mean : NAN; }

/* Population standard deviation so far, NaN when empty. */
static inline double mq_running_std(const mq_running *r) {
    return r->n > 0 ? sqrt(r->m2 / r->n) : NAN;
}

#endif
