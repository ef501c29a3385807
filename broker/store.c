/* store.c -- formatting batches and writing them to PostgreSQL (see store.h). */
#include "broker/store.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/pg.h"

/* Outcome of one attempt at a batch. */
typedef enum { WR_OK, WR_DATA, WR_RETRY } wstatus;

struct mq_store {
    char *dsn;
    mq_sink_metrics m;
    PGconn *conn;
    int migrated;
    int down_logged;
    _Atomic int up;
    mq_buf copy_sql, copy_tags_sql, scratch;
    mq_batch one; /* a single item, for writing row by row */
};

/* ---- batches ---- */

int mq_batch_init(mq_batch *b, size_t cap) {
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->items = calloc(cap, sizeof *b->items);
    b->spans = calloc(cap, sizeof *b->spans);
    return b->items && b->spans ? 0 : -1;
}

int mq_batch_format(mq_batch *b) {
    mq_buf_reset(&b->rows);
    mq_buf_reset(&b->tags);
    for (size_t i = 0; i < b->n; i++) {
        mq_sink_item *it = b->items[i];
        mq_rowspan *sp = &b->spans[i];
        memset(sp, 0, sizeof *sp);
        if (it->status != MQ_SINK_PENDING || it->kind != MQ_SINK_RESULT) continue;
        mq_rows_job job = {it->track_id, it->version};
        sp->row_off = b->rows.len;
        sp->tag_off = b->tags.len;
        if (mq_rows_add(&b->rows, &b->tags, &job, it->json, it->len, it->seconds, sp->version,
                        it->why, sizeof it->why) != 0) {
            it->status = MQ_SINK_BAD;
            continue;
        }
        sp->row_len = b->rows.len - sp->row_off;
        sp->tag_len = b->tags.len - sp->tag_off;
    }
    return mq_buf_ok(&b->rows) && mq_buf_ok(&b->tags) ? 0 : -1;
}

void mq_batch_fini(mq_batch *b) {
    free(b->items);
    free(b->spans);
    mq_buf_free(&b->rows);
    mq_buf_free(&b->tags);
}

/* ---- the connection ---- */

static void log_pg(mq_log_level lvl, const char *msg, const char *detail) {
    char d[600];
    snprintf(d, sizeof d, "%s", detail ? detail : "");
    size_t n = strlen(d);
    while (n && (d[n - 1] == '\n' || d[n - 1] == ' ')) d[--n] = 0;
    mq_log(lvl, msg, "error", d, NULL);
}

static void disconnect(mq_store *st, const char *why) {
    if (st->conn) PQfinish(st->conn);
    st->conn = NULL;
    atomic_store(&st->up, 0);
    mq_metric_set(st->m.up, 0);
    if (!st->down_logged) {
        log_pg(MQ_LOG_WARN, "postgresql unavailable: results wait", why);
        st->down_logged = 1;
    }
}

mq_store *mq_store_new(const char *dsn, const mq_sink_metrics *m) {
    mq_store *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    if (m) st->m = *m;
    st->dsn = strdup(dsn);
    mq_rows_copy_sql(&st->copy_sql);
    mq_rows_copy_tags_sql(&st->copy_tags_sql);
    if (!st->dsn || !mq_buf_ok(&st->copy_sql) || !mq_buf_ok(&st->copy_tags_sql) ||
        mq_batch_init(&st->one, 1) != 0) {
        mq_store_del(st);
        return NULL;
    }
    return st;
}

