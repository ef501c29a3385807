/* db.c -- libpq helpers (see db.h). */
#include "ingest/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/pg.h"

#define MAX_PARAMS 32

static void set_err(PGconn *c, const char *sql, char *err, size_t errlen) {
    if (!err || !errlen) return;
    const char *m = PQerrorMessage(c);
    /* The first words of the statement say which one failed. */
    char what[48];
    snprintf(what, sizeof what, "%s", sql);
    for (char *p = what; *p; p++)
        if (*p == '\n') *p = ' ';
    snprintf(err, errlen, "%s...: %s", what, m && *m ? m : "PostgreSQL error");
    size_t n = strlen(err);
    while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')) err[--n] = 0;
}

PGresult *ig_db_exec(PGconn *c, const char *sql, int n, const ig_param *params, char *err,
                     size_t errlen) {
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS], fmts[MAX_PARAMS];
    if (n > MAX_PARAMS) {
        snprintf(err, errlen, "too many statement parameters");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        vals[i] = params[i].v;
        lens[i] = params[i].len < 0 ? 0 : params[i].len;
        fmts[i] = params[i].len < 0 ? 0 : 1;
    }
    PGresult *r = PQexecParams(c, sql, n, NULL, vals, lens, fmts, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        set_err(c, sql, err, errlen);
        PQclear(r);
        return NULL;
    }
    return r;
}

int ig_db_run(PGconn *c, const char *sql, int n, const ig_param *params, char *err, size_t errlen) {
    PGresult *r = ig_db_exec(c, sql, n, params, err, errlen);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int ig_db_begin(PGconn *c, char *err, size_t errlen) {
    return ig_db_run(c, "BEGIN", 0, NULL, err, errlen);
}

int ig_db_commit(PGconn *c, char *err, size_t errlen) {
    return ig_db_run(c, "COMMIT", 0, NULL, err, errlen);
}

void ig_db_rollback(PGconn *c) {
    if (PQstatus(c) != CONNECTION_OK) return;
    PQclear(PQexec(c, "ROLLBACK"));
}

int64_t ig_db_int(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col)) return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double ig_db_double(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col)) return NAN;
    return strtod(PQgetvalue(r, row, col), NULL);
}

const char *ig_db_text(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col)) return NULL;
    return PQgetvalue(r, row, col);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *ig_db_bytea(const PGresult *r, int row, int col, size_t *len) {
    if (PQgetisnull(r, row, col)) return NULL;
    const char *s = PQgetvalue(r, row, col);
    size_t n = (size_t)PQgetlength(r, row, col);
    if (n < 2 || s[0] != '\\' || s[1] != 'x' || (n - 2) % 2) return NULL;
    size_t out = (n - 2) / 2;
    char *d = malloc(out + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < out; i++) {
        int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            free(d);
            return NULL;
        }
        d[i] = (char)(hi << 4 | lo);
    }
    d[out] = 0;
    *len = out;
    return d;
}

/* Server notices ("relation ... already exists, skipping") go to the debug log rather
 * than as bare text onto stderr, which holds only JSON lines. */
static void on_notice(void *arg, const char *message) {
    (void)arg;
    char m[512];
    snprintf(m, sizeof m, "%s", message);
    size_t n = strlen(m);
    while (n > 0 && m[n - 1] == '\n') m[--n] = 0;
    mq_log(MQ_LOG_DEBUG, "PostgreSQL notice", "notice", m, NULL);
}

PGconn *ig_db_open(const char *dsn, char *err, size_t errlen) {
    PGconn *c = mq_pg_connect(dsn, err, errlen);
    if (!c) return NULL;
    PQsetNoticeProcessor(c, on_notice, NULL);
    if (mq_pg_migrate(c, err, errlen) < 0) {
        PQfinish(c);
        return NULL;
    }
    /* Tags and names are sent as UTF-8 whatever the client locale says. */
    PQsetClientEncoding(c, "UTF8");
    return c;
}
