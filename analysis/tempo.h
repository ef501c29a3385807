/* tempo.h -- onset detection, tempo estimation and beat tracking.
 *
 * Fed one STFT frame at a time; keeps eight 16-bit onset values per frame (band-group
 * onset envelopes, energy, kick attack), about 83 kB per minute of audio. The tempo,
 * its confidence, the metrical level and the beat times are computed once the track has
 * ended (see tempo.c for the method). */
#ifndef MQ_TEMPO_H
#define MQ_TEMPO_H

#include <stddef.h>

#include "analysis/params.h"

typedef struct mq_tempo mq_tempo;

typedef struct mq_tempo_result {
    double bpm;          /* quarter-note tempo, BPM; NaN when no pulse is found */
    double confidence;   /* 0..1: how clearly the onset envelope repeats at the beat period */
    double onset_rate;   /* detected onsets per second */
    const double *beats; /* beat times, seconds; owned by the tracker until reset */
    size_t nbeats;
} mq_tempo_result;

/* A new tracker. NULL on failure. */
mq_tempo *mq_tempo_new(void);
/* Forgets the current track. */
void mq_tempo_reset(mq_tempo *t);
/* Adds one frame. Returns 0, or -1 when out of memory. */
int mq_tempo_do(mq_tempo *t, const mq_frame *f);
/* Estimates tempo and beats of the frames added. Returns 0, or -1 when out of memory. */
int mq_tempo_finish(mq_tempo *t, mq_tempo_result *out);
/* Frees the tracker. Accepts NULL. */
void mq_tempo_del(mq_tempo *t);

#endif
