/* migrate.c -- `mixq migrate`: bring the PostgreSQL schema up to date (db/ migrations). */
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/migrations.h"
#include "common/pg.h"

static const char usage[] =
    "usage: mixq migrate [--pg DSN]\n"
    "\n"
    "Applies the schema migrations (db/NNN_name.sql, built into mixq) that the database\n"
    "lacks, each in its own transaction, under an advisory lock (safe beside daemons\n"
    "doing the same), and prints what it applied. Exit status 0, or 1 on failure.\n"
    "\n"
    "Options:\n"
    "      --pg DSN    libpq connection string (default: $MIXQ_PG_DSN, else\n"
    "                  \"" MQ_DEFAULT_PG_DSN "\")\n"
    "  -h, --help      this help\n";

/* The database's schema version: 0 when no migration was ever applied, -1 on error. */
static int schema_version(PGconn *c) {
    PGresult *r = PQexec(c, "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0"
                            " ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END");
    int v = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

/* Server notices ("relation already exists, skipping") are not news to the user. */
static void quiet(void *ud, const char *msg) {
    (void)ud;
    (void)msg;
}

int cmd_migrate(int argc, char **argv) {
    static const struct option longopts[] = {
        {"pg", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *pg_flag = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': pg_flag = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mixq migrate: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return 2;
    }
    char err[512];
    PGconn *pg =
        mq_pg_connect(mq_config_str(pg_flag, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN), err, sizeof err);
    if (!pg) {
        fprintf(stderr, "mixq migrate: %s\n", err);
        return 1;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    int before = schema_version(pg);
    int n = mq_pg_migrate(pg, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "mixq migrate: %s\n", err);
        PQfinish(pg);
        return 1;
    }
    /* The n applied are the first n newer than the version seen before. */
    int shown = 0;
    for (int i = 0; i < mq_migrations_count && shown < n; i++)
        if (mq_migrations[i].version > before) {
            printf("applied %s\n", mq_migrations[i].name);
            shown++;
        }
    printf("schema at version %d%s\n", schema_version(pg), n ? "" : " (already up to date)");
    PQfinish(pg);
    return 0;
}