int mq_store_connect(mq_store *st) {
    if (st->conn && PQstatus(st->conn) == CONNECTION_OK) return 0;
    if (st->conn) disconnect(st, PQerrorMessage(st->conn));
    char err[512];
    PGconn *c = mq_pg_connect(st->dsn, err, sizeof err);
    if (!c) {
        mq_metric_add(st->m.errors, 1);
        if (!st->down_logged) {
            log_pg(MQ_LOG_WARN, "postgresql unavailable: results wait", err);
            st->down_logged = 1;
        }
        return -1;
    }
    st->conn = c;
    if (!st->migrated) {
        int n = mq_pg_migrate(c, err, sizeof err);
        if (n < 0) {
            log_pg(MQ_LOG_ERROR, "schema migration failed", err);
            disconnect(st, err);
            return -1;
        }
        st->migrated = 1;
        char applied[16];
        snprintf(applied, sizeof applied, "%d", n);
        mq_log(MQ_LOG_INFO, "schema up to date", "migrations_applied", applied, NULL);
    }
    /* Committed must mean durable before Redis hears of it, whatever the server's
     * default. */
    PQclear(PQexec(c, "SET synchronous_commit = on"));
    atomic_store(&st->up, 1);
    mq_metric_set(st->m.up, 1);
    mq_log(MQ_LOG_INFO, "postgresql connected", NULL);
    st->down_logged = 0;
    return 0;
}

int mq_store_migrated(const mq_store *st) { return st->migrated; }

int mq_store_up(const mq_store *st) { return atomic_load(&((mq_store *)st)->up); }

void mq_store_del(mq_store *st) {
    if (!st) return;
    if (st->conn) PQfinish(st->conn);
    free(st->dsn);
    mq_buf_free(&st->copy_sql);
    mq_buf_free(&st->copy_tags_sql);
    mq_buf_free(&st->scratch);
    mq_batch_fini(&st->one);
    free(st);
}

/* ---- statements ---- */

/* The outcome of a failed statement: a data error (the batch's content) or anything
 * else (try again later). */
static wstatus classify(mq_store *st, PGresult *r, char *err, size_t errlen) {
    const char *msg = r ? PQresultErrorMessage(r) : "";
    if (!msg || !*msg) msg = PQerrorMessage(st->conn);
    snprintf(err, errlen, "%s", msg);
    mq_metric_add(st->m.errors, 1);
    if (PQstatus(st->conn) != CONNECTION_OK) return WR_RETRY;
    const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (code && (!strncmp(code, "22", 2) || !strncmp(code, "23", 2))) return WR_DATA;
    return WR_RETRY;
}

/* A failed statement's result (never NULL). */
static PGresult *failed(PGconn *c, PGresult *r) {
    return r ? r : PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
}

/* True for a result of the batch that is to be inserted. */
static int is_new(const mq_batch *b, size_t i) {
    return b->items[i]->kind == MQ_SINK_RESULT && b->items[i]->status == MQ_SINK_PENDING &&
           b->spans[i].known && !b->spans[i].skip;
}

/* True for a success still being written. */
static int is_result(const mq_batch *b, size_t i) {
    return b->items[i]->kind == MQ_SINK_RESULT && b->items[i]->status == MQ_SINK_PENDING;
}

/* Runs COPY sql with the row (tags: the tag) lines of the new results. NULL when it
 * worked, else the error result. */
static PGresult *copy_in(PGconn *c, const char *sql, const mq_batch *b, int tags) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) return failed(c, r);
    PQclear(r);
    const mq_buf *data = tags ? &b->tags : &b->rows;
    int ok = 1;
    for (size_t i = 0; ok && i < b->n; i++) {
        if (!is_new(b, i)) continue;
        const mq_rowspan *sp = &b->spans[i];
        size_t off = tags ? sp->tag_off : sp->row_off, len = tags ? sp->tag_len : sp->row_len;
        if (len) ok = PQputCopyData(c, data->data + off, (int)len) == 1;
    }
    PQputCopyEnd(c, ok ? NULL : "client failed to send");
    r = PQgetResult(c);
    PGresult *extra;
    while ((extra = PQgetResult(c))) PQclear(extra);
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
        return NULL;
    }
    return failed(c, r);
}

static PGresult *exec_ok(PGconn *c, const char *sql, int n, const char *const *params) {
    PGresult *r = n ? PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        PQclear(r);
        return NULL;
    }
    return failed(c, r);
}

