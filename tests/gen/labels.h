/* labels.h -- the JSON labels of generated tracks (Jansson).
 *
 * One track's labels have the fields and order of the dev corpus
 * (/work/shared/corpus/dev/labels.json): file, tempo_bpm, key, key_tonic, key_mode,
 * key_pc, camelot, time_signature, meter, duration_s, first_beat_s, style, edge_case,
 * seed, beats, downbeats, key_segments, arrangement, format, codec, sample_rate,
 * channels. Times are seconds from the first sample, rounded to microseconds. */
#ifndef MIXQ_GEN_LABELS_H
#define MIXQ_GEN_LABELS_H

#include <jansson.h>

#include "track.h"

/* Flags for json_dumpf() of labels: enough digits for microseconds on long tracks. */
#define LABELS_REAL_PRECISION JSON_REAL_PRECISION(12)

/* New JSON object with the labels of t written to `file`; NULL if out of memory.
 * The caller owns the reference. */
json_t *labels_track(const gen_track *t, const char *file);

/* New top-level catalogue object {"generator", "seed", "count", "conventions",
 * "tracks": []} for tracks to be appended to; NULL if out of memory. */
json_t *labels_catalogue(unsigned long long seed, int count);

#endif
