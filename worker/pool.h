/* pool.h -- the analysis threads: a queue of waiting jobs in, a queue of done jobs out.
 *
 * Each thread owns one analyzer, made once when the pool is made (so a worker that cannot
 * allocate its analyzers fails at start, not on its first job). The event loop pushes jobs
 * and takes finished ones; an eventfd becomes readable whenever finished jobs wait, so the
 * loop can poll it beside its sockets. Threads block every signal: SIGTERM and SIGINT
 * reach the loop's thread. */
#ifndef WK_POOL_H
#define WK_POOL_H

#include <stddef.h>

#include "analysis/analyzer.h"
#include "worker/exec.h"
#include "worker/job.h"

typedef struct wk_pool wk_pool;

/* Starts n threads, each with an analyzer made with aopts, running jobs with eopts
 * (which must outlive the pool). NULL with a message in err on failure. */
wk_pool *wk_pool_new(size_t n, const mq_analyzer_opts *aopts, const wk_exec_opts *eopts, char *err,
                     size_t errlen);

/* Queues j for the next free thread. The pool owns it until it comes back from
 * wk_pool_take_done or wk_pool_cancel_waiting. */
void wk_pool_push(wk_pool *p, wk_job *j);

/* Every finished job, oldest first, linked by qnext (NULL when none); clears the
 * eventfd. */
wk_job *wk_pool_take_done(wk_pool *p);

/* Every job not yet started, in queue order, linked by qnext; they will not run. */
wk_job *wk_pool_cancel_waiting(wk_pool *p);

/* A file descriptor that is readable while finished jobs wait. */
int wk_pool_fd(const wk_pool *p);

/* Jobs running now. */
size_t wk_pool_running(wk_pool *p);

/* Stops the threads and frees the pool. Jobs still queued are freed. If a thread is still
 * running a job, the threads are left to the process's exit and 1 is returned (nothing is
 * freed); else 0. Accepts NULL. */
int wk_pool_del(wk_pool *p);

#endif
