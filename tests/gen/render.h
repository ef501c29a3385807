/* render.h -- render a gen_track into an audio file with libsndfile.
 *
 * Streaming: the score is asked for one bar at a time and the synth mixes fixed-size
 * blocks straight into libsndfile, so memory does not grow with the track's length.
 * The mix is rendered twice: the first pass only measures its peak, the second scales
 * it to the track's peak_dbfs (never above full scale) and writes it. Output bytes
 * depend only on the track (Ogg serial numbers are fixed, see oggfix.h). */
#ifndef MIXQ_GEN_RENDER_H
#define MIXQ_GEN_RENDER_H

#include <stddef.h>

#include "track.h"

/* Write t to path in t->format. Returns 0, or -1 with a message in err (the format or
 * rate cannot be written, I/O error, out of memory); a partial file is removed. */
int render_track(const gen_track *t, const char *path, char *err, size_t errlen);

#endif
