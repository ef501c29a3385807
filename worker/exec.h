/* exec.h -- running one job: fetch its audio, analyse it, record features or an error.
 *
 * Every outcome is classified (worker/classify.h). Time is bounded by the fetch timeout
 * and the analyzer's own max_seconds, memory by the fetch size bound and the streaming
 * analyser. */
#ifndef WK_EXEC_H
#define WK_EXEC_H

#include "analysis/analyzer.h"
#include "common/fetch.h"
#include "worker/job.h"

typedef struct wk_exec_opts {
    mq_fetch_opts fetch;
    /* Test hook: jobs whose uri contains this (when non-NULL and non-empty) fail at once
     * with a transient io_error "test failure", so tests can make a poison job. */
    const char *fail_substring;
} wk_exec_opts;

/* Runs j with analyzer a (f is scratch space for its features), setting j's outcome. */
void wk_exec_run(mq_analyzer *a, mq_features *f, const wk_exec_opts *o, wk_job *j);

/* The benchmark outcome, no decoding: {"analyzer_version": <the job's>, "noop": true}
 * (the fail_substring hook still applies). */
void wk_exec_noop(const wk_exec_opts *o, wk_job *j);

/* Seconds on the monotonic clock. */
double wk_now(void);

#endif
