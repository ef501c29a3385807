/* clock.h -- milliseconds: monotonic (timers, leases) and wall clock (retry due times
 * shared between brokers in Redis). Header only. */
#ifndef MQ_BROKER_CLOCK_H
#define MQ_BROKER_CLOCK_H

#include <time.h>

/* Monotonic milliseconds. */
static inline long long mq_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds since the Unix epoch. */
static inline long long mq_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
