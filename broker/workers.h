/* workers.h -- the workers a broker knows: identity, credit, leased jobs, liveness.
 *
 * A worker is registered by its initial Ready and forgotten when it goes silent past
 * its lease or its socket becomes unroutable. Workers with credit form a ring served
 * round robin, so jobs spread evenly over them. */
#ifndef MQ_BROKER_WORKERS_H
#define MQ_BROKER_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "broker/list.h"
#include "broker/map.h"
#include "common/wire.h"

typedef struct mq_worker {
    mq_map_node node;                    /* in the table, by id */
    char *id;                            /* worker_id, owned */
    uint8_t ident[MQ_WIRE_MAX_IDENTITY]; /* its current ZeroMQ routing identity */
    size_t identlen;
    unsigned credit;     /* jobs it may still be sent */
    unsigned threads;    /* as announced (informational) */
    uint64_t done;       /* results received */
    long long last_seen; /* monotonic ms of its last message */
    mq_list jobs;        /* mq_job.wlink: the jobs leased to it */
    mq_link ring;        /* on the credit ring while credit > 0 */
    int on_ring;
    mq_link all; /* on the list of all workers */
} mq_worker;

typedef struct mq_workers {
    mq_map *byid;
    mq_list all;     /* every worker, oldest first */
    mq_list ring;    /* workers with credit */
    uint64_t credit; /* sum of credits */
} mq_workers;

/* Initialises an empty table. Returns 0 or -1 (out of memory). */
int mq_workers_init(mq_workers *ws);

/* The worker with this id, or NULL. */
mq_worker *mq_workers_get(const mq_workers *ws, const char *id);

/* Registers a new worker with no credit. NULL when out of memory. */
mq_worker *mq_workers_add(mq_workers *ws, const char *id, long long now);

/* Records the routing identity a worker's last message came from. */
void mq_worker_set_ident(mq_worker *w, const void *ident, size_t len);

/* Sets (replace) or adds to a worker's credit, capped at max. */
void mq_workers_credit(mq_workers *ws, mq_worker *w, unsigned credit, int replace, unsigned max);

/* The next worker with credit, round robin, with one credit taken; NULL if none. */
mq_worker *mq_workers_take(mq_workers *ws);

/* Gives back one credit taken by mq_workers_take (the dispatch could not be sent). */
void mq_workers_untake(mq_workers *ws, mq_worker *w);

/* Forgets a worker (its job list must be empty) and frees it. */
void mq_workers_remove(mq_workers *ws, mq_worker *w);

/* Frees every worker and the table. */
void mq_workers_fini(mq_workers *ws);

#endif
