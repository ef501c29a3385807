/* rate.c -- a ring of per-second counts. */
#include "broker/rate.h"

#include <string.h>

void mq_rate_init(mq_rate *r, long long now_ms) {
    memset(r, 0, sizeof *r);
    for (int i = 0; i < MQ_RATE_SECONDS; i++) r->second[i] = -1;
    r->start_ms = now_ms;
}

void mq_rate_add(mq_rate *r, long long now_ms, uint64_t n) {
    long long s = now_ms / 1000;
    int i = (int)(s % MQ_RATE_SECONDS);
    if (r->second[i] != s) {
        r->second[i] = s;
        r->count[i] = 0;
    }
    r->count[i] += n;
}

double mq_rate_per_s(const mq_rate *r, long long now_ms) {
    long long s = now_ms / 1000;
    uint64_t sum = 0;
    for (int i = 0; i < MQ_RATE_SECONDS; i++)
        if (r->second[i] >= 0 && r->second[i] > s - MQ_RATE_SECONDS) sum += r->count[i];
    double span = (now_ms - r->start_ms) / 1000.0;
    if (span > MQ_RATE_SECONDS) span = MQ_RATE_SECONDS;
    if (span < 1) span = 1;
    return (double)sum / span;
}
