/* view.h -- indexed tracks and scored transitions as JSON, for API responses.
 *
 * Written with the streaming writer (jsonw.h): each function writes members into an
 * object the caller has opened, so a route can add its own members beside them. */
#ifndef REC_VIEW_H
#define REC_VIEW_H

#include "recommender/index.h"
#include "recommender/jsonw.h"
#include "recommender/model.h"
#include "recommender/rank.h"

/* The members "id", "title", "artist", "album", "bpm", "camelot", "energy", "tags" of t. */
void rec_view_track(rec_jw *w, const rec_index *x, const rec_track *t);

/* The members "score", "components" (each component's value) and "reasons" of the
 * transition a -> b scored s in context c: "reasons" is a list of {"kind", "text",
 * "value"} giving the transition in words and numbers, e.g. "8A -> 9A, +1 on the Camelot
 * wheel", "124 -> 126 BPM, +1.6%". */
void rec_view_transition(rec_jw *w, const rec_rank_opts *o, const rec_index *x, const rec_model *m,
                         const rec_context *c, const rec_track *a, const rec_track *b,
                         rec_energy_dir e, const rec_scored *s);

#endif