static PGresult *insert_failure(PGconn *c, const mq_sink_item *it) {
    static const char sql[] =
        "INSERT INTO analysis_failures (job_id, track_id, uri, analyzer_version, error_kind,"
        " error_code, error_message, attempts) "
        "VALUES ($1, (SELECT id FROM tracks WHERE id = $2::bigint), $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (job_id) DO UPDATE SET track_id = EXCLUDED.track_id, uri = EXCLUDED.uri,"
        " analyzer_version = EXCLUDED.analyzer_version, error_kind = EXCLUDED.error_kind,"
        " error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,"
        " attempts = EXCLUDED.attempts, failed_at = now()";
    char track[24], att[16];
    snprintf(track, sizeof track, "%lld", (long long)it->track_id);
    snprintf(att, sizeof att, "%d", it->attempts);
    const char *p[8] = {it->job_id,    track,    it->uri,     it->version[0] ? it->version : NULL,
                        it->fail_kind, it->code, it->message, att};
    return exec_ok(c, sql, 8, p);
}

/* Asks which results are new (mq_rows_check_sql) and fills their spans. NULL when it
 * worked, else the error result. */
static PGresult *check(mq_store *st, mq_batch *b) {
    mq_buf *s = &st->scratch;
    mq_buf_reset(s);
    mq_buf_add(s, "{", 1);
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (is_result(b, i))
            mq_buf_printf(s, "%s%lld", k++ ? "," : "", (long long)b->items[i]->track_id);
    mq_buf_add(s, "}", 2); /* with its terminator: the versions follow */
    size_t voff = s->len;
    mq_buf_add(s, "{", 1);
    k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (is_result(b, i)) {
            if (k++) mq_buf_add(s, ",", 1);
            mq_rows_array_text(s, b->spans[i].version);
        }
    mq_buf_add(s, "}", 1);
    if (!mq_buf_ok(s)) return PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
    const char *p[2] = {s->data, s->data + voff};
    PGresult *r = PQexecParams(st->conn, mq_rows_check_sql(), 2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || (size_t)PQntuples(r) != k)
        return failed(st->conn, r);
    k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (is_result(b, i)) {
            b->spans[i].known = PQgetvalue(r, (int)k, 0)[0] == 't';
            b->spans[i].skip = PQgetvalue(r, (int)k, 1)[0] == 't';
            k++;
        }
    PQclear(r);
    return NULL;
}

/* Clears older failures of the jobs that succeeded and announces their tracks. */
static PGresult *after_results(mq_store *st, const mq_batch *b) {
    mq_buf *s = &st->scratch;
    mq_buf_reset(s);
    mq_buf_add(s, "{", 1);
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (is_result(b, i)) {
            if (k++) mq_buf_add(s, ",", 1);
            mq_rows_array_text(s, b->items[i]->job_id);
        }
    mq_buf_add(s, "}", 1);
    if (!k) return NULL;
    if (!mq_buf_ok(s)) return PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
    const char *p[1] = {s->data};
    PGresult *r =
        exec_ok(st->conn, "DELETE FROM analysis_failures WHERE job_id = ANY($1::text[])", 1, p);
    /* NOTIFY payloads stay under PostgreSQL's 8000 bytes. */
    for (size_t i = 0; !r && i < b->n;) {
        mq_buf_reset(s);
        for (; i < b->n && s->len < 7800; i++)
            if (is_result(b, i))
                mq_buf_printf(s, "%s%lld", s->len ? "," : "", (long long)b->items[i]->track_id);
        if (!s->len) break;
        if (!mq_buf_ok(s)) return PQmakeEmptyPGresult(st->conn, PGRES_FATAL_ERROR);
        p[0] = s->data;
        r = exec_ok(st->conn, "SELECT pg_notify('mixq_features', $1)", 1, p);
    }
    return r;
}

/* One transaction for the whole (formatted) batch. On WR_OK every pending item is
 * committed; results whose track is unknown have become failures first. */
