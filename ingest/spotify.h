/* spotify.h -- the Spotify Web API client: sign-in and GETs with Spotify's failure rules.
 *
 * Client-credentials sign-in at ACCOUNTS/api/token; the token is renewed before it
 * expires, and at once when the API answers 401. 429 waits for Retry-After (up to a cap),
 * 5xx and network failures back off exponentially with jitter, each up to a number of
 * attempts. Other statuses (403, 404, ...) are returned to the caller to decide. The
 * accounts and API base URLs are options, so tests use a local fake. Paging `next` links
 * are followed only when they point at the configured API base: the token never goes
 * anywhere else. The client secret is never logged or put in an error message. */
#ifndef IG_SPOTIFY_H
#define IG_SPOTIFY_H

#include <jansson.h>
#include <stddef.h>

typedef struct ig_spotify_opts {
    const char *accounts_url; /* e.g. https://accounts.spotify.com */
    const char *api_url;      /* e.g. https://api.spotify.com */
    const char *client_id;
    const char *client_secret; /* from the environment or a file, never a flag */
    int max_attempts;          /* per request, 429/5xx/network retries included */
    double max_retry_after_s;  /* a longer Retry-After gives up */
    double timeout_s;          /* per HTTP exchange */
    double backoff_s;          /* first back-off after a 5xx or network failure */
} ig_spotify_opts;

typedef struct ig_spotify ig_spotify;

/* Counters of what happened, for logs and tests. */
typedef struct ig_spotify_stats {
    unsigned long requests, sign_ins, rate_limited, server_errors, network_errors, unauthorized;
} ig_spotify_stats;

/* A client (no request made yet). NULL with err set when options are missing. */
ig_spotify *ig_spotify_new(const ig_spotify_opts *o, char *err, size_t errlen);

/* GETs path (starting with "/", relative to the API base) or a full URL under the API
 * base (a paging link). Returns the parsed JSON body (new reference) with *status 200,
 * or NULL with *status the final HTTP status (e.g. 403, 404; 0 for a transport failure or
 * bad JSON) and a message in err. */
json_t *ig_spotify_get(ig_spotify *s, const char *path_or_url, long *status, char *err,
                       size_t errlen);

/* The counters so far. */
const ig_spotify_stats *ig_spotify_stats_get(const ig_spotify *s);

/* Frees the client (the secret's copy is wiped). Accepts NULL. */
void ig_spotify_del(ig_spotify *s);

#endif
