/* loop.h -- the worker's event loop: credit, dispatch, results, heartbeats, reconnection,
 * shutdown -- the worker side of docs/protocol.md.
 *
 * One thread (the caller's) owns the broker socket. On every new connection it first
 * sends an initial Ready announcing all its free slots, then a Ready for each slot freed;
 * it takes Dispatches into the pool (or answers them itself in no-op mode), sends each
 * Result as soon as it is ready, and sends a Heartbeat naming every job it holds every
 * second (at most a third of the shortest lease). When the broker says it does not know
 * the worker, it re-registers with an initial Ready. When nothing has come from the
 * broker for broker_timeout_s, it closes the socket and connects a new one, waiting 0.25 s
 * doubling to 8 s between attempts while the broker stays away; results that could not be
 * sent meanwhile go out on the new connection. When *stop becomes non-zero it stops
 * taking work, Releases the jobs it has not started, lets running jobs finish within the
 * grace period, Releases those still running when it ends, and returns; a second stop
 * (*stop >= 2) ends the grace period at once. */
#ifndef WK_LOOP_H
#define WK_LOOP_H

#include <signal.h>

#include "common/metrics.h"
#include "worker/exec.h"
#include "worker/link.h"
#include "worker/pool.h"

typedef struct wk_loop_cfg {
    const char *worker_id;
    unsigned threads;        /* reported in Ready */
    unsigned credit;         /* jobs held at once (running, queued, or awaiting send) */
    double grace_s;          /* how long running jobs may finish after a stop */
    double heartbeat_s;      /* heartbeat interval (shortened to lease / 3) */
    double broker_timeout_s; /* silence after which the connection is replaced */
    double noop_delay_s;     /* no-op mode: how long each job takes */
    const wk_exec_opts *exec;
    volatile sig_atomic_t *stop; /* number of stop signals received */
    mq_metrics *metrics;         /* NULL for none */
} wk_loop_cfg;

/* Runs until a stop. pool NULL means no-op mode. *link is the connected link made with
 * lopts on ctx; the loop may replace it (the caller closes the one left in *link, which
 * may be NULL). Returns 0, or -1 when a socket failed. */
int wk_loop_run(const wk_loop_cfg *cfg, void *ctx, const wk_link_opts *lopts, wk_link **link,
                wk_pool *pool);

#endif
