/* bucket.h -- a token bucket: a rate limit with bursts.
 *
 * The bucket holds up to `burst` tokens and refills at `rate` tokens per second; each
 * request takes one. When it is empty, the caller learns how long until the next token. */
#ifndef REC_BUCKET_H
#define REC_BUCKET_H

#include <stdint.h>

typedef struct rec_bucket {
    double rate, burst; /* tokens per second, capacity */
    double tokens;
    int64_t last_ns; /* when tokens was last brought up to date */
} rec_bucket;

/* A full bucket with rate (> 0) and burst (>= 1) at time now_ns. */
void rec_bucket_init(rec_bucket *b, double rate, double burst, int64_t now_ns);
/* Takes a token at time now_ns: 1 when one was there, else 0 with the seconds until one
 * will be in *retry_after. */
int rec_bucket_take(rec_bucket *b, int64_t now_ns, double *retry_after);

#endif
