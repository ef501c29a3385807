/* sphttp.h -- one HTTP exchange with libcurl, for the Spotify client.
 *
 * A thin, reusable handle (keep-alive across requests): method, URL, optional headers and
 * body in; status, body and the Retry-After header out. Bodies are bounded in size and
 * requests in time. No retry policy here: that is spotify.c's job. Header values given
 * (e.g. Authorization) are never logged or put in error messages. */
#ifndef IG_SPHTTP_H
#define IG_SPHTTP_H

#include <stddef.h>

#include "ingest/buf.h"

typedef struct ig_http ig_http;

/* A handle whose requests each take at most timeout_s and whose answers may be at most
 * max_body bytes. NULL when libcurl cannot be set up. */
ig_http *ig_http_new(double timeout_s, size_t max_body);

/* Performs one request. headers is a NULL-terminated list of "Name: value" lines (may be
 * NULL); body is sent when non-NULL (with POST). The answer's body goes to out (reset
 * first). *retry_after is the Retry-After header in seconds, or -1 when absent. Returns
 * the HTTP status, or -1 with a message in err for a transport failure (connection,
 * timeout, oversized answer). */
long ig_http_do(ig_http *h, const char *method, const char *url, const char *const *headers,
                const char *body, ig_buf *out, double *retry_after, char *err, size_t errlen);

/* Frees the handle. Accepts NULL. */
void ig_http_del(ig_http *h);

#endif
