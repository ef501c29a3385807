/* sink.h -- the result sink: writes outcomes to PostgreSQL beside the broker's loop.
 *
 * The loop pushes items (a success's features, or a failure to record). One thread
 * takes whatever has gathered, up to a batch, and formats it (its COPY lines) while a
 * second thread writes the previous batch in one transaction (store.h); then the items
 * come back as done and the loop is woken through an eventfd, so that it acknowledges
 * them in Redis only after they are committed. While PostgreSQL is down the items wait
 * (the loop stops dispatching when too many do) and the writer reconnects with back-off
 * (0.25 s doubling to 5 s); it applies the schema migrations on its first connection,
 * at start. */
#ifndef MQ_BROKER_SINK_H
#define MQ_BROKER_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "common/metrics.h"

typedef enum {
    MQ_SINK_RESULT, /* a success: features to store */
    MQ_SINK_FAILURE /* a failure to record in analysis_failures */
} mq_sink_kind;

typedef enum {
    MQ_SINK_PENDING, /* not written yet */
    MQ_SINK_DONE,    /* committed */
    MQ_SINK_BAD      /* a RESULT whose features_json is not a JSON object: not written */
} mq_sink_status;

/* One outcome, in one allocation with its strings and JSON (code and message apart);
 * mq_sink_item_free frees it all. */
typedef struct mq_sink_item {
    mq_sink_kind kind;
    void *token; /* the caller's (its job); never touched by the sink */
    char *job_id;
    int64_t track_id;
    char *uri;
    char *version;
    int attempts;
    char *json; /* RESULT: features JSON (not terminated), len bytes */
    size_t len;
    double seconds;        /* RESULT: the worker's wall time */
    const char *fail_kind; /* FAILURE: 'permanent' or 'dead_letter' (static string) */
    char *code;            /* FAILURE: error code and message */
    char *message;
    mq_sink_status status;
    char why[160]; /* BAD: why */
    size_t held;   /* bytes counted in the sink's load while it holds the item */
    struct mq_sink_item *next;
} mq_sink_item;

/* Counters the sink keeps up to date (any may be NULL). */
typedef struct mq_sink_metrics {
    mq_metric *up;      /* gauge: 1 while connected */
    mq_metric *batches; /* transactions committed */
    mq_metric *rows;    /* results committed */
    mq_metric *errors;  /* failed statements and connections */
} mq_sink_metrics;

typedef struct mq_sink mq_sink;

/* Starts a sink writing to dsn in batches of at most batch items; it signals wake_fd
 * (an eventfd) when items are done. NULL (message in err) when out of resources. */
mq_sink *mq_sink_new(const char *dsn, int batch, int wake_fd, const mq_sink_metrics *m, char *err,
                     size_t errlen);

/* A new item for the job (strings copied and made valid UTF-8), with the features
 * JSON of a success (json/len, copied; kind RESULT), or json NULL for a failure (then
 * call mq_sink_item_failure). NULL when out of memory. */
mq_sink_item *mq_sink_item_new(const char *job_id, int64_t track_id, const char *uri,
                               const char *version, int attempts, const void *json, size_t len);

/* Sets a FAILURE's kind ("permanent" or "dead_letter", a static string), code and
 * message (copied, cleaned). Returns 0 or -1 (memory). */
int mq_sink_item_failure(mq_sink_item *it, const char *fail_kind, const char *code,
                         const char *message);

/* Frees an item and its strings. */
void mq_sink_item_free(mq_sink_item *it);

/* Hands an item to the sink (it owns it until it comes back from mq_sink_done). */
void mq_sink_push(mq_sink *s, mq_sink_item *it);

/* Takes every finished item (a list linked by next, oldest first), or NULL. */
mq_sink_item *mq_sink_done(mq_sink *s);

/* Items and bytes held by the sink, not yet done. */
void mq_sink_load(mq_sink *s, size_t *items, size_t *bytes);

/* True while connected to PostgreSQL. */
int mq_sink_up(mq_sink *s);

/* Writes what is waiting for up to grace_ms more, then stops the thread. Items never
 * written stay with the sink and are freed by mq_sink_del. */
void mq_sink_stop(mq_sink *s, int grace_ms);

/* Stops the sink if running and frees it with every item it still holds. */
void mq_sink_del(mq_sink *s);

#endif
