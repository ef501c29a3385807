/* sink_bench.c -- result rows per second into PostgreSQL: the broker's sink (features
 * JSON mapped to typed columns, COPY into a staging table, INSERT ... ON CONFLICT DO
 * NOTHING, tags, NOTIFY, one transaction per batch) beside a raw COPY of the same rows,
 * already formatted, straight into track_features in the same batches.
 *
 *   sink_bench DSN FEATURES.jsonl ROWS BATCH
 * FEATURES.jsonl holds `mixq analyze` lines, reused round robin for track ids 1..ROWS. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "broker/buf.h"
#include "broker/rows.h"
#include "broker/sink.h"
#include "common/log.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double median3(const double *t) {
    double a = t[0], b = t[1], c = t[2];
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

static void die(const char *what) {
    fprintf(stderr, "sink_bench: %s\n", what);
    exit(1);
}

static void exec_ok(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

int main(int argc, char **argv) {
    if (argc < 5) die("usage: sink_bench DSN FEATURES.jsonl ROWS BATCH");
    const char *dsn = argv[1];
    long rows = atol(argv[3]), batch = atol(argv[4]);
    mq_log_init("sink_bench", "warn");
    /* The features lines. */
    FILE *f = fopen(argv[2], "r");
    if (!f) die("cannot read the features file");
    char *lines[64];
    size_t lens[64], k = 0, cap = 0;
    ssize_t n;
    char *line = NULL;
    while (k < 64 && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        if (n < 10 || strstr(line, "\"error\"")) continue;
        lines[k] = strdup(line);
        lens[k++] = (size_t)n;
    }
    free(line);
    fclose(f);
    if (!k) die("no features lines");
    size_t avg = 0;
    for (size_t i = 0; i < k; i++) avg += lens[i];
    avg /= k;

    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) die("cannot connect");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO tracks (id, content_hash, uri) SELECT i, decode(lpad(to_hex(i), 32, '0'),"
             " 'hex'), 'file:///bench/' || i FROM generate_series(1, %ld) i ON CONFLICT DO NOTHING",
             rows);
    exec_ok(c, sql);

    char err[256];
    /* The raw COPY's text, formatted beforehand (the floor), and how fast the sink's
     * formatting alone is. */
    mq_buf copy_sql = {0}, tags = {0};
    mq_rows_copy_sql(&copy_sql);
    long nb = (rows + batch - 1) / batch;
    mq_buf *text = calloc((size_t)nb, sizeof *text);
    char version[MQ_ROWS_VERSION_MAX];
    double tf = now();
    for (long i = 0; i < rows; i++) {
        mq_rows_job job = {i + 1, "mixq-analysis/0.1.0"};
        if (mq_rows_add(&text[i / batch], &tags, &job, lines[i % (long)k], lens[i % (long)k], 1.0,
                        version, err, sizeof err))
            die(err);
    }
    tf = now() - tf;

    /* Alternating rounds of each, on an emptied table; the median of each is reported
     * (the machine may be shared). */
    enum { ROUNDS = 3 };
    double ts[ROUNDS], tc[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        exec_ok(c, "TRUNCATE track_features, track_tags");
        PQclear(PQexec(c, "CHECKPOINT")); /* best effort: needs a privileged role */
        int fd = eventfd(0, EFD_CLOEXEC);
        mq_sink *s = mq_sink_new(dsn, (int)batch, fd, NULL, err, sizeof err);
        if (!s) die(err);
        while (!mq_sink_up(s)) usleep(10000);
        double t0 = now();
        long pushed = 0, done = 0;
        while (done < rows) {
            size_t items, bytes;
            mq_sink_load(s, &items, &bytes);
            while (pushed < rows && items < (size_t)batch * 4) {
                char id[32];
                snprintf(id, sizeof id, "%ld:bench", pushed + 1);
                mq_sink_item *it =
                    mq_sink_item_new(id, pushed + 1, "file:///bench", "mixq-analysis/0.1.0", 1,
                                     lines[pushed % (long)k], lens[pushed % (long)k]);
                if (!it) die("out of memory");
                it->seconds = 1.0;
                mq_sink_push(s, it);
                pushed++;
                items++;
            }
            uint64_t x;
            if (read(fd, &x, sizeof x) < 0) die("eventfd");
            for (mq_sink_item *it = mq_sink_done(s), *next; it; it = next) {
                next = it->next;
                if (it->status != MQ_SINK_DONE) die("a row was not written");
                done++;
                mq_sink_item_free(it);
            }
        }
        ts[round] = now() - t0;
        mq_sink_del(s);
        close(fd);
        PGresult *r = PQexec(c, "SELECT count(*) FROM track_features");
        long got = atol(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (got != rows) die("the sink did not write every row");

        exec_ok(c, "TRUNCATE track_features, track_tags");
        PQclear(PQexec(c, "CHECKPOINT"));
        exec_ok(c, "SET synchronous_commit = on");
        t0 = now();
        for (long b = 0; b < nb; b++) {
            exec_ok(c, "BEGIN");
            r = PQexec(c, copy_sql.data);
            if (PQresultStatus(r) != PGRES_COPY_IN) die(PQerrorMessage(c));
            PQclear(r);
            if (PQputCopyData(c, text[b].data, (int)text[b].len) != 1 || PQputCopyEnd(c, NULL) != 1)
                die(PQerrorMessage(c));
            r = PQgetResult(c);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQerrorMessage(c));
            PQclear(r);
            while ((r = PQgetResult(c))) PQclear(r);
            exec_ok(c, "COMMIT");
        }
        tc[round] = now() - t0;
    }
    double t_sink = median3(ts), t_copy = median3(tc);
    printf(
        "%-44s %10.0f rows/s   (%ld rows of ~%zu kB features JSON, batches of %ld; median of %d)\n",
        "result sink (mixq-broker)", rows / t_sink, rows, avg / 1024, batch, ROUNDS);
    printf("%-44s %10.0f rows/s   (sink takes %.2fx the time of raw COPY)\n",
           "raw COPY into track_features", rows / t_copy, t_sink / t_copy);
    printf("%-44s %10.0f rows/s   (JSON to COPY text alone, one thread)\n",
           "  of which the sink's row formatting", rows / tf);
    for (long b = 0; b < nb; b++) mq_buf_free(&text[b]);
    free(text);
    mq_buf_free(&copy_sql);
    mq_buf_free(&tags);
    for (size_t i = 0; i < k; i++) free(lines[i]);
    PQfinish(c);
    return 0;
}
