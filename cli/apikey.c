/* apikey.c -- `mixq apikey create|list|revoke`: API keys for mixq-recommender.
 *
 * A key is "mqk_" and 43 characters of base64url: 256 random bits from getrandom(2).
 * It is printed once; the database keeps only its SHA-256 (computed by PostgreSQL's
 * sha256(), the same function the recommender checks keys with). */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/pg.h"

static const char usage[] =
    "usage: mixq apikey create NAME [--rate N/s] [--pg DSN]\n"
    "       mixq apikey list [--pg DSN]\n"
    "       mixq apikey revoke NAME [--pg DSN]\n"
    "\n"
    "create  makes a key for mixq-recommender, prints it once on stdout and stores only its\n"
    "        SHA-256; --rate is the key's limit in requests per second (default 50),\n"
    "        bursts of one second's worth. Clients send it as `Authorization: Bearer KEY`.\n"
    "list    lists keys: name, rate, created, revoked.\n"
    "revoke  revokes the key NAME at once (running recommenders are notified).\n"
    "\n"
    "Options:\n"
    "      --pg DSN    libpq connection string (default: $MIXQ_PG_DSN, else\n"
    "                  \"" MQ_DEFAULT_PG_DSN "\")\n"
    "  -h, --help      this help\n";

static void quiet(void *ud, const char *msg) {
    (void)ud;
    (void)msg;
}

/* Writes a new key into key (at least 48 bytes). 0, or -1 when no randomness. */
static int make_key(char *key) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[33];
    size_t got = 0;
    while (got < 32) {
        ssize_t n = getrandom(r + got, 32 - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        got += (size_t)n;
    }
    r[32] = 0;
    char *p = key + sprintf(key, "mqk_");
    /* 32 bytes: ten 3-byte groups (40 characters), then 2 bytes (3 characters). */
    for (int i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 | (i + 2 < 33 ? r[i + 2] : 0);
        *p++ = b64[v >> 18 & 63];
        *p++ = b64[v >> 12 & 63];
        *p++ = b64[v >> 6 & 63];
        if (i + 2 < 32) *p++ = b64[v & 63];
    }
    *p = 0;
    return 0;
}

/* Parses "N/s" or "N" into *rate. 0 or -1. */
static int parse_rate(const char *s, double *rate) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    size_t n = strlen(buf);
    if (n > 2 && !strcmp(buf + n - 2, "/s")) buf[n - 2] = 0;
    return mq_config_double(buf, 0.01, 1e7, rate);
}

static int create(PGconn *pg, const char *name, double rate) {
    char key[64], rate_s[32];
    if (make_key(key) != 0) {
        fprintf(stderr, "mixq apikey: no randomness available: %s\n", strerror(errno));
        return 1;
    }
    snprintf(rate_s, sizeof rate_s, "%g", rate);
    const char *params[3] = {name, key, rate_s};
    PGresult *r = PQexecParams(pg,
                               "INSERT INTO api_keys (name, key_hash, rate_per_s)"
                               " VALUES ($1, sha256(convert_to($2, 'UTF8')), $3)",
                               3, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!ok && state && !strcmp(state, "23505"))
        fprintf(stderr, "mixq apikey: a key named '%s' exists already (names are never reused)\n",
                name);
    else if (!ok)
        fprintf(stderr, "mixq apikey: %s", PQerrorMessage(pg));
    PQclear(r);
    if (!ok) return 1;
    printf("%s\n", key);
    fprintf(stderr,
            "mixq apikey: key '%s' created, %g requests/s; it is shown only this once "
            "(send it as Authorization: Bearer KEY)\n",
            name, rate);
    return 0;
}

static int list(PGconn *pg) {
    PGresult *r = PQexec(pg, "SELECT name, rate_per_s, to_char(created_at, 'YYYY-MM-DD HH24:MI'),"
                             " coalesce(to_char(revoked_at, 'YYYY-MM-DD HH24:MI'), '-')"
                             " FROM api_keys ORDER BY created_at, id");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "mixq apikey: %s", PQerrorMessage(pg));
        PQclear(r);
        return 1;
    }
    printf("%-24s %10s  %-16s  %-16s\n", "NAME", "RATE/S", "CREATED", "REVOKED");
    for (int i = 0; i < PQntuples(r); i++)
        printf("%-24s %10s  %-16s  %-16s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
               PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
    PQclear(r);
    return 0;
}

static int revoke(PGconn *pg, const char *name) {
    const char *params[1] = {name};
    PGresult *r = PQexecParams(pg,
                               "UPDATE api_keys SET revoked_at = now()"
                               " WHERE name = $1 AND revoked_at IS NULL",
                               1, NULL, params, NULL, NULL, 0);
    int rc = 1;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "mixq apikey: %s", PQerrorMessage(pg));
    else if (!strcmp(PQcmdTuples(r), "0"))
        fprintf(stderr, "mixq apikey: no active key named '%s'\n", name);
    else {
        fprintf(stderr, "mixq apikey: key '%s' revoked\n", name);
        rc = 0;
    }
    PQclear(r);
    return rc;
}

int cmd_apikey(int argc, char **argv) {
    static const struct option longopts[] = {{"pg", required_argument, NULL, 'p'},
                                             {"rate", required_argument, NULL, 'r'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *pg_flag = NULL;
    double rate = 50;
    int c, have_rate = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': pg_flag = optarg; break;
        case 'r':
            if (parse_rate(optarg, &rate) != 0) {
                fprintf(stderr,
                        "mixq apikey: --rate wants requests per second like 100/s, not '%s'\n",
                        optarg);
                return 2;
            }
            have_rate = 1;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    int nargs = argc - optind - 1;
    int ok = verb && ((!strcmp(verb, "create") && nargs == 1) ||
                      (!strcmp(verb, "revoke") && nargs == 1 && !have_rate) ||
                      (!strcmp(verb, "list") && nargs == 0 && !have_rate));
    if (!ok) {
        fputs(usage, stderr);
        return 2;
    }
    const char *name = nargs ? argv[optind + 1] : NULL;
    if (name && (!*name || strlen(name) > 100)) {
        fputs("mixq apikey: NAME must be 1 to 100 bytes\n", stderr);
        return 2;
    }
    char err[512];
    PGconn *pg =
        mq_pg_connect(mq_config_str(pg_flag, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN), err, sizeof err);
    if (!pg) {
        fprintf(stderr, "mixq apikey: %s\n", err);
        return 1;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    int rc;
    if (mq_pg_migrate(pg, err, sizeof err) < 0) {
        fprintf(stderr, "mixq apikey: %s\n", err);
        rc = 1;
    } else if (!strcmp(verb, "create")) {
        rc = create(pg, name, rate);
    } else if (!strcmp(verb, "revoke")) {
        rc = revoke(pg, name);
    } else {
        rc = list(pg);
    }
    PQfinish(pg);
    return rc;
}
