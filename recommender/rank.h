/* rank.h -- scoring transitions and ranking next tracks.
 *
 * A transition a -> b scores the weighted sum of nine components (docs/recommender.md):
 *   harmonic    fit of the Camelot move (1 same key, 0.9 +-1, 0.8 relative, ..., 0 clash)
 *   tempo       1 - |relative tempo difference| / tolerance (x 0.8 for half or double
 *               time); -1 beyond the tolerance
 *   energy      only when asked for (up, down, keep): how well b's energy follows
 *   timbre      cosine similarity of MFCCs and of chroma (their mean)
 *   embedding   cosine similarity of the neural embeddings, when both have one
 *   tags        Jaccard overlap of the tracks' tags
 *   transition  what listeners did on a -> b itself: smoothed, over all and for this user
 *   pattern     what listeners did on moves like this one (Camelot move, energy and tempo
 *               change): the user's smoothed preference plus half the crowd's
 *   taste       the user's smoothed liking of b's tags, plus half b's record as a pick
 * Candidates come from the index's tempo x key cells (nearest tempo first, at most
 * max_candidates scored) plus every track listeners went to from a before; when fewer
 * than `limit` compatible tracks exist, the key rule and then the tempo rule are
 * relaxed, and such tracks score low on those components. */
#ifndef REC_RANK_H
#define REC_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "recommender/index.h"
#include "recommender/model.h"

typedef enum rec_comp {
    REC_C_HARMONIC,
    REC_C_TEMPO,
    REC_C_ENERGY,
    REC_C_TIMBRE,
    REC_C_EMBEDDING,
    REC_C_TAGS,
    REC_C_TRANSITION,
    REC_C_PATTERN,
    REC_C_TASTE,
    REC_NCOMP
} rec_comp;

typedef enum rec_energy_dir {
    REC_ENERGY_ANY,
    REC_ENERGY_UP,
    REC_ENERGY_DOWN,
    REC_ENERGY_KEEP
} rec_energy_dir;

typedef struct rec_weights {
    double w[REC_NCOMP];
} rec_weights;

typedef struct rec_rank_opts {
    rec_weights weights;
    double tempo_tol;      /* relative, e.g. 0.06 */
    size_t max_candidates; /* scored per request from the cells, at least */
} rec_rank_opts;

typedef struct rec_query {
    int64_t from;
    const char *user; /* NULL or "" for none */
    rec_energy_dir energy;
    int limit;
    const int64_t *exclude; /* track ids not to return */
    size_t n_exclude;
} rec_query;

typedef struct rec_scored {
    uint32_t slot;
    double score;
    float c[REC_NCOMP];
} rec_scored;

/* Default options: the weights documented in docs/recommender.md, tolerance 6%, 1,000
 * candidates. */
void rec_rank_opts_default(rec_rank_opts *o);
/* The name of component c, as in weight specs and API responses. */
const char *rec_comp_name(rec_comp c);
/* Sets weights from a spec like "harmonic=1,tempo=0.5" (names of rec_comp_name, values
 * -100..100); names not given keep their value. 0, or -1 with a message in err. */
int rec_weights_parse(const char *spec, rec_weights *w, char *err, size_t errlen);
/* Parses "up", "down", "keep" (or NULL/"" for any). 0 or -1. */
int rec_energy_parse(const char *s, rec_energy_dir *d);

/* Scores a -> b for context c (rec_model_context for a and the user), filling comp.
 * Returns the weighted sum. */
double rec_rank_pair(const rec_rank_opts *o, const rec_model *m, const rec_context *c,
                     const rec_track *a, const rec_track *b, rec_energy_dir e,
                     float comp[REC_NCOMP]);

/* Ranks next tracks after q->from into out (room for q->limit), best first, with c made
 * by rec_model_context for q->from and q->user; the number of candidates scored goes to
 * *scored. Returns how many results, -1 when out of memory, -2 when q->from is not in
 * the index. */
int rec_rank_next(const rec_rank_opts *o, const rec_index *x, const rec_model *m,
                  const rec_context *c, const rec_query *q, rec_scored *out, size_t *scored);

#endif
