/* bucket.c -- token bucket arithmetic (see bucket.h). */
#include "recommender/bucket.h"

void rec_bucket_init(rec_bucket *b, double rate, double burst, int64_t now_ns) {
    b->rate = rate > 0 ? rate : 1e-9;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last_ns = now_ns;
}

int rec_bucket_take(rec_bucket *b, int64_t now_ns, double *retry_after) {
    if (now_ns > b->last_ns) {
        b->tokens += (double)(now_ns - b->last_ns) * 1e-9 * b->rate;
        if (b->tokens > b->burst) b->tokens = b->burst;
        b->last_ns = now_ns;
    }
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return 1;
    }
    if (retry_after) *retry_after = (1 - b->tokens) / b->rate;
    return 0;
}
