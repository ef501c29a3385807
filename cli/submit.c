/* submit.c -- `mixq submit`: register audio files in the catalogue and queue their
 * analysis on the cluster, without the ingest daemon.
 *
 * Files are walked as `mixq analyze` walks them and handled in batches: each file's
 * content is hashed (xxh128), its track upserted by content hash and its exact path bytes
 * recorded in track_paths, the batch committed, and only then are its jobs submitted to
 * the broker, the batch waiting for its SubmitAck (sent again, as docs/protocol.md says,
 * when the broker fails or does not answer, until the timeout). Memory stays bounded
 * whatever the number of files; the same content under two paths makes one job. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "analysis/analyzer.h"
#include "cli/broker.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/fetch.h"
#include "common/hash.h"
#include "common/pg.h"
#include "common/walk.h"

static const char usage_head[] =
    "usage: mixq submit [options] FILE|DIR...\n"
    "\n"
    "Registers audio files in the catalogue (PostgreSQL: one track per distinct content,\n"
    "identified by its 128-bit xxHash, and every path it is found at) and submits one\n"
    "analysis job per track to the broker. Directories are walked for audio files.\n"
    "Exit status: 0 when every file was registered and every job accepted, 1 otherwise\n"
    "(unreadable files, refused jobs, no database, no broker), 2 for usage errors.\n"
    "\n"
    "Options:\n"
    "      --priority P           interactive or bulk (default bulk)\n"
    "      --pg DSN               libpq connection string (default: $MIXQ_PG_DSN, else\n"
    "                             \"" MQ_DEFAULT_PG_DSN "\")\n";
static const char usage_tail[] =
    "      --batch N              jobs per Submit (default 500, at most 10000)\n"
    "      --timeout S            give up when the broker has not accepted a batch after\n"
    "                             S seconds (default 30)\n"
    "  -h, --help                 this help\n";

#define ACK_WAIT_S 10.0 /* resend a Submit not answered this long */
#define RETRY_MIN_S 0.5 /* pause after a failed Submit, doubling ... */
#define RETRY_MAX_S 5.0 /* ... up to this */

static void print_usage(FILE *f) {
    fputs(usage_head, f);
    fputs(cli_broker_usage, f);
    fputs(usage_tail, f);
}

/* A set of track ids (open addressing; 0 marks an empty slot, ids are > 0). */
typedef struct idset {
    int64_t *slot;
    size_t cap, n;
} idset;

/* Adds id; returns 1 if it was new, 0 if present, -1 when out of memory. */
static int idset_add(idset *s, int64_t id) {
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 1024;
        int64_t *ns = calloc(nc, sizeof *ns);
        if (!ns) return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i])
                for (size_t k = (uint64_t)s->slot[i] * 0x9E3779B97F4A7C15u % nc;; k = (k + 1) % nc)
                    if (!ns[k]) {
                        ns[k] = s->slot[i];
                        break;
                    }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    for (size_t k = (uint64_t)id * 0x9E3779B97F4A7C15u % s->cap;; k = (k + 1) % s->cap) {
        if (s->slot[k] == id) return 0;
        if (!s->slot[k]) {
            s->slot[k] = id;
            s->n++;
            return 1;
        }
    }
}

/* The run: connections, the batch being built, counters. */
typedef struct run {
    PGconn *pg;
    void *sock;
    const char *endpoint;
    Mixq__Priority priority;
    size_t batch_max;
    double timeout_s;
    int in_txn;
    /* the batch: jobs (with their own strings) not yet submitted */
    Mixq__Job *jobs;
    Mixq__Job **jobp;
    size_t n;
    uint64_t request_id;
    idset seen;
    /* counters */
    size_t registered, unreadable, new_tracks, tracks, submitted, accepted, refused;
    int failed; /* a fatal error: stop */
} run;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void batch_clear(run *r) {
    for (size_t i = 0; i < r->n; i++) {
        free(r->jobs[i].job_id);
        free(r->jobs[i].uri);
    }
    r->n = 0;
}

static int pg_ok(run *r, PGresult *res, const char *what) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return 1;
    const char *msg = PQresultErrorMessage(res);
    fprintf(stderr, "mixq submit: %s: %s", what, msg && *msg ? msg : PQerrorMessage(r->pg));
    if (msg && strstr(msg, "does not exist"))
        fputs("mixq submit: (has the schema been created? run `mixq migrate`)\n", stderr);
    r->failed = 1;
    return 0;
}

