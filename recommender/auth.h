/* auth.h -- API keys: "Authorization: Bearer KEY", checked against api_keys, rate-limited.
 *
 * Only a SHA-256 hash of each key is stored (made by `mixq apikey create`); the hash is
 * computed by PostgreSQL (sha256()), so a presented key is checked with one query. Keys
 * found valid are cached with their token bucket (the key's rate_per_s, bursts of one
 * second's worth, at least 1); keys found invalid are remembered for 10 s. Lookups of
 * uncached keys are themselves rate-limited, so a flood of made-up keys cannot flood the
 * database. When api_keys changes (NOTIFY mixq_api_keys) the cache is marked stale, so
 * a revoked key stops working at once; token buckets survive. Thread-safe. */
#ifndef REC_AUTH_H
#define REC_AUTH_H

#include <stddef.h>

#include "recommender/pool.h"

#define REC_KEY_MIN 16 /* bytes of a key */
#define REC_KEY_MAX 128

typedef enum rec_auth_status {
    REC_AUTH_OK,
    REC_AUTH_MISSING,    /* no Authorization header: 401 */
    REC_AUTH_INVALID,    /* malformed, unknown or revoked: 401 */
    REC_AUTH_LIMITED,    /* over the key's rate: 429 */
    REC_AUTH_UNAVAILABLE /* the key cannot be checked now: 503 */
} rec_auth_status;

typedef struct rec_auth rec_auth;

/* A checker using pool for lookups, at most lookups_per_s of them (bursts of as many).
 * NULL when out of memory. */
rec_auth *rec_auth_new(rec_pool *pool, double lookups_per_s);
/* Frees a. Accepts NULL. */
void rec_auth_del(rec_auth *a);
/* Checks an Authorization header value (NULL when absent) and takes a token from the
 * key's bucket. For LIMITED and UNAVAILABLE, *retry_after is the seconds to wait. */
rec_auth_status rec_auth_check(rec_auth *a, const char *header, double *retry_after);
/* Marks every cached key stale (they are looked up again on next use). */
void rec_auth_invalidate(rec_auth *a);
/* The same, as a listener callback (ud is the rec_auth). */
void rec_auth_invalidate_cb(void *ud);

#endif
