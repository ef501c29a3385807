/* queue.h -- the durable job queue in Redis, shared by every broker.
 *
 * Keys (PREFIX is --redis-prefix, default "mixq"):
 *   PREFIX:jobs:interactive, PREFIX:jobs:bulk   streams; one entry per job, field "j" =
 *                                               the protobuf Job; consumer group "brokers",
 *                                               one consumer per broker (its broker id)
 *   PREFIX:retry    sorted set: jobs waiting for a retry, scored by due time (ms since
 *                   the epoch); member = stream digit ('0' interactive, '1' bulk) + Job
 *   PREFIX:dead     stream: dead letters (the Job, its last error, attempts)
 * A job read by a broker stays pending (XPENDING) under that broker's name until the
 * broker acknowledges it; acknowledged entries are deleted in bulk by a periodic trim
 * below the oldest pending entry (XTRIM MINID, much cheaper than XDEL each). A live
 * broker keeps its pending entries fresh; entries idle past the claim timeout belong to
 * a dead broker and are claimed (XAUTOCLAIM) by the others. */
#ifndef MQ_BROKER_QUEUE_H
#define MQ_BROKER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "broker/jobs.h"
#include "common/redis.h"
#include "proto/mixq.pb-c.h"

typedef struct mq_queue mq_queue;

/* Called for each entry read or claimed: data/len is the packed Job, or NULL when the
 * entry holds none (deleted or foreign; the caller should acknowledge it). */
typedef void (*mq_queue_entry_fn)(void *ud, int stream, const char *id, const uint8_t *data,
                                  size_t len);

/* Depths for a status reply (whole cluster). */
typedef struct mq_depths {
    uint64_t waiting[MQ_STREAMS];
    uint64_t pending[MQ_STREAMS];
    uint64_t delayed;
    uint64_t dead;
} mq_depths;

/* A queue on r (which must outlive it) under prefix, read as consumer. Installs the
 * connection set-up (consumer groups) on r. NULL when out of memory. */
mq_queue *mq_queue_new(mq_redis *r, const char *prefix, const char *consumer);

/* The stream name of index i ("interactive" or "bulk"). */
const char *mq_queue_stream_name(int i);

/* Appends the n jobs to their streams in one pipeline. Returns 0 when every one is
 * durable, -1 (message in err) otherwise. */
int mq_queue_add(mq_queue *q, Mixq__Job *const *jobs, size_t n, char *err, size_t errlen);

/* Reads up to count entries of each stream for this broker, in one command: first the
 * entries it owned before a restart, then new ones. Returns the number read, or -1
 * (Redis failed). */
int mq_queue_read(mq_queue *q, int count, mq_queue_entry_fn fn, void *ud);

/* Claims up to count entries of one stream idle for at least min_idle_ms (a dead
 * broker's), continuing a scan over calls. Returns the number claimed, or -1. */
int mq_queue_autoclaim(mq_queue *q, int stream, long long min_idle_ms, int count,
                       mq_queue_entry_fn fn, void *ud);

/* Ends the n FINISHING jobs as their fin says (ack; retry-set then ack; dead letter
 * then ack), each atomically, in one pipeline; done[i] is set for each job Redis
 * confirmed. Returns 0 when all were, -1 otherwise (the caller tries the others again
 * later). */
int mq_queue_finish(mq_queue *q, mq_job *const *jobs, size_t n, char *done);

/* Deletes the acknowledged entries at the head of both streams (those older than the
 * oldest pending one, or all delivered ones when none is pending), atomically. Returns
 * the number deleted, or -1. */
int mq_queue_trim(mq_queue *q);

/* Moves up to max retry-set jobs due by now_ms back to their streams. Returns the
 * number moved, or -1. */
int mq_queue_promote(mq_queue *q, long long now_ms, int max);

/* Resets the idle time of this broker's pending entries ids[0..n) of one stream. Ids
 * no longer pending under this broker are passed to lost(ud, stream, id). Returns 0 or
 * -1. */
int mq_queue_refresh(mq_queue *q, int stream, const char *const *ids, size_t n,
                     void (*lost)(void *ud, int stream, const char *id), void *ud);

/* Reads the queue depths. Returns 0 or -1 (d is then zeroed). */
int mq_queue_depths(mq_queue *q, mq_depths *d);

/* Frees q. Accepts NULL. */
void mq_queue_del(mq_queue *q);

#endif
