/* pg.c -- libpq connections and the migration runner. */
#include "common/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/migrations.h"

/* Arbitrary constant naming mixq's migration lock among advisory locks. */
#define MIGRATION_LOCK 0x6d697871 /* "mixq" */

static void set_err(char *err, size_t len, const char *what, PGconn *c) {
    if (!err || !len) return;
    const char *m = c ? PQerrorMessage(c) : "";
    snprintf(err, len, "%s: %s", what, m);
    size_t n = strlen(err);
    while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')) err[--n] = 0;
}

PGconn *mq_pg_connect(const char *dsn, char *err, size_t errlen) {
    /* With expand_dbname, dsn is parsed as a connection string; its settings override
     * the defaults given before it. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {"5", "mixq", dsn, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        set_err(err, errlen, "cannot connect to PostgreSQL", c);
        PQfinish(c);
        return NULL;
    }
    return c;
}

int mq_pg_exec(PGconn *c, const char *sql, char *err, size_t errlen) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) set_err(err, errlen, "SQL failed", c);
    PQclear(r);
    return ok ? 0 : -1;
}

/* 1 when migration version v is recorded as applied, 0 when not, -1 on error. */
static int applied_already(PGconn *c, int v, char *err, size_t errlen) {
    char ver[16];
    snprintf(ver, sizeof ver, "%d", v);
    const char *params[1] = {ver};
    PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                               params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        set_err(err, errlen, "reading schema_migrations", c);
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    PQclear(r);
    return n > 0;
}

int mq_pg_migrate(PGconn *c, char *err, size_t errlen) {
    char sql[256];
    /* "already exists, skipping" notices are not news: keep them off stderr. */
    mq_pg_exec(c, "SET client_min_messages TO warning", NULL, 0);
    if (mq_pg_exec(c,
                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT now())",
                   err, errlen) != 0) {
        /* Two callers racing on CREATE TABLE IF NOT EXISTS can collide; retry once. */
        if (mq_pg_exec(c, "SELECT 1 FROM schema_migrations LIMIT 1", err, errlen) != 0)
            return -1;
    }
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%d)", MIGRATION_LOCK);
    if (mq_pg_exec(c, sql, err, errlen) != 0) return -1;
    /* Every migration not yet recorded is applied, in order: one added later with a
     * lower number than the database's newest is not skipped. */
    int applied = 0;
    for (int i = 0; i < mq_migrations_count; i++) {
        const mq_migration *m = &mq_migrations[i];
        int have = applied_already(c, m->version, err, errlen);
        if (have < 0) {
            applied = -1;
            break;
        }
        if (have) continue;
        if (mq_pg_exec(c, "BEGIN", err, errlen) != 0) {
            applied = -1;
            break;
        }
        const char *params[2];
        char ver[16];
        snprintf(ver, sizeof ver, "%d", m->version);
        params[0] = ver;
        params[1] = m->name;
        PGresult *r = NULL;
        int ok = mq_pg_exec(c, m->sql, err, errlen) == 0;
        if (ok) {
            r = PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                             2, NULL, params, NULL, NULL, 0);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok) set_err(err, errlen, "recording the migration", c);
            PQclear(r);
        }
        if (ok) ok = mq_pg_exec(c, "COMMIT", err, errlen) == 0;
        if (!ok) {
            char keep[512];
            snprintf(keep, sizeof keep, "%s", err ? err : "");
            PQclear(PQexec(c, "ROLLBACK"));
            if (err) snprintf(err, errlen, "migration %s: %s", m->name, keep);
            applied = -1;
            break;
        }
        applied++;
    }
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%d)", MIGRATION_LOCK);
    PQclear(PQexec(c, sql));
    return applied;
}
