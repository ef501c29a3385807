/* store.h -- writing batches of outcomes to PostgreSQL (the result sink's two halves).
 *
 * A batch is first formatted (mq_batch_format: each success's COPY lines, see rows.h),
 * then written (mq_store_write) in one transaction: one query tells which results are
 * new, their rows are COPYed straight into track_features and track_tags, failures go
 * to analysis_failures (a result for a track not in `tracks` becomes one, code
 * unknown_track), older failures of the jobs that succeeded are cleared, and NOTIFY
 * mixq_features names their tracks. A batch refused for its data is written again row
 * by row; a row PostgreSQL still refuses becomes a permanent failure (code db_error).
 * Formatting needs no connection, so the sink runs it in one thread while another
 * writes the previous batch. */
#ifndef MQ_BROKER_STORE_H
#define MQ_BROKER_STORE_H

#include <stddef.h>

#include "broker/buf.h"
#include "broker/rows.h"
#include "broker/sink.h"

/* Where one result's lines are in its batch's buffers, and what the check said. */
typedef struct mq_rowspan {
    size_t row_off, row_len, tag_off, tag_len;
    char version[MQ_ROWS_VERSION_MAX]; /* the version its row is stored under */
    int known;                         /* its track is in `tracks` */
    int skip;                          /* already stored, or repeated in the batch */
} mq_rowspan;

typedef struct mq_batch {
    mq_sink_item **items; /* n of them, at most cap */
    size_t n, cap;
    mq_buf rows, tags; /* COPY lines of the results */
    mq_rowspan *spans; /* one per item */
} mq_batch;

/* Makes an empty batch of up to cap items. Returns 0 or -1 (memory). */
int mq_batch_init(mq_batch *b, size_t cap);

/* Formats the batch's pending results (their COPY lines); a result whose features JSON
 * is not a JSON object is marked BAD. Returns 0, or -1 when memory ran out. */
int mq_batch_format(mq_batch *b);

/* Frees a batch's buffers (not its items). */
void mq_batch_fini(mq_batch *b);

typedef struct mq_store mq_store;

/* A store for the libpq connection string dsn, not yet connected. NULL on memory. */
mq_store *mq_store_new(const char *dsn, const mq_sink_metrics *m);

/* Connects unless connected, applying the schema migrations on the first connection.
 * Returns 0 when connected, -1 (logged once per outage) when PostgreSQL is away. */
int mq_store_connect(mq_store *st);

/* True once the migrations have been applied. */
int mq_store_migrated(const mq_store *st);

/* True while connected; any thread may ask. */
int mq_store_up(const mq_store *st);

/* Writes a formatted batch. Returns 0 when every item is DONE or BAD, -1 when
 * PostgreSQL failed: the items still PENDING must be written again later. */
int mq_store_write(mq_store *st, mq_batch *b);

/* Disconnects and frees the store. Accepts NULL. */
void mq_store_del(mq_store *st);

#endif
