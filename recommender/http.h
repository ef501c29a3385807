/* http.h -- the HTTP/1.1 server (libmicrohttpd): connections, bounded bodies, responses.
 *
 * A pool of threads, each with its own epoll loop, serves keep-alive connections. A
 * request body is read into memory up to the app's max_body: a larger Content-Length is
 * answered 413 at once, and a chunked body that grows past the limit is read to its end
 * (and dropped) up to 16 times the limit, then answered 413 -- or the connection is closed
 * when it goes on. Each complete request goes to rec_route (routes.h); the response gets
 * its headers (Content-Type, Retry-After, Allow, WWW-Authenticate) and is counted. */
#ifndef REC_HTTP_H
#define REC_HTTP_H

#include <stddef.h>

#include "recommender/app.h"

typedef struct rec_http rec_http;

/* Serves app on addr:port (port 0 picks a free one) with threads threads. NULL with a
 * message in err when it cannot listen. */
rec_http *rec_http_start(rec_app *app, const char *addr, int port, int threads, char *err,
                         size_t errlen);
/* The port actually listened on. */
int rec_http_port(const rec_http *h);
/* Stops serving (in-flight requests finish) and frees h. Accepts NULL. */
void rec_http_stop(rec_http *h);

#endif
