/* jobs.c -- candidate tracks in pages, submit, record (see jobs.h). */
#include "ingest/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ingest/buf.h"
#include "ingest/db.h"
#include "ingest/sqlarr.h"

#define PAGE 1000
#define IG_STR_(x) #x
#define IG_STR(x) IG_STR_(x)

/* The selection's head, shared by both: $1 is the version, $2 reanalyze, $3 a track id to
 * start after (0); the scope's own parameters follow from $4. */
#define SELECT_NEEDING                                                                             \
    "SELECT t.id, t.uri FROM tracks t WHERE t.id > $3::int8 AND NOT t.missing"                     \
    " AND ($2::boolean OR (NOT EXISTS (SELECT 1 FROM track_features f"                             \
    " WHERE f.track_id = t.id AND f.analyzer_version = $1) AND NOT EXISTS (SELECT 1 FROM"          \
    " ingest_submissions s WHERE s.track_id = t.id AND s.analyzer_version = $1) AND NOT"           \
    " EXISTS (SELECT 1 FROM analysis_failures a WHERE a.track_id = t.id AND"                       \
    " a.analyzer_version = $1)))"

/* Records the acknowledged jobs of ids[0..n). */
static int record(const ig_jobs *j, const ig_job *jobs, size_t n, char *err, size_t errlen) {
    ig_arr a = {0};
    for (size_t i = 0; i < n; i++) ig_arr_int8(&a, jobs[i].track_id);
    const char *s = ig_arr_str(&a);
    if (!s) {
        ig_arr_free(&a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[3] = {IG_TEXT(s), IG_TEXT(j->version),
                     IG_TEXT(j->interactive ? "interactive" : "bulk")};
    int rc = ig_db_run(j->pg,
                       "INSERT INTO ingest_submissions (track_id, analyzer_version, job_id,"
                       " priority) SELECT id, $2, id::text || ':' || $2, $3"
                       " FROM unnest($1::int8[]) AS id"
                       " ON CONFLICT (track_id, analyzer_version) DO UPDATE"
                       " SET submitted_at = now(), priority = excluded.priority",
                       3, p, err, errlen);
    ig_arr_free(&a);
    return rc;
}

/* Submits and records one page of candidates (rows of id, uri). */
static int submit_page(const ig_jobs *j, PGresult *r, size_t *count, char *err, size_t errlen) {
    size_t n = (size_t)PQntuples(r);
    if (!j->sub) {
        *count += n;
        return 0;
    }
    ig_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    if (!jobs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].track_id = ig_db_int(r, (int)i, 0);
        jobs[i].uri = PQgetvalue(r, (int)i, 1);
    }
    size_t accepted = 0, refused = 0;
    int rc = ig_submitter_send(j->sub, jobs, n, j->version, j->interactive, &accepted, &refused,
                               err, errlen);
    if (rc == 0) rc = record(j, jobs, n, err, errlen);
    if (rc == 0) *count += accepted;
    free(jobs);
    return rc;
}

/* Runs the selection sql, whose np parameters from $4 on are in p[3..np). Without a
 * submitter it only counts, in one query. Otherwise the candidates are read through a
 * cursor held across transactions (materialised once, so the selection is not run again
 * for every page) in pages, each submitted and recorded before the next is read. */
static int run_pages(const ig_jobs *j, const char *sql, ig_param *p, int np, size_t *count,
                     char *err, size_t errlen) {
    p[0] = IG_TEXT(j->version);
    p[1] = IG_TEXT(j->reanalyze ? "t" : "f");
    p[2] = IG_TEXT("0");
    ig_buf q = {0};
    if (!j->sub)
        ig_buf_printf(&q, "SELECT count(*) FROM (%s) AS needing", sql);
    else
        ig_buf_printf(&q, "DECLARE ig_jobs_needing NO SCROLL CURSOR WITH HOLD FOR %s", sql);
    const char *qs = ig_buf_cstr(&q);
    PGresult *r = qs ? ig_db_exec(j->pg, qs, np, p, err, errlen) : NULL;
    if (!qs) snprintf(err, errlen, "out of memory");
    ig_buf_free(&q);
    if (!r) return -1;
    if (!j->sub) {
        *count = (size_t)ig_db_int(r, 0, 0);
        PQclear(r);
        return 0;
    }
    PQclear(r);
    int rc = 0;
    for (;;) {
        r = ig_db_exec(j->pg, "FETCH " IG_STR(PAGE) " FROM ig_jobs_needing", 0, NULL, err, errlen);
        if (!r) {
            rc = -1;
            break;
        }
        int n = PQntuples(r);
        rc = n > 0 ? submit_page(j, r, count, err, errlen) : 0;
        PQclear(r);
        if (rc != 0 || n < PAGE) break;
    }
    PQclear(PQexec(j->pg, "CLOSE ig_jobs_needing"));
    return rc;
}

int ig_jobs_for_scope(const ig_jobs *j, ig_scope scope, size_t *count, char *err, size_t errlen) {
    *count = 0;
    size_t base = (scope.len == 1 && scope.root[0] == '/') ? 0 : scope.len;
    char *lo = malloc(base + 1), *hi = malloc(base + 1);
    if (!lo || !hi) {
        free(lo), free(hi);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(lo, scope.root, base), lo[base] = '/';
    memcpy(hi, scope.root, base), hi[base] = '0';
    ig_param p[6] = {IG_TEXT(NULL),          IG_TEXT(NULL),
                     IG_TEXT(NULL),          IG_BYTES(scope.root, scope.len),
                     IG_BYTES(lo, base + 1), IG_BYTES(hi, base + 1)};
    int rc = run_pages(j,
                       SELECT_NEEDING " AND t.id IN (SELECT p.track_id FROM track_paths p"
                                      " WHERE NOT p.missing AND (p.path = $4"
                                      " OR (p.path >= $5 AND p.path < $6)))"
                                      " ORDER BY t.id",
                       p, 6, count, err, errlen);
    free(lo), free(hi);
    return rc;
}

int ig_jobs_for_tracks(const ig_jobs *j, const int64_t *ids, size_t n, size_t *count, char *err,
                       size_t errlen) {
    *count = 0;
    if (n == 0) return 0;
    ig_arr a = {0};
    for (size_t i = 0; i < n; i++) ig_arr_int8(&a, ids[i]);
    const char *s = ig_arr_str(&a);
    if (!s) {
        ig_arr_free(&a);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ig_param p[4] = {IG_TEXT(NULL), IG_TEXT(NULL), IG_TEXT(NULL), IG_TEXT(s)};
    int rc = run_pages(j, SELECT_NEEDING " AND t.id = ANY($4::int8[]) ORDER BY t.id", p, 4, count,
                       err, errlen);
    ig_arr_free(&a);
    return rc;
}
