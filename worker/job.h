/* job.h -- one job as the worker holds it: what the broker dispatched, and its outcome.
 *
 * A job is owned by the event loop from Dispatch until its Result (or Release) is sent.
 * It sits on the loop's list of held jobs (prev/next) the whole time, and on at most one
 * queue at a time (qnext): the pool's waiting or done queue, the outbox, or the release
 * list. Analysis threads touch only the outcome fields, and only while the job is
 * running. */
#ifndef WK_JOB_H
#define WK_JOB_H

#include <stdint.h>

#include "proto/mixq.pb-c.h"

typedef struct wk_job {
    /* from the Dispatch */
    char *job_id, *uri, *analyzer_version;
    int64_t track_id;
    uint32_t attempt, lease_ms;
    /* the outcome: features_json on success, else an error */
    char *features_json; /* compact JSON, malloc'd */
    Mixq__ErrorKind error_kind;
    char error_code[32];
    char error_message[256];
    double seconds; /* wall time from start to outcome */
    double due;     /* no-op mode with a delay: when its result is due (monotonic s) */
    /* where the loop last put it */
    enum { WK_JOB_IN_POOL, WK_JOB_IN_OUTBOX, WK_JOB_IN_RELEASE } state;
    /* links */
    struct wk_job *prev, *next; /* the loop's held list */
    struct wk_job *qnext;       /* the one queue the job is on */
} wk_job;

/* A new job copied from a dispatched Job. NULL when out of memory. */
wk_job *wk_job_new(const Mixq__Job *src, uint32_t lease_ms);

/* Records a failure: kind, a stable code, a printf-style message. Drops any features. */
void wk_job_fail(wk_job *j, Mixq__ErrorKind kind, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Frees the job. Accepts NULL. */
void wk_job_del(wk_job *j);

#endif
