/* jobs.h -- the jobs a broker holds, from the moment it reads them from Redis until
 * Redis has acknowledged their end.
 *
 * A job is in exactly one state, and on that state's list:
 *   QUEUED    waiting here for a worker (interactive and bulk queues; FIFO, handed-back
 *             jobs go to the front)
 *   LEASED    at a worker until lease_end (the lease list is in lease_end order, because
 *             every lease has the same length and a renewal moves a job to the tail)
 *   SINKING   its outcome is with the PostgreSQL sink (no list: the sink holds it)
 *   FINISHING waiting for Redis to acknowledge, retry or dead-letter it
 * Jobs are found by job_id. A second stream entry with the id of a job already held
 * (the same job submitted twice) joins that job: both entries end together. */
#ifndef MQ_BROKER_JOBS_H
#define MQ_BROKER_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "broker/list.h"
#include "broker/map.h"
#include "broker/workers.h"
#include "proto/mixq.pb-c.h"

#define MQ_STREAMS 2 /* 0: interactive, 1: bulk */
#define MQ_ENTRY_ID_MAX 48

typedef enum { MQ_JOB_QUEUED, MQ_JOB_LEASED, MQ_JOB_SINKING, MQ_JOB_FINISHING } mq_job_state;

/* What Redis must do to end a FINISHING job. */
typedef enum {
    MQ_FIN_ACK,   /* acknowledge and delete its entries */
    MQ_FIN_RETRY, /* put it on the retry set for due_ms with attempt + 1, then ack */
    MQ_FIN_DEAD   /* add it to the dead-letter stream, then ack */
} mq_job_fin;

/* One stream entry of a job. */
typedef struct mq_ref {
    int stream;
    char id[MQ_ENTRY_ID_MAX];
} mq_ref;

typedef struct mq_job {
    mq_map_node node; /* in the table, by id */
    char *id;         /* job_id; id, uri and version live in the job's own block */
    int64_t track_id;
    char *uri;
    char *version; /* analyzer_version asked for */
    int prio;      /* Mixq__Priority */
    unsigned attempt;
    mq_ref *refs; /* its stream entries: &ref0, or an array once it has several */
    int nrefs;
    mq_ref ref0;
    mq_job_state state;
    mq_job_fin fin;
    long long due_ms; /* FIN_RETRY: when to run again (wall clock ms) */
    char *err_code;   /* the last failure, for dead letters */
    char *err_msg;
    mq_worker *worker;   /* LEASED: the worker */
    long long lease_end; /* LEASED: monotonic ms */
    long long leased_at; /* LEASED: when dispatched */
    mq_link link;        /* on its state's list */
    mq_link wlink;       /* LEASED: on worker->jobs */
    char strings[];      /* id, uri and version */
} mq_job;

typedef struct mq_jobs {
    mq_map *byid;
    mq_list queued[MQ_STREAMS];
    mq_list leased;
    mq_list finishing;
    size_t sinking;
    size_t extra_refs; /* entries beyond the first of every job held */
} mq_jobs;

/* Initialises an empty table. Returns 0 or -1 (out of memory). */
int mq_jobs_init(mq_jobs *t);

/* The job with this id, or NULL. */
mq_job *mq_jobs_get(const mq_jobs *t, const char *id);

/* What mq_jobs_add did. */
typedef enum {
    MQ_ADD_NEW,     /* a new job, queued at the back */
    MQ_ADD_JOINED,  /* a job with that id was held: the entry joined it */
    MQ_ADD_KNOWN,   /* this very entry was already held */
    MQ_ADD_INVALID, /* not a valid job (no id, uri or track) */
    MQ_ADD_NOMEM
} mq_add_status;

/* Takes in the job pb read from stream entry ref; *st says what happened. Returns the
 * job the entry belongs to, or NULL (INVALID, NOMEM). */
mq_job *mq_jobs_add(mq_jobs *t, const Mixq__Job *pb, const mq_ref *ref, mq_add_status *st);

/* Total jobs held. */
size_t mq_jobs_count(const mq_jobs *t);

/* Jobs waiting here for a worker, both priorities. */
size_t mq_jobs_queued(const mq_jobs *t);

/* Puts a job (not on any list) in the queue of its priority, at the front or back. */
void mq_jobs_queue(mq_jobs *t, mq_job *j, int front);

/* Takes the next queued job (interactive first) off its queue; NULL if none. */
mq_job *mq_jobs_next(mq_jobs *t);

/* Leases a job (off every list) to w until lease_end. */
void mq_jobs_lease(mq_jobs *t, mq_job *j, mq_worker *w, long long now, long long lease_end);

/* Renews the lease of a LEASED job. */
void mq_jobs_renew(mq_jobs *t, mq_job *j, long long lease_end);

/* Takes a job off its state's list (and its worker's), leaving it on none. */
void mq_jobs_detach(mq_jobs *t, mq_job *j);

/* Marks a detached job SINKING. */
void mq_jobs_sinking(mq_jobs *t, mq_job *j);

/* Marks a detached or SINKING job FINISHING with the given end. */
void mq_jobs_finishing(mq_jobs *t, mq_job *j, mq_job_fin fin);

/* Records the last failure of a job (copies code and message; NULL keeps none). */
void mq_job_set_error(mq_job *j, const char *code, const char *msg);

/* Serialises the job as a protobuf Job with the given attempt; the caller frees *out.
 * Returns the length, or 0 when out of memory. */
size_t mq_job_pack(const mq_job *j, unsigned attempt, uint8_t **out);

/* Forgets a detached or FINISHING job and frees it. */
void mq_jobs_free(mq_jobs *t, mq_job *j);

/* Frees every job and the table (worker lists are not touched). */
void mq_jobs_fini(mq_jobs *t);

#endif
