/* rate.h -- events per second over the last minute, in one-second buckets. */
#ifndef MQ_BROKER_RATE_H
#define MQ_BROKER_RATE_H

#include <stdint.h>

#define MQ_RATE_SECONDS 60

typedef struct mq_rate {
    uint64_t count[MQ_RATE_SECONDS];
    long long second[MQ_RATE_SECONDS]; /* which second each bucket holds */
    long long start_ms;
} mq_rate;

/* Starts counting at now_ms (monotonic). */
void mq_rate_init(mq_rate *r, long long now_ms);

/* Counts n events at now_ms. */
void mq_rate_add(mq_rate *r, long long now_ms, uint64_t n);

/* Events per second over the last minute (or since the start, if sooner). */
double mq_rate_per_s(const mq_rate *r, long long now_ms);

#endif