static wstatus write_once(mq_store *st, mq_batch *b, char *err, size_t errlen) {
    PGconn *c = st->conn;
    size_t nres = 0;
    for (size_t i = 0; i < b->n; i++) nres += is_result(b, i);
    PGresult *r = nres ? check(st, b) : NULL;
    size_t nnew = 0, ntags = 0;
    for (size_t i = 0; !r && i < b->n; i++) {
        mq_sink_item *it = b->items[i];
        if (!is_result(b, i)) continue;
        if (!b->spans[i].known) {
            char msg[96];
            snprintf(msg, sizeof msg, "track %lld is not in the catalogue",
                     (long long)it->track_id);
            if (mq_sink_item_failure(it, "permanent", "unknown_track", msg) != 0) {
                snprintf(err, errlen, "out of memory");
                return WR_RETRY;
            }
        } else if (!b->spans[i].skip) {
            nnew++;
            ntags += b->spans[i].tag_len > 0;
        }
    }
    if (!r) r = exec_ok(c, "BEGIN", 0, NULL);
    if (!r && nnew) r = copy_in(c, st->copy_sql.data, b, 0);
    if (!r && ntags) r = copy_in(c, st->copy_tags_sql.data, b, 1);
    for (size_t i = 0; !r && i < b->n; i++)
        if (b->items[i]->kind == MQ_SINK_FAILURE && b->items[i]->status == MQ_SINK_PENDING)
            r = insert_failure(c, b->items[i]);
    if (!r) r = after_results(st, b);
    if (!r) r = exec_ok(c, "COMMIT", 0, NULL);
    if (!r) {
        mq_metric_add(st->m.batches, 1);
        mq_metric_add(st->m.rows, (double)nnew);
        return WR_OK;
    }
    wstatus w = classify(st, r, err, errlen);
    PQclear(r);
    if (PQstatus(c) == CONNECTION_OK) PQclear(PQexec(c, "ROLLBACK"));
    return w;
}

/* Writes item it alone (formatted again on its own). */
static wstatus write_alone(mq_store *st, mq_sink_item *it, char *err, size_t errlen) {
    st->one.items[0] = it;
    st->one.n = 1;
    if (mq_batch_format(&st->one) != 0) {
        snprintf(err, errlen, "out of memory");
        return WR_RETRY;
    }
    if (it->status != MQ_SINK_PENDING) return WR_OK; /* BAD */
    return write_once(st, &st->one, err, errlen);
}

int mq_store_write(mq_store *st, mq_batch *b) {
    if (mq_store_connect(st) != 0) return -1;
    char err[600];
    wstatus w = write_once(st, b, err, sizeof err);
    if (w == WR_OK) {
        for (size_t i = 0; i < b->n; i++)
            if (b->items[i]->status == MQ_SINK_PENDING) b->items[i]->status = MQ_SINK_DONE;
        return 0;
    }
    if (w == WR_RETRY) {
        if (PQstatus(st->conn) != CONNECTION_OK)
            disconnect(st, err);
        else
            log_pg(MQ_LOG_WARN, "writing results failed; will retry", err);
        return -1;
    }
    log_pg(MQ_LOG_WARN, "a batch was refused; writing its rows one by one", err);
    for (size_t i = 0; i < b->n; i++) {
        mq_sink_item *it = b->items[i];
        if (it->status != MQ_SINK_PENDING) continue;
        w = write_alone(st, it, err, sizeof err);
        if (w == WR_DATA) {
            log_pg(MQ_LOG_WARN, "a result was refused by postgresql", err);
            mq_log(MQ_LOG_WARN, "recording the refused result as a failure", "job_id", it->job_id,
                   NULL);
            if (mq_sink_item_failure(it, "permanent", "db_error", err) != 0) return -1;
            w = write_alone(st, it, err, sizeof err);
            if (w == WR_DATA) {
                log_pg(MQ_LOG_ERROR, "could not record a failure; dropping it", err);
                w = WR_OK;
            }
        }
        if (w == WR_RETRY) {
            if (PQstatus(st->conn) != CONNECTION_OK) disconnect(st, err);
            return -1;
        }
        if (it->status == MQ_SINK_PENDING) it->status = MQ_SINK_DONE;
    }
    return 0;
}
