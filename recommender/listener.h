/* listener.h -- keeps the store current: the initial load, then LISTEN/NOTIFY.
 *
 * A thread of its own, on a connection of its own:
 *   1. connects (retrying with backoff while PostgreSQL is away), applies migrations,
 *      and LISTENs on mixq_features, mixq_feedback and mixq_api_keys -- before reading,
 *      so nothing committed during the load is missed;
 *   2. the first time, loads every track and every feedback event, then marks the store
 *      ready; after a reconnection, reloads only what changed since the last sync (less a
 *      margin for long transactions), since notifications sent while away are lost;
 *   3. waits for notifications: a payload of comma-separated ids reloads those tracks
 *      (mixq_features, sent by the broker after each batch of results and by triggers on
 *      tracks) or applies those feedback rows (mixq_feedback, from a trigger); an empty
 *      payload means "something changed" and reloads what changed since the last sync.
 *      Notifications that arrive together are applied as one batch. mixq_api_keys calls
 *      on_keys so that cached API keys are checked again. */
#ifndef REC_LISTENER_H
#define REC_LISTENER_H

#include "common/metrics.h"
#include "recommender/store.h"

typedef struct rec_listener rec_listener;

typedef struct rec_listener_opts {
    const char *dsn;
    rec_store *store;
    void (*on_keys)(void *ud); /* API keys changed */
    void *on_keys_ud;
    mq_metric *notifications; /* counters, may be NULL */
    mq_metric *tracks_reloaded;
    mq_metric *feedback_applied;
    mq_metric *reconnects;
} rec_listener_opts;

/* Starts the thread. NULL when it cannot be started. */
rec_listener *rec_listener_start(const rec_listener_opts *o);
/* Stops the thread (within about a second, even mid-load) and frees l. Accepts NULL. */
void rec_listener_stop(rec_listener *l);

#endif
