/* pg.h -- PostgreSQL connections and schema migrations (libpq). */
#ifndef MQ_PG_H
#define MQ_PG_H

#include <libpq-fe.h>
#include <stddef.h>

/* Connects with the libpq connection string dsn (connect_timeout 5 s unless the string
 * says otherwise). Returns NULL and a message in err on failure. */
PGconn *mq_pg_connect(const char *dsn, char *err, size_t errlen);

/* Applies every embedded migration (db/NNN_name.sql) newer than the database's, each in its own
 * transaction, holding an advisory lock so that concurrent callers apply each once.
 * Returns the number applied (0 when up to date), or -1 with a message in err. */
int mq_pg_migrate(PGconn *c, char *err, size_t errlen);

/* Runs a statement with no result rows; returns 0 or -1 with a message in err. */
int mq_pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);

#endif
