/* loader.h -- reading tracks and feedback from PostgreSQL into the store.
 *
 * Tracks: the catalogue row and the most recently analysed features of every track that
 * is not missing, with its (at most REC_MAX_TAGS) most probable tags. Feedback: rows of
 * user_feedback in id order. Each query selects all rows, the rows with the given ids, or
 * the rows changed since a time; results stream in binary format one row at a time
 * (libpq single-row mode), so memory does not grow with the catalogue, and each row is
 * applied under the store's write lock on its own. */
#ifndef REC_LOADER_H
#define REC_LOADER_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "recommender/store.h"

#define REC_LOAD_CHUNK 5000 /* ids per query */

/* Loads tracks into s: those listed in ids[0..n) when ids is given (ids not found, for
 * example deleted or now missing, are removed from the index), else those analysed or
 * changed at or after `since` (a timestamptz in text) when given, else all. Returns the
 * number of rows loaded, or -1 with a message in err. */
long rec_load_tracks(PGconn *c, rec_store *s, const int64_t *ids, size_t n, const char *since,
                     char *err, size_t errlen);

/* Applies feedback rows to the model, selected the same way (by id, received since, or
 * all). Rows applied before are skipped by the model. Returns the number of rows read, or
 * -1 with a message in err. */
long rec_load_feedback(PGconn *c, rec_store *s, const int64_t *ids, size_t n, const char *since,
                       char *err, size_t errlen);

/* The database's current time as text into buf (for a later `since`). 0 or -1. */
int rec_load_now(PGconn *c, char *buf, size_t len, char *err, size_t errlen);

#endif
