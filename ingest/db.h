/* db.h -- small libpq helpers for ingest: parameterised statements with error text,
 * transactions, and decoding of bytea/number columns.
 *
 * Parameters are text unless given a length (then binary, for bytea). SQL is always a
 * constant string; data only ever travels as parameters. */
#ifndef IG_DB_H
#define IG_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* One statement parameter: text (len < 0) or binary bytes (len >= 0); NULL is SQL NULL. */
typedef struct ig_param {
    const char *v;
    int len;
} ig_param;

#define IG_TEXT(s) ((ig_param){(s), -1})
#define IG_BYTES(p, n) ((ig_param){(const char *)(p), (int)(n)})

/* Runs sql with n parameters. Returns the result (rows or command OK) for the caller to
 * PQclear, or NULL with the server's message in err. */
PGresult *ig_db_exec(PGconn *c, const char *sql, int n, const ig_param *params, char *err,
                     size_t errlen);

/* Runs sql with n parameters and discards the result. Returns 0 or -1 (err set). */
int ig_db_run(PGconn *c, const char *sql, int n, const ig_param *params, char *err, size_t errlen);

/* BEGIN / COMMIT / ROLLBACK. Return 0 or -1 (err set); rollback never fails loudly. */
int ig_db_begin(PGconn *c, char *err, size_t errlen);
int ig_db_commit(PGconn *c, char *err, size_t errlen);
void ig_db_rollback(PGconn *c);

/* Column (row, col) as a whole number; 0 when NULL. */
int64_t ig_db_int(const PGresult *r, int row, int col);

/* Column (row, col) as a double; NaN when NULL. */
double ig_db_double(const PGresult *r, int row, int col);

/* Column (row, col) as text, or NULL when NULL (points into r). */
const char *ig_db_text(const PGresult *r, int row, int col);

/* Decodes a bytea column in hex text form ("\x...") into a malloc'd buffer with a NUL
 * after its *len bytes. NULL when NULL, malformed or out of memory. */
char *ig_db_bytea(const PGresult *r, int row, int col, size_t *len);

/* The database connection for ingest: connects to dsn and applies the migrations.
 * Returns NULL with a message in err. */
PGconn *ig_db_open(const char *dsn, char *err, size_t errlen);

#endif
