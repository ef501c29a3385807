/* model.h -- what feedback teaches: smoothed statistics of listeners' events.
 *
 * Every feedback event has a value in [-1, 1] (like +1, play +0.5, skip -1 or -0.5 when
 * late, dislike -1, a transition rating r of 1..5 gives (r - 3) / 2). The model keeps sums
 * and counts of these values for:
 *   - transitions: a -> b, over all listeners and per listener;
 *   - patterns: the kind of move a -> b makes (Camelot move, energy change, tempo change),
 *     over all listeners and per listener -- this is what generalises to new pairs;
 *   - taste: per listener, the tags of the tracks they pick; over all, each track as a pick.
 * A statistic is read smoothed towards zero, sum / (n + alpha), so one event never
 * dominates (docs/recommender.md gives each alpha).
 *
 * Each user_feedback row is applied once (a bitmap of row ids seen), so the initial load
 * and notifications may overlap. Listeners are known by a 64-bit hash of their id. Not
 * thread-safe (the store locks). */
#ifndef REC_MODEL_H
#define REC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "recommender/compat.h"
#include "recommender/index.h"

#define REC_ALPHA_PAIR 3.0
#define REC_ALPHA_PATTERN 10.0
#define REC_ALPHA_TASTE 5.0
#define REC_NENERGY 5    /* energy change classes: < -0.15, < -0.04, within 0.04, > 0.04, > 0.15 */
#define REC_NTEMPO 3     /* tempo change classes: slower by > 2%, within 2%, faster by > 2% */
#define REC_MAX_USER 200 /* bytes of a user id */

typedef enum rec_event_type {
    REC_EV_PLAY,
    REC_EV_SKIP,
    REC_EV_LIKE,
    REC_EV_DISLIKE,
    REC_EV_RATING, /* "transition_rating" */
    REC_NEVENTS
} rec_event_type;

typedef struct rec_event {
    int64_t row_id; /* user_feedback.id; 0 to apply without the once-only check */
    const char *user;
    int64_t from, to; /* track ids, 0 when absent */
    rec_event_type type;
    double rating;   /* 1..5, NaN when absent */
    double position; /* seconds into the next track, NaN when absent */
} rec_event;

typedef struct rec_stat {
    float sum;
    uint32_t n;
} rec_stat;

/* The smoothed value of s: sum / (n + alpha). */
static inline double rec_stat_smooth(rec_stat s, double alpha) { return s.sum / (s.n + alpha); }

/* The event type named s (as in the API and the database), or -1. */
int rec_event_type_parse(const char *s);
/* The name of type t. */
const char *rec_event_type_name(rec_event_type t);
/* The value of e in [-1, 1]. */
double rec_event_value(const rec_event *e);
/* The energy change class of from -> to (REC_NENERGY), or -1 when either is unknown. */
int rec_energy_class(double from, double to);
/* The tempo change class of a relative tempo change (REC_NTEMPO). */
int rec_tempo_class(double rel);
/* The hash a listener is known by (never 0). */
uint64_t rec_user_hash(const char *user);

typedef struct rec_model rec_model;

/* What the model knows for one request: from track `from`, for one listener (or none). */
typedef struct rec_context {
    uint64_t user; /* 0 for none */
    int64_t from;
    double move[REC_NMOVES]; /* pattern preferences, per class */
    double energy[REC_NENERGY];
    double tempo[REC_NTEMPO];
    double *tag_affinity; /* per tag id (1-based), NULL when the listener has none */
    size_t ntags;
    const int64_t *succ_global, *succ_user; /* tracks that followed `from` before */
    size_t n_succ_global, n_succ_user;
} rec_context;

/* Counts for /v1/health and /metrics. */
typedef struct rec_model_stats {
    uint64_t events, users, transitions;
    size_t bytes;
} rec_model_stats;

/* A new, empty model. NULL when out of memory. */
rec_model *rec_model_new(void);
/* Frees m. Accepts NULL. */
void rec_model_del(rec_model *m);
/* Applies e; the tracks' features are read from x. 1 when applied, 0 when its row was
 * applied before or it names no next track, -1 when out of memory. */
int rec_model_apply(rec_model *m, const rec_index *x, const rec_event *e);

/* Fills c for transitions from `from` for user (NULL or "" for none); ntags is the index's
 * tag vocabulary size. 0, or -1 when out of memory. Free with rec_model_context_free. */
int rec_model_context(const rec_model *m, const char *user, int64_t from, size_t ntags,
                      rec_context *c);
/* Frees what rec_model_context allocated. */
void rec_model_context_free(rec_context *c);
/* The transition statistics of from -> to over all listeners and for c's listener. */
void rec_model_pair(const rec_model *m, const rec_context *c, int64_t to, rec_stat *global,
                    rec_stat *user);
/* The statistics of track `to` as a pick, over all listeners. */
rec_stat rec_model_track(const rec_model *m, int64_t to);
/* Counts and memory. */
void rec_model_stats_get(const rec_model *m, rec_model_stats *s);

#endif
