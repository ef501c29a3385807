/* pool.h -- a fixed-size pool of PostgreSQL connections for the HTTP threads.
 *
 * Connections are opened on first use and reused; one found broken is closed and opened
 * again on its next use, so requests keep working across a database restart. A request
 * waits a bounded time for a free connection, and each statement at most 5 s
 * (statement_timeout). Thread-safe. */
#ifndef REC_POOL_H
#define REC_POOL_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct rec_pool rec_pool;

/* A pool of up to size connections to dsn (copied). NULL when out of memory. */
rec_pool *rec_pool_new(const char *dsn, int size);
/* Closes every connection and frees p (no connection may be out). Accepts NULL. */
void rec_pool_del(rec_pool *p);
/* A connection, waiting up to wait_ms for one to be free. NULL with a message in err when
 * none is free in time or the database cannot be reached. */
PGconn *rec_pool_get(rec_pool *p, int wait_ms, char *err, size_t errlen);
/* Gives c back; when broken is set (or c's status is bad) it is closed. */
void rec_pool_put(rec_pool *p, PGconn *c, int broken);
/* Routes c's server notices to the JSON log (debug level) instead of bare stderr lines.
 * Used for every connection the recommender opens. */
void rec_pg_log_notices(PGconn *c);

#endif