static int pg_simple(run *r, const char *sql) {
    PGresult *res = PQexec(r->pg, sql);
    int ok = pg_ok(r, res, sql);
    PQclear(res);
    return ok;
}

/* Upserts the track of this content and the path; returns the track id, or 0 on error. */
static int64_t register_file(run *r, const char *path, const mq_hash128 *h, uint64_t size,
                             const struct stat *st, const char *uri) {
    char size_s[24], mtime_s[24], id_s[24];
    snprintf(size_s, sizeof size_s, "%llu", (unsigned long long)size);
    snprintf(mtime_s, sizeof mtime_s, "%lld",
             (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec);
    const char *tv[3] = {(const char *)h->b, uri, size_s};
    int tl[3] = {MQ_HASH_LEN, 0, 0}, tf[3] = {1, 0, 0};
    PGresult *res =
        PQexecParams(r->pg,
                     "INSERT INTO tracks (content_hash, uri, size_bytes) VALUES ($1, $2, $3) "
                     "ON CONFLICT (content_hash) DO UPDATE SET uri = EXCLUDED.uri, "
                     "size_bytes = EXCLUDED.size_bytes, missing = false, updated_at = now() "
                     "RETURNING id, (xmax = 0) AS inserted",
                     3, NULL, tv, tl, tf, 0);
    if (!pg_ok(r, res, "registering a track")) {
        PQclear(res);
        return 0;
    }
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    if (PQgetvalue(res, 0, 1)[0] == 't') r->new_tracks++;
    PQclear(res);
    snprintf(id_s, sizeof id_s, "%lld", (long long)id);
    const char *pv[4] = {path, id_s, size_s, mtime_s};
    int pl[4] = {(int)strlen(path), 0, 0, 0}, pf[4] = {1, 0, 0, 0};
    res = PQexecParams(r->pg,
                       "INSERT INTO track_paths (path, track_id, size_bytes, mtime_ns) "
                       "VALUES ($1, $2, $3, $4) ON CONFLICT (path) DO UPDATE SET "
                       "track_id = EXCLUDED.track_id, size_bytes = EXCLUDED.size_bytes, "
                       "mtime_ns = EXCLUDED.mtime_ns, missing = false, seen_at = now()",
                       4, NULL, pv, pl, pf, 0);
    int ok = pg_ok(r, res, "registering a path");
    PQclear(res);
    return ok ? id : 0;
}

/* Sends the batch until the broker acknowledges it or the timeout passes. */
static int submit_batch(run *r) {
    Mixq__Submit sub = MIXQ__SUBMIT__INIT;
    sub.request_id = ++r->request_id;
    sub.n_jobs = r->n;
    sub.jobs = r->jobp;
    Mixq__Envelope env = MIXQ__ENVELOPE__INIT;
    env.version = MQ_WIRE_VERSION;
    env.body_case = MIXQ__ENVELOPE__BODY_SUBMIT;
    env.submit = &sub;
    double give_up = now_s() + r->timeout_s, pause = RETRY_MIN_S;
    char last[256] = "no answer";
    while (now_s() < give_up) {
        if (mq_wire_send(r->sock, &env, ZMQ_DONTWAIT) != 0 && zmq_errno() != EAGAIN) {
            snprintf(last, sizeof last, "cannot send: %s", zmq_strerror(zmq_errno()));
            break;
        }
        double wait_until = now_s() + ACK_WAIT_S;
        if (wait_until > give_up) wait_until = give_up;
        for (;;) {
            double left = wait_until - now_s();
            if (left <= 0) break;
            Mixq__Envelope *reply = NULL;
            mq_wire_status st = cli_broker_recv(r->sock, (long)(left * 1000) + 1, &reply);
            if (st == MQ_WIRE_AGAIN) continue;
            if (st != MQ_WIRE_OK) {
                if (st == MQ_WIRE_ERROR) break;
                continue; /* malformed: ignore */
            }
            const Mixq__SubmitAck *ack = reply->submit_ack;
            if (reply->body_case != MIXQ__ENVELOPE__BODY_SUBMIT_ACK ||
                ack->request_id != sub.request_id) {
                mixq__envelope__free_unpacked(reply, NULL); /* an old request's answer */
                continue;
            }
            if (ack->error && *ack->error) {
                snprintf(last, sizeof last, "the broker failed the request: %s", ack->error);
                mixq__envelope__free_unpacked(reply, NULL);
                break; /* pause, then send the same jobs again */
            }
            r->accepted += ack->accepted;
            r->refused += ack->refused;
            if (ack->refused)
                fprintf(stderr, "mixq submit: the broker refused %u of %zu jobs as malformed\n",
                        ack->refused, r->n);
            mixq__envelope__free_unpacked(reply, NULL);
            r->submitted += r->n;
            return 0;
        }
        double t = now_s() + pause;
        if (t > give_up) break;
        while (now_s() < t) usleep(50000);
        pause = pause * 2 > RETRY_MAX_S ? RETRY_MAX_S : pause * 2;
        sub.request_id = ++r->request_id; /* a fresh id: late answers to old ones are skipped */
    }
    fprintf(stderr, "mixq submit: the broker at %s did not accept %zu jobs within %g s (%s)\n",
            r->endpoint, r->n, r->timeout_s, last);
    r->failed = 1;
    return -1;
}

/* Commits the registrations of the batch, then submits its jobs. */
static int flush(run *r) {
    if (r->in_txn) {
        if (!pg_simple(r, "COMMIT")) return -1;
        r->in_txn = 0;
    }
    int rc = r->n ? submit_batch(r) : 0;
    batch_clear(r);
    return rc;
}

static int add_job(run *r, int64_t track_id, const char *uri) {
    char id[64 + sizeof MQ_ANALYZER_VERSION];
    snprintf(id, sizeof id, "%lld:%s", (long long)track_id, MQ_ANALYZER_VERSION);
    Mixq__Job *j = &r->jobs[r->n];
    mixq__job__init(j);
    j->job_id = strdup(id);
    j->uri = strdup(uri);
    if (!j->job_id || !j->uri) {
        free(j->job_id);
        free(j->uri);
        fputs("mixq submit: out of memory\n", stderr);
        r->failed = 1;
        return -1;
    }
    j->track_id = track_id;
    j->priority = r->priority;
    j->attempt = 1;
    j->analyzer_version = (char *)MQ_ANALYZER_VERSION;
    r->jobp[r->n++] = j;
    return 0;
}

static int on_file(const char *path, void *ud) {
    run *r = ud;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    mq_hash128 h;
    uint64_t size = 0;
    const char *why = NULL;
    if (fd < 0)
        why = strerror(errno);
    else if (fstat(fd, &st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (mq_hash_fd(fd, &h, &size) != 0)
        why = strerror(errno);
    if (fd >= 0) close(fd);
    if (why) {
        fprintf(stderr, "mixq submit: skipping %s: %s\n", path, why);
        r->unreadable++;
        return 0;
    }
    char *uri = mq_file_uri(path);
    if (!uri) {
        fputs("mixq submit: out of memory\n", stderr);
        r->failed = 1;
        return -1;
    }
    if (!r->in_txn) {
        if (!pg_simple(r, "BEGIN")) goto fail;
        r->in_txn = 1;
    }
    int64_t id = register_file(r, path, &h, size, &st, uri);
    if (!id) goto fail;
    r->registered++;
    int fresh = idset_add(&r->seen, id);
    if (fresh < 0) {
        fputs("mixq submit: out of memory\n", stderr);
        r->failed = 1;
        goto fail;
    }
    if (fresh) {
        r->tracks++;
        if (add_job(r, id, uri) != 0) goto fail;
    }
    free(uri);
    if (r->n == r->batch_max && flush(r) != 0) return -1;
    return 0;
fail:
    free(uri);
    return -1;
}

static void walk_error(const char *path, const char *why, void *ud) {
    run *r = ud;
    r->unreadable++;
    fprintf(stderr, "mixq submit: skipping %s: %s\n", path, why);
}

int cmd_submit(int argc, char **argv) {
    static const struct option longopts[] = {{"priority", required_argument, NULL, 'p'},
                                             {"pg", required_argument, NULL, 'g'},
                                             {"broker", required_argument, NULL, 'b'},
                                             {"broker-key", required_argument, NULL, 'k'},
                                             {"curve-server-key", required_argument, NULL, 'k'},
                                             {"curve-key", required_argument, NULL, 'c'},
                                             {"allow-plain", no_argument, NULL, 'P'},
                                             {"batch", required_argument, NULL, 'n'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    cli_broker_opts bo = {0};
    const char *pg_flag = NULL;
    run r;
    memset(&r, 0, sizeof r);
    r.priority = MIXQ__PRIORITY__PRIORITY_BULK;
    r.batch_max = 500;
    r.timeout_s = 30;
    long batch;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!strcmp(optarg, "interactive"))
                r.priority = MIXQ__PRIORITY__PRIORITY_INTERACTIVE;
            else if (!strcmp(optarg, "bulk"))
                r.priority = MIXQ__PRIORITY__PRIORITY_BULK;
            else {
                fprintf(stderr, "mixq submit: --priority wants interactive or bulk, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'g': pg_flag = optarg; break;
        case 'b': bo.broker = optarg; break;
        case 'k': bo.broker_key = optarg; break;
        case 'c': bo.curve_key = optarg; break;
        case 'P': bo.allow_plain = 1; break;
        case 'n':
            if (mq_config_long(optarg, 1, 10000, &batch)) {
                fprintf(stderr, "mixq submit: --batch wants a number from 1 to 10000, not '%s'\n",
                        optarg);
                return 2;
            }
            r.batch_max = (size_t)batch;
            break;
        case 't':
            if (mq_config_double(optarg, 0.1, 86400, &r.timeout_s)) {
                fprintf(stderr,
                        "mixq submit: --timeout wants seconds from 0.1 to 86400, not "
                        "'%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'h': print_usage(stdout); return 0;
        default: print_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fputs("mixq submit: no FILE or DIR given\n\n", stderr);
        print_usage(stderr);
        return 2;
    }

    char err[512];
    r.jobs = calloc(r.batch_max, sizeof *r.jobs);
    r.jobp = calloc(r.batch_max, sizeof *r.jobp);
    void *ctx = zmq_ctx_new();
    if (!r.jobs || !r.jobp || !ctx) {
        fputs("mixq submit: out of memory\n", stderr);
        free(r.jobs);
        free(r.jobp);
        if (ctx) zmq_ctx_term(ctx);
        return 1;
    }
    r.endpoint = cli_broker_endpoint(&bo);
    r.sock = cli_broker_connect(ctx, &bo, err, sizeof err);
    if (!r.sock) {
        fprintf(stderr, "mixq submit: %s\n", err);
        goto out;
    }
    r.pg = mq_pg_connect(mq_config_str(pg_flag, "MIXQ_PG_DSN", MQ_DEFAULT_PG_DSN), err, sizeof err);
    if (!r.pg) {
        fprintf(stderr, "mixq submit: %s\n", err);
        r.failed = 1;
        goto out;
    }

    for (int i = optind; i < argc && !r.failed; i++) {
        /* Paths are registered absolute, as the workers will open them. */
        char root[PATH_MAX];
        if (!realpath(argv[i], root)) {
            fprintf(stderr, "mixq submit: skipping %s: %s\n", argv[i], strerror(errno));
            r.unreadable++;
            continue;
        }
        /* A root that cannot be read is reported by walk_error; a fatal error sets failed. */
        mq_walk(root, on_file, walk_error, &r);
    }
    if (!r.failed) flush(&r);
    if (r.in_txn) PQclear(PQexec(r.pg, "ROLLBACK"));
    batch_clear(&r);

    printf("files    %zu registered, %zu skipped\n", r.registered, r.unreadable);
    printf("tracks   %zu (%zu new to the catalogue)\n", r.tracks, r.new_tracks);
    printf("jobs     %zu submitted, %zu accepted, %zu refused (priority %s, analyzer %s, "
           "broker %s)\n",
           r.submitted, r.accepted, r.refused,
           r.priority == MIXQ__PRIORITY__PRIORITY_INTERACTIVE ? "interactive" : "bulk",
           MQ_ANALYZER_VERSION, r.endpoint);
out:
    if (r.pg) PQfinish(r.pg);
    if (r.sock) zmq_close(r.sock);
    zmq_ctx_term(ctx);
    free(r.jobs);
    free(r.jobp);
    free(r.seen.slot);
    if (!r.sock) return 1;
    return r.failed || r.unreadable || r.refused ? 1 : 0;
}
