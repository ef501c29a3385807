/* store.h -- the recommender's shared in-memory state behind one reader-writer lock.
 *
 * The index (features), the search postings and the feedback model change together, so
 * one lock guards all three: HTTP threads read under the read lock, the listener thread
 * applies database changes under the write lock (one track or event at a time, so readers
 * never wait long). Writers are preferred, so a stream of reads cannot starve updates. */
#ifndef REC_STORE_H
#define REC_STORE_H

#include <pthread.h>
#include <stdatomic.h>

#include "recommender/index.h"
#include "recommender/model.h"
#include "recommender/search.h"

typedef struct rec_store {
    pthread_rwlock_t lock;
    rec_index *index;
    rec_search *search;
    rec_model *model;
    atomic_int ready;     /* 1 once the initial load is done */
    atomic_int listening; /* 1 while the listener's connection is up */
} rec_store;

/* A new, empty store. NULL when out of memory. */
rec_store *rec_store_new(void);
/* Frees s. Accepts NULL. */
void rec_store_del(rec_store *s);

/* Take and release the lock. */
void rec_store_read(rec_store *s);
void rec_store_write(rec_store *s);
void rec_store_unlock(rec_store *s);

/* Adds or replaces a track in the index and the search postings, with what the model
 * knows of it (caller holds the write lock). 0, or -1 when out of memory. */
int rec_store_put_track(rec_store *s, const rec_track_in *t);
/* Applies a feedback event to the model and mirrors the next track's statistics into its
 * index record (caller holds the write lock). As rec_model_apply: 1, 0 or -1. */
int rec_store_apply_event(rec_store *s, const rec_event *e);
/* Lays the index out cell by cell (rec_index_compact) and rebuilds the search postings;
 * done once after the initial load (caller holds the write lock). 0 or -1. */
int rec_store_compact(rec_store *s);

#endif
